"""Problem 5 speed: the fast recipe against the faithful one, in one run, one torch thread each.

Claims checked (issue 4): the fast recipe reaches the faithful recipe's final energy distance in
at most 1/15 of the faithful training time, and reaches the data floor (energy distance at most
twice fresh-vs-fresh, 4,000 samples each) in at most half of it. Training time excludes the
pauses to measure quality along the way. Also: steps/s at 1 and 2 torch threads. Run:
    .venv/bin/python bench/bench_p5.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import table  # noqa: E402

N = 4000
SAMPLE_SEEDS = (123, 124)


def curve(settings, every: int):
    """Train, measuring DDPM's mean energy distance every `every` steps: (points (step, s, ED), final evaluation, s)."""
    from engine.eps_net import evaluate, train_eps

    points: list[tuple[int, float, float]] = []
    paused = [0.0]
    start = time.perf_counter()

    def measure(step, trained) -> None:
        t = time.perf_counter()
        ed = _mean_ed(trained)
        points.append((step, t - start - paused[0], ed))
        paused[0] += time.perf_counter() - t

    trained = train_eps(settings, threads=1, on_checkpoint=measure, checkpoint_every=every)
    seconds = time.perf_counter() - start - paused[0]
    ev = evaluate(trained, n=N, seed=SAMPLE_SEEDS[0], samplers=("ddpm", "x0", "ddim"), frame_points=1, floor_pairs=5)
    points.append((trained.outcome.steps_done, seconds, _mean_ed(trained)))
    return points, ev, seconds


def _mean_ed(trained) -> float:
    from engine.eps_net import evaluate

    return statistics.fmean(evaluate(trained, n=N, seed=seed, samplers=("ddpm",), frame_points=1, floor_pairs=1)
                            .get("ddpm").energy for seed in SAMPLE_SEEDS)


def first_time(points, threshold):
    return next((t for _, t, ed in points if ed <= threshold), None)


def main() -> None:
    import torch

    from engine.eps_net import faithful, fast, train_eps

    torch.set_num_threads(1)
    train_eps(fast(steps=30), threads=1)  # warm-up: torch's first-call costs belong to neither recipe
    print("Problem 5: faithful vs fast recipe (1 torch thread each, energy distance of DDPM samples, "
          f"{N:,} vs {N:,})", flush=True)
    f_points, f_ev, f_seconds = curve(faithful(), every=490)
    fast_points, fast_ev, fast_seconds = curve(fast(), every=100)
    target = f_points[-1][2]
    steady = statistics.median(ed for _, _, ed in f_points[-5:])
    floor = f_ev.floor.energy
    t_match = first_time(fast_points, target)
    t_steady = first_time(fast_points, steady)
    t_floor = first_time(fast_points, 2 * floor)
    rows = [
        ("faithful: 4,900 steps", f"{f_seconds:.1f} s", f"final ED {target:.5f}"),
        (f"fast: {fast().steps:,} steps", f"{fast_seconds:.1f} s", f"final ED {fast_points[-1][2]:.5f}"),
        ("fresh-vs-fresh floor (5 pairs)", "", f"ED {floor:.5f}; 2× = {2 * floor:.5f}"),
        ("fast reaches faithful's final ED", "—" if t_match is None else f"{t_match:.1f} s",
         "never" if t_match is None else f"{t_match / f_seconds:.3f} of faithful's time (claim ≤ {1 / 15:.3f})"),
        ("faithful's last 5 checkpoints, median", "", f"ED {steady:.5f}"),
        ("fast reaches that median", "—" if t_steady is None else f"{t_steady:.1f} s",
         "never" if t_steady is None else f"{t_steady / f_seconds:.3f} of faithful's time"),
        ("fast reaches 2× floor", "—" if t_floor is None else f"{t_floor:.1f} s",
         "never" if t_floor is None else f"{t_floor / f_seconds:.3f} of faithful's time (claim ≤ 0.5)"),
    ]
    print(table(rows, ("what", "training time", "result")))
    print("\nfinal quality (ED / MMD² h=0.1) per sampler:")
    for name, ev in (("faithful", f_ev), ("fast", fast_ev)):
        print(f"  {name}: " + ", ".join(f"{q.sampler} {q.energy:.5f}/{q.mmd2[0.1]:.5f}" for q in ev.samplers)
              + f"; floor {ev.floor.energy:.5f}; N(0,I) {ev.gaussian.energy:.5f}")
    print("\nfast curve (step, s, ED):", ", ".join(f"({s}, {t:.1f}, {e:.4f})" for s, t, e in fast_points))
    print("faithful curve (step, s, ED):", ", ".join(f"({s}, {t:.1f}, {e:.4f})" for s, t, e in f_points))
    speeds = []
    for threads in (1, 2):
        t = time.perf_counter()
        out = train_eps(fast(steps=300), threads=threads)
        speeds.append((threads, out.outcome.steps_done / (time.perf_counter() - t)))
    torch.set_num_threads(1)
    print("\nthreads: " + ", ".join(f"{n} → {s:.0f} steps/s" for n, s in speeds)
          + f" (two threads run at {speeds[1][1] / speeds[0][1]:.2f}× one)")


if __name__ == "__main__":
    main()
