"""``hw7-tui p2``: Problem 2 without the screen — exact p(x|y) against N(y + σ²∇log p(y), σ²)."""

from __future__ import annotations

import argparse

from engine.errors import InvalidInput
from engine.problems.p2_continuous import PARTICLES, P2Settings, compare_p2
from tui.cli.common import print_json
from tui.cli.options import add_optional_setting, add_settings, add_text_option, optional_given, settings_from_args

DEFAULT_MIXTURE_TEXT = P2Settings().prior.format()


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "p2", help="Problem 2: exact backward conditional of a Gaussian mixture vs the approximation",
        description="Problem 2 headless: y = x + e, e ~ N(0, σ²), p(x) a Gaussian mixture.")
    add_text_option(p, "--mixture", DEFAULT_MIXTURE_TEXT, "W:MEAN:STD,…", "p(x) as weight:mean:std per component")
    add_settings(p, P2Settings, skip=("particles",))
    add_optional_setting(p, PARTICLES, "also sample N particles and keep those landing near y (default: skip)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with_particles = optional_given(args, PARTICLES)
    try:  # the other options were checked by their specs already: only the mixture can be refused here
        settings = settings_from_args(P2Settings, args, mixture=args.mixture)
    except InvalidInput as exc:
        raise InvalidInput(f"--mixture: {exc}") from None
    result = compare_p2(settings, particles=with_particles)
    if args.json:
        print_json(result.as_json())
        return 0
    from tui.render import print_tables

    print_tables(result.tables())
    return 0
