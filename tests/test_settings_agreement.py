"""Every setting of every problem: the command line (``main([...])``), the screen's validator
(``SpecValidator(spec).validate(text)`` or the table's cell check) and the engine (the settings
dataclass) accept and refuse exactly the same values — at each end of the range, just beyond it,
a non-number, each choice and a wrong one. Each problem has its own test functions below (named after the problem)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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


# ---- shared by the problems below: the cases of one Spec ------------------------------------------
@dataclass(frozen=True)
class Case:
    text: str  # what is typed in a box or given on the command line
    value: Any  # the same value as the engine gets it (a number, a choice, or the text itself)


def boundary_cases(spec: Spec) -> list[Case]:
    """low, just below low (just above too when low is open), high, just above high, a non-number;
    for choices: each choice and a wrong one."""
    if spec.choices:
        return [Case(c, c) for c in spec.choices] + [Case("no_such_choice", "no_such_choice")]
    cases: list[Case] = []

    def step(end: float) -> float:
        return 1 if spec.kind is int else max(abs(end) * 1e-6, 1e-9)

    def case(v: float) -> Case:
        v = int(v) if spec.kind is int else float(v)
        return Case(str(v) if spec.kind is int else repr(v), v)

    if spec.low is not None:
        cases += [case(spec.low), case(spec.low - step(spec.low))]
        if spec.low_open:
            cases.append(case(spec.low + step(spec.low)))
    if spec.high is not None:
        cases += [case(spec.high), case(spec.high + step(spec.high))]
    cases.append(Case("abc", "abc"))
    return cases


def validator_says(spec: Spec, text: str) -> tuple[bool, str]:
    from tui.widgets.setting_input import SpecValidator

    result = SpecValidator(spec).validate(text)
    return result.is_valid, "" if result.is_valid else result.failure_descriptions[0]


def engine_accepts(cls: type, name: str, value: Any, **base: Any) -> bool:
    try:
        cls(**{**base, name: value})
    except InvalidInput:
        return False
    return True


def expected_by_range(spec: Spec, case: Case) -> bool:
    """The declaration's own answer (so a test can fail if all three faces drift together)."""
    if spec.choices:
        return case.value in spec.choices
    if not isinstance(case.value, (int, float)) or not math.isfinite(case.value):
        return False
    low_ok = spec.low is None or (case.value > spec.low if spec.low_open else case.value >= spec.low)
    return low_ok and (spec.high is None or case.value <= spec.high)


# ---- Problems 3 and 4 -----------------------------------------------------------------------------
def _walk_cases():
    from engine.problems.p3_walk import WalkSettings

    return [pytest.param(problem, spec, case, id=f"{problem}-{spec.name}={case.text}")
            for problem in ("p3", "p4") for spec in specs_of(WalkSettings) for case in boundary_cases(spec)]


class _WalkStub:
    """What the stubbed workflow returns: enough for ``hw7-tui p3/p4 --json`` to print."""

    def as_json(self) -> dict:
        return {"ran": True}


@pytest.mark.parametrize("problem, spec, case", _walk_cases())
def test_p3_p4_cli_screen_and_engine_agree(problem, spec, case, monkeypatch, capsys):
    from engine.mixture import DEFAULT_MIXTURE
    from engine.problems import p3_walk
    from engine.problems.p3_walk import WalkSettings
    from engine.score_net import TrainSettings
    from engine.walk import WalkSetup
    from tui.cli import main

    seen: list = []
    monkeypatch.setattr(p3_walk, "run", lambda settings, target, **kw: seen.append((settings, target)) or _WalkStub())
    expected = expected_by_range(spec, case)
    valid, message = validator_says(spec, case.text)
    assert valid == expected, (case, message)
    status = main([problem, f"{spec.option}={case.text}", "--json"])  # "=": a negative is not an option
    err = capsys.readouterr().err
    assert status == (0 if expected else 2), err
    if expected:  # the value reached the workflow unchanged, for this problem's target
        assert getattr(seen[0][0], spec.name) == spec.parse(case.text) and seen[0][1] == problem
    else:  # the command line says what the box says, in one line
        assert message in err and err.count("\n") == 1, (message, err)
    assert engine_accepts(WalkSettings, spec.name, case.value) == expected
    mixture = DEFAULT_MIXTURE.format()
    if spec.name in TrainSettings.__dataclass_fields__:  # the trainer checks with the same spec …
        assert engine_accepts(TrainSettings, spec.name, case.value, mixture=mixture) == expected
    if spec.name in ("T", "sigma2"):  # … and so does the walk itself
        base = {"p0": DEFAULT_MIXTURE, "T": 10, "sigma2": 0.5}
        assert engine_accepts(WalkSetup, spec.name, case.value, **base) == expected


