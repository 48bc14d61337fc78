"""Problems 3–4: which training budget and loss to use by default — measured over seeds and mixtures.

For every mixture × target (p3, p4) × loss (homework, balanced) × budget (steps, batch, lr) × seed:
train one torch thread, then measure the score error against the oracle (mean over 10 t and at t = 1)
and W1 to p0 of the learned stochastic and deterministic samplers beside the exact-score W1 (same seed,
same particles, start N(0, Tσ²)). "ok" counts runs where both learned samplers are within the goal
W1 ≤ 1.5 × exact W1 + 0.03 (issue 11). The default mixture is the one the defaults may be tuned on;
the others are the check. Run:
    .venv/bin/python bench/sweep_p3p4.py [--quick] [--budgets 800x512@1e-2,...] [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MIXTURES = {
    "default": "0.3:-2:0.5,0.5:0.5:0.7,0.2:3:0.4",
    "two bumps": "0.5:-1:0.3,0.5:1:0.3",
    "three wide": "0.2:-3:0.5,0.3:0:0.4,0.5:2.5:0.6",
    "single": "1:0.5:1",
    "skewed": "0.9:0:0.5,0.1:3:0.3",
    # added for issue 11's numpy trainer: never used to choose anything, only to check the choice
    "four narrow": "0.25:-3:0.3,0.25:-1:0.3,0.25:1:0.3,0.25:3:0.3",
    "wide+spike": "0.7:0:1.5,0.3:2:0.2",
}
BUDGETS = "8000x512@3e-3,600x512@1e-2,1000x512@1e-2,1000x256@1e-2,1500x512@5e-3"
N = 20_000


def parse_budget(text: str) -> tuple[int, int, float, int]:
    """"STEPSxBATCH@LR" or "STEPSxBATCH@LRhHIDDEN" (hidden width, default 64)."""
    steps, rest = text.split("x")
    batch, rest = rest.split("@")
    lr, _, hidden = rest.partition("h")
    return int(steps), int(batch), float(lr), int(hidden or 64)


def goal(learned: float, exact: float) -> bool:
    return learned <= 1.5 * exact + 0.03


def main() -> None:
    import torch

    from engine.score_net import TrainSettings, evaluate, score_errors, train_score
    from engine.walk_exact import exact_side

    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", default=BUDGETS)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--losses", default="homework,balanced")
    ap.add_argument("--targets", default="p3,p4")
    ap.add_argument("--mixtures", default=",".join(MIXTURES))
    args = ap.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    budgets = [parse_budget(b) for b in args.budgets.split(",")]
    names = args.mixtures.split(",")
    exact = {}
    header = (f"{'mixture':<11} {'tgt':<3} {'loss':<8} {'budget':<18} {'train s':>7} {'err mean':>9} {'err t=1':>8} "
              f"{'W1 sto':>7} {'exact':>6} {'W1 det':>7} {'exact':>6} {'ok':>4}")
    print(header)
    print("-" * len(header), flush=True)
    summary: dict[tuple, list[bool]] = {}
    for name in names:
        for target in args.targets.split(","):
            for loss in args.losses.split(","):
                for steps, batch, lr, hidden in budgets:
                    rows = []
                    for seed in seeds:
                        s = TrainSettings(mixture=MIXTURES[name], target=target, loss=loss, steps=steps, batch=batch,
                                          lr=lr, hidden=hidden, seed=seed)
                        key = (name, seed)
                        if key not in exact:
                            exact[key] = exact_side(s.setup(), N, seed)
                        start = time.perf_counter()
                        trained = train_score(s, threads=1)
                        seconds = time.perf_counter() - start
                        ev = evaluate(trained, n=N, seed=seed, exact=exact[key], budget=False)
                        errs = score_errors(trained, n=2000, seed=seed)
                        w = {m: (ev.row("learned", m).w1, ev.row("exact", m).w1) for m in ("stochastic", "deterministic")}
                        ok = all(goal(a, b) for a, b in w.values())
                        rows.append((seconds, errs.mean, errs.error[0], *w["stochastic"], *w["deterministic"], ok))
                    summary.setdefault((target, loss, steps, batch, lr, hidden), []).extend(
                        [r[-1] for r in rows] if name != "default" else [])
                    m = [statistics.fmean(r[i] for r in rows) for i in range(7)]
                    print(f"{name:<11} {target:<3} {loss:<8} {f'{steps}x{batch}@{lr:g}h{hidden}':<18} {m[0]:>7.2f} {m[1]:>9.4f} "
                          f"{m[2]:>8.4f} {m[3]:>7.4f} {m[4]:>6.4f} {m[5]:>7.4f} {m[6]:>6.4f} "
                          f"{sum(r[-1] for r in rows)}/{len(rows)}", flush=True)
    print("\nwithin the goal on the mixtures not tuned on (all but 'default'), over seeds:")
    for (target, loss, steps, batch, lr, hidden), oks in summary.items():
        print(f"  {target} {loss:<8} {steps}x{batch}@{lr:g}h{hidden}: {sum(oks)}/{len(oks)}")


if __name__ == "__main__":
    main()
