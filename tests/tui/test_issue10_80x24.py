"""Issue 10 at 80×24: what the earlier tests did not yet hold — every footer whole, the Explain
views' first line whole, an empty plot saying what will fill it."""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app, screen_text, small_walk_app, wait_for

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


async def test_p5_a_finished_run_fills_the_bar_and_names_no_run_number(tmp_path, monkeypatch):
    from textual.widgets import ProgressBar

    from tests.tui.helpers import static_text
    from tui.state import StateStore

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", steps=1_000_000, particles=300)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        message = static_text(screen.query_one("#swiss-message"))
        assert message == "training (fast recipe) — x cancels", message  # no internal run number
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in static_text(screen.query_one("#train-status")))
        box = screen.query_one("#knob-steps")
        box.focus()
        box.value = "40"
        await pilot.press("enter", "t")
        await wait_for(pilot, lambda: screen.result.score == "learned")
        await pilot.pause(0.2)
        assert screen.query_one("#train-bar", ProgressBar).percentage == 1.0  # 100 %, not 99 % after the sampling
        assert "sampled and measured" in static_text(screen.query_one("#train-status"))


@pytest.mark.parametrize("problem", "34")
async def test_explain_first_lines_are_whole_at_80_columns(tmp_path, problem):
    from engine.mixture import DEFAULT_MIXTURE

    app = make_app(tmp_path, problem=int(problem))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("TabbedContent").active = "tab-explain"
        await pilot.pause(0.5)
        text = screen_text(app)
        explain = " ".join(text[text.index("With these numbers"):].split())  # the status line above names p₀ too
        assert f"p₀ = {DEFAULT_MIXTURE.format()}" in explain, text


async def test_p4_comparison_view_says_how_to_fill_it_before_b(tmp_path):
    app = make_app(tmp_path, problem=4)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
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
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.checkpoints, 10)
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


async def test_a_reloaded_loss_history_keeps_its_axis_in_steps(tmp_path, monkeypatch):
    """A checkpoint keeps at most 400 loss values (thinned); after a restart the Loss view's x-axis
    still runs to the run's last step, not to the number of values kept."""
    import re

    import plotext

    from tests.tui.helpers import static_text

    def last_tick(app) -> float:
        text = plotext.uncolorize(app.screen.query_one("#walk-loss").plt.build())
        axis = [line for line in text.splitlines() if "step" in line.split("┘")[-1]]
        ticks = text.splitlines()[text.splitlines().index(axis[0]) - 1]
        return max(float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", ticks))

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_walk_app(tmp_path, 3, steps=900)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        trained_axis = last_tick(app)
    assert trained_axis > 850
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None and screen.result.kind == "learned")
        await pilot.pause(0.2)
        assert "reloaded" in static_text(screen.query_one("#walk-message"))
        assert last_tick(app) == pytest.approx(trained_axis, rel=0.02)  # not ~450: the values kept


@pytest.mark.parametrize("problem", "12345")
async def test_help_names_every_key_the_screen_answers(tmp_path, problem):
    """Whatever the footer leaves out (e, c, m, 1–5, ←/→, +/-, [/], s, a, d, r, k, …) is in `?`'s table."""
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, problem)
        help_text = app.screen.help_markdown()
        answered: dict[str, set[str]] = {}
        for a in app.screen.active_bindings.values():
            if a.binding.description:
                answered.setdefault(a.binding.action, set()).add(app.get_key_display(a.binding))
        for action, keys in answered.items():  # each action under one of its keys (ctrl+c or super+c)
            assert any(f"| `{key}` |" in help_text for key in keys), (action, keys)
        for key in ("e", "c", "m", "1", "5", "R", "u", "v"):
            assert f"| `{key}` |" in help_text, key


async def test_paths_run_from_t_on_the_left_to_0_on_the_right(tmp_path, monkeypatch):
    import plotext

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_walk_app(tmp_path, 3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.frames is not None)
        text = plotext.uncolorize(screen.query_one("#paths-deterministic").plt.build()).splitlines()
        label = next(i for i, line in enumerate(text) if "from T down to 0" in line)
        ticks = text[label - 1].split()
        assert ticks[0] == "20" and ticks[-1] == "0", ticks  # T = 20 at the left, 0 at the right


@pytest.mark.parametrize("problem, box_id, typed, shown", [(1, "#p1-n", "1e6", "✓ N = 1000000"),
                                                          (2, "#p2-sigma2", "0.1", "✓ σ² = 0.1"),
                                                          (2, "#p2-n", "1e5", "✓ N = 100000")])
async def test_a_box_confirms_with_its_own_label(tmp_path, problem, box_id, typed, shown):
    from tests.tui.helpers import static_text

    app = make_app(tmp_path, problem=problem)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        if problem == 1:
            screen.query_one("TabbedContent").active = "tab-people"
            await pilot.pause()
        screen.query_one(box_id).focus()
        await pilot.press("ctrl+u", *typed, "enter")
        await pilot.pause()
        assert static_text(screen.query_one(f"#p{problem}-message")) == shown


async def test_the_seed_range_is_written_whole_on_screen(tmp_path):
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("#param-seed").focus()
        await pilot.press("ctrl+u", *"1e10", "enter")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "from 0 to 2147483647, got 10000000000" in text and "e+09" not in text


