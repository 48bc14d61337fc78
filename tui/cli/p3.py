"""``hw7-tui p3``: learn the score with the Problem 3 target (xt−1 regressed on xt + σ²sθ) and
sample x0 back, stochastically and deterministically, against the exact score."""

from __future__ import annotations

import argparse

from tui.cli._walk import add_walk_parser, report, train_from_args


def add_parser(subparsers) -> None:
    p = add_walk_parser(subparsers, "p3", "p3", "Problem 3: learn ∇log pt of a random walk from xt−1, then reverse it")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tui.cli._walk import check_samples_path

    from tui.cli._walk import exact_side_in_background

    check_samples_path(args.samples)  # refuse a bad path before training, not after
    exact = exact_side_in_background(args)  # runs while the model trains
    trained = train_from_args(args, "p3", "training sθ (P3 target)")
    report(args, trained, exact=exact.result())
    return 0
