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


async def _wait_for(pilot, condition, timeout: float = 90.0) -> None:
    import time

    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.05)


async def test_p5_a_finished_run_fills_the_bar_and_names_no_run_number(tmp_path, monkeypatch):
    from textual.widgets import ProgressBar

    from tests.tui.helpers import static_text
    from tui.state import StateStore

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", steps=1_000_000, particles=300)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        message = static_text(screen.query_one("#swiss-message"))
        assert message == "training (fast recipe) — x cancels", message  # no internal run number
        await pilot.press("x")
        await _wait_for(pilot, lambda: "cancelled" in static_text(screen.query_one("#train-status")))
        box = screen.query_one("#knob-steps")
        box.focus()
        box.value = "40"
        await pilot.press("enter", "t")
        await _wait_for(pilot, lambda: screen.result.score == "learned")
        await pilot.pause(0.2)
        assert screen.query_one("#train-bar", ProgressBar).percentage == 1.0  # 100 %, not 99 % after the sampling
        assert "sampled and measured" in static_text(screen.query_one("#train-status"))


@pytest.mark.parametrize("problem", "34")
async def test_explain_first_lines_are_whole_at_80_columns(tmp_path, problem):
    from engine.mixture import DEFAULT_MIXTURE

    app = make_app(tmp_path, problem=int(problem))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("TabbedContent").active = "tab-explain"
        await pilot.pause(0.5)
        text = screen_text(app)
        explain = " ".join(text[text.index("With these numbers"):].split())  # the status line above names p₀ too
        assert f"p₀ = {DEFAULT_MIXTURE.format()}" in explain, text


async def test_p4_comparison_view_says_how_to_fill_it_before_b(tmp_path):
    app = make_app(tmp_path, problem=4)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("TabbedContent").active = "tab-compare"
        await pilot.pause(0.5)
        assert "press b: train both targets" in screen_text(app)


async def test_models_dialog_shows_each_name_and_the_settings_whole_at_80x24(tmp_path, monkeypatch):
    import torch

    from engine.checkpoint import save_checkpoint
    from tui.screens.models import ModelsScreen, models_dir

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    name = "p5-eps-faithful-two_moons-e100-seed0-20261127-104724"
    settings = {"T": 40, "batch": 2048, "dataset": "two_moons", "recipe": "faithful", "seed": 0, "steps": 2000,
                "schedule": "cosine", "embedding": "raw", "lr": 0.001, "epochs": 100, "shuffle": True}
    save_checkpoint(models_dir(), name, "p5-eps", torch.nn.Linear(2, 1).state_dict(), settings)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await _wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.checkpoints, 10)
        await pilot.pause(0.3)
        text = screen_text(app)
        flat = " ".join(text.split())
        assert name in text and "2026" in text.split(name)[1].splitlines()[0]  # name and time on one row
        for key, value in settings.items():  # every setting, none cut at the border
            assert f"{key}={value}" in flat, (key, text)
        assert "problem 5" in flat


@pytest.mark.parametrize("problem, box_id, bad", [(1, "#p1-n", "abc"), (2, "#p2-sigma2", "1e9"), (3, "#param-T", "-5"),
                                                  (5, "#knob-T", "abc")])
async def test_escape_from_a_refused_box_leaves_no_stale_error(tmp_path, problem, box_id, bad):
    from tests.tui.helpers import static_text
    from tui.widgets.setting_input import MessageLine

    app = make_app(tmp_path, problem=problem)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        if problem == 1:
            screen.query_one("TabbedContent").active = "tab-people"
            await pilot.pause()
        box = screen.query_one(box_id)
        box.focus()
        await pilot.pause()
        await pilot.press("ctrl+u", *bad, "enter")
        await pilot.pause()
        line = next(w for w in screen.query(MessageLine) if "✗" in static_text(w))
        assert app.focused is box and line.has_class("-error")
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is None and box.value == box.spec.format(box.in_force)
        assert "✗" not in static_text(line) and not line.has_class("-error"), static_text(line)


@pytest.mark.parametrize("problem", "12345")
async def test_the_palette_lists_every_action_of_each_screen_once(tmp_path, problem):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, problem)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
        wanted = ["Export", "Copy", "Reset", "Undo", "View", "Save screenshot (SVG)", "Saved models",
                  "Help for this screen", "Quit"] + (["Train", "Cancel", "Play"] if problem in "345" else [])
        assert not [w for w in wanted if w not in titles], titles
        tabs = [pane.id for pane in app.screen.query("TabPane")]
        assert sum(t.startswith("View: ") for t in titles) == len(tabs) >= 3  # each view, once
