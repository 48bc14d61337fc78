"""``hw7-tui p4``: learn the score with the Problem 4 target (predict x0, i.e. εθ = −tσ²sθ),
sample x0 back, and (``--compare``) measure it against the Problem 3 target with the same budget."""

from __future__ import annotations

import argparse

from tui.cli._walk import add_walk_parser, run_walk


def add_parser(subparsers) -> None:
    p = add_walk_parser(subparsers, "p4", "p4", "Problem 4: learn the score by predicting x0 (the ε target)")
    p.add_argument("--compare", action="store_true",
                   help="also train the Problem 3 target with the same budget and compare score errors per t")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_walk(args, "p4", compare=args.compare)
