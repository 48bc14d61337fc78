"""``hw7-tui p2``: Problem 2 without the screen — exact p(x|y) against N(y + σ²∇log p(y), σ²)."""

from __future__ import annotations

import argparse

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.posterior import DEFAULT_SIGMA2, DEFAULT_Y, MAX_PARTICLES, compare, error_rates, particles_near
from tui.cli.common import float_in, int_in, print_json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "p2", help="Problem 2: exact backward conditional of a Gaussian mixture vs the approximation",
        description="Problem 2 headless: y = x + e, e ~ N(0, σ²), p(x) a Gaussian mixture.")
    p.add_argument("--mixture", default=DEFAULT_MIXTURE.format(), metavar="W:MEAN:STD,…",
                   help=f'p(x) as weight:mean:std per component (default "{DEFAULT_MIXTURE.format()}")')
    p.add_argument("--sigma2", type=float_in(0, 1e6, low_open=True), default=DEFAULT_SIGMA2, metavar="S",
                   help=f"noise variance σ² > 0 (default {DEFAULT_SIGMA2})")
    p.add_argument("--y", type=float_in(-1e6, 1e6), default=DEFAULT_Y, help=f"the observed y (default {DEFAULT_Y})")
    p.add_argument("--particles", type=int_in(0, MAX_PARTICLES), default=0, metavar="N",
                   help="also sample N particles and keep those landing near y (default 0: skip)")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="seed for the particles (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(run=run)


def mixture_json(m: GaussianMixture) -> dict:
    return {"weights": list(m.weights), "means": list(m.means), "stds": list(m.stds)}


def run(args: argparse.Namespace) -> int:
    prior = GaussianMixture.parse(args.mixture)
    c = compare(prior, args.sigma2, args.y)
    rates = error_rates(prior, args.y)
    check = particles_near(prior, args.sigma2, args.y, n=args.particles, seed=args.seed) if args.particles else None
    if args.json:
        out = {
            "mixture": mixture_json(prior), "sigma2": c.sigma2, "y": c.y,
            "exact": {**mixture_json(c.exact), "mean": c.exact_mean, "variance": c.exact_variance},
            "approx": {"mean": c.approx.mean, "variance": c.approx.variance},
            "errors": {"mean": c.mean_error, "variance": c.variance_error, "tv": c.tv, "kl": c.kl},
            "rates": {
                "sigma2": [r.sigma2 for r in rates.rows],
                "mean_error": [r.mean_error for r in rates.rows],
                "variance_error": [r.variance_error for r in rates.rows],
                "tv": [r.tv for r in rates.rows], "kl": [r.kl for r in rates.rows],
                "rate_mean": rates.rate_mean, "rate_variance": rates.rate_variance,
                "rate_tv": rates.rate_tv, "rate_kl": rates.rate_kl,
                "fit_max_sigma2": rates.fit_max_sigma2,
                "leading_terms": rates.leading.as_dict(),
                "predicted": [rates.leading.predicted(r.sigma2) for r in rates.rows],
            },
        }
        if check is not None:
            out["particles"] = {"n": check.n_particles, "seed": check.seed, "window": check.window,
                                "selected": check.n_selected,
                                "mean": float(check.origins.mean()) if check.n_selected else None,
                                "variance": float(check.origins.var()) if check.n_selected > 1 else None}
        print_json(out)
        return 0
    from tui.cli.render import print_p2

    print_p2(prior, c, rates, check)
    return 0
