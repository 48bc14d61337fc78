"""Pieces every subcommand shares: the one-line-error parser, option types, JSON output."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, NoReturn

import numpy as np

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input on the command line; printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument raises UsageError (one line, exit 2) instead of
    printing the whole usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def problem_number(text: str) -> int:
    from engine.errors import InvalidInput
    from engine.numbers import parse_number, shown

    try:
        n = parse_number(text, kind=int, name="--problem")
    except InvalidInput:
        raise argparse.ArgumentTypeError(f"--problem must be 1–5, got {shown(text)}") from None
    if not 1 <= n <= 5:
        raise argparse.ArgumentTypeError(f"--problem must be 1–5, got {n}")
    return n


def _number(kind: type, text: str, *, low: float | None, high: float | None,
            low_open: bool) -> float | int:
    """One option value through engine.numbers.parse_number (ASCII digits, bounded digits and
    exponent, finite), then the option's range."""
    from engine.errors import InvalidInput
    from engine.numbers import parse_number, shown

    try:
        value = parse_number(text, kind=kind, name="value")
    except InvalidInput as exc:
        # parse_number says "value: 'abc' is not a number"; argparse adds the option's name.
        raise argparse.ArgumentTypeError(str(exc).removeprefix("value: ")) from None
    if low is not None and (value <= low if low_open else value < low):
        raise argparse.ArgumentTypeError(f"{shown(text)} must be {'>' if low_open else '≥'} {low:g}")
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(f"{shown(text)} must be ≤ {high:g}")
    return value


def int_in(low: int | None = None, high: int | None = None):
    """An argparse type: an integer in [low, high]."""
    def parse(text: str) -> int:
        return _number(int, text, low=low, high=high, low_open=False)
    parse.__name__ = "integer"
    return parse


def float_in(low: float | None = None, high: float | None = None, *, low_open: bool = False):
    """An argparse type: a finite float in [low, high] (or (low, high] with low_open)."""
    def parse(text: str) -> float:
        return _number(float, text, low=low, high=high, low_open=low_open)
    parse.__name__ = "number"
    return parse


def jsonable(value: Any) -> Any:
    """numpy → plain Python; NaN/inf → None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def print_json(obj: Any) -> None:
    json.dump(jsonable(obj), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def add_run_options(p: argparse.ArgumentParser, samples_help: str) -> None:
    """The options every training command shares: seed, threads, device, samples file, JSON."""
    from engine.settings import SEED
    from tui.cli.options import add_setting

    add_setting(p, SEED)  # the same declaration (range, message) as the screens' seed boxes
    p.add_argument("--threads", type=int_in(1, 256), default=1, help="torch threads (default 1: fastest here)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="torch device (default cpu)")
    p.add_argument("--samples", metavar="PATH", default=None, help=samples_help)
    p.add_argument("--json", action="store_true", help="print one JSON object")
