"""Problem 5: which fast recipe to use by default — measured over seeds and data sets, never one seed.

For every recipe variant × data set × seed: train (one torch thread), then sample 4,000 points with
DDPM, the x0 sampler and DDIM and measure each one's energy distance against 4,000 fresh points,
as a ratio to the fresh-data floor (its expectation, as `hw7-tui p5` reports it). The goal
(issue 11) is DDPM ≤ 2× the floor; the cost is counted in samples pushed through the network
(steps × batch), in training seconds (noisy on a shared machine) and in CPU ms per step (the median over
the variant's runs of time.process_time around train_eps, one thread: less sensitive to the load). Run:
    .venv/bin/python bench/sweep_p5.py [--variants "steps=1000;steps=2000,batch=256"] [--seeds 0,1,2]
        [--datasets swiss_roll,two_moons,...] [--backends numpy,torch] [--each] [--sample-seeds 0,1,...]
--backends: train each variant with each of engine.eps_net.train_eps's backends (numpy: engine.eps_mlp,
the CPU default of the fast recipe; torch: the former trainer) — the same recipe, different random streams.
A variant is a comma-separated list of RecipeSettings overrides of the fast recipe (`;` between variants).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = "steps=2000;steps=3000;steps=3500;steps=4000;steps=2000,batch=1024"
"""The last round (docs/sweep_p5.md has every round): the former default (2,000 steps), the new one
(3,500), its neighbours and a larger batch at about 3,000 steps' cost."""
N = 4000


def parse_variant(text: str) -> dict:
    from engine.eps_net import RecipeSettings

    out: dict = {}
    for part in filter(None, text.split(",")):
        key, value = part.split("=")
        kind = type(getattr(RecipeSettings(), key))
        out[key] = bool(int(value)) if kind is bool else kind(value)
    return out


def main() -> None:
    import torch

    from engine.eps_net import evaluate, fast, train_eps
    from engine.toy2d import DATASETS

    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default=VARIANTS)
    ap.add_argument("--seeds", default="0,1,2,3")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--each", action="store_true", help="also print each seed's DDPM ratio")
    ap.add_argument("--backends", default="numpy", help="comma-separated: numpy, torch")
    ap.add_argument("--sample-seeds", default="",
                    help="comma-separated: also evaluate each trained model's DDPM with these sampling seeds and "
                         "print the ratios and their mean (how much of one run's ratio is the measurement itself)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]
    datasets = args.datasets.split(",")
    backends = args.backends.split(",")
    sample_seeds = [int(s) for s in args.sample_seeds.split(",") if s]
    for backend in backends:
        train_eps(fast(steps=50), threads=1, backend=backend)  # warm-up
    rows = []
    for text, backend in [(t, b) for t in args.variants.split(";") for b in backends]:
        over = parse_variant(text)
        ratios: dict[str, list[float]] = {"ddpm": [], "x0": [], "ddim": []}
        per_data: dict[str, list[float]] = {d: [] for d in datasets}
        seconds, cpu_ms = [], []
        for dataset in datasets:
            for seed in seeds:
                settings = fast(dataset=dataset, seed=seed, **over)
                cpu = time.process_time()
                trained = train_eps(settings, threads=1, backend=backend)
                cpu_ms.append((time.process_time() - cpu) * 1000 / max(trained.outcome.steps_done, 1))
                seconds.append(trained.outcome.seconds)
                ev = evaluate(trained, n=N, seed=seed, frame_points=1, floor_pairs=0)
                for q in ev.samplers:
                    ratios[q.sampler].append(q.energy / ev.floor.energy)
                per_data[dataset].append(ev.get("ddpm").energy / ev.floor.energy)
                if sample_seeds:
                    again = [evaluate(trained, n=N, seed=k, frame_points=1, floor_pairs=0, samplers=("ddpm",))
                             for k in sample_seeds]
                    each = [e.get("ddpm").energy / e.floor.energy for e in again]
                    print(f"    {dataset} seed {seed}, one model, DDPM/floor with sampling seeds {sample_seeds}: "
                          + " ".join(f"{v:.2f}" for v in each) + f" (mean {statistics.fmean(each):.2f})", flush=True)
        s = fast(**over)
        if len(backends) > 1:
            text = f"{text} [{backend}]"
        row = (text, s.steps * s.batch, statistics.fmean(seconds), statistics.fmean(ratios["ddpm"]),
               max(ratios["ddpm"]), sum(r <= 2 for r in ratios["ddpm"]), len(ratios["ddpm"]),
               statistics.fmean(ratios["x0"]), statistics.fmean(ratios["ddim"]),
               {d: statistics.fmean(v) for d, v in per_data.items()}, statistics.median(cpu_ms))
        rows.append(row)
        print(f"{text:45s} {row[1]/1e6:5.2f} M samples  {row[2]:5.2f} s  {row[10]:.3f} CPU ms/step  DDPM mean {row[3]:.2f} worst {row[4]:.2f} "
              f"≤2: {row[5]}/{row[6]}  x0 {row[7]:.2f}  DDIM {row[8]:.2f}  "
              + " ".join(f"{d[:6]} {v:.2f}" for d, v in row[9].items()), flush=True)
        if args.each:
            print("    each seed, DDPM/floor: " + "; ".join(f"{d}: " + " ".join(f"{v:.2f}" for v in per_data[d])
                                                         for d in datasets), flush=True)
    print(f"\nseeds {seeds}, data sets {datasets}, {N:,} samples vs {N:,} fresh points, ratio to the floor's expectation")
    print("| variant (overrides of the fast recipe) | samples (M) | train s | CPU ms/step | DDPM mean | DDPM worst | DDPM ≤ 2× | x0 mean "
          "| DDIM mean | " + " | ".join(d for d in datasets) + " |")
    print("|---" * (10 + len(datasets)) + "|")
    for r in rows:
        print(f"| {r[0]} | {r[1] / 1e6:.2f} | {r[2]:.2f} | {r[10]:.3f} | {r[3]:.2f} | {r[4]:.2f} | {r[5]}/{r[6]} | {r[7]:.2f} | "
              f"{r[8]:.2f} | " + " | ".join(f"{v:.2f}" for v in r[9].values()) + " |")


if __name__ == "__main__":
    main()