async def test_copy_says_the_terminal_may_refuse_it(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = lambda text: None  # what a terminal that refuses OSC 52 looks like: nothing
        await pilot.press("c")
        await pilot.pause()
        said = " ".join(n.message for n in app._notifications)
        assert "If nothing arrives, your terminal does not allow it" in said and "`e`" in said


async def test_loss_view_before_training_says_so(tmp_path):
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("TabbedContent").active = "tab-loss"
        await pilot.pause(0.3)
        assert "no loss yet — press t to train" in screen_text(app)


def test_report_plots_tell_their_series_apart():
    from tui.report import ReportContext, section_p1, section_p2

    p1 = section_p1(ReportContext(seed=0))
    bars = p1[p1.index("```text"):]
    for marker, label in (("██", "start"), ("▒▒", "after moving"), ("░░", "after return")):
        assert f"{marker} {label}" in bars  # the legend
        assert bars.count(marker[0]) > 20  # and the bars themselves
    p2 = section_p2(ReportContext(seed=0))
    curves = p2[p2.index("```text"):]
    assert "xx N(y + σ²∇log p(y), σ²)" in curves and "•• exact p(x|y)" in curves
    assert curves.count("x") > 10 and curves.count("•") > 20


async def test_b_shows_its_progress_and_x_stops_it_with_a_whole_message(tmp_path, monkeypatch):
    from tests.tui.helpers import static_text

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_walk_app(tmp_path, 4, steps=200_000)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("b")
        status = screen.query_one("#train-status")
        await wait_for(pilot, lambda: "steps/s" in static_text(status) and "ETA" in static_text(status), 30)
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in static_text(status), 10)
        stopped = static_text(status)
        await pilot.pause(1.0)
        assert static_text(status) == stopped and "ETA" not in stopped  # nothing keeps counting
        message = static_text(screen.query_one("#walk-message"))
        assert message.startswith("cancelled") and " ".join(message.split()) in " ".join(screen_text(app).split())


@pytest.mark.parametrize("problem, col", [(1, 2), (2, 2)])
async def test_a_refused_cell_is_explained_on_screen_at_120x40(tmp_path, problem, col):
    from tests.tui.helpers import static_text
    from tui.widgets.edit_table import EditableTable

    app = make_app(tmp_path, problem=problem)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        table.table.focus()
        table.table.move_cursor(row=0, column=col, animate=False)
        await pilot.pause()
        await pilot.press("enter", "ctrl+u", *"abc", "enter")
        await pilot.pause()
        message = static_text(screen.query_one(f"#p{problem}-message"))
        assert message.startswith("✗") and "'abc'" in message
        assert any(message[:40] in line for line in screen_text(app).splitlines())  # a two-column layout here
        assert table.editing and table.query_one("#edit-input").value == "abc"


async def test_the_loss_view_stays_in_the_homeworks_units_after_training_and_a_restart(tmp_path, monkeypatch):
    """The Loss view's title says L(θ) in the homework's units: the curve after training (balanced loss
    trained) and after a restart must be that, not the balanced loss (about 10× larger here, 200× at the defaults)."""
    import numpy as np

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_walk_app(tmp_path, 3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        trained = screen.trained
        assert trained.settings.loss == "balanced"
        assert "homework's units" in screen.query_one("#walk-loss")._title
        drawn = screen.query_one("#walk-train")._losses
        assert drawn == pytest.approx(list(trained.homework_losses))
        assert np.mean(trained.outcome.losses) > 5 * np.mean(trained.homework_losses)  # the two differ here
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None and screen.result.kind == "learned")
        drawn = screen.query_one("#walk-train")._losses
        assert drawn == pytest.approx(list(trained.homework_losses), rel=1e-6)


@pytest.mark.parametrize("problem", (3, 4))
async def test_the_loss_view_draws_the_least_possible_loss_under_the_curve(tmp_path, monkeypatch, problem):
    import plotext

    from engine.mixture import DEFAULT_MIXTURE
    from engine.posterior import homework_loss_minimum

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_walk_app(tmp_path, problem)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        panel = screen.query_one("#walk-train")
        await wait_for(pilot, lambda: panel._reference is not None)
        floor = homework_loss_minimum(DEFAULT_MIXTURE, 20, 1.25, f"p{problem}")
        assert panel._reference[0] == pytest.approx(floor, rel=1e-12)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        trained = screen.trained
        # batch losses estimate L(θ) ≥ its minimum: the trained model ends near the floor, not below it
        assert floor <= trained.final_homework_loss * 1.1 and trained.final_homework_loss < 3 * floor
        text = plotext.uncolorize(screen.query_one("#walk-loss").plt.build())
        assert f"least possible L(θ) {floor:.4g}" in text


@pytest.mark.parametrize("problem, box_id, bad, refused, line_id, news", [
    (3, "#param-T", "1e99", "✗ T must be", "#walk-message", "✓ orders measured: stochastic 0.94"),  # the Orders worker
    (5, "#knob-T", "abc", "✗ T:", "#swiss-message", "✓ trained: animation and samplers use the learned ε̂θ"),
])
async def test_news_from_a_worker_never_hides_the_refusal_of_the_box_being_fixed(tmp_path, problem, box_id, bad,
                                                                                 refused, line_id, news):
    from tests.tui.helpers import static_text

    app = make_app(tmp_path, problem=problem)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        box = screen.query_one(box_id)
        box.focus()
        await pilot.press("ctrl+u", *bad, "enter")
        line = screen.query_one(line_id)
        refusal = static_text(line)
        assert refusal.startswith(refused)
        screen.show_message(news)  # a run ending meanwhile
        await pilot.pause()
        assert static_text(line) == refusal and app.focused is box
        assert any(news in n.message for n in app._notifications)  # said, as a toast
        await pilot.press("escape")
        screen.show_message(news)
        assert static_text(line) == news  # no box pending: the line
