"""engine.settings: one declaration per setting drives the checks, the CLI and the saved state."""

from dataclasses import dataclass

import pytest

from engine.errors import InvalidInput
from engine.settings import (
    SEED, Spec, as_saved, check_fields, from_saved, setting, spec_of, specs_of, validate_section,
)

STEPS = Spec("steps", "steps", int, 100, 1, 10_000, help="training steps")
RATE = Spec("lr", "learning rate", float, 0.01, 0, 1, low_open=True, help="Adam's rate")
START = Spec("start", "start", str, "prior", choices=("prior", "exact"), help="where x_T comes from")


@dataclass(frozen=True)
class Demo:
    steps: int = setting(STEPS)
    lr: float = setting(RATE)
    start: str = setting(START)
    seed: int = setting(SEED)

    def __post_init__(self) -> None:
        check_fields(self)


def test_defaults_and_order_come_from_the_specs():
    d = Demo()
    assert (d.steps, d.lr, d.start, d.seed) == (100, 0.01, "prior", 0)
    assert [s.name for s in specs_of(Demo)] == ["steps", "lr", "start", "seed"]
    assert spec_of(Demo, "lr") is RATE


@pytest.mark.parametrize("spec, text, value", [
    (STEPS, "1", 1), (STEPS, "1e4", 10_000), (RATE, "1", 1.0), (RATE, "1e-9", 1e-9), (START, "exact", "exact"),
])
def test_parse_accepts_the_ends(spec, text, value):
    assert spec.parse(text) == value


@pytest.mark.parametrize("spec, text, message", [
    (STEPS, "0", "steps must be a whole number from 1 to 10000, got 0"),
    (STEPS, "10001", "steps must be a whole number from 1 to 10000, got 10001"),
    (RATE, "0", "learning rate must be > 0 and ≤ 1, got 0"),
    (RATE, "abc", "learning rate: 'abc' is not a number"),
    (START, "nope", "start must be one of prior, exact, got 'nope'"),
    (SEED, "2147483648", "seed must be a whole number from 0 to 2147483647, got 2147483648"),
])
def test_parse_refuses_with_the_one_wording(spec, text, message):
    with pytest.raises(InvalidInput) as exc:
        spec.parse(text)
    assert str(exc.value) == message


def test_engine_checks_use_the_same_specs():
    with pytest.raises(InvalidInput, match="steps must be a whole number from 1 to 10000"):
        Demo(steps=0)
    with pytest.raises(InvalidInput, match="steps must be a whole number"):
        Demo(steps=3.0)  # a float is not a count, even a whole one
    assert Demo(lr=1).lr == 1.0 and isinstance(Demo(lr=1).lr, float)


def test_saved_state_refused_values_fall_back_to_defaults_with_a_message():
    d, messages = from_saved(Demo, {"steps": 3.0, "lr": 0.5, "start": "exact", "seed": -1, "unknown": 1})
    assert (d.steps, d.lr, d.start, d.seed) == (100, 0.5, "exact", 0)
    assert len(messages) == 2 and "steps" in messages[0] and "seed" in messages[1]
    assert as_saved(d) == {"steps": 100, "lr": 0.5, "start": "exact", "seed": 0}


def test_a_default_outside_its_own_range_is_a_bug():
    with pytest.raises(InvalidInput):
        Spec("T", "T", int, 0, 1, 10)


def test_boxes_show_whole_numbers_whole():
    assert Spec("n", "N", int, 10**15, 1, 10**15).format(10**15) == "1000000000000000"
    assert RATE.format(0.003) == "0.003" and "default 0.01" in RATE.describe()


def test_state_sections_are_validated_by_the_declarations():
    cleaned, messages = validate_section(Demo, {"steps": 1e300, "lr": 0.5, "draft": [[1, 2]], "seed": "x"})
    assert cleaned == {"lr": 0.5, "draft": [[1, 2]]}
    assert [m.split(" refused")[0] for m in messages] == ["saved steps", "saved seed"]
