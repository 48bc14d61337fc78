"""Hard edges: random strings everywhere, resizing, and a kill -9 during a save."""

import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.errors import InvalidInput
from tests.tui.helpers import edit_cell, make_app
from tui.cli import build_parser, main
from tui.cli.common import UsageError
from tui.screens.p1_discrete import P1Screen
from tui.screens.p2_continuous import P2Screen
from tui.state import StateStore
from tui.widgets.edit_table import EditableTable

nasty = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "1/0", "0/0", "1e309", "-0", "nan", "-inf", "1/3/4", "0x10", "½", "٣",
                     "1_000", "1,5", "9" * 400, "--", "\x00", "0.5\n", "1/-2", "(1)", "1e-400"]),
)


# ---- every editable cell ------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(text=nasty, row=st.integers(0, 2), col=st.integers(1, 4))
def test_any_string_in_a_p1_cell_is_accepted_as_a_probability_or_named(text, row, col):
    screen = P1Screen()
    error = screen._check_cell(row, col, text)
    name = screen._cell_name(row, col)
    if error is None:
        from engine.discrete import parse_probability

        assert 0.0 <= parse_probability(text, name) <= 1.0
    else:
        assert error.startswith(name), error


@settings(max_examples=200, deadline=None)
@given(text=nasty, row=st.integers(0, 2), col=st.integers(1, 3))
def test_any_string_in_a_p2_cell_is_a_finite_number_or_named(text, row, col):
    screen = P2Screen()
    error = screen._check_cell(row, col, text)
    if error is None:
        value = float(text.strip())
        assert value == value and abs(value) != float("inf")
        assert (col != 1 or value >= 0) and (col != 3 or value > 0)
    else:
        assert screen._cell_name(row, col) in error


async def test_nasty_strings_through_the_keyboard_never_change_the_model(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        for text in ["abc", "1/0", "nan", "-1", "2", "1e309", "%", "0..5"]:
            await edit_cell(pilot, table, 0, 1, text)
            assert table.editing, text
            await pilot.press("escape")
            await pilot.pause()
        assert screen.model.p_x == (0.5, 0.3, 0.2) and screen.px == [0.5, 0.3, 0.2]


# ---- every command-line option -------------------------------------------------------------------
def _options():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = [(None, a.option_strings[-1]) for a in parser._actions
             if a.option_strings and a.nargs != 0 and a.dest not in ("help",)]
    for name, sp in sub.choices.items():
        cases += [(name, a.option_strings[-1]) for a in sp._actions if a.option_strings and a.nargs != 0]
    return cases


OPTIONS = _options()


@pytest.mark.parametrize("command, option", OPTIONS, ids=[f"{c or 'app'} {o}" for c, o in OPTIONS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=nasty)
def test_any_string_for_any_option_parses_or_is_a_usage_error(command, option, text):
    argv = ([command] if command else []) + [f"{option}={text}"]
    try:
        build_parser().parse_args(argv)
    except UsageError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(option=st.sampled_from(["--px", "--pyx", "--people", "--seed"]), text=nasty)
def test_p1_runs_or_exits_2_for_any_string(option, text):
    if option == "--people":  # valid but huge counts are fine; keep the run cheap
        text = text[:12]
    code = main(["p1", f"{option}={text}", "--json"])
    assert code in (0, 2)


@settings(max_examples=40, deadline=None)
@given(option=st.sampled_from(["--mixture", "--sigma2", "--y"]), text=nasty)
def test_p2_runs_or_exits_2_for_any_string(option, text):
    try:
        code = main(["p2", f"{option}={text}", "--json"])
    except InvalidInput:  # pragma: no cover - main() must catch it
        pytest.fail("InvalidInput escaped main()")
    assert code in (0, 2)


# ---- resizing ------------------------------------------------------------------------------------
async def test_resizing_to_40x12_and_back_on_every_screen(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
            for size in ((40, 12), (20, 6), (200, 60), (80, 24)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
            assert app.screen.title.startswith(f"Problem {key}")
        await pilot.press("1", "v", "v")
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()


# ---- kill -9 during a save ----------------------------------------------------------------------
def test_state_file_survives_kill_9_during_saves(tmp_path):
    writer = textwrap.dedent(f"""
        import sys
        from tui.state import StateStore
        store = StateStore({str(tmp_path)!r})
        i = 0
        print("ready", flush=True)
        while True:
            i += 1
            store.update("p1", counter=i, blob=[i] * 20000)
    """)
    for delay in (0.3, 0.55, 0.8):
        proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        store = StateStore(tmp_path)
        assert store.problems == [], store.problems
        section = store.section("p1")
        assert section["counter"] >= 1 and section["blob"] == [section["counter"]] * 20000
        json.loads((tmp_path / "state.json").read_text())


# ---- issue 13: numbers that are legal syntax but not sane ---------------------------------------
def test_a_billion_digit_fraction_in_a_p1_cell_is_refused_at_once():
    start = time.perf_counter()
    error = P1Screen()._check_cell(0, 1, "1e999999999/1")
    assert error is not None and "exponent" in error and time.perf_counter() - start < 1.0


async def test_overflowing_weights_typed_into_p2_cells_are_refused_not_a_crash(tmp_path):
    from engine.mixture import DEFAULT_MIXTURE

    app = make_app(tmp_path, problem=2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        table = screen.query_one(EditableTable)
        await edit_cell(pilot, table, 0, 1, "1e308")
        await edit_cell(pilot, table, 1, 1, "1e308")
        await pilot.pause()
        assert screen.mixture == DEFAULT_MIXTURE  # the plots keep the last valid p(x)
        message = str(screen.query_one("#p2-message").render())
        assert "weight must be ≤" in message
        screen.rows = [[1.0, 0.0, 1e-8]]
        assert screen._validate_draft() is False  # below the typed-input std limit


async def test_unicode_digits_and_underscores_in_a_training_box_are_refused(tmp_path):
    from textual.widgets import Input

    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        before = screen.params  # the settings in force (a frozen WalkSettings)
        for text in ("١٢٠", "1_000", "1e999999999", "9" * 5000):
            box = screen.query_one("#param-T", Input)
            box.value = text
            await box.action_submit()
            await pilot.pause()
            assert screen.params == before, text
            message = str(screen.query_one("#walk-message").render())
            assert message.startswith("✗ T") and len(message) < 200, message
