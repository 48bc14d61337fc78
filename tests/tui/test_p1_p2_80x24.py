"""Screens 1 and 2 at 80×24, the way a person meets them: every refused value is explained on a
line that is on screen, the editor or box keeps the focus and the typed text, Escape leaves,
numbers are never cut, reset and undo work, and Problem 1 (3)'s answer is visible without scrolling."""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app, screen_text, static_text
from tui.widgets.edit_table import EditableTable
from tui.widgets.setting_input import SettingInput

SIZE = (80, 24)


async def _type_into_cell(pilot, table: EditableTable, row: int, col: int, text: str) -> None:
    table.table.focus()
    table.table.move_cursor(row=row, column=col, animate=False)
    await pilot.pause()
    await pilot.press("enter", "ctrl+u", *list(text), "enter")
    await pilot.pause()
    await pilot.pause(0.1)  # DataTable measures updated cells when idle


async def _type_into_box(pilot, box: SettingInput, text: str) -> None:
    box.focus()
    await pilot.pause()
    await pilot.press("ctrl+u", *list(text), "enter")
    await pilot.pause()


def _visible(app, words: str) -> bool:
    return words in " ".join(screen_text(app).split())  # a message may wrap onto a second line


P1_BAD = ["abc", "-0.5", "2", "1/0", "nan", "1e400"]


