"""``hw7-tui p2``: Problem 2 without the screen — exact p(x|y) against N(y + σ²∇log p(y), σ²)."""

from __future__ import annotations

import argparse

from engine.errors import InvalidInput
from engine.problems.p2_continuous import PARTICLES, P2Settings, compare_p2
from tui.cli.common import print_json
from tui.cli.options import add_setting, add_settings, settings_from_args

DEFAULT_MIXTURE_TEXT = P2Settings().prior.format()


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "p2", help="Problem 2: exact backward conditional of a Gaussian mixture vs the approximation",
        description="Problem 2 headless: y = x + e, e ~ N(0, σ²), p(x) a Gaussian mixture.")
    p.add_argument("--mixture", default=DEFAULT_MIXTURE_TEXT, metavar="W:MEAN:STD,…",
                   help=f'p(x) as weight:mean:std per component (default "{DEFAULT_MIXTURE_TEXT}")')
    add_settings(p, P2Settings, skip=("particles",))
    add_setting(p, PARTICLES, default=None,
                help="also sample N particles and keep those landing near y (default: skip); " + PARTICLES.describe())
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with_particles = args.particles is not None
    if not with_particles:
        args.particles = PARTICLES.default
    try:
        settings = settings_from_args(P2Settings, args, mixture=args.mixture)
    except InvalidInput as exc:
        raise InvalidInput(f"--mixture: {exc}" if "component" in str(exc) or "mixture" in str(exc) else str(exc)) from None
    result = compare_p2(settings, particles=with_particles)
    if args.json:
        print_json(result.as_json())
        return 0
    from tui.render import print_tables

    print_tables(result.tables())
    return 0
