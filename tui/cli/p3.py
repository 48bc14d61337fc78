"""``hw7-tui p3``: learn the score with the Problem 3 target (xt−1 regressed on xt + σ²sθ) and
sample x0 back, stochastically and deterministically, against the exact score."""

from __future__ import annotations

import argparse

from tui.cli._walk import add_walk_parser, run_walk


def add_parser(subparsers) -> None:
    p = add_walk_parser(subparsers, "p3", "p3", "Problem 3: learn ∇log pt of a random walk from xt−1, then reverse it")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_walk(args, "p3")
