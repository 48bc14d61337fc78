"""Screens 3 and 4: background training, cancellation, playback, quitting mid-training."""

import asyncio
import threading
import time

import pytest
from plotext import uncolorize

from tests.tui.helpers import cell, make_app, static_text, wait_for
from tests.tui.helpers import small_walk_app as small_app
from tui.widgets.setting_input import SpecValidator
from tui.state import StateStore



async def test_exact_frames_play_before_training_and_training_fills_the_table(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result.kind == "exact" and screen.playback.n_frames == len(screen.frames.stochastic.steps)
        assert screen.frames.crossings[0] == 0  # the deterministic flow keeps the order of particles
        exact_rows = screen.query_one("#quality-table DataTable")
        assert exact_rows.row_count == 1 and cell(exact_rows, 0, 0) == "exact"  # filled before any training
        await pilot.press("right", "right")
        assert screen.playback.index == 2
        await pilot.press("left")
        assert screen.playback.index == 1
        await pilot.press("space")
        assert screen.playback.playing
        await pilot.press("space")
        assert not screen.playback.playing
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        ev = screen.result.evaluation
        assert ev.row("learned", "stochastic").w1 > 0 and ev.n == 2000
        table = screen.query_one("#quality-table DataTable")
        assert table.row_count == 2
        budget = screen.query_one("#budget-table DataTable")
        assert budget.row_count == 2 and len(budget.columns) == 6  # … with the exact T→∞ prior floor last
        assert float(cell(budget, 1, 5)) == pytest.approx(screen.result.budget["deterministic"].prior_limit, abs=1e-4)
        assert "trained" in static_text(screen.query_one("#walk-message"))
        assert list((tmp_path / "models").glob("p3-score-*.npz"))


def event_loop_lag_probe(app):
    """Largest gap between ticks of a 20 ms timer: how long a key press could have waited."""
    state = {"last": time.perf_counter(), "worst": 0.0}

    def tick():
        now = time.perf_counter()
        state["worst"] = max(state["worst"], now - state["last"])
        state["last"] = now

    timer = app.set_interval(0.02, tick)
    return state, timer


async def test_twenty_start_cancel_cycles_leak_nothing_and_the_loop_stays_live(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, steps=200_000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        import torch  # noqa: F401  (imported before measuring, as the app's warm-up does)

        # the exact part's and torch's warm-up workers: let them finish before counting threads
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), timeout=10)
        baseline = threading.active_count()
        await pilot.press("t")  # through the keyboard once …
        await pilot.pause(0.3)
        probe, timer = event_loop_lag_probe(app)
        await asyncio.sleep(1.0)  # training runs; the event loop must keep ticking
        timer.stop()
        assert probe["worst"] < 0.5, f"the interface stalled {probe['worst']:.2f} s while training"
        await pilot.press("x")
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), timeout=10)
        for _ in range(19):  # … and 19 more times directly
            screen.action_train()
            await pilot.pause(0.05)
            started = time.perf_counter()
            screen.action_cancel()
            await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), timeout=10)
            assert time.perf_counter() - started < 2.0  # a cancelled run stops within a step or so
        await pilot.pause(0.2)
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), timeout=10)
        assert threading.active_count() <= baseline + 1  # no leaked training threads
        assert screen.trained is None and screen.result.kind == "exact"
        assert "cancel" in static_text(screen.query_one("#walk-message"))


async def test_quitting_mid_training_exits_promptly(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, steps=200_000)
    start = None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause(0.5)
        assert any(w.is_running for w in app.workers)
        start = time.perf_counter()
        await pilot.press("ctrl+q")
    assert time.perf_counter() - start < 5.0


async def test_bad_parameter_is_refused_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        box = screen.query_one("#param-lr")
        for bad, words in (("nan", "not a finite number"), ("0", "must be > 0"), ("abc", "not a number")):
            box.focus()
            box.value = bad
            await pilot.press("enter")
            await pilot.pause()
            assert words in static_text(screen.query_one("#walk-message")), bad
            # the typed text and the focus stay (keys typed next go into the box), the value in force too
            assert screen.params.lr == 0.003 and box.value == bad and app.focused is box
        await pilot.press("escape")  # Escape puts back the value in force and leaves the box
        assert box.value == "0.003" and app.focused is None
        box.focus()
        box.value = "0.01"
        await pilot.press("enter")
        assert screen.params.lr == 0.01 and app.focused is None  # back to the screen's keys


async def test_p4_compares_the_two_targets(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, problem=4, steps=150)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.comparison is not None)
        e3, e4 = screen.comparison.p3, screen.comparison.p4
        assert list(e3.t) == list(e4.t) and e3.t[0] == 1 and e3.t[-1] == 20
        assert screen.query_one("#compare-table DataTable").row_count == len(e3.t) + 1


async def test_too_large_learning_rate_is_reported_as_diverged(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, lr=1.0)  # the largest the screen accepts; the loss jumps 10⁴× at once
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        text = static_text(screen.query_one("#walk-message"))
        assert "diverged" in text and "learning rate is too large" in text
        assert screen.query_one("#quality-table DataTable").row_count == 2  # the kept weights are still evaluated


