"""``hw7-tui p5``: the toy-diffusion swiss roll — train the ε-network with the faithful or the fast
recipe, sample with DDPM, the x0 sampler and DDIM, and measure each against fresh data."""

from __future__ import annotations

import argparse

from engine.eps_net import EMBEDDINGS, MAX_QUALITY_POINTS, RECIPES
from engine.toy2d import DATASETS
from engine.vp import SCHEDULES
from tui.cli._walk import check_samples_path
from tui.cli.common import add_run_options, float_in, int_in, print_json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("p5", help="Problem 5: the toy-diffusion swiss roll, faithful or fast",
                              description="Problem 5 headless: train ε̂θ, sample with DDPM / x0 (the notebook's) / DDIM (ours), measure "
                                          "energy distance and MMD² against fresh data beside the floor.")
    p.add_argument("--recipe", choices=RECIPES, default="fast", help="the notebook's settings, or ours (default fast)")
    p.add_argument("--dataset", choices=DATASETS, default="swiss_roll", help="data set (default swiss_roll)")
    p.add_argument("--epochs", type=int_in(1, 10_000), default=None, help="faithful recipe: epochs (default 100)")
    p.add_argument("--steps", type=int_in(1, 10**6), default=None, help="fast recipe: optimizer steps (default 2000)")
    p.add_argument("--lr", type=float_in(0, 10, low_open=True), default=None, help="learning rate (recipe's default)")
    p.add_argument("--batch", type=int_in(1, 100_000), default=None, help="batch size (recipe's default)")
    p.add_argument("--embedding", choices=EMBEDDINGS, default=None, help="time input: raw t or sinusoidal")
    p.add_argument("--T", type=int_in(2, 1000), default=40, help="diffusion steps (default 40)")
    p.add_argument("--schedule", choices=SCHEDULES, default="cosine", help="noise schedule (default cosine)")
    p.add_argument("--particles", type=int_in(100, MAX_QUALITY_POINTS), default=None,
                   help="samples per sampler and fresh data points for the quality numbers (default 4000; "
                        "the faithful recipe 10000, as the notebook draws)")
    p.add_argument("--oracle", action="store_true", help="also sample with the exact score (swiss roll only)")
    add_run_options(p, "write the samples to PATH (.npz: arrays ddpm, x0, ddim, in the data's original units)")
    p.set_defaults(run=run)


def settings_from_args(args: argparse.Namespace):
    from engine.errors import InvalidInput
    from engine.eps_net import recipe

    # Each recipe counts its training one way: fast in optimizer steps, faithful (the notebook) in
    # epochs (epochs × ⌈n/batch⌉ steps). The other count would be ignored yet recorded in the
    # settings (a faithful run saying steps = 5): refuse it instead of pretending.
    if args.recipe == "faithful" and args.steps is not None:
        raise InvalidInput("--steps is for the fast recipe; the faithful recipe trains for --epochs "
                           "(epochs × ⌈n/batch⌉ optimizer steps)")
    if args.recipe == "fast" and args.epochs is not None:
        raise InvalidInput("--epochs is for the faithful recipe; the fast recipe trains for --steps")
    overrides = {k: v for k, v in (("epochs", args.epochs), ("steps", args.steps), ("lr", args.lr),
                                   ("batch", args.batch), ("embedding", args.embedding)) if v is not None}
    return recipe(args.recipe, dataset=args.dataset, T=args.T, schedule=args.schedule, seed=args.seed, **overrides)


def quality_json(q) -> dict:
    return {"energy": q.energy, "mmd2_h0.1": q.mmd2[0.1], "mmd2_h0.5": q.mmd2[0.5]}


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from engine.eps_net import evaluate, oracle_eps_fn, train_eps

    samples_path = check_samples_path(args.samples)
    settings = settings_from_args(args)
    if args.oracle and settings.dataset != "swiss_roll":
        from engine.errors import InvalidInput

        raise InvalidInput("--oracle: the exact score is available for the swiss roll only")
    console = Console(stderr=True)
    with Progress(TextColumn(f"[bold]training ({settings.recipe})[/]"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TextColumn("loss {task.fields[loss]}"),
                  TimeRemainingColumn(), console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("train", total=settings.total_steps, loss="…")
        trained = train_eps(settings, threads=args.threads, device=args.device,
                            on_progress=lambda p: bar.update(task, completed=p.step, loss=f"{p.loss:.4g}"))
    from engine.eps_net import sample_count

    if args.particles is None:
        args.particles = sample_count(settings)
    # the floor as its exact expectation 2·E|X − X'|/n (MMD² 0) from the fresh data's own pairs: no extra
    # fresh samples to compare (engine.eps_net.expected_floor)
    ev = evaluate(trained, n=args.particles, seed=args.seed, frame_points=1, floor_pairs=0)
    o = trained.outcome
    out = {
        "settings": settings.as_dict(), "device": trained.device, "threads": args.threads,
        "status": o.status, "message": o.message, "steps_done": o.steps_done,
        "train_seconds": o.seconds, "final_loss": o.final_loss, "particles": args.particles,
        "quality": {q.sampler: quality_json(q) for q in ev.samplers},
        "floor": quality_json(ev.floor), "gaussian": quality_json(ev.gaussian),
        "floor_method": "expectation: energy 2·E|X−X'|/n from the fresh data's pairs, MMD² 0 (unbiased)",
    }
    if settings.recipe == "faithful":
        from engine.notebook import loss_curves

        curves = loss_curves(trained)
        out["epoch_losses"] = {"ours": list(curves.ours), "notebook": list(curves.notebook), "notebook_source": curves.source}
    if args.oracle:
        ov = evaluate(trained, n=args.particles, seed=args.seed, frame_points=1, eps_fn=oracle_eps_fn(trained, 2000),
                      floor_pairs=0)
        out["oracle"] = {q.sampler: quality_json(q) for q in ov.samplers}
    if samples_path is not None:
        std = trained.standardizer
        from engine.atomic import write_atomic

        write_atomic(samples_path, lambda f: np.savez(f, **{name: std.inverse(run.x0) for name, run in ev.runs.items()}))
        out["samples"] = str(samples_path)
    if args.json:
        print_json(out)
        return 0
    from rich.table import Table

    out_console = Console()
    out_console.print(f"recipe {settings.recipe} · {settings.dataset} · T = {settings.T} ({settings.schedule}) · "
                      f"{o.steps_done:,} steps in {o.seconds:.1f} s ({o.status}) · final loss {o.final_loss:.4g}")
    t = Table(title=f"Against {args.particles:,} fresh data points (standardized units)", title_justify="left")
    for col in ("sampler", "energy distance", "MMD² h=0.1", "MMD² h=0.5"):
        t.add_column(col, justify="right")
    rows = list(ev.samplers) + [ev.floor, ev.gaussian]
    if args.oracle:
        rows[3:3] = [type(q)(f"exact score, {q.sampler}", q.energy, q.mmd2) for q in ov.samplers]
    for q in rows:
        t.add_row(q.sampler, f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}")
    out_console.print(t)
    if samples_path is not None:
        out_console.print(f"samples written to {samples_path}")
    return 0