@pytest.mark.parametrize("text, ok", [("1:0:1", True), ("0.5:-1:0.3,0.5:1:0.3", True), ("1:0:-1", False),
                                      ("1:0:0", False), ("abc", False)])
def test_p3_p4_mixture_agrees(text, ok, monkeypatch, capsys):
    """p₀ is Problem 2's mixture text: the command line and WalkSettings take and refuse the same."""
    from engine.problems import p3_walk
    from engine.problems.p3_walk import WalkSettings
    from tui.cli import main

    monkeypatch.setattr(p3_walk, "run", lambda settings, target, **kw: _WalkStub())
    assert (main(["p3", f"--mixture={text}", "--json"]) == 0) == ok, capsys.readouterr().err
    assert engine_accepts(WalkSettings, "mixture", text) == ok


def test_p3_p4_declarations_are_the_engines():
    """No second copy of a range: the trainer's and the walk's fields are WalkSettings' Spec objects."""
    from engine.problems.p3_walk import WalkSettings
    from engine.score_net import TrainSettings
    from engine.walk import SIGMA2, T_STEPS

    walk = {s.name: s for s in specs_of(WalkSettings)}
    for spec in specs_of(TrainSettings):
        if spec.name in walk:
            assert walk[spec.name] is spec
    assert walk["T"] is T_STEPS and walk["sigma2"] is SIGMA2


# ---- Problem 5 ------------------------------------------------------------------------------------
def _p5_cases():
    from engine.problems.p5_swiss import P5Settings

    return [pytest.param(spec, case, id=f"{spec.name}={case.text}")
            for spec in specs_of(P5Settings) for case in boundary_cases(spec)]
class _StubResult:
    """What the stubbed workflow returns: enough for ``hw7-tui p5 --json`` to print."""

    evaluation = None

    def __init__(self, settings) -> None:
        self.settings = settings

    def as_json(self) -> dict:
        return {"ran": True}


@pytest.mark.parametrize("spec, case", _p5_cases())
def test_p5_cli_screen_and_engine_agree(spec, case, monkeypatch, capsys):
    from engine.eps_net import RecipeSettings
    from engine.problems import p5_swiss
    from engine.problems.p5_swiss import P5Settings
    from tui.cli import main

    seen: list = []
    monkeypatch.setattr(p5_swiss, "run", lambda settings, **kw: seen.append(settings) or _StubResult(settings))
    expected = expected_by_range(spec, case)
    valid, message = validator_says(spec, case.text)
    assert valid == expected, (case, message)
    recipe = ["--recipe", "faithful"] if spec.name == "epochs" else []  # epochs count the faithful recipe's training
    status = main(["p5", *recipe, f"{spec.option}={case.text}", "--json"])  # "=": a negative is not an option
    err = capsys.readouterr().err
    assert status == (0 if expected else 2), err
    if expected:  # the value reached the workflow unchanged
        assert getattr(seen[0], spec.name) == spec.parse(case.text)
    else:  # the command line says what the box says, in one line
        assert message in err and err.count("\n") == 1, (message, err)
    assert engine_accepts(P5Settings, spec.name, case.value) == expected
    if spec.name in RecipeSettings.__dataclass_fields__:  # the engine's own recipe checks with the same spec
        assert engine_accepts(RecipeSettings, spec.name, case.value) == expected


def test_p5_declarations_are_the_engines():
    """No second copy of a range: the recipe's fields and the problem's are the same Spec objects."""
    from engine.eps_net import RecipeSettings
    from engine.problems.p5_swiss import P5Settings

    recipe_specs = {s.name: s for s in specs_of(RecipeSettings)}
    for spec in specs_of(P5Settings):
        if spec.name in recipe_specs:
            assert recipe_specs[spec.name] is spec
