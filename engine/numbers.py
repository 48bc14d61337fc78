"""The one parser for every number a person types: boxes, cells, stored state values and options.

Python's own ``float``/``int``/``Fraction`` accept more than a person means and more than the
formulas can take:

* Unicode digits (``float('١٢٣') == 123.0``) and underscores (``int('1_000') == 1000``) — refused:
  ASCII digits only, so what is shown is what was typed.
* ``inf``/``nan`` — refused: every formula here needs a finite number.
* ``Fraction('1e999999999')`` builds a billion-digit integer (minutes of CPU, unstoppable inside one
  bytecode) — refused *before* any exact arithmetic: at most ``MAX_DIGITS`` digits in a number's
  mantissa and ``|exponent| ≤ MAX_EXPONENT``. 30 digits is more than float64 can tell apart
  (17 significant digits), and 10^±400 already lies beyond float64's range (≈1.8e308 down to
  ≈4.9e-324), so nothing a float can represent is refused by these bounds.
* A float that overflows (``1e309`` → ``inf``) — refused as "too large".

Messages are one line and never echo more than ``SHOWN_CHARS`` characters of what was typed.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from engine.errors import InvalidInput

MAX_DIGITS = 30        # digits in one number's mantissa (float64 resolves ~17 significant digits)
MAX_EXPONENT = 400     # |exponent|: 10^±400 is already outside float64 (1.8e308 … 4.9e-324)
SHOWN_CHARS = 24       # at most this much of the typed text is echoed in a message

# ASCII only: [0-9], not \d (which matches every Unicode digit).
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)


def shown(text: str) -> str:
    """``text`` quoted for a message, cut to ``SHOWN_CHARS`` characters (a 5000-digit value is
    not echoed back whole)."""
    if len(text) <= SHOWN_CHARS:
        return repr(text)
    return repr(text[:SHOWN_CHARS - 4]) + f"… ({len(text)} characters)"


def _nan_note(text: str) -> str:
    return " (NaN is not a number)" if "nan" in text.lower() else ""


def _decimal(raw: str, whole: str, name: str, what: str) -> Fraction:
    """One decimal ("12", "-0.5", ".5e-3") as an exact Fraction, bounds checked first."""
    m = _DECIMAL.fullmatch(raw)
    if m is None or not (m.group(2) or m.group(3)):
        if _NON_FINITE.fullmatch(raw):
            raise InvalidInput(f"{name}: {shown(whole)} is not a finite number{_nan_note(raw)}")
        raise InvalidInput(f"{name}: {shown(whole)} is not {what}")
    sign, int_part, frac_part, exp = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4)
    if len(int_part) + len(frac_part) > MAX_DIGITS:
        raise InvalidInput(f"{name}: {shown(whole)} has too many digits (at most {MAX_DIGITS})")
    exponent = 0
    if exp is not None:
        digits = exp.lstrip("+-").lstrip("0")
        if len(digits) > len(str(MAX_EXPONENT)) or int(exp) > MAX_EXPONENT or int(exp) < -MAX_EXPONENT:
            raise InvalidInput(f"{name}: {shown(whole)} has an exponent beyond ±{MAX_EXPONENT}")
        exponent = int(exp)
    # Small integers only from here on: ≤ 30 digits times 10^(≤ 400 + 30).
    mantissa = int((int_part + frac_part) or "0")
    exponent -= len(frac_part)
    value = Fraction(mantissa * 10**exponent) if exponent >= 0 else Fraction(mantissa, 10**-exponent)
    return -value if sign == "-" else value


def _to_float(value: Fraction, raw: str, name: str) -> float:
    try:
        out = float(value)
    except OverflowError:
        raise InvalidInput(f"{name}: {shown(raw)} is too large") from None
    if not math.isfinite(out):
        raise InvalidInput(f"{name}: {shown(raw)} is too large")
    if out == 0.0 and value != 0:
        raise InvalidInput(f"{name}: {shown(raw)} is too close to 0 (it rounds to 0)")
    return out


def parse_number(text: str, *, kind: type = float, allow_fraction: bool = False,
                 name: str = "value") -> int | float | Fraction:
    """``text`` as a number of ``kind`` (``float``, ``int`` or ``Fraction``), or InvalidInput.

    Accepted: ASCII decimals ``12``, ``-0.5``, ``.5``, ``2.5e-3`` (floats and Fractions), plain
    integers ``42`` (ints), and — with ``allow_fraction`` — ``a/b`` where a and b are decimals
    (``1/3``, ``0.5/2``). Refused with one line naming ``name``: empty text, anything else
    (Unicode digits, ``1_000``, ``inf``, ``nan``), more than ``MAX_DIGITS`` digits, an exponent
    beyond ±``MAX_EXPONENT``, a float that overflows ("too large") or a nonzero one that rounds to
    0, division by zero, and for
    ``kind=int`` anything that is not a whole number. Range checks are the caller's.
    """
    if kind not in (float, int, Fraction):
        raise TypeError(f"parse_number: kind must be float, int or Fraction, not {kind!r}")
    raw = str(text).strip()
    what = "an integer" if kind is int else "a number"
    if not raw:
        raise InvalidInput(f"{name} is empty: type {what}")
    if not raw.isascii():
        raise InvalidInput(f"{name}: {shown(raw)} is not {what} (ASCII digits only)")
    if "_" in raw:
        raise InvalidInput(f"{name}: {shown(raw)} is not {what} (no underscores)")

    if allow_fraction and "/" in raw:
        num_text, den_text = raw.split("/", 1)
        num = _decimal(num_text.strip(), raw, name, what)
        den = _decimal(den_text.strip(), raw, name, what)
        if den == 0:
            raise InvalidInput(f"{name}: {shown(raw)} divides by zero")
        value = num / den
    elif kind is int:
        if not _INTEGER.fullmatch(raw):
            if _NON_FINITE.fullmatch(raw):
                raise InvalidInput(f"{name}: {shown(raw)} is not a finite number{_nan_note(raw)}")
            # the shared layer's one number syntax: a whole decimal such as 1e6 is an integer too
            value = _decimal(raw, raw, name, what)
            if value.denominator != 1:
                raise InvalidInput(f"{name}: {shown(raw)} is not {what}")
            return int(value)
        if len(raw.lstrip("+-")) > MAX_DIGITS:
            raise InvalidInput(f"{name}: {shown(raw)} has too many digits (at most {MAX_DIGITS})")
        return int(raw)
    else:
        value = _decimal(raw, raw, name, what)

    if kind is Fraction:
        return value
    if kind is int:
        if value.denominator != 1:
            raise InvalidInput(f"{name}: {shown(raw)} is not a whole number")
        return int(value)
    return _to_float(value, raw, name)
