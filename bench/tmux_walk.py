"""Drive the real app in tmux at 80×24, as a person would: every screen, every view, a bad value in
every box, Escape, the help and the palette — and keep what the terminal showed.

    python bench/tmux_walk.py [--out DIR] [--size 80x24]

Each step's screen is written to DIR/NN-name.txt (plain text, as tmux shows it). The walk fails
(exit 1) if a screen shows a Python traceback, if the app dies, or if a refused value's message is
not on screen. It uses a fresh data directory, so it never touches the user's state. Not a unit
test: it needs tmux and takes about a minute; run it after touching a screen and read the files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = "hw7-walk"

# (screen key, number of views, [(box id to Tab to is not addressable from tmux, so: keys to reach a box,
# a bad value, words the message must show)])
BAD_VALUES = {
    "1": [("enter", "abc", "not a number")],
    "2": [("enter", "-0.5", "weight")],
    "3": [("tab", "1e99", "must be")],
    "4": [("tab", "-5", "must be")],
    "5": [("tab", "abc", "not an integer")],
}


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def capture() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def send(*keys: str, wait: float = 0.4) -> None:
    for key in keys:
        tmux("send-keys", "-t", SESSION, key)
        time.sleep(0.05)
    time.sleep(wait)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "tmux-walk"), help="where the captures go")
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS (default 80x24)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed", file=sys.stderr)
        return 2
    cols, rows = args.size.split("x")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="hw7-walk-")
    env = f"HW7_TUI_DATA_DIR={data} HW7_TUI_EXPORT_DIR={data}/exports TEXTUAL_ANIMATIONS=none"
    tmux("kill-session", "-t", SESSION)
    tmux("new-session", "-d", "-s", SESSION, "-x", cols, "-y", rows,
         f"cd {ROOT} && {env} {sys.executable} -m tui.cli --fresh; sleep 30")
    failures: list[str] = []
    step = 0

    def keep(name: str) -> str:
        nonlocal step
        step += 1
        text = capture()
        (out / f"{step:02d}-{name}.txt").write_text(text)
        if "Traceback" in text or "Error:" in text and "File \"" in text:
            failures.append(f"{name}: a traceback is on screen")
        return text

    time.sleep(4)
    keep("start")
    for key, bad in BAD_VALUES.items():
        send(key, wait=2.5 if key in "35" else 1.0)
        text = keep(f"p{key}")
        footer = text.rstrip("\n").splitlines()[-1] if text.strip() else ""
        if "^q Quit" not in footer or "? Help" not in footer:
            failures.append(f"screen {key}: the footer lost '^q Quit' or '? Help': {footer!r}")
        for view in range(1, 9):  # v cycles the views; more presses than views just wrap around
            send("v", wait=0.6)
            keep(f"p{key}-view{view}")
        send("?", wait=0.8)
        keep(f"p{key}-help")
        send("escape", wait=0.5)
        for reach, value, words in bad:
            send(reach, wait=0.3)
            send("C-u", wait=0.1)  # clear the box or the cell editor
            send(*value, wait=0.2)
            send("Enter", wait=0.6)
            text = keep(f"p{key}-bad-{value}")
            if words not in text:
                failures.append(f"screen {key}: typed {value!r}, but {words!r} is not on screen")
            send("5" if key != "5" else "1", wait=0.3)  # a key typed after a refusal must stay in the box
            text = keep(f"p{key}-after-refusal")
            send("Escape", wait=0.5)
            keep(f"p{key}-escape")
    send("C-p", wait=0.8)
    keep("palette")
    send("Escape", wait=0.3)
    send("m", wait=1.5)  # the saved models (none in a fresh data directory: it says so)
    text = keep("models")
    if "no saved models yet" not in text:
        failures.append("models: the empty list does not say so")
    send("Escape", wait=0.3)
    send("C-q", wait=1.0)
    alive = SESSION in tmux("list-sessions")
    tmux("kill-session", "-t", SESSION)
    shutil.rmtree(data, ignore_errors=True)
    print(f"{step} screens written to {out}")
    for f in failures:
        print("FAIL", f)
    if not alive:
        print("note: the tmux session had already ended (the app exited early?)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
