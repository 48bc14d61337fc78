"""Screen 5: exact-score frames first, recipe knobs, training in the background, quality table."""

import time

from tests.tui.helpers import make_app, static_text
from tui.state import StateStore


async def wait_for(pilot, condition, timeout=90.0):
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.05)


async def test_recipe_knobs_training_and_quality(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", steps=40, particles=1000)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result.score == "exact" and screen.playback.n_frames == 40
        assert screen.playback.index == 39  # paused on the last frame: the generated roll
        await pilot.press("left")
        assert screen.playback.index == 38
        await pilot.press("r")  # faithful: the notebook's knobs
        assert screen.config.recipe == "faithful" and screen.config.batch == 2048 and screen.config.lr == 0.001
        assert screen.config.embedding == "raw"
        assert screen.query_one("#knob-batch").value == "2048"  # the box shows the value in force
        await pilot.press("r")  # back to fast, then train 40 steps
        assert screen.config.steps == 4000
        box = screen.query_one("#knob-steps")
        box.focus()
        box.value = "40"
        await pilot.press("enter")
        assert screen.config.steps == 40 and app.focused is None
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result is not None and screen.result.score == "learned")
        table = screen.query_one("#swiss-quality DataTable")
        assert table.row_count == 5  # three samplers, the floor, N(0, I)
        ev = screen.result.evaluation
        assert ev.gaussian.energy > ev.floor.energy > 0
        assert "trained" in static_text(screen.query_one("#swiss-message"))
        assert list((tmp_path / "models").glob("p5-eps-fast-*.pt"))


async def test_bad_knob_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        box = screen.query_one("#knob-lr")
        box.focus()
        box.value = "nan"
        await pilot.press("enter")
        assert "not a finite number" in static_text(screen.query_one("#swiss-message")) and screen.config.lr == 0.02
        assert app.focused is box and box.value == "nan"  # the typed text and the focus stay
        screen.action_cancel()
