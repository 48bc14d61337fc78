"""Screen 5: exact-score frames first, recipe knobs, training in the background, quality table."""

from tests.tui.helpers import make_app, static_text, wait_for
from tui.state import StateStore


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
        from engine.eps_net import fast

        assert screen.config.steps == fast().steps
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
        assert list((tmp_path / "models").glob("p5-eps-fast-*.npz"))


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


async def test_two_moons_data_view_shows_both_moons(tmp_path, monkeypatch):
    from engine.eps_net import load_data

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = make_app(tmp_path, problem=5, fresh=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("d", "v", "v")  # two moons; the Data view
        await wait_for(pilot, lambda: screen.result.settings.dataset == "two_moons")
        await pilot.pause(0.2)
        assert screen.query_one("#swiss-tabs").active == "tab-data"
        plot = screen.query_one("#swiss-data")
        assert plot.region.height >= 8 and plot.region.bottom <= 24
        _, std = load_data(screen.result.settings.recipe_settings())
        raw = std.inverse(screen.result.data)
        # only the upper moon reaches x < −0.5, only the lower one x > 1.5: both are drawn
        assert (raw[:, 0] < -0.5).sum() > 100 and (raw[:, 0] > 1.5).sum() > 100
        assert "data" in plot.plt.build()  # the legend names the series
        assert "no loss yet" in screen.query_one("#swiss-loss").plt.build()  # not an empty box before training


def test_every_key_is_in_the_footer_or_the_help():
    from tui.screens.p5_swiss import P5Screen

    written = {"left": "←", "right": "→", "plus": "+", "minus": "-", "c": "**c**", "space": "space"}
    for b in P5Screen.BINDINGS:
        key = b.key.split(",")[0]
        assert b.show or written.get(key, f"**{key}**") in P5Screen.HELP, b
    for title, _help, action in P5Screen.PALETTE:  # every palette command runs a real action
        assert callable(getattr(P5Screen, f"action_{action}", None)), title


async def test_a_restart_reloads_the_saved_model_with_its_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", steps=40, particles=300)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.result.score == "learned")
        rows = screen.result.tables()[0].rows
    (saved,) = (tmp_path / "models").glob("p5-eps-fast-*.npz")
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result.score == "learned" and screen.result.source == saved.stem
        assert screen.result.tables()[0].rows == rows  # the stored numbers, not measured again
        assert len(screen.result.losses) == 40 and screen.query_one("#swiss-quality DataTable").row_count == 5
        message = static_text(screen.query_one("#swiss-message"))
        assert "reloaded the saved model" in message and len(message) <= 80  # one line at 80×24
        assert saved.stem in static_text(screen.query_one("#train-status"))


async def test_cancel_stops_the_progress_and_its_eta(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", steps=1_000_000)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        await pilot.press("t")
        status = screen.query_one("#train-status")
        await wait_for(pilot, lambda: "ETA" in static_text(status) and "steps/s" in static_text(status))
        run = screen.run_id
        await pilot.press("t")  # asks first: the running model is not silently discarded
        assert screen.run_id == run and "t again starts over" in static_text(screen.query_one("#swiss-message"))
        await pilot.press("x")
        await wait_for(pilot, lambda: "cancelled" in static_text(status))
        stopped = static_text(status)
        assert "ETA" not in stopped and "cancelled" in static_text(screen.query_one("#swiss-message"))
        await pilot.pause(1.2)
        assert static_text(status) == stopped  # nothing keeps counting


async def test_a_model_from_the_models_list_sets_its_settings(tmp_path, monkeypatch):
    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.problems.p5_swiss import P5Settings, train

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    settings = P5Settings.for_recipe("faithful", epochs=1, T=12, seed=5, particles=300)
    trained = train(settings)
    path = save_checkpoint(tmp_path / "elsewhere", "p5-eps-test", "p5-eps", trained.model.state_dict(),
                           trained.settings.as_dict(), {})
    bad = save_checkpoint(tmp_path / "elsewhere", "p5-eps-bad", "p5-eps", trained.model.state_dict(),
                          {**trained.settings.as_dict(), "T": 5000}, {})
    app = make_app(tmp_path, problem=5, fresh=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)
        screen.load_checkpoint(load_checkpoint(bad))
        await pilot.pause()
        assert "not usable here" in static_text(screen.query_one("#swiss-message")) and screen.config.T == 40
        screen.load_checkpoint(load_checkpoint(path))
        assert screen.config.recipe == "faithful" and screen.config.T == 12 and screen.config.seed == 5
        assert screen.query_one("#knob-T").value == "12" and screen.query_one("#knob-epochs").value == "1"
        await wait_for(pilot, lambda: screen.result.score == "learned")
        assert screen.result.source == "p5-eps-test" and screen.result.trained.settings == trained.settings
        assert "reloaded" in static_text(screen.query_one("#swiss-message"))


async def test_reset_and_undo(tmp_path, monkeypatch):
    from engine.problems.p5_swiss import P5Settings

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    StateStore(tmp_path).update("p5", recipe="faithful", lr=0.004, epochs=7, T=30, seed=9)
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        before = screen.config
        assert (before.recipe, before.lr, before.epochs, before.T, before.seed) == ("faithful", 0.004, 7, 30, 9)
        await pilot.press("u")
        assert "nothing to undo" in static_text(screen.query_one("#swiss-message")) and screen.config == before
        await pilot.press("R")
        assert screen.config == P5Settings() and screen.query_one("#knob-T").value == "40"
        assert StateStore(tmp_path).section("p5")["T"] == 40  # saved as it is shown
        await pilot.press("u")
        assert screen.config == before and screen.query_one("#knob-lr").value == "0.004"
        assert StateStore(tmp_path).section("p5")["seed"] == 9
        screen.action_cancel()


async def test_a_result_equal_to_the_one_shown_is_shown_again_not_compared(tmp_path, monkeypatch):
    """A superseded preview can leave the shown result with the same settings as the next one (reset,
    then undo before the reset's preview arrives): assigning it must not compare the schedules' arrays
    (`==` on a numpy array raised "truth value of an array is ambiguous" and stopped the app)."""
    import numpy as np

    from engine.problems.p5_swiss import P5Result, P5Settings
    from engine.vp import make_schedule

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    app = make_app(tmp_path, problem=5)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.action_cancel()  # the start's own preview stays out of the way
        first, second = (P5Result(P5Settings(), "exact", make_schedule("cosine", 40, 0.008), np.zeros((0, 2)))
                         for _ in range(2))
        screen.result = first
        screen.result = second  # equal settings and score: the schedules would be compared next
        await pilot.pause()
        assert screen.result is second
