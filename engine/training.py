"""The training loop every learned score shares (Problems 3, 4 and 5).

One loop, used by all trainers, so that all of them behave the same way:

* ``should_stop()`` is asked before every step, so a cancelled run stops within one step;
* progress goes to ``on_progress`` at most every ``report_every_s`` seconds (and at the end);
* a non-finite loss or parameter ("divergence") stops the run and restores the last weights
  that gave a finite loss, so a too-large learning rate never leaves NaN weights behind;
* the thread count, device and seed are set explicitly (:func:`torch_setup`).

Torch is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidInput

if TYPE_CHECKING:  # pragma: no cover
    import torch

DEFAULT_THREADS = 1
"""Measured on a 2-core machine (bench/bench_p3.py, bench/bench_p5.py): one torch thread trains these
small MLPs at least as fast as two — idle, two threads gained nothing for Problem 5's fast recipe
(434 vs 436 steps/s in one run, 465 vs 285–370 in another); with
the other core busy (as the app's own drawing keeps it), two threads ran 2–75× slower (Problem 3:
~550 vs 7–277 steps/s; Problem 5: 351 vs 21). One thread also leaves the other core to the interface."""


@dataclass(frozen=True)
class TrainProgress:
    """A progress report: ``step`` of ``total`` done, the latest loss, seconds so far."""

    step: int
    total: int
    loss: float
    elapsed: float

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0

    @property
    def steps_per_second(self) -> float:
        return self.step / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class TrainOutcome:
    """How a run ended: ``status`` is "done", "cancelled" or "diverged"."""

    status: str
    steps_done: int
    total: int
    final_loss: float
    seconds: float
    losses: tuple[float, ...] = field(repr=False)
    message: str = ""

    @property
    def steps_per_second(self) -> float:
        return self.steps_done / self.seconds if self.seconds > 0 else 0.0


def torch_setup(threads: int = DEFAULT_THREADS, device: str = "cpu", seed: int | None = None) -> "torch.device":
    """Set torch's intra-op thread count, check the device, seed torch; return the device.

    Raises InvalidInput for a device that is not there (e.g. ``cuda`` on a machine without a GPU).
    """
    import torch

    if threads < 1:
        raise InvalidInput(f"threads must be ≥ 1, got {threads}")
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise InvalidInput(f"device must be 'cpu' or 'cuda', got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidInput("device 'cuda' asked for, but torch sees no CUDA GPU on this machine")
    if seed is not None:
        torch.manual_seed(int(seed))
    return torch.device(device)


def run_training(
    model: "torch.nn.Module",
    optimizer: "torch.optim.Optimizer",
    loss_at: Callable[[int], "torch.Tensor"],
    steps: int,
    *,
    on_progress: Callable[[TrainProgress], Any] | None = None,
    should_stop: Callable[[], bool] | None = None,
    scheduler: Any | None = None,
    report_every_s: float = 0.05,
) -> TrainOutcome:
    """Minimise ``loss_at(step)`` for ``steps`` optimizer steps.

    θ ← θ − lr·Adam(∇θ L(θ)) each step; ``scheduler.step()`` after each step if given.
    """
    import torch

    if steps < 1:
        raise InvalidInput(f"steps must be ≥ 1, got {steps}")
    params = [p for p in model.parameters()]
    good = [p.detach().clone() for p in params]
    losses: list[float] = []
    start = time.perf_counter()
    last_report = -math.inf
    status, message = "done", ""
    step = 0
    for step in range(steps):
        if should_stop is not None and should_stop():
            status, message = "cancelled", f"cancelled after {step} of {steps} steps"
            break
        loss = loss_at(step)
        value = float(loss.detach())
        if not math.isfinite(value):
            status = "diverged"
            message = (f"loss became {value} at step {step + 1}: the learning rate is too large; "
                       f"kept the weights of step {step}")
            break
        # The weights that produced this finite loss are the last good ones.
        with torch.no_grad():
            for g, p in zip(good, params):
                g.copy_(p)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(value)
        now = time.perf_counter()
        if on_progress is not None and now - last_report >= report_every_s:
            last_report = now
            on_progress(TrainProgress(step + 1, steps, value, now - start))
    else:
        step = steps
    if status == "diverged" or not all(bool(torch.isfinite(p).all()) for p in params):
        with torch.no_grad():
            for g, p in zip(good, params):
                p.copy_(g)
        if status != "diverged":
            status, message = "diverged", "parameters became non-finite; kept the last good weights"
    elapsed = time.perf_counter() - start
    final = losses[-1] if losses else math.nan
    if on_progress is not None:
        on_progress(TrainProgress(len(losses), steps, final, elapsed))
    return TrainOutcome(status, len(losses), steps, final, elapsed, tuple(losses), message)


class Adam:
    """Adam (Kingma & Ba), the same update as ``torch.optim.Adam`` with its defaults:

        m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,
        θ ← θ − lr · (m / (1 − β1ᵏ)) / (√(v / (1 − β2ᵏ)) + ε)      (k = the step count)

    written with torch's foreach kernels. Why not torch.optim.Adam: constructing any
    ``torch.optim.Optimizer`` imports ``torch._dynamo`` (~0.9 s of a fresh process, measured), which
    is a third of Problem 3's whole time budget. Used by the short trainings (Problems 3–4 and the
    fast Problem 5 recipe); the faithful Problem 5 recipe keeps the notebook's ``torch.optim.Adam``.
    """

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        import torch

        self.params = [p for p in params if p.requires_grad]
        self.lr = float(lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.k = 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        import torch

        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        self.k += 1
        b1, b2 = self.beta1, self.beta2
        with torch.no_grad():
            torch._foreach_lerp_(self.m, grads, 1 - b1)
            torch._foreach_mul_(self.v, b2)
            torch._foreach_addcmul_(self.v, grads, grads, value=1 - b2)
            bias1 = 1 - b1 ** self.k
            bias2_sqrt = math.sqrt(1 - b2 ** self.k)
            denom = torch._foreach_sqrt(self.v)
            torch._foreach_div_(denom, bias2_sqrt)
            torch._foreach_add_(denom, self.eps)
            torch._foreach_addcdiv_(self.params, self.m, denom, value=-self.lr / bias1)


class CosineRate:
    """lr(k) = lr_min + (lr0 − lr_min)(1 + cos(πk/K))/2 after k of K steps (torch's CosineAnnealingLR,
    closed form) for :class:`Adam`; ``step()`` after each optimizer step, like a torch scheduler."""

    def __init__(self, optimizer: Adam, total: int, lr_min: float) -> None:
        self.optimizer, self.total, self.lr_min = optimizer, max(int(total), 1), float(lr_min)
        self.lr0 = optimizer.lr
        self.k = 0

    def step(self) -> None:
        self.k += 1
        frac = min(self.k, self.total) / self.total
        self.optimizer.lr = self.lr_min + (self.lr0 - self.lr_min) * 0.5 * (1 + math.cos(math.pi * frac))
