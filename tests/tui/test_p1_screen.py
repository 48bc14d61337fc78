"""Problem 1 screen, driven by the keyboard through Textual's Pilot."""

import csv
import json

import pytest

from tests.tui.helpers import cell, edit_cell, make_app, static_text
from tui.widgets.edit_table import EditableTable


async def test_good_edit_recomputes_the_tables(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        model = screen.query_one(EditableTable)
        # row x=1: 0.8, 0.1, 0.1 → 0.7, 0.2, 0.1 in two edits; after the first the row sums to 0.9
        await edit_cell(pilot, model, 0, 2, "0.7")
        assert "row x=1 of p(y|x) sums to 0.9" in static_text(screen.query_one("#p1-message"))
        assert cell(screen.query_one("#p1-joint"), 0, 1) == "0.4000"  # still the last valid model
        await edit_cell(pilot, model, 0, 3, "1/5")
        assert "✓" in static_text(screen.query_one("#p1-message"))
        assert screen.model.p_y_given_x[0] == pytest.approx((0.7, 0.2, 0.1))
        joint = screen.query_one("#p1-joint")
        assert cell(joint, 0, 1) == "0.3500" and cell(joint, 0, 2) == "0.1000"
        # p̃(1) = 0.5·0.7 + 0.3·0.2 + 0.2·0.1 = 0.43
        assert cell(joint, 3, 1) == "0.4300"
        assert cell(screen.query_one("#p1-back"), 3, 1) == "0.5000"  # the round trip gives p(x) back


async def test_bad_cell_keeps_the_edit_open_and_names_the_cell(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        model = screen.query_one(EditableTable)
        await edit_cell(pilot, model, 1, 1, "abc")
        assert model.editing
        error = static_text(screen.query_one("#p1-message"))
        assert "p(x=2)" in error and "not a number" in error
        await pilot.press("escape")
        await pilot.pause()
        assert not model.editing
        assert screen.px == [0.5, 0.3, 0.2]
        for bad, words in (("-0.1", "negative"), ("nan", "finite"), ("2", "more than 1")):
            await edit_cell(pilot, model, 1, 1, bad)
            assert words in static_text(screen.query_one("#p1-message"))
            await pilot.press("escape")
        assert screen.model.p_x == (0.5, 0.3, 0.2)


async def test_normalize_add_and_delete_states(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        model = screen.query_one(EditableTable)
        await edit_cell(pilot, model, 2, 1, "0.5")  # p(x) = 0.5, 0.3, 0.5: sums to 1.3
        assert "p(x) sums to 1.3" in static_text(screen.query_one("#p1-message"))
        await pilot.press("n")  # cursor is on the p(x) column
        await pilot.pause()
        assert screen.model.p_x == pytest.approx((0.5 / 1.3, 0.3 / 1.3, 0.5 / 1.3))
        await pilot.press("a")
        await pilot.pause()
        assert screen.model.n == 4 and model.table.row_count == 5
        assert cell(screen.query_one("#p1-back"), 3, 1) == "undefined"  # nobody reaches state 4
        model.table.move_cursor(row=0, column=2, animate=False)
        await pilot.press("d")
        await pilot.pause()
        assert screen.model.n == 3
        for _ in range(3):
            await pilot.press("d")
            await pilot.pause()
        assert screen.model.n == 2 and "at least 2" in static_text(screen.query_one("#p1-message"))


async def test_people_tab_and_seed(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        before = screen.people.counts_xy.copy()
        assert screen.people.n_people == 10**9
        await pilot.press("s")
        await pilot.pause()
        assert screen.setup.seed == 1 and (screen.people.counts_xy != before).any()
        await pilot.press("v", "v")
        await pilot.pause()
        assert screen.query_one("#p1-tabs").active == "tab-people"
        note = static_text(screen.query_one("#p1-people-note"))
        assert "not the same people" in note


async def test_export_and_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "out"))
    app = make_app(tmp_path / "data")
    copied = []
    async with app.run_test(size=(100, 36)) as pilot:
        app.copy_to_clipboard = copied.append
        await pilot.press("e", "c")
        await pilot.pause()
    md = (tmp_path / "out" / "hw7-p1-tables.md").read_text()
    assert "| y = 1 | 0.8333 | 0.1250 | 0.0417 |" in md
    assert (tmp_path / "out" / "hw7-p1-tables.tex").read_text().count(r"\begin{tabular}") == 3
    assert copied and copied[0] == md
    values = {tuple(r[:3]): r[3] for r in csv.reader((tmp_path / "out" / "hw7-p1-tables.csv").open())}
    assert float(values[("p(x|y)", "1", "2")]) == pytest.approx(0.06 / 0.48, rel=1e-15)  # p(x=2|y=1)
    assert (tmp_path / "out" / "hw7-p1-plot.txt").exists() is False  # joint view: no plot on screen


async def test_edits_are_saved_and_restored(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        await edit_cell(pilot, app.screen.query_one(EditableTable), 0, 1, "0.4")  # invalid draft (sums to 0.9)
    saved = json.loads((tmp_path / "state.json").read_text())["sections"]["p1"]
    assert saved["px"] == [0.4, 0.3, 0.2] and saved["valid_px"] == [0.5, 0.3, 0.2]
    again = make_app(tmp_path)
    async with again.run_test(size=(100, 36)) as pilot:
        await pilot.pause()
        assert again.screen.px == [0.4, 0.3, 0.2]  # the draft is not lost
        assert again.screen.model.p_x == (0.5, 0.3, 0.2)  # the results show the last valid model
        assert "p(x) sums to 0.9" in static_text(again.screen.query_one("#p1-message"))
    fresh = make_app(tmp_path, fresh=True)
    async with fresh.run_test(size=(100, 36)) as pilot:
        await pilot.pause()
        assert fresh.screen.px == [0.5, 0.3, 0.2]