async def test_p1_a_bad_value_in_every_cell_is_explained_on_screen_and_escape_cancels(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        for row in range(3):
            for col in range(1, 5):
                for bad in P1_BAD:
                    await _type_into_cell(pilot, table, row, col, bad)
                    message = static_text(screen.query_one("#p1-message"))
                    assert message.startswith("✗ " + screen._cell_name(row, col)), (row, col, bad, message)
                    assert table.editing and table.query_one("#edit-input").value == bad
                    assert _visible(app, message[:40]), (row, col, bad)
                    await pilot.press("escape")
                    await pilot.pause()
                    assert not table.editing and table.table.has_focus
        assert screen.model.p_x == (0.5, 0.3, 0.2) and screen.px == [0.5, 0.3, 0.2]


async def test_p1_keys_after_a_refused_value_stay_in_the_editor(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await _type_into_cell(pilot, table, 0, 1, "abc")
        await pilot.press("n", "d", "R", "v")  # app keys: normalize, delete, reset, view
        await pilot.pause()
        assert table.query_one("#edit-input").value == "abcndRv" and screen.draft.n == 3
        assert app.screen.query_one("#p1-tabs").active == "tab-joint"


async def test_p1_first_enter_edits_p_x_not_the_state_column(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one(EditableTable)
        assert table.editing and _visible(app, "p(x=1) =")


async def test_p1_numbers_are_never_cut_to_the_column_width(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await _type_into_cell(pilot, table, 0, 2, "1/3")  # row x=1: 1/3, 0.1, 0.1 sums to 0.533333
        text = screen_text(app)
        assert "0.333333" in text and "0.533333" in text
        assert "sums to 0.5333333333" in static_text(screen.query_one("#p1-message"))
        await pilot.press("n")  # 1/3, 0.1, 0.1 normalized: 0.625, 0.1875, 0.1875
        await pilot.pause(0.1)
        row = next(line for line in screen_text(app).splitlines() if line.strip().startswith("1 "))
        assert row.split() == ["1", "0.5", "0.625", "0.1875", "0.1875", "1"]


async def test_p1_people_answer_and_legend_at_80x24(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v")
        await pilot.pause()
        screen = app.screen
        people = screen.people
        text = screen_text(app)
        assert "same people" in text
        for i in range(3):  # Problem 1 (3)'s answer, each state's share, on screen without scrolling
            assert f"{people.share_same[i]:.1%}" in text and f"{int(people.counts_back_x[i]):,}" in text
        legend, plot = screen.query_one("#p1-legend").region, screen.query_one("#p1-bars").region
        assert not legend.overlaps(plot)  # the legend covers no bar
        assert plot.height >= 8 and plot.bottom <= 23  # the whole plot above the footer


async def test_p1_n_box_shows_10_to_the_15_whole_and_refuses_more(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v")
        box = app.screen.query_one("#p1-n", SettingInput)
        await _type_into_box(pilot, box, "1e15")
        assert app.screen.setup.people == 10**15 and box.value == "1000000000000000"
        assert _visible(app, "1000000000000000") and app.screen.people.n_people == 10**15
        await _type_into_box(pilot, box, "1e16")
        assert app.screen.setup.people == 10**15 and box.value == "1e16" and box.has_focus
        assert _visible(app, "N must be a whole number from 1 to 1000000000000000, got 1e+16")
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "1000000000000000" and not box.has_focus


async def test_p1_delete_and_reset_are_undone(tmp_path):
    app = make_app(tmp_path, problem=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("d")  # deletes state 1 (the cursor's row)
        await pilot.pause()
        assert screen.model.n == 2 and "u undoes" in static_text(screen.query_one("#p1-message"))
        await pilot.press("u")
        await pilot.pause()
        assert screen.model.p_x == (0.5, 0.3, 0.2) and screen.draft.n == 3
        await _type_into_cell(pilot, screen.query_one(EditableTable), 0, 1, "0.4")  # a draft that sums to 0.9
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert screen.px == [0.5, 0.3, 0.2] and screen.setup.seed == 0
        await pilot.press("u")
        await pilot.pause()
        assert screen.px == [0.4, 0.3, 0.2] and screen.setup.seed == 1
        assert "p(x) sums to 0.9" in static_text(screen.query_one("#p1-message"))  # the draft is back, still off


# ---- Problem 2 ---------------------------------------------------------------------------------------
P2_BAD = {1: ["abc", "-1", "1e7", "nan"], 2: ["abc", "2e6", "inf"], 3: ["abc", "0", "-1", "1e-7"]}


async def test_p2_a_bad_value_in_every_cell_and_box_is_explained_on_screen(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        before = screen.setup
        for row in range(3):
            for col, bads in P2_BAD.items():
                for bad in bads:
                    await _type_into_cell(pilot, table, row, col, bad)
                    message = static_text(screen.query_one("#p2-message"))
                    assert message.startswith(f"✗ {screen._cell_name(row, col)}: "), message
                    assert table.editing and table.query_one("#edit-input").value == bad
                    assert _visible(app, message[:40])
                    await pilot.press("escape")
                    await pilot.pause()
                    assert not table.editing
        for box_id, bad in (("#p2-sigma2", "1e9"), ("#p2-y", "1e9"), ("#p2-n", "1e12"), ("#p2-seed", "-1"),
                            ("#p2-sigma2", "abc"), ("#p2-n", "12x")):
            box = screen.query_one(box_id, SettingInput)
            await _type_into_box(pilot, box, bad)
            message = static_text(screen.query_one("#p2-message"))
            assert message.startswith(f"✗ {box.spec.label}") and _visible(app, message[:40]), message
            assert box.value == bad and box.has_focus  # the typed text and the focus stay
            await pilot.press("escape")  # Escape leaves the box with the value in force
            await pilot.pause()
            assert not box.has_focus and box.value == box.spec.format(getattr(before, box.spec.name))
        assert screen.setup == before


async def test_p2_n_box_never_drops_letters(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        box = screen.query_one("#p2-n", SettingInput)
        await _type_into_box(pilot, box, "1e12")
        assert screen.setup.particles == 10**6 and box.value == "1e12"
        await pilot.press("ctrl+u", *"1e5", "enter")
        await pilot.pause()
        assert screen.setup.particles == 100_000 and box.value == "100000"
        assert screen.result.particles.n_particles == 100_000
        assert static_text(screen.query_one("#p2-message")) == "✓ N = 100000"  # the stale error is gone


async def test_p2_a_mean_of_a_million_is_shown_whole_and_undo_restores_a_deleted_component(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await _type_into_cell(pilot, table, 2, 2, "1e6")
        assert screen.setup.prior.means[2] == 1e6 and "1000000" in screen_text(app)
        table.table.move_cursor(row=0, column=1, animate=False)
        await pilot.press("d")
        await pilot.pause()
        assert screen.setup.prior.n_components == 2
        await pilot.press("u")
        await pilot.pause()
        assert screen.setup.prior.means == (-2.0, 0.5, 1e6)
        await pilot.press("R")
        await pilot.pause()
        assert screen.setup.prior.means == (-2.0, 0.5, 3.0)
        await pilot.press("u")
        await pilot.pause()
        assert screen.setup.prior.means == (-2.0, 0.5, 1e6)


@pytest.mark.parametrize("factor_key, times, expected", [("right_square_bracket", 20, 100.0),
                                                          ("left_square_bracket", 20, 1e-6)])
async def test_p2_sigma2_keys_stay_in_the_declared_range(tmp_path, factor_key, times, expected):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(times):
            await pilot.press(factor_key)
        await pilot.pause()
        assert app.screen.setup.sigma2 == expected
        assert app.screen.query_one("#p2-sigma2", SettingInput).value == f"{expected:.12g}"
