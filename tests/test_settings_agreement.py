"""Every setting of every problem: the command line (``main([...])``), the screen's validator
(``SpecValidator(spec).validate(text)`` or the table's cell check) and the engine (the settings
dataclass) accept and refuse exactly the same values — at each end of the range, just beyond it,
and a non-number. Each problem has its own test functions below (named after the problem)."""

from __future__ import annotations

import math

import pytest

from engine.errors import InvalidInput
from engine.settings import Spec, specs_of
from tui.cli import main


# ---- Problems 1 and 2 ------------------------------------------------------------------------------
def _p1p2_ends(spec: Spec) -> list[tuple[str, object]]:
    """(text, value): low, just below, high, just above, a non-number."""
    out = []
    for end, sign in ((spec.low, -1), (spec.high, +1)):
        step = 1 if spec.kind is int else max(abs(end) * 1e-6, 1e-12)
        for v in (end, end + sign * step):
            v = int(v) if spec.kind is int else float(v)
            out.append((str(v) if spec.kind is int else repr(v), v))
    return out + [("abc", "abc")]


def _p1p2_in_range(spec: Spec, value) -> bool:
    """The declaration's own answer, so the test fails if all three faces drift together."""
    return isinstance(value, (int, float)) and math.isfinite(value) and spec.low <= value <= spec.high


def _p1p2_cli(capsys, argv: list[str]) -> tuple[bool, str]:
    code = main(argv + ["--json"])
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err
    return code == 0, err


def _p1p2_validator(spec: Spec, text: str) -> tuple[bool, str]:
    from tui.widgets.setting_input import SpecValidator

    result = SpecValidator(spec).validate(text)
    return result.is_valid, "" if result.is_valid else result.failure_descriptions[0]


def _p1p2_engine(cls, **values) -> bool:
    try:
        cls(**values)
    except InvalidInput:
        return False
    return True


def _p1_cases():
    from engine.problems.p1_discrete import P1Settings

    return [pytest.param(s, t, v, id=f"{s.name}={t}") for s in specs_of(P1Settings) for t, v in _p1p2_ends(s)]


def _p2_cases():
    from engine.problems.p2_continuous import P2Settings

    return [pytest.param(s, t, v, id=f"{s.name}={t}") for s in specs_of(P2Settings) for t, v in _p1p2_ends(s)]


@pytest.mark.parametrize("spec, text, value", _p1_cases())
def test_p1_settings_agree_at_the_ends(capsys, spec, text, value):
    from engine.problems.p1_discrete import P1Settings

    want = _p1p2_in_range(spec, value)
    cli_ok, err = _p1p2_cli(capsys, ["p1", f"{spec.option}={text}"])
    box_ok, message = _p1p2_validator(spec, text)
    assert cli_ok == box_ok == _p1p2_engine(P1Settings, **{spec.name: value}) == want
    if not want:
        assert message and message in err  # the same words on the command line and under the box


@pytest.mark.parametrize("spec, text, value", _p2_cases())
def test_p2_settings_agree_at_the_ends(capsys, spec, text, value):
    from engine.problems.p2_continuous import P2Settings

    want = _p1p2_in_range(spec, value)
    cli_ok, err = _p1p2_cli(capsys, ["p2", f"{spec.option}={text}"])
    box_ok, message = _p1p2_validator(spec, text)
    assert cli_ok == box_ok == _p1p2_engine(P2Settings, **{spec.name: value}) == want
    if not want:
        assert message and message in err


_PROBABILITY_ENDS = [("0", 0.0), ("-1e-09", -1e-9), ("1", 1.0), ("1.000000001", 1.000000001), ("abc", None),
                     ("1/3", 1 / 3), ("1/0", None)]


@pytest.mark.parametrize("text, value", _PROBABILITY_ENDS, ids=[t for t, _ in _PROBABILITY_ENDS])
def test_p1_model_cells_agree_at_the_ends(capsys, text, value):
    """A p(x) entry: the table's cell check, --px and DiscreteModel (0 ≤ p ≤ 1, fractions allowed)."""
    from engine.discrete import DiscreteModel
    from tui.screens.p1_discrete import P1Screen

    want = value is not None and 0 <= value <= 1
    rest = "" if value is None else repr(1 - value)
    cli_ok, err = _p1p2_cli(capsys, ["p1", f"--px={text},{rest}", "--pyx=1,0;0,1"])
    cell_error = P1Screen()._check_cell(0, 1, text)
    engine_ok = value is not None and _p1p2_engine(DiscreteModel, p_x=(value, 1 - value), p_y_given_x=((1.0, 0.0), (0.0, 1.0)))
    assert cli_ok == (cell_error is None) == engine_ok == want
    if not want:
        assert cell_error.split(": ", 1)[1] in err  # same words, the CLI names --px entry 1 where the cell names p(x=1)


def _component_cases():
    from engine.problems.p2_continuous import COMPONENT

    return [pytest.param(col, s, t, v, id=f"{s.name}={t}")
            for col, s in enumerate(COMPONENT, start=1) for t, v in _p1p2_ends(s)]


@pytest.mark.parametrize("col, spec, text, value", _component_cases())
def test_p2_mixture_cells_agree_at_the_ends(capsys, col, spec, text, value):
    """Weight, mean and std of a component: the table's cell check, --mixture and P2Settings."""
    from engine.problems.p2_continuous import P2Settings
    from tui.screens.p2_continuous import P2Screen

    fields = ["1", "0", "1"]
    fields[col - 1] = text
    mixture = ":".join(fields) + ",1:0:1"  # a second component keeps the weights' sum > 0 at weight 0
    want = _p1p2_in_range(spec, value)
    cli_ok, err = _p1p2_cli(capsys, ["p2", f"--mixture={mixture}"])
    screen = P2Screen()
    cell_error = screen._check_cell(0, col, text)
    assert cli_ok == (cell_error is None) == _p1p2_engine(P2Settings, mixture=mixture) == want
    if not want:  # "std of component 1 must be …" on screen, "component 1: std must be …" on the command line
        assert cell_error.removeprefix(screen._cell_name(0, col)) in err
