"""Pieces every subcommand shares: the one-line-error parser, option types, JSON output."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, NoReturn

from engine.settings import Spec

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


PORT = Spec("port", "port", int, 8000, 1, 65535, help="port for --serve")
MAX_SESSIONS = Spec("max_sessions", "max sessions", int, 4, 1, 64,
                    help="--serve: at most N browser tabs at once",
                    reason="Each tab runs its own ~270 MB app process.")


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


def progress_bar(*columns: Any):
    """A Rich progress display on stderr (stdout stays the output), shown only on a terminal and gone
    when the work is done."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def steps_bar():
    """The training commands' bar: what runs, the bar, steps done of total, the loss, time left."""
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn

    return progress_bar(TextColumn("[bold]{task.description}[/]"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TextColumn("{task.fields[loss]}"), TimeRemainingColumn())


def add_run_options(p: argparse.ArgumentParser, samples_help: str) -> None:
    """The options every training command shares: seed, threads, device, samples file, JSON."""
    from engine.settings import SEED, THREADS
    from tui.cli.options import add_setting

    add_setting(p, SEED)  # the same declaration (range, message) as the screens' seed boxes
    add_setting(p, THREADS)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="torch device (default cpu)")
    p.add_argument("--samples", metavar="PATH", default=None, help=samples_help)
    p.add_argument("--json", action="store_true", help="print one JSON object")
