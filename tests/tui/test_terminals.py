"""Terminals the app must work in: 16, 256 and true colours (a real process in a pseudo-terminal),
fonts without braille (the plot marker), and Textual's themes (kept across starts)."""

import os
import pty
import re
import select
import struct
import subprocess
import sys
import time

import pytest

from tests.tui.helpers import make_app
from tui.state import StateStore
from tui.widgets.plot import Plot

BRAILLE = re.compile("[\u2800-\u28ff]")


def _plot_text(app) -> str:
    return "".join(re.sub(r"\x1b\[[0-9;]*m", "", p.plt.build()) for p in app.screen.query(Plot) if p.size.area)


async def test_plots_never_need_a_braille_font_and_the_marker_is_kept(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        before = _plot_text(app)
        assert app.plot_marker == "hd" and before.strip() and not BRAILLE.search(before)
        app.action_toggle_marker()
        await pilot.pause()
        after = _plot_text(app)
        assert app.plot_marker == "dot" and "•" in after and "•" not in before and not BRAILLE.search(after)
    assert StateStore(tmp_path).section("app")["marker"] == "dot"
    again = make_app(tmp_path, problem=2)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.plot_marker == "dot" and "•" in _plot_text(again)


async def test_the_theme_is_textuals_and_is_kept(tmp_path):
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await pilot.pause()
        assert app.screen.styles.background != dark
    assert StateStore(tmp_path).section("app")["theme"] == "textual-light"
    again = make_app(tmp_path)
    assert again.theme == "textual-light"


def _run_in_a_terminal(tmp_path, color_system: str, seconds: float = 20.0) -> str:
    """Start the real app in an 80×24 pseudo-terminal with the given colour system, wait for its first
    screen, quit with ctrl+q; returns everything it wrote."""
    import fcntl
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color" if color_system != "standard" else "xterm",
               TEXTUAL_COLOR_SYSTEM=color_system, HW7_TUI_DATA_DIR=str(tmp_path), COLUMNS="80", LINES="24")
    env.pop("COLORTERM", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "--problem", "2"], stdin=child, stdout=child,
                            stderr=child, env=env, close_fds=True, start_new_session=True)
    os.close(child)
    out = b""
    deadline = time.monotonic() + seconds
    quit_sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break  # the child closed the terminal
                if not chunk:
                    break
                out += chunk
            if not quit_sent and b"Quit" in out and b"\xcf\x83\xc2\xb2" in out:  # the footer, and "σ²" (its keys)
                time.sleep(1.5)  # let the plots draw once
                os.write(main, b"\x11")  # ctrl+q
                quit_sent = True
            if proc.poll() is not None and not ready:
                break
        assert quit_sent, "the first screen never appeared:\n" + out.decode(errors="replace")[-2000:]
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
    return out.decode(errors="replace")


@pytest.mark.parametrize("color_system, allowed, forbidden", [
    ("standard", r"\x1b\[[0-9;]*m", ("38;5;", "48;5;", "38;2;", "48;2;")),
    ("256", r"\x1b\[[0-9;]*38;5;", ("38;2;", "48;2;")),
    ("truecolor", r"\x1b\[[0-9;]*38;2;", ()),
])
def test_the_app_draws_in_16_256_and_true_colour_terminals(tmp_path, color_system, allowed, forbidden):
    out = _run_in_a_terminal(tmp_path, color_system)
    assert re.search(allowed, out), f"no colour codes of the {color_system} kind"
    for code in forbidden:
        assert code not in out, f"{color_system}: found {code!r}, which such a terminal cannot show"
    assert "Traceback" not in out
