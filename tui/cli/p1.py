"""``hw7-tui p1``: Problem 1 without the screen — Tables 1–3, the marginal, the round trip, people."""

from __future__ import annotations

import argparse

from engine.discrete import DEFAULT_MODEL, PEOPLE, DiscreteModel, parse_matrix, parse_vector
from engine.problems.p1_discrete import P1Settings, solve_p1
from tui.cli.common import print_json
from tui.cli.options import add_optional_setting, add_settings, add_text_option, optional_given, settings_from_args

DEFAULT_PX = ",".join(f"{v:g}" for v in DEFAULT_MODEL.p_x)
DEFAULT_PYX = ";".join(",".join(f"{v:g}" for v in row) for row in DEFAULT_MODEL.p_y_given_x)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "p1", help="Problem 1: joint, marginal, backward conditional, round trip, people",
        description="Problem 1 headless: the chain rule, marginalization and Bayes on discrete states.")
    add_text_option(p, "--px", DEFAULT_PX, "P", "p(x), comma-separated decimals or fractions")
    add_text_option(p, "--pyx", DEFAULT_PYX, "ROWS", 'p(y|x), rows x separated by ";"')
    add_optional_setting(p, PEOPLE, "also move N people exactly (multinomial counts), e.g. 1000000000 or 1e9")
    add_settings(p, P1Settings, skip=("people",))
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--format", choices=("table", "markdown", "latex"), default="table",
                   help="without --json: rich tables (default), or the tables as Markdown, or Tables 1–3 as LaTeX")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    model = DiscreteModel(parse_vector(args.px, "--px"), parse_matrix(args.pyx, "--pyx"))
    with_people = optional_given(args, PEOPLE)
    result = solve_p1(settings_from_args(P1Settings, args, model=model), people=with_people)
    if args.json:
        print_json(result.as_json())
        return 0
    from tui.render import latex, markdown, print_tables

    if args.format == "markdown":
        print(markdown(result.tables()))
    elif args.format == "latex":
        print(latex(result.homework_tables()), end="")
    else:
        print_tables(result.tables())
    return 0
