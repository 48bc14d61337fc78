"""Issue 10 at 80×24: what the earlier tests did not yet hold — every footer whole, the Explain
views' first line whole, an empty plot saying what will fill it."""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app, screen_text

SIZE = (80, 24)


async def _open(pilot, app, problem: str) -> None:
    await pilot.press(problem)
    for _ in range(100):  # screens 3–5 build their exact-score frames in a worker
        await pilot.pause(0.05)
        if app.screen.PROBLEM == int(problem):
            break


@pytest.mark.parametrize("problem", "12345")
async def test_every_footer_key_is_whole_with_quit_and_help_at_80x24(tmp_path, problem):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, problem)
        await pilot.pause(0.3)
        footer = screen_text(app).splitlines()[-1]
        shown = [a.binding for a in app.screen.active_bindings.values() if a.binding.show]
        assert len(shown) >= 5
        for binding in shown:  # every key the footer offers is there whole, key and word
            key = app.get_key_display(binding)
            assert f" {key} {binding.description} " in f" {footer} ", (key, binding.description, footer)
        assert "^q Quit " in footer and "? Help " in footer and footer.rstrip().endswith("^p palette"), footer
