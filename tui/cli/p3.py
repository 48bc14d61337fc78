"""``hw7-tui p3``: learn the score with the Problem 3 target (xt−1 regressed on xt + σ²sθ) and
sample x0 back, stochastically and deterministically, against the exact score.

``hw7-tui p3 --orders``: no training — the samplers' orders with the exact score (engine.orders)."""

from __future__ import annotations

import argparse

from engine.errors import InvalidInput
from tui.cli._walk import add_walk_parser, run_walk


def t_list(text: str) -> tuple[int, ...]:
    """--orders-T: whole numbers separated by commas, e.g. 100,200,400,800."""
    try:
        Ts = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if len(Ts) < 2 or any(not 2 <= T <= 10_000 for T in Ts) or len(set(Ts)) != len(Ts):
        raise argparse.ArgumentTypeError(f"{text!r}: give two or more different T from 2 to 10000")
    return Ts


def add_parser(subparsers) -> None:
    from engine.orders import DEFAULT_TS, FULL_TS

    p = add_walk_parser(subparsers, "p3", "p3", "Problem 3: learn ∇log pt of a random walk from xt−1, then reverse it")
    p.add_argument("--orders", action="store_true",
                   help="no training: W1 to p0 against T at fixed Tσ² (from --T × --sigma2) for every sampler with "
                        "the exact score, from the exact pT and from N(0, Tσ²), and the fitted log–log slopes")
    p.add_argument("--orders-T", type=t_list, default=DEFAULT_TS, metavar="T,T,…",
                   help=f"the T of --orders (default {','.join(map(str, DEFAULT_TS))}, a few seconds; "
                        f"{','.join(map(str, FULL_TS))} takes ~10 s)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.orders:
        return run_orders(args)
    return run_walk(args, "p3")


def run_orders(args: argparse.Namespace) -> int:
    from engine.mixture import GaussianMixture
    from engine.orders import sampler_orders
    from tui.cli.common import print_json

    if args.samples is not None:
        raise InvalidInput("--samples is not used with --orders (it draws no samples: W1 is computed from the laws)")
    orders = sampler_orders(GaussianMixture.parse(args.mixture), args.orders_T, args.T * args.sigma2)
    if args.json:
        print_json(orders.as_dict())
    else:
        print_orders(orders)
    return 0


def print_orders(orders) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    from rich import box

    t = Table(title=f"W1 to p0 against T, exact score, Tσ² = {orders.total_variance:g}, p0 = {orders.mixture.format()}",
              title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    short = {"stochastic": "stochastic", "deterministic": "½-flow", "two_step": "two-step", "heun": "Heun",
             "no_half": "no-½ flow"}
    t.add_column("sampler", no_wrap=True)
    t.add_column("start", no_wrap=True)
    for T in orders.T:
        t.add_column(f"T={T}", justify="right")
    t.add_column("order", justify="right")
    t.add_column("T→∞", justify="right")
    for r in orders.rows:
        floor = "—" if r.prior_floor is None else "0" if r.prior_floor == 0 else f"{r.prior_floor:.4f}"
        t.add_row(short[r.method], "p_T" if r.start == "exact" else "N(0,Tσ²)", *(f"{v:.3g}" if v >= 1e-3 else f"{v:.1e}" for v in r.w1),
                  f"{r.order:.2f}", floor)
    console.print(t)
    console.print("½-flow: xt−1 = xt + ½σ²s; two-step: the homework's xt−2 = xt + σ²s; no-½ flow: xt−1 = xt + σ²s. "
                  "order = −(log–log slope of W1 against T), W1 ∝ T^−order. T→∞: the W1 the start alone leaves "
                  f"with infinitely fine steps. The flows run {orders.strata:,} stratified starts (their W1 has no "
                  "sampling noise); the stochastic sampler's law is pushed through each step on a grid (no particles).",
                  style="dim")
