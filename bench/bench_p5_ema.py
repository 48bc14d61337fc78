"""Problem 5's EMA of the weights: torch's AveragedModel against the hand-written foreach update.

Issue 9 asks for ``torch.optim.swa_utils.AveragedModel`` unless the hand-written update is
faster. Both compute θ_ema ← d·θ_ema + (1 − d)·θ (d ramped as engine.eps_net.ema_decay) with the
same two foreach kernels, and give the same weights bit for bit (checked below); AveragedModel
adds bookkeeping (parameter lists, detach, grouping by device and dtype) on every call. This
measures one update of the fast recipe's network in the same run, one torch thread, beside one
training step of the fast recipe (engine.eps_net.train_eps keeps the faster one). Run:
    .venv/bin/python bench/bench_p5_ema.py
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of, ms, table  # noqa: E402

CALLS = 2000


def main() -> None:
    import torch

    from torch.optim.swa_utils import AveragedModel

    from engine.eps_net import build_model, ema_decay, ema_update, fast, train_eps

    torch.set_num_threads(1)
    model = build_model(fast())

    def multi_avg_fn(averaged_params, current_params, num_averaged) -> None:
        ema_update(averaged_params, current_params, ema_decay(0.99, int(num_averaged)))

    averaged = AveragedModel(model, multi_avg_fn=multi_avg_fn).requires_grad_(False)
    averaged.update_parameters(model)  # its first update copies θ: update k = optimizer step k after this

    hand = copy.deepcopy(model).requires_grad_(False)
    hand_params, live = list(hand.parameters()), list(model.parameters())
    count = [1]

    def by_hand() -> None:  # what engine.eps_net.train_eps does
        ema_update(hand_params, live, ema_decay(0.99, count[0]))
        count[0] += 1

    def torch_averaged() -> None:
        averaged.update_parameters(model)

    for fn in (by_hand, torch_averaged):  # warm-up
        fn()
    t_hand = best_of(lambda: [by_hand() for _ in range(CALLS)], repeat=5) / CALLS
    t_avg = best_of(lambda: [torch_averaged() for _ in range(CALLS)], repeat=5) / CALLS
    same = all(torch.equal(a, b) for a, b in zip(hand.parameters(), averaged.module.parameters()))
    steps = 400
    run = train_eps(fast(steps=steps, n_data=20_000), threads=1)
    step = run.outcome.seconds / steps
    print(f"Problem 5 EMA update, fast recipe's network ({sum(p.numel() for p in model.parameters()):,} weights), "
          f"1 torch thread, median of 5 × {CALLS} calls")
    print(table([
        ("hand-written foreach update", ms(t_hand), "1.00×"),
        ("AveragedModel.update_parameters", ms(t_avg), f"{t_avg / t_hand:.2f}×"),
        (f"one training step (fast, {steps} steps, EMA included)", ms(step),
         f"EMA via AveragedModel = {t_avg / step:.1%} of a step"),
    ]))
    print(f"same averaged weights after the same updates: {same}")


if __name__ == "__main__":
    main()
