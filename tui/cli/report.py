"""``hw7-tui report``: the whole write-up (all five problems) as one Markdown file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.errors import InvalidInput
from engine.settings import SEED, THREADS
from tui.cli.common import progress_bar
from tui.cli.options import add_setting
from tui.report_base import JOBS


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write the homework's write-up (all problems) as Markdown",
        description="Build the write-up: filled tables, each 'explain' answered with live numbers, text plots, "
                    "quality tables. Trains what it needs (reusing saved models whose settings match).")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write to FILE (default: print to stdout)")
    add_setting(p, SEED)
    add_setting(p, THREADS)
    add_setting(p, JOBS)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="torch device (default cpu)")
    p.add_argument("--quick", action="store_true",
                   help="tiny training budgets: a preview in seconds (the numbers are not the write-up's)")
    p.add_argument("--no-reuse", action="store_true", help="train afresh even if a matching saved model exists")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

    from engine.atomic import write_atomic
    from tui.report import ReportContext, build_report
    from tui.state import data_dir

    from engine.atomic import check_target

    output = Path(args.output).expanduser() if args.output else None
    if output is not None:
        if output.is_dir():
            raise InvalidInput(f"{output} is a directory; give a file name such as {output / 'hw7-report.md'}")
        check_target(args.output)  # before the report is built: a device, FIFO, 'dir/' or read-only target
    with progress_bar(TextColumn("[bold]report[/]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TextColumn("{task.description}"), TimeElapsedColumn()) as progress:
        task = progress.add_task("starting…", total=1.0)
        ctx = ReportContext(seed=args.seed, threads=args.threads, device=args.device, quick=args.quick, jobs=args.jobs,
                            models_dir=None if args.no_reuse else data_dir() / "models",
                            progress=lambda f, text: progress.update(task, description=text)
                            if f < 0 else progress.update(task, completed=f, description=text))
        text = build_report(ctx)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(args.output, text)  # WriteError (InvalidInput): one line, exit 2
        print(f"wrote {output} ({len(text.splitlines())} lines)", file=sys.stderr)
    return 0
