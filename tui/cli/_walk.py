"""What ``hw7-tui p3`` and ``hw7-tui p4`` share: options, training, the quality table, output."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from tui.cli.common import add_run_options, float_in, int_in, print_json

def _defaults() -> dict:
    from engine.score_net import TrainSettings

    d = TrainSettings.__dataclass_fields__
    return dict(T=100, sigma2=0.25, steps=d["steps"].default, lr=d["lr"].default, batch=d["batch"].default,
                hidden=d["hidden"].default, loss=d["loss"].default, particles=20_000)


DEFAULTS = _defaults()


def add_walk_parser(subparsers, name: str, target: str, help_text: str):
    p = subparsers.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--mixture", default=DEFAULT_MIXTURE.format(), metavar="W:MEAN:STD,…",
                   help=f'p0 as weight:mean:std per component (default "{DEFAULT_MIXTURE.format()}")')
    p.add_argument("--T", type=int_in(1, 10_000), default=DEFAULTS["T"], help="number of steps T (default 100)")
    p.add_argument("--sigma2", type=float_in(0, 100, low_open=True), default=DEFAULTS["sigma2"],
                   help="per-step noise variance σ² (default 0.25, so Tσ² = 25)")
    p.add_argument("--steps", type=int_in(1, 10**6), default=DEFAULTS["steps"],
                   help=f"training steps (default {DEFAULTS['steps']}, about a second on one core)")
    p.add_argument("--lr", type=float_in(0, 10, low_open=True), default=DEFAULTS["lr"],
                   help=f"Adam learning rate, decayed by a cosine (default {DEFAULTS['lr']:g})")
    p.add_argument("--batch", type=int_in(1, 10**6), default=DEFAULTS["batch"],
                   help=f"examples per training step (default {DEFAULTS['batch']})")
    p.add_argument("--hidden", type=int_in(4, 1024), default=DEFAULTS["hidden"],
                   help=f"hidden width of the score network (default {DEFAULTS['hidden']})")
    p.add_argument("--loss", choices=("homework", "balanced"), default=DEFAULTS["loss"],
                   help="homework: the homework's L(θ) exactly (t uniform, no weights); balanced: each t weighted "
                        f"by Var(pt)/c², half the t log-uniform (same minimiser; default {DEFAULTS['loss']})")
    p.add_argument("--particles", type=int_in(100, 10**7), default=DEFAULTS["particles"],
                   help="particles per sampler for the quality table (default 20000)")
    p.add_argument("--start", choices=("prior", "exact", "matched"), default="prior",
                   help="xT from N(0, Tσ²) (the homework), the exact pT, or N(mean, var + Tσ²)")
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


def exact_side_in_background(args: argparse.Namespace):
    """Start the exact side of the quality numbers (it does not depend on the model) in a thread, so it
    runs while the model trains; returns a future for report(..., exact=future.result())."""
    from concurrent.futures import ThreadPoolExecutor

    from engine.mixture import GaussianMixture
    from engine.walk import WalkSetup
    from engine.walk_exact import exact_side

    setup = WalkSetup(GaussianMixture.parse(args.mixture), args.T, args.sigma2)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exact-side")
    future = pool.submit(exact_side, setup, args.particles, args.seed, args.start)
    pool.shutdown(wait=False)
    return future


def train_from_args(args: argparse.Namespace, target: str, progress_label: str):
    """Train with a progress bar on stderr (only on a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from engine.score_net import TrainSettings, train_score

    settings = TrainSettings(mixture=args.mixture, T=args.T, sigma2=args.sigma2, target=target, loss=args.loss,
                             steps=args.steps, lr=args.lr, batch=args.batch, hidden=args.hidden, seed=args.seed)
    console = Console(stderr=True)
    with Progress(TextColumn(f"[bold]{progress_label}[/]"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("train", total=settings.steps, loss="…")
        trained = train_score(settings, threads=args.threads, device=args.device,
                              on_progress=lambda p: bar.update(task, completed=p.step, loss=f"{p.loss:.4g}"))
    return trained


def report(args: argparse.Namespace, trained, extra: dict | None = None, exact=None) -> dict:
    """Sample, evaluate, write --samples, and print JSON or tables; returns the JSON object."""
    import numpy as np

    from engine.score_net import evaluate, score_errors

    samples_path = check_samples_path(args.samples)
    ev = evaluate(trained, n=args.particles, seed=args.seed, start=args.start, exact=exact)
    budget = ev.budget
    errs = score_errors(trained, seed=args.seed)
    o = trained.outcome
    out = {
        "settings": trained.settings.as_dict(), "device": trained.device, "threads": args.threads,
        "status": o.status, "message": o.message, "steps_done": o.steps_done,
        "train_seconds": o.seconds, "final_loss": o.final_loss,
        # the homework's L(θ), whatever was trained: mean of the last ≤ 100 steps' batch estimates
        "final_loss_homework": trained.final_homework_loss,
        "quality": {score: {method: {"w1": ev.row(score, method).w1, "tv": ev.row(score, method).tv}
                            for method in ("stochastic", "deterministic")} for score in ("learned", "exact")},
        "start": args.start, "particles": args.particles,
        "error_budget": {m: {"discretization": b.discretization, "prior_mismatch": b.prior_mismatch,
                             "learned_score": b.learned_score, "total": b.with_learned,
                             "prior_mismatch_limit": b.prior_limit} for m, b in budget.items()},
        "score_error": {"t": errs.t, "relative_mse": errs.error, "mean": errs.mean, "stderr": errs.stderr,
                        "mean_stderr": errs.mean_stderr, "samples_per_t": errs.n},
        "interpolation_error": ev.interpolation_error,
        **(extra or {}),
    }
    if samples_path is not None:
        from engine.atomic import write_atomic

        write_atomic(samples_path, lambda f: np.savez(f, stochastic=ev.samples["stochastic"],
                                                      deterministic=ev.samples["deterministic"]))
        out["samples"] = str(samples_path)
    if args.json:
        print_json(out)
    else:
        print_tables(out)
    return out


def print_tables(out: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    s = out["settings"]
    console.print(f"target {s['target']} · p0 = {s['mixture']} · T = {s['T']} · σ² = {s['sigma2']:g} · "
                  f"{out['steps_done']:,} steps in {out['train_seconds']:.1f} s ({out['status']}) · "
                  f"{s['loss']} loss, final {out['final_loss']:.4g} · the homework's L(θ) "
                  f"{out['final_loss_homework']:.4g}")
    t = Table(title=f"W1 / TV to p0 ({out['particles']:,} particles, start: {out['start']})", title_justify="left")
    for col in ("score", "stochastic W1", "deterministic W1", "stochastic TV", "deterministic TV"):
        t.add_column(col, justify="right")
    for score in ("learned", "exact"):
        q = out["quality"][score]
        t.add_row(score, f"{q['stochastic']['w1']:.4f}", f"{q['deterministic']['w1']:.4f}",
                  f"{q['stochastic']['tv']:.4f}", f"{q['deterministic']['tv']:.4f}")
    console.print(t)
    b = Table(title="Error budget (W1): one ingredient swapped for its exact version at a time", title_justify="left")
    for col in ("sampler", "discretization", "+ prior", "+ learned", "total", "prior, T→∞"):
        b.add_column(col, justify="right")
    for m, row in out["error_budget"].items():
        b.add_row(m, f"{row['discretization']:.4f}", f"{row['prior_mismatch']:+.4f}", f"{row['learned_score']:+.4f}",
                  f"{row['total']:.4f}", f"{row['prior_mismatch_limit']:.4f}")
    console.print(b)
    console.print("Each part is the change in W1 when one exact ingredient is replaced by the real one. W1 is not "
                  "additive: errors from different sources can partly cancel, so a part can come out below 0, by "
                  f"more than the sampling noise (~{1.5 / out['particles'] ** 0.5:.3f} at {out['particles']:,} particles). "
                  "The last column is exact: the W1 that starting from N(0, Tσ²) leaves with the exact score and "
                  "infinitely fine steps.",
                  style="dim")
    if "comparison" in out:
        c = out["comparison"]
        ct = Table(title="Score error against the oracle, same budget: P3 target vs P4 target", title_justify="left")
        for col in ("t", "P3 (x_{t-1})", "P4 (x0 / ε)"):
            ct.add_column(col, justify="right")
        for t, a, b2 in zip(c["t"], c["p3"], c["p4"]):
            ct.add_row(str(t), f"{a:.2e}", f"{b2:.2e}")
        ct.add_row("mean", f"{c['p3_mean']:.2e}", f"{c['p4_mean']:.2e}")
        console.print(ct)
    if "eps_forms" in out:
        e = out["eps_forms"]
        console.print("Problem 4's ε forms (εθ = −tσ²sθ): xt−1 = xt − εθ/t + σz ends at W1 "
                      f"{e['stochastic']['w1']:.4f}, xt−1 = xt − εθ/(2t) at {e['deterministic']['w1']:.4f}; each "
                      "particle within "
                      f"{max(e['stochastic']['max_abs_difference'], e['deterministic']['max_abs_difference']):.1e} "
                      "of the score form's (same seed).")
    if "samples" in out:
        console.print(f"samples written to {out['samples']}")
