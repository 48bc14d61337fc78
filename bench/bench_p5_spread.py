"""Problem 5: how firm is the target of the speed claim, and what do short fast runs reach?

bench_p5.py compares one fast run's quality-against-time curve with *one* faithful run's final
energy distance. That final number depends on where the constant-rate (1e-3, never decayed)
weights happen to stop: the faithful curve jumps between ≈0.001 and ≈0.01 from one checkpoint to
the next. This script measures, on one torch thread, in one run:

  * the faithful recipe's final DDPM energy distance for a few seeds (the spread of the target),
  * the fast recipe with short budgets (the cosine rate decays to its end within the budget, so
    a short run ends on settled weights rather than being a prefix of the default run),
  * the fresh-vs-fresh floor (averaged over 5 pairs), all 4,000 vs 4,000 samples.

Not a test. Run:  .venv/bin/python bench/bench_p5_spread.py [--seeds 3] [--budgets 300,500,800]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import table  # noqa: E402

N = 4000


def timed(settings):
    """(training seconds, DDPM energy distance, floor) for one recipe on one thread."""
    from engine.eps_net import evaluate, train_eps

    start = time.perf_counter()
    trained = train_eps(settings, threads=1)
    seconds = time.perf_counter() - start
    ev = evaluate(trained, n=N, seed=123, samplers=("ddpm",), frame_points=1, floor_pairs=5)
    return seconds, ev.get("ddpm").energy, ev.floor.energy


def main() -> None:
    import torch

    from engine.eps_net import faithful, fast

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budgets", default="300,500,800")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    torch.set_num_threads(1)
    print(f"Problem 5: spread of the faithful target and short fast budgets (1 torch thread, "
          f"DDPM energy distance, {N:,} vs {N:,}, seeds 0..{args.seeds - 1})", flush=True)
    rows, faithful_eds, faithful_secs, floors = [], [], [], []
    for seed in range(args.seeds):
        sec, ed, floor = timed(faithful(seed=seed))
        faithful_eds.append(ed)
        faithful_secs.append(sec)
        floors.append(floor)
        rows.append((f"faithful, seed {seed}", f"{sec:.1f} s", f"ED {ed:.5f}"))
        print(rows[-1], flush=True)
    for steps in budgets:
        for seed in range(args.seeds):
            sec, ed, _ = timed(fast(steps=steps, seed=seed))
            rows.append((f"fast {steps} steps, seed {seed}", f"{sec:.1f} s", f"ED {ed:.5f}"))
            print(rows[-1], flush=True)
    f_sec = statistics.mean(faithful_secs)
    floor = statistics.mean(floors)
    rows += [
        ("faithful mean time", f"{f_sec:.1f} s", f"1/15 = {f_sec / 15:.2f} s, 1/2 = {f_sec / 2:.1f} s"),
        ("faithful final ED", "", f"min {min(faithful_eds):.5f}, median {statistics.median(faithful_eds):.5f}, "
                                  f"max {max(faithful_eds):.5f}"),
        ("fresh-vs-fresh floor", "", f"ED {floor:.5f}; 2× = {2 * floor:.5f}"),
    ]
    print()
    print(table(rows, ("what", "training time", "result")))


if __name__ == "__main__":
    main()
