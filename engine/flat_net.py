"""What the numpy networks (engine.walk_net for Problems 3–4, engine.eps_mlp for Problem 5) share:
all weights in one flat float32 vector, each weight a view of it under torch's state_dict name and
shape, torch.nn.Linear's initialisation, Adam on the flat vector and the training loop around it.

One flat vector makes Adam, the moving average of the weights and the copies of the last good (or
best) weights one array operation each, whatever the number of layers. :meth:`FlatNet.state_dict`
gives the arrays a checkpoint stores (engine.checkpoint: npz, no torch) under the torch module's
names, and :meth:`FlatNet.arrays` reads a state_dict of arrays or torch tensors back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

F32 = np.float32


class FlatNet:
    """Weights ``keys`` of ``shapes`` (torch's Linear layout: weight (out, in), bias (out,)) as views
    of one flat float32 vector ``theta``; ``buffers`` are the torch module's buffers (name → value),
    which come first in its state_dict (a module's own buffers precede its children's weights)."""

    def __init__(self, theta: np.ndarray, keys: Sequence[str], shapes: Sequence[tuple[int, ...]],
                 buffers: dict[str, Any]) -> None:
        self.keys, self.shapes = tuple(keys), tuple(tuple(s) for s in shapes)
        self.theta = np.ascontiguousarray(theta, dtype=F32)
        self.buffers = dict(buffers)
        self.params = self._views(self.theta)

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        """``flat`` (theta's layout) cut into one view per weight."""
        out, i = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            out.append(flat[i:i + size].reshape(shape))
            i += size
        if i != flat.size:
            raise ValueError(f"{flat.size} weights for a net that has {i}")
        return out

    @staticmethod
    def count(shapes: Sequence[tuple[int, ...]]) -> int:
        return sum(math.prod(s) for s in shapes)

    @staticmethod
    def linear_init(shapes: Sequence[tuple[int, ...]], rng: np.random.Generator) -> np.ndarray:
        """torch.nn.Linear's default initialisation, layer by layer in ``shapes``' order: weight and
        bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = the weight's number of columns (its bias's too)."""
        parts, fan_in = [], 1
        for shape in shapes:
            if len(shape) == 2:
                fan_in = shape[1]
            bound = 1.0 / math.sqrt(fan_in)
            parts.append(rng.uniform(-bound, bound, math.prod(shape)))
        return np.concatenate(parts)

    # ---- torch's names (checkpoints) -----------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """The buffers, then the weights, as float32 arrays (copies) under the torch module's names and
        shapes (buffers of shape () for scalars) — what engine.checkpoint saves; no torch imported."""
        out = {k: np.array(v, dtype=F32) for k, v in self.buffers.items()}
        out.update({k: p.copy() for k, p in zip(self.keys, self.params)})
        return out

    @staticmethod
    def arrays(state: dict[str, Any]) -> dict[str, np.ndarray]:
        """A state_dict's values (torch tensors or arrays: engine.checkpoint.as_array) as float32 numpy
        arrays, same names."""
        from engine.checkpoint import as_array

        return {k: as_array(v).astype(F32, copy=False) for k, v in state.items()}


class FlatAdam:
    """Adam on one flat parameter vector, the update of engine.training.Adam (torch.optim.Adam's):
        m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,
        θ ← θ − lr · (m / (1 − β1ᵏ)) / (√(v / (1 − β2ᵏ)) + ε)."""

    def __init__(self, theta: np.ndarray, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.theta, self.lr = theta, float(lr)
        self.beta1, self.beta2, self.eps = betas[0], betas[1], eps
        self.k = 0
        self.m = np.zeros_like(theta)
        self.v = np.zeros_like(theta)
        self._tmp = np.empty_like(theta)

    def step(self, g: np.ndarray) -> None:
        self.k += 1
        b1, b2 = self.beta1, self.beta2
        self.m += F32(1 - b1) * (g - self.m)
        self.v *= F32(b2)
        self.v += F32(1 - b2) * (g * g)
        tmp = self._tmp
        np.sqrt(self.v, out=tmp)
        tmp /= F32(math.sqrt(1 - b2 ** self.k))
        tmp += F32(self.eps)
        np.divide(self.m, tmp, out=tmp)
        tmp *= F32(-self.lr / (1 - b1 ** self.k))
        self.theta += tmp


def cosine_rate(lr0: float, lr_min: float, k: int, total: int) -> float:
    """lr after k of ``total`` steps: lr_min + (lr0 − lr_min)(1 + cos(π·min(k, total)/total))/2
    (engine.training.CosineRate, torch's CosineAnnealingLR in closed form)."""
    total = max(int(total), 1)
    return lr_min + (lr0 - lr_min) * 0.5 * (1 + math.cos(math.pi * min(k, total) / total))


@dataclass(frozen=True)
class FlatRun:
    """How run_flat_training ended: status "done", "cancelled" or "diverged" (with ``message``; a
    ``stop_on`` stop leaves it to the caller), each step's loss, the seconds, and the last good
    weights (those that gave the last finite loss, before its update)."""

    status: str
    message: str
    losses: list[float]
    seconds: float
    good: np.ndarray


def run_flat_training(theta: np.ndarray, opt: FlatAdam, steps: int,
                      loss_and_grad: Callable[[int, np.ndarray], float], *,
                      after_step: Callable[[int], None] | None = None,
                      stop_on: Callable[[int, float], bool] | None = None,
                      report: Callable[[int, float, float], None] | None = None,
                      should_stop: Callable[[], bool] | None = None, report_every_s: float = 0.05) -> FlatRun:
    """The loop of engine.training.run_training for a numpy net whose weights are the flat ``theta``:
    θ ← Adam(θ, ∂L/∂θ) for ``steps`` steps, L and ∂L/∂θ from ``loss_and_grad(step, grad)`` (writes grad).

    ``should_stop()`` is asked before every step (→ "cancelled"); ``stop_on(step, L)`` after each loss
    (True → "diverged", the caller says why: a blow-up guard); a non-finite L stops the run
    ("diverged"); ``after_step(step)`` runs after each update (rate, moving average); ``report(steps
    done, L, seconds)`` at most every ``report_every_s``. Floating-point warnings are silenced inside
    (a diverging run is caught by its loss). The caller restores ``FlatRun.good`` as it needs."""
    grad, good = np.empty_like(theta), theta.copy()
    losses: list[float] = []
    status, message = "done", ""
    start = time.perf_counter()
    last_report = -math.inf
    for step in range(steps):
        if should_stop is not None and should_stop():
            status, message = "cancelled", f"cancelled after {step} of {steps} steps"
            break
        with np.errstate(all="ignore"):
            value = loss_and_grad(step, grad)
        if stop_on is not None and stop_on(step, value):
            status = "diverged"
            break
        if not math.isfinite(value):
            status = "diverged"
            message = (f"loss became {value} at step {step + 1}: the learning rate is too large; "
                       f"kept the weights of step {step}")
            break
        np.copyto(good, theta)  # the weights that produced this finite loss are the last good ones
        with np.errstate(all="ignore"):
            opt.step(grad)
            if after_step is not None:
                after_step(step)
        losses.append(value)
        now = time.perf_counter()
        if report is not None and now - last_report >= report_every_s:
            last_report = now
            report(step + 1, value, now - start)
    return FlatRun(status, message, losses, time.perf_counter() - start, good)
