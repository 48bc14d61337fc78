"""Problem 2 screen, driven by the keyboard."""

import pytest

from engine.mixture import GaussianMixture
from engine.posterior import compare
from tests.tui.helpers import cell, edit_cell, make_app, static_text
from tui.widgets.edit_table import EditableTable


async def test_edit_mixture_and_parameters(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await edit_cell(pilot, table, 1, 2, "1.5")  # mean of component 2
        assert screen.setup.prior.means[1] == 1.5
        await edit_cell(pilot, table, 0, 3, "0")  # std 0 is refused, the edit stays open
        assert table.editing and "std" in static_text(screen.query_one("#p2-message"))
        await pilot.press("escape")
        await pilot.press("right_square_bracket")  # σ² × 2
        await pilot.pause()
        assert screen.setup.sigma2 == pytest.approx(0.1)
        await pilot.press("full_stop")  # y + 0.1
        await pilot.pause()
        expected = compare(GaussianMixture.parse("0.3:-2:0.5,0.5:1.5:0.7,0.2:3:0.4"), 0.1, 0.1)
        summary = static_text(screen.query_one("#p2-summary"))
        assert f"exact mean {expected.exact_mean:.5g}" in summary
        assert f"approx mean {expected.approx.mean:.5g}" in summary
        # Problems 3 and 4 read the same p(x)
        assert screen.shared_mixture() == screen.setup.prior


async def test_bad_parameter_input_keeps_the_last_value(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        box = screen.query_one("#p2-sigma2")
        box.focus()
        box.value = "0"
        await pilot.press("enter")
        await pilot.pause()
        # refused: the value in force stays, the typed text and the focus stay in the box
        assert screen.setup.sigma2 == 0.05 and box.value == "0" and box.has_focus
        assert "σ² must be from 1e-06 to 100, got 0" in static_text(screen.query_one("#p2-message"))
        box.value = "abc"
        await pilot.press("enter")
        await pilot.pause()
        assert "not a number" in static_text(screen.query_one("#p2-message"))


async def test_all_weights_zero_is_refused_and_components_can_change(tmp_path):
    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await pilot.press("d", "d")
        await pilot.pause()
        assert screen.setup.prior.n_components == 1
        await pilot.press("d")
        assert "at least one component" in static_text(screen.query_one("#p2-message"))
        await edit_cell(pilot, table, 0, 1, "0")
        assert "weights sum to 0" in static_text(screen.query_one("#p2-message"))
        assert screen.setup.prior.n_components == 1 and screen.setup.prior.weights == (1.0,)
        await pilot.press("a")
        await pilot.pause()
        assert screen.setup.prior.n_components == 2
        errors = screen.query_one("#p2-errors")
        assert cell(errors, errors.query_one("DataTable").row_count - 1, 0) == "fitted rate"


async def test_export_tables_and_visible_plot(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(tmp_path / "out"))
    app = make_app(tmp_path / "data", problem=2)
    async with app.run_test(size=(100, 36)) as pilot:
        await pilot.press("e")
        await pilot.pause()
    out = tmp_path / "out"
    md = (out / "hw7-p2-tables.md").read_text()
    expected = compare(GaussianMixture.parse("0.3:-2:0.5,0.5:0.5:0.7,0.2:3:0.4"), 0.05, 0.0)
    assert f"| exact p(x\\|y) | {expected.exact_mean:.6g} | {expected.exact_variance:.6g} |" in md
    assert "fitted rate" in (out / "hw7-p2-tables.csv").read_text()
    plot = (out / "hw7-p2-plot.txt").read_text()
    assert "p(x) and the noisy marginal" in plot and "\x1b[" not in plot
