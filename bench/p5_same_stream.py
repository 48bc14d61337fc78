"""Problem 5's two trainers of the fast recipe on the SAME random numbers: is the numpy one
(engine.eps_mlp.train_fast) the torch one (engine.eps_net.train_eps, backend "torch")?

The numpy trainer is handed engine.eps_net.TorchDraws: torch's draws, in the order train_eps makes them
(the torch module's initial weights for each Linear's uniform draw, then per 250 steps the minibatch
indices, the t's and the ε's from a torch.Generator seeded as train_eps seeds its own). What is left to
differ is float32 arithmetic (BLAS order, sin/cos): the loss curves should agree closely, at least
early, and the samplers' quality should agree within the spread that chaos adds over 2,000 steps.
Run:  .venv/bin/python bench/p5_same_stream.py [--seeds 0,1,2,3] [--datasets checkerboard,swiss_roll]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import numpy as np
    import torch

    from engine.eps_mlp import train_fast
    from engine.eps_net import TorchDraws, TrainedEps, evaluate, fast, load_data, train_eps
    from engine.vp import make_schedule

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3")
    ap.add_argument("--datasets", default="checkerboard,swiss_roll")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print("| data set | seed | loss, steps 1–50: max rel. diff | mean loss, last 500 steps (numpy / torch) | "
          "DDPM/floor numpy | DDPM/floor torch |")
    print("|---|---|---|---|---|---|")
    for dataset in args.datasets.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            settings = fast(dataset=dataset, seed=seed)
            ref = train_eps(settings, threads=1, backend="torch")
            data, std = load_data(settings)
            schedule = make_schedule(settings.schedule, settings.T, settings.s)
            net, outcome = train_fast(settings, data, schedule.alpha_bar, rng=TorchDraws(settings))
            mine = TrainedEps(settings, net, std, schedule, outcome)
            a, b = np.array(outcome.losses), np.array(ref.outcome.losses)
            early = float(np.max(np.abs(a[:50] - b[:50]) / b[:50]))
            ratio = []
            for trained in (mine, ref):
                ev = evaluate(trained, n=4000, seed=seed, frame_points=1, floor_pairs=0)
                ratio.append(ev.get("ddpm").energy / ev.floor.energy)
            print(f"| {dataset} | {seed} | {early:.1e} | {a[-500:].mean():.4f} / {b[-500:].mean():.4f} | "
                  f"{ratio[0]:.2f} | {ratio[1]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
