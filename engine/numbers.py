"""One number parser for every box, cell, state value and command-line option.

Finite, ASCII digits only, bounded length and exponent *before* any exact arithmetic (a fraction
like ``1e999999999/1`` would otherwise build a billion-digit integer).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from engine.errors import InvalidInput

MAX_CHARS = 40
"""The longest number accepted (a double has 17 significant digits; 40 leaves room for signs,
exponents and a fraction bar)."""
MAX_EXPONENT = 400
"""|exponent| bound: beyond ±308 a double is inf or 0 anyway; bounding it keeps exact
arithmetic on fractions cheap."""

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:20] + "…")


def _decimal(text: str, name: str, exact: bool) -> float | Fraction:
    match = _DECIMAL.fullmatch(text)
    if not match and text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise InvalidInput(f"{name}: {_shown(text)} is not a finite number")
    if not match:
        raise InvalidInput(f"{name}: {_shown(text)} is not a number")
    if match.group(1) is not None and abs(int(match.group(1))) > MAX_EXPONENT:
        raise InvalidInput(f"{name}: {_shown(text)} is out of range (exponent beyond ±{MAX_EXPONENT})")
    if exact:
        return Fraction(text)
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput(f"{name}: {_shown(text)} is too large")
    return value


def parse_number(text: str, *, kind: type = float, allow_fraction: bool = False,
                 name: str = "value") -> int | float | Fraction:
    """Parse a decimal (``0.25``, ``1e-3``), a whole number for ``kind=int`` (``1e6`` counts when it is
    whole) or, with ``allow_fraction``, ``a/b`` (returned as an exact Fraction).

    Refused with :class:`InvalidInput` naming ``name``: empty text, non-ASCII digits, underscores,
    inf/nan, more than MAX_CHARS characters, exponents beyond ±MAX_EXPONENT, a zero denominator, a
    non-whole value where a whole number is needed.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"{name}: {text!r} is not a number")
    text = text.strip()
    if not text:
        raise InvalidInput(f"{name}: a number is needed")
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"{name}: {_shown(text)} is too long ({len(text)} characters, at most {MAX_CHARS})")
    if not text.isascii():
        raise InvalidInput(f"{name}: {_shown(text)} is not a number (use the digits 0–9)")
    if allow_fraction and "/" in text:
        num, _, den = text.partition("/")
        a, b = _decimal(num.strip(), name, True), _decimal(den.strip(), name, True)
        if b == 0:
            raise InvalidInput(f"{name}: {_shown(text)} divides by zero")
        return a / b
    value = _decimal(text, name, kind is int)
    if kind is int:
        if value.denominator != 1:
            raise InvalidInput(f"{name}: {_shown(text)} is not a whole number")
        return int(value)
    return value