async def test_a_model_that_cannot_be_saved_says_why_and_is_still_used(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    (tmp_path / "models").write_text("a file where the models folder should be")
    app = small_app(tmp_path, steps=50)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        text = static_text(screen.query_one("#walk-message"))
        assert "✓ trained" in text and "could not save the model" in text
        assert not list(tmp_path.glob("models/*.npz")) and screen.query_one("#quality-table DataTable").row_count == 2


# ---- issue 10 at 80×24 ----------------------------------------------------------------------------
def _on_screen(app, widget) -> bool:
    region = widget.region
    return region.height > 0 and region.y >= 0 and region.bottom <= app.size.height


@pytest.mark.parametrize("problem", [3, 4])
async def test_a_bad_value_in_every_box_is_explained_and_keeps_the_keys(tmp_path, monkeypatch, problem):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, problem=problem)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        before = screen.params
        for name in ("T", "sigma2", "particles", "seed", "steps", "lr"):
            box = screen.query_one(f"#param-{name}")
            box.focus()
            await pilot.press("ctrl+u", *"1e12x", "enter")  # not a number
            message = screen.query_one("#walk-message")
            said = SpecValidator(box.spec).validate("1e12x").failure_descriptions[0]  # the CLI's words too
            assert said in static_text(message) and _on_screen(app, message), name
            assert app.focused is box and box.value == "1e12x"
            await pilot.press("backspace", "enter")  # 1e12: a number, out of every range here
            assert "must be" in static_text(message) and app.focused is box, name
            await pilot.press("5", "1", "3")  # keys after a refusal stay in the box: no screen switch
            assert app.current_mode == f"p{problem}" and box.value == "1e12513"
            await pilot.press("escape")
            assert app.focused is None and box.value == box.spec.format(getattr(before, name))
            assert static_text(message) == ""  # the stale error went with Escape
        assert screen.params == before


async def test_t_during_training_asks_before_discarding_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, steps=200_000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await pilot.pause(0.3)
        first = screen.run_id
        await pilot.press("t")
        assert screen.run_id == first and "press t again" in static_text(screen.query_one("#walk-message"))
        await pilot.press("t")  # asked, answered: a new run
        assert screen.run_id != first
        await pilot.press("x")
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), timeout=10)
        status = static_text(screen.query_one("#train-status"))
        assert "cancelled" in status and "ETA" not in status  # the ETA stops with the run


async def test_a_restarted_app_shows_the_saved_model_with_its_evaluation(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, steps=100)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        trained_rows = screen.result.evaluation.rows
    again = make_app(tmp_path, problem=3)
    async with again.run_test(size=(80, 24)) as pilot:
        screen = again.screen
        await wait_for(pilot, lambda: screen.result is not None and screen.result.kind == "learned")
        text = static_text(screen.query_one("#walk-message"))
        assert "reloaded the saved model p3-score-" in text and "stored evaluation" in text
        assert screen.result.evaluation.rows == trained_rows  # not measured again: the stored numbers
        assert screen.query_one("#quality-table DataTable").row_count == 2
        assert screen.frames.kind == "learned" and screen.query_one("#walk-train")._losses  # the Loss view too


async def test_screens_3_and_4_follow_screen_2s_mixture(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        app.state.update("p2", mixture="0.5:-3:0.5,0.5:3:0.5")  # what screen 2 saves when p(x) changes
        await pilot.press("2")
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.result.settings.mixture == "0.5:-3:0.5,0.5:3:0.5")
        assert screen.params.mixture == "0.5:-3:0.5,0.5:3:0.5" and screen.frames is not None
        assert "changed on screen 2" in static_text(screen.query_one("#walk-message"))


async def test_reverse_view_fits_p0_at_t0_and_names_the_update(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.frames is not None)
        await pilot.press("left")  # from the first frame back to the last: t = 0
        plot = screen.query_one("#movie-deterministic")
        text = plot.plt.build()
        assert "x(t−1) = x(t) + ½σ²s" in text and "t=0" in text
        lo, hi = screen.params.setup().p0.support(4.0)
        from tui.widgets.walk_plots import frame_view

        movie = screen.frames.deterministic
        centers, heights, a, b = frame_view(movie, len(movie.steps) - 1, fit=True)
        assert (a, b) == pytest.approx((lo, hi)) and 20 <= len(centers) <= 60  # p₀ spans the plot
        wide = frame_view(movie, len(movie.steps) - 1, fit=False)
        assert wide[3] - wide[2] > 2 * (hi - lo)  # the fixed axis would squeeze p₀ into a corner
        fitted = plot.render().plain
        await pilot.press("z")
        assert not screen.fit
        await pilot.pause()
        wide_picture = plot.render().plain
        assert wide_picture != fitted  # z draws the frame shown again, on the one axis (not a kept picture)
        assert f"{wide[2]:.0f}" in uncolorize(plot.plt.build()) or f"{wide[3]:.0f}" in uncolorize(plot.plt.build())


