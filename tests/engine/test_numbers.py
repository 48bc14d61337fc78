"""engine.numbers.parse_number: the one parser of every box, cell, option and saved value."""

from fractions import Fraction

import pytest

from engine.errors import InvalidInput
from engine.numbers import MAX_CHARS, parse_number


@pytest.mark.parametrize("text, kind, fraction, expected", [
    ("0.25", float, False, 0.25), (" 1e-3 ", float, False, 1e-3), ("-.5", float, False, -0.5),
    ("1e6", int, False, 1_000_000), ("1000000000000000", int, False, 10**15), ("7", int, False, 7),
    ("1/3", float, True, Fraction(1, 3)), ("0.5/2", float, True, Fraction(1, 4)), ("2", float, True, 2.0),
])
def test_accepts(text, kind, fraction, expected):
    value = parse_number(text, kind=kind, allow_fraction=fraction)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, kind, fraction, words", [
    ("abc", float, False, "is not a number"), ("", float, False, "a number is needed"),
    ("nan", float, False, "is not a number"), ("inf", float, False, "is not a number"),
    ("1e400", float, False, "too large"), ("1_000", int, False, "is not a number"),
    ("١٢٣", int, False, "digits 0–9"), ("3.5", int, False, "not a whole number"), ("1e-3", int, False, "whole"),
    ("1/0", float, True, "divides by zero"), ("1/3", float, False, "is not a number"),
    ("1e999999999/1", float, True, "exponent beyond"), ("9" * 5000, int, False, "too long"),
])
def test_refuses_with_one_line_naming_the_box(text, kind, fraction, words):
    with pytest.raises(InvalidInput) as exc:
        parse_number(text, kind=kind, allow_fraction=fraction, name="σ²")
    message = str(exc.value)
    assert message.startswith("σ²") and words in message and "\n" not in message
    assert len(message) < 120  # a 5000-digit value is not echoed back whole


def test_limit_is_declared():
    assert parse_number("1" * MAX_CHARS, kind=int) == int("1" * MAX_CHARS)
