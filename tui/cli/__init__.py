"""The command line: ``hw7-tui`` opens the app; ``hw7-tui pN …`` is each screen's headless twin.

Each subcommand lives in its own module ``tui.cli.<name>`` with two functions:
``add_parser(subparsers)`` (declares its options) and ``run(args) -> int`` (does the work).
Bad input of any kind ends with one line on stderr and exit status 2, never a traceback.
Importing this module imports neither Textual nor torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from engine.errors import InvalidInput
from tui.cli import p1, p2, p3, p4, p5, report
from tui.cli.common import EXIT_USAGE, MAX_SESSIONS, PORT, OneLineParser, UsageError, problem_number
from tui.cli.options import add_setting

SUBCOMMANDS = (p1, p2, p3, p4, p5, report)
"""One module per subcommand, each with ``add_parser(subparsers)``; the parser sets ``args.run``."""


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="hw7-tui",
        description="HW7 (diffusion from first principles) as a terminal app. "
        "With no subcommand it opens the app; each subcommand is a screen's headless twin.",
    )
    parser.add_argument("--problem", type=problem_number, default=None, metavar="N",
                        help="open the app on screen N (1–5)")
    parser.add_argument("--fresh", action="store_true",
                        help="start from the defaults instead of the saved state")
    parser.add_argument("--serve", action="store_true",
                        help="serve the app to a web browser on localhost (textual-serve) instead")
    add_setting(parser, PORT)
    add_setting(parser, MAX_SESSIONS, metavar="N")
    parser.add_argument("--version", action="version", version="hw7-tui 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None and args.serve:
            from tui.serve import serve

            return serve(port=args.port, problem=args.problem, fresh=args.fresh, max_sessions=args.max_sessions)
        if args.command is None:
            from tui.app import run_app  # imported only now: Textual is not needed headless

            return run_app(problem=args.problem, fresh=args.fresh)
        return int(args.run(args) or 0)
    except (UsageError, InvalidInput) as exc:
        print(f"hw7-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hw7-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
