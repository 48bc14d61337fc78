"""``hw7-tui p1``: Problem 1 without the screen — Tables 1–3, the marginal, the round trip, people."""

from __future__ import annotations

import argparse

from engine.discrete import DEFAULT_MODEL, DiscreteModel, move_people, parse_matrix, parse_vector, solve
from tui.cli.common import int_in, print_json

DEFAULT_PX = ",".join(f"{v:g}" for v in DEFAULT_MODEL.p_x)
DEFAULT_PYX = ";".join(",".join(f"{v:g}" for v in row) for row in DEFAULT_MODEL.p_y_given_x)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "p1", help="Problem 1: joint, marginal, backward conditional, round trip, people",
        description="Problem 1 headless: the chain rule, marginalization and Bayes on discrete states.")
    p.add_argument("--px", default=DEFAULT_PX, metavar="P",
                   help=f'p(x), comma-separated decimals or fractions (default "{DEFAULT_PX}")')
    p.add_argument("--pyx", default=DEFAULT_PYX, metavar="ROWS",
                   help=f'p(y|x), rows x separated by ";" (default "{DEFAULT_PYX}")')
    p.add_argument("--people", type=int_in(1, 10**15), default=None, metavar="N",
                   help="also move N people exactly (multinomial counts), e.g. 1000000000")
    p.add_argument("--seed", type=int_in(0, 2**63 - 1), default=0, help="seed for the people (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--format", choices=("table", "markdown", "latex"), default="table",
                   help="without --json: rich tables (default), or Tables 1–3 as Markdown or LaTeX")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    model = DiscreteModel(parse_vector(args.px, "--px"), parse_matrix(args.pyx, "--pyx"))
    result = solve(model)
    people = move_people(model, args.people, args.seed) if args.people else None
    if args.json:
        out = {
            "p_x": list(model.p_x), "p_y_given_x": [list(r) for r in model.p_y_given_x],
            "p_xy": result.p_xy, "p_y": result.p_y, "p_x_given_y": result.p_x_given_y,
            "roundtrip_p_x": result.roundtrip_p_x,
        }
        if people is not None:
            out["people"] = {
                "n": people.n_people, "seed": people.seed, "counts_x": people.counts_x,
                "counts_xy": people.counts_xy, "counts_y": people.counts_y,
                "counts_back": people.counts_back, "counts_back_x": people.counts_back_x,
                "same_back_x": people.same_back_x, "share_same": people.share_same,
            }
        print_json(out)
        return 0
    from tui.export import p1_latex, p1_markdown

    if args.format == "markdown":
        print(p1_markdown(result, people))
    elif args.format == "latex":
        print(p1_latex(result), end="")
    else:
        from tui.cli.render import print_p1

        print_p1(result, people)
    return 0
