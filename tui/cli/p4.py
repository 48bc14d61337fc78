"""``hw7-tui p4``: learn the score with the Problem 4 target (predict x0, i.e. εθ = −tσ²sθ),
sample x0 back, and (``--compare``) measure it against the Problem 3 target with the same budget."""

from __future__ import annotations

import argparse

from tui.cli._walk import add_walk_parser, check_samples_path, report, train_from_args


def add_parser(subparsers) -> None:
    p = add_walk_parser(subparsers, "p4", "p4", "Problem 4: learn the score by predicting x0 (the ε target)")
    p.add_argument("--compare", action="store_true",
                   help="also train the Problem 3 target with the same budget and compare score errors per t")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tui.cli._walk import exact_side_in_background

    check_samples_path(args.samples)
    exact = exact_side_in_background(args)  # runs while the model trains
    trained = train_from_args(args, "p4", "training εθ (P4 target)")
    extra = None
    if args.compare:
        from engine.score_net import score_errors

        other = train_from_args(args, "p3", "training sθ (P3 target, same budget)")
        e4, e3 = score_errors(trained, seed=args.seed), score_errors(other, seed=args.seed)
        extra = {"comparison": {"t": e4.t, "p3": e3.error, "p4": e4.error, "p3_mean": e3.mean, "p4_mean": e4.mean,
                                "p3_train_seconds": other.outcome.seconds}}
    from engine.walk import eps_form_check

    # Problem 4's samplers written with ε (εθ = −tσ²sθ from this network) beside the score forms
    checks = eps_form_check(trained.settings.setup(), trained.grid_score_fn(), args.particles, seed=args.seed,
                            start=args.start)
    extra = {**(extra or {}), "eps_forms": {c.method: {"w1": c.w1, "w1_score_form": c.w1_score_form,
                                                       "max_abs_difference": c.max_abs_difference} for c in checks}}
    report(args, trained, extra, exact=exact.result())
    return 0
