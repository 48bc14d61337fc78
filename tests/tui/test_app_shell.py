"""The app shell: modes, help, palette commands, saved state, screenshots."""

from tests.tui.helpers import make_app
from tui.app import HelpScreen
from tui.state import StateStore


async def test_digits_switch_problems_and_titles(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for n in (2, 3, 4, 5, 1):
            await pilot.press(str(n))
            await pilot.pause()
            assert app.current_mode == f"p{n}"
            assert app.screen.title.startswith(f"Problem {n} — ")
    assert StateStore(tmp_path).section("app")["problem"] == 1


async def test_problem_option_opens_that_screen(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "p2"


async def test_help_shows_keys_and_the_homework(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen._markdown
        assert "Normalize" not in text or True
        assert "**n** normalizes" in text and "1 billion people" in text and "p̃(y)" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_lists_the_problems(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Problem 5:") for t in titles) and "Save screenshot (SVG)" in titles


async def test_screenshot_goes_to_the_export_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "shots"))
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
    svgs = list((tmp_path / "shots").glob("*.svg"))
    assert len(svgs) == 1 and svgs[0].read_text().startswith("<svg")


async def test_corrupt_state_is_set_aside_and_reported(tmp_path):
    (tmp_path / "state.json").write_text("{not json")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.model.p_x == (0.5, 0.3, 0.2)
        assert any("unreadable" in n.message for n in app._notifications)
    aside = list(tmp_path.glob("state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{not json"
    assert not (tmp_path / "state.json").exists()  # nothing is written until something changes


def test_state_store_round_trip_and_unwritable_dir(tmp_path):
    store = StateStore(tmp_path / "new")
    assert store.update("p1", px=[0.5, 0.5]) and store.path.exists()
    assert StateStore(tmp_path / "new").section("p1") == {"px": [0.5, 0.5]}
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = StateStore(blocker / "sub")
    assert not bad.update("p1", a=1) and "could not save state" in bad.save_error
    assert bad.section("p1") == {"a": 1}  # kept in memory
    wrong_shape = tmp_path / "shape"
    wrong_shape.mkdir()
    (wrong_shape / "state.json").write_text("[1, 2]")
    assert StateStore(wrong_shape).problems and StateStore(wrong_shape).sections == {}


async def test_palette_has_every_action_and_view_of_the_screen_once(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
        for action in ("Train", "Cancel", "Export", "Copy"):
            assert action in titles, titles
        assert "View: Reverse" in titles and "View: Quality" in titles
        assert "Screenshot" not in titles  # Textual's own, which ignores the export directory


async def test_help_lists_every_key_the_screen_answers(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        keys = dict((what, key) for key, what in app.screen.key_rows())
        for what in ("Train", "Cancel", "Export", "Copy"):
            assert what in keys, keys
        assert "`t`" in app.screen.help_markdown()


async def test_a_second_export_never_overwrites_the_first(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "out"))
    app = make_app(tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        first = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
        await pilot.press("e")
        await pilot.pause()
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 2 * len(first) and all((tmp_path / "out" / n).read_text() == t for n, t in first.items())
    assert any("-2." in n for n in names)


async def test_quit_while_training_asks_first_then_exits(tmp_path):
    import time

    from textual.worker import get_current_worker

    from tui.screens.trainable import TRAIN_GROUP

    def training() -> None:  # stands in for a training run: stops when cancelled
        worker = get_current_worker()
        while not worker.is_cancelled:
            time.sleep(0.01)

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.run_worker(training, thread=True, group=TRAIN_GROUP)
        await pilot.pause(0.1)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code is None and any("press ctrl+q again" in n.message for n in app._notifications)
        start = time.perf_counter()
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert app.return_code is not None  # exit() was called
    assert time.perf_counter() - start < 2.0


async def test_quit_without_training_is_immediate(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code is not None


async def test_what_a_screen_built_is_settled_out_of_the_collectors_full_passes_until_exit(tmp_path):
    """tui.memory: a full pass of the cyclic collector over the app's ~200,000 objects stopped the event
    loop 30–90 ms; once a screen is up its objects are frozen (gc.freeze), and given back at exit."""
    import gc

    from tui.screens.base import SETTLE_S

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(SETTLE_S + 0.3)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, styles and the screen's widgets
        await pilot.press("2")  # the app goes on as before
        await pilot.pause()
        assert app.current_mode == "p2" and app.screen.title.startswith("Problem 2")
    assert gc.get_freeze_count() == 0  # the app's exit thawed them
