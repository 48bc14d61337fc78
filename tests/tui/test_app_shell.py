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
