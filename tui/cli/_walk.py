"""What ``hw7-tui p3`` and ``hw7-tui p4`` share: options from WalkSettings' declarations, a
progress bar on stderr, and output (JSON or the result's own tables)."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.problems import p3_walk
from engine.problems.p3_walk import WalkResult, WalkSettings
from tui.cli.common import add_run_options, print_json, steps_bar
from tui.cli.options import add_settings, add_text_option, settings_from_args


def add_walk_parser(subparsers, name: str, target: str, help_text: str):
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    add_text_option(p, "--mixture", DEFAULT_MIXTURE.format(), "W:MEAN:STD,…", "p0 as weight:mean:std per component")
    add_settings(p, WalkSettings, skip=("mixture", "seed"))  # --seed comes with the run options
    add_run_options(p, "write the learned samples of x0 to PATH (.npz: arrays stochastic, deterministic)")
    p.set_defaults(target=target)
    return p


def check_samples_path(path: str | None) -> Path | None:
    if path is None:
        return None
    from engine.atomic import check_target

    out = Path(path).expanduser()
    if out.is_dir():
        raise InvalidInput(f"--samples {out} is a directory; give a file such as {out / 'samples.npz'}")
    if not out.parent.exists():
        raise InvalidInput(f"--samples: directory {out.parent} does not exist")
    if out.suffix != ".npz":
        raise InvalidInput(f"--samples {out.name}: the file must end in .npz")
    check_target(path)  # before training: a device, FIFO or read-only target is refused now, not after
    return out


LABELS = {"p3": "training sθ (P3 target)", "p4": "training εθ (P4 target)"}


def run_walk(args: argparse.Namespace, target: str, *, compare: bool = False) -> int:
    """Check the options, run the workflow with a progress bar (only on a terminal), print."""
    settings = settings_from_args(WalkSettings, args, mixture=args.mixture)
    samples_path = check_samples_path(args.samples)  # refuse a bad path before training, not after
    with steps_bar() as bar:
        tasks: dict[str, int] = {}

        def on_progress(label: str, p) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(LABELS[label], total=p.total, loss="")
            bar.update(tasks[label], completed=p.step, loss=f"loss {p.loss:.4g}")

        def on_phase(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total, loss="")
            bar.update(tasks[phase], completed=done)

        result = p3_walk.run(settings, target, compare=compare, threads=args.threads, device=args.device,
                             on_progress=on_progress, on_phase=on_phase)
    out = result.as_json()
    if samples_path is not None:
        import numpy as np

        from engine.atomic import write_atomic

        samples = result.evaluation.samples
        write_atomic(samples_path, lambda f: np.savez(f, stochastic=samples["stochastic"],
                                                      deterministic=samples["deterministic"]))
        out["samples"] = str(samples_path)
    if args.json:
        print_json(out)
    else:
        print_result(result, out.get("samples"))
    return 0


def print_result(result: WalkResult, samples: str | None) -> None:
    from rich.console import Console

    from tui.render import print_tables

    console = Console()
    s, o = result.trained.settings, result.trained.outcome
    console.print(f"target {s.target} · p0 = {s.mixture} · T = {s.T} · σ² = {s.sigma2:g} · "
                  f"{o.steps_done:,} steps in {o.seconds:.1f} s ({o.status}) · {s.loss} loss, final "
                  f"{o.final_loss:.4g} · the homework's L(θ) {result.trained.final_homework_loss:.4g}")
    print_tables(result.tables(), console)
    if samples:
        console.print(f"samples written to {samples}")