async def test_export_writes_both_panels_and_the_error_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "out"))
    (tmp_path / "out").mkdir()
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("e")
        await pilot.pause()
    tables = (tmp_path / "out" / "hw7-p3-tables.md").read_text()
    assert "W1 / TV to p₀" in tables and "Error budget (W1)" in tables and "prior T→∞" in tables
    plot = (tmp_path / "out" / "hw7-p3-plot.txt").read_text()
    assert "x(t−1) = x(t) + σ²s + σz" in plot and "x(t−1) = x(t) + ½σ²s" in plot and "\x1b" not in plot


async def test_l_switches_to_the_homework_loss_and_a_loaded_model_keeps_its_own(tmp_path, monkeypatch):
    """l trains the homework's own L(θ); the model saved says so, the setting persists, and the saved
    evaluation comes back with the model (the same numbers, without sampling them again)."""
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    from engine.checkpoint import load_checkpoint
    from engine.score_net import evaluation_from_metrics

    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("l")
        assert screen.loss == "homework" and "homework" in static_text(screen.query_one("#walk-message"))
        assert StateStore(tmp_path).section("p3")["loss"] == "homework"
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        assert screen.trained.settings.loss == "homework"
        saved = load_checkpoint(next((tmp_path / "models").glob("p3-score-*.npz")))
        assert saved.settings["loss"] == "homework"
        stored, errors = evaluation_from_metrics(saved.metrics)
        assert stored.rows == screen.result.evaluation.rows and errors is not None
        await pilot.press("l")
        assert screen.loss == "balanced"
        screen.load_checkpoint(saved)  # the loaded model's own loss comes back, and its stored numbers
        assert screen.loss == "homework"
        await wait_for(pilot, lambda: screen.result.kind == "learned" and screen.result.evaluation.samples == {})
        assert screen.result.evaluation.rows == stored.rows


async def test_one_progress_display_follows_training_and_the_evaluation_after_it(tmp_path, monkeypatch):
    """After the bar reaches 100% the sampling/evaluating phase is shown on the same bar, by phase."""
    import engine.score_net

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    real_evaluate, entered, release = engine.score_net.evaluate, threading.Event(), threading.Event()

    def held_evaluate(*args, **kwargs):
        entered.set()
        release.wait(20)
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(engine.score_net, "evaluate", held_evaluate)
    app = small_app(tmp_path, steps=50)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, entered.is_set)
        await pilot.pause(0.2)
        status = static_text(screen.query_one("#train-status"))
        assert status.startswith("evaluating 1/4"), status  # the phase, on the bar that showed training
        release.set()
        await wait_for(pilot, lambda: screen.result.kind == "learned")
        assert "evaluated" in static_text(screen.query_one("#train-status"))


async def test_p4_comparison_is_dropped_when_the_settings_it_measured_change(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, problem=4, steps=60)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.comparison is not None)
        screen.query_one("#param-steps").focus()
        await pilot.press("ctrl+u", *"70", "enter")
        assert screen.params.steps == 70 and screen.comparison is None
        assert screen.query_one("#compare-table DataTable").row_count == 0


async def test_L_measures_both_losses_and_explain_shows_the_comparison(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path, steps=40)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        assert "Press L" in screen.query_one("#explain").source
        await pilot.press("L")
        await wait_for(pilot, lambda: screen.loss_comparison is not None, timeout=120)
        c = screen.loss_comparison
        assert {r.loss for r in c.runs} == {"homework", "balanced"} and len(c.runs) == 6
        assert all(r.score_error.shape == c.runs[0].score_error.shape for r in c.runs)
        text = screen.query_one("#explain").source
        assert "Which loss? Measured on these settings" in text and c.sentence() in text


async def test_orders_view_measures_every_sampler_and_shows_it_at_80x24(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        screen.query_one("#walk-tabs").active = "tab-orders"  # opening the view starts the measurement
        await wait_for(pilot, lambda: screen.orders is not None, timeout=120)
        await pilot.pause()
        rows = {(r["sampler"], r["from"]): r for r in screen.query_one("#orders-table").table.as_json()}
        assert len(rows) == 10
        assert abs(rows[("Heun", "p_T")]["order"] - 2) < 0.3 and abs(rows[("½-step flow", "p_T")]["order"] - 1) < 0.2
        assert abs(rows[("flow without ½", "p_T")]["order"]) < 0.2  # it does not converge
        plot = screen.query_one("#orders-plot")
        assert plot.size.height >= 8 and plot.region.bottom <= 24


async def test_R_resets_the_settings_and_u_puts_them_back(tmp_path, monkeypatch):
    from engine.problems.p3_walk import WalkSettings

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = small_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        before = screen.params
        assert before.T == 20
        await pilot.press("R")
        await pilot.pause()
        defaults = WalkSettings(mixture=before.mixture)
        assert screen.params == defaults and screen.query_one("#param-T").value == str(defaults.T)
        await pilot.press("u")
        await pilot.pause()
        assert screen.params == before and screen.query_one("#param-T").value == "20"
