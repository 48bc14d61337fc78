"""ε̂θ(x, t) of Problem 5 as a numpy network: forward, backward by hand, and the fast recipe's
training loop, no torch — the same network as engine.nets.EpsNet (the same weights, by name and shape).

Forward, for a batch of n points (rows):
    u  = [x, emb(t)]                       emb(t) = t (raw) or sin(2ᵏπ t/T), cos(2ᵏπ t/T), k = 0…7
    a0 = relu(W0 u + b0)                   (the faithful recipe: a0 = W0 u + b0, no activation)
    ak = relu(Wk ak−1 + bk),  k = 1…4
    ε̂  = W5 a4 + b5                        relu(z) = max(z, 0),  relu'(z) = [z > 0]
torch's names: net.0 is W0; then net.2, net.4, net.6, net.8, net.10 (net.1, net.3, …, net.9 without
the first ReLU); buffers freqs = 2ᵏπ and T, first in the state_dict.

Loss (torch's ((ε̂ − ε)²).mean() over all 2n entries):  L = Σ (ε̂ − ε)² / (2n).

Backward (rows are points; a linear layer z = a Wᵀ + b):
    ∂L/∂ε̂ = (ε̂ − ε)/n
    ∂W = (∂z)ᵀ a,   ∂b = Σrows ∂z,   ∂a = ∂z W;   through relu: ∂z = ∂a·[a > 0]  (a = relu(z) > 0 ⟺ z > 0)

Why numpy: the fast recipe's net is tiny (18 → 40 → … → 2), so a step costs about as much in numpy
as in torch, while ``import torch`` alone costs about a second of a fresh process. With this module
``hw7-tui p5`` (fast recipe, CPU) never imports torch, nor does saving or reloading the model
(a checkpoint is an npz file of :meth:`EpsMLP.state_dict`'s arrays: engine.checkpoint). Weights,
Adam: engine.flat_net (shared with Problems 3–4's engine.walk_net).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.flat_net import F32, FlatAdam, FlatNet, cosine_rate, run_flat_training

EMBEDDING_WIDTH = {"sinusoidal": 16, "raw": 1}  # engine.nets.EMBEDDING_WIDTH (that module imports torch)
LAYERS = 6  # Linear layers: the first, 4 hidden, the output


def keys(first_activation: bool) -> list[str]:
    """torch's names of the weights, in EpsNet's order (nn.Sequential indices count the ReLUs too)."""
    index = [0] + [(2 if first_activation else 1) + 2 * k for k in range(LAYERS - 1)]
    return [f"net.{i}.{w}" for i in index for w in ("weight", "bias")]


def shapes(hidden: int, embedding: str) -> list[tuple[int, ...]]:
    """Shapes of keys() (torch's Linear layout: weight (out, in), bias (out,))."""
    h = hidden
    out = [(h, 2 + EMBEDDING_WIDTH[embedding]), (h,)]
    for _ in range(LAYERS - 2):
        out += [(h, h), (h,)]
    return out + [(2, h), (2,)]


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, F32(0.0), out=z)


class EpsMLP(FlatNet):
    """ε̂θ's weights (float32, one flat vector) and its forward/backward passes."""

    def __init__(self, theta: np.ndarray, hidden: int, embedding: str = "sinusoidal",
                 first_activation: bool = True, T: int = 40) -> None:
        if embedding not in EMBEDDING_WIDTH:
            raise ValueError(f"embedding must be one of {', '.join(EMBEDDING_WIDTH)}, got {embedding!r}")
        self.hidden, self.embedding, self.first_activation = int(hidden), embedding, bool(first_activation)
        self.freqs = (np.pi * 2.0 ** np.arange(8)).astype(F32)
        self.T = F32(T)
        super().__init__(theta, keys(first_activation), shapes(self.hidden, embedding),
                         {"freqs": self.freqs, "T": self.T})

    @classmethod
    def init(cls, hidden: int, embedding: str, first_activation: bool, T: int,
             rng: np.random.Generator) -> "EpsMLP":
        """torch.nn.Linear's default initialisation (engine.flat_net.FlatNet.linear_init)."""
        return cls(FlatNet.linear_init(shapes(hidden, embedding), rng), hidden, embedding, first_activation, T)

    @classmethod
    def from_state_dict(cls, state: dict[str, Any], first_activation: bool = True) -> "EpsMLP":
        """The inverse of state_dict (tensors or arrays). Whether a ReLU follows the first layer is read
        from the names (net.2.weight: yes; net.1.weight: no), the embedding from the first layer's width."""
        a = FlatNet.arrays(state)
        first_activation = "net.2.weight" in a if ("net.1.weight" in a) != ("net.2.weight" in a) else first_activation
        width = a["net.0.weight"].shape[1] - 2
        embedding = next((e for e, w in EMBEDDING_WIDTH.items() if w == width), None)
        if embedding is None:
            raise ValueError(f"the first layer takes {width + 2} inputs: not 2 + an embedding's width")
        theta = np.concatenate([a[k].ravel() for k in keys(first_activation)])
        return cls(theta, a["net.0.weight"].shape[0], embedding, first_activation, int(round(float(a["T"]))))

    # ---- forward ---------------------------------------------------------------------------------
    def embed(self, t: np.ndarray) -> np.ndarray:
        """raw: t; sinusoidal: sin(2ᵏπ t/T), cos(2ᵏπ t/T), k = 0 … 7 (float32, as EpsNet.embed)."""
        t = np.asarray(t, dtype=F32)
        if self.embedding == "raw":
            return t[:, None]
        angles = (t[:, None] / self.T) * self.freqs[None, :]
        return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)

    def inputs(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """What the first layer sees: [x, emb(t)] (n, 2 + embedding width), float32."""
        return np.concatenate([np.asarray(x, dtype=F32), self.embed(t)], axis=1)

    def _hidden(self, u: np.ndarray) -> list[np.ndarray]:
        """The activations a0 … a4 (each (n, hidden))."""
        p = self.params
        a = u @ p[0].T
        a += p[1]
        if self.first_activation:
            _relu(a)
        out = [a]
        for k in range(1, LAYERS - 1):
            a = a @ p[2 * k].T
            a += p[2 * k + 1]
            out.append(_relu(a))
        return out

    def net(self, u: np.ndarray) -> np.ndarray:
        """ε̂ from the first layer's inputs u = inputs(x, t)."""
        out = self._hidden(u)[-1] @ self.params[-2].T
        out += self.params[-1]
        return out

    def __call__(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """ε̂θ(x, t) for x (n, 2) and t (n,) (float32 out)."""
        return self.net(self.inputs(x, t))

    # ---- training ----------------------------------------------------------------------------------
    def loss_and_grad(self, u: np.ndarray, eps: np.ndarray, grad: np.ndarray) -> float:
        """L = Σ(ε̂ − ε)²/(2n) for inputs u (n, 2 + embedding width) and targets ε (n, 2); writes
        ∂L/∂θ into the flat array ``grad`` (theta's layout) and returns L."""
        p, g = self.params, self._views(grad)
        acts = self._hidden(u)
        r = acts[-1] @ p[-2].T
        r += p[-1]
        r -= eps  # r = ε̂ − ε
        n = len(u)
        loss = float(np.vdot(r, r)) / (2 * n)
        dz = r * F32(1.0 / n)
        ones = np.ones(n, dtype=F32)  # Σ over the batch as a matrix–vector product (faster than .sum(0))
        for k in range(LAYERS - 1, -1, -1):
            below = acts[k - 1] if k else u
            np.matmul(dz.T, below, out=g[2 * k])
            np.matmul(ones, dz, out=g[2 * k + 1])
            if k:
                dz = dz @ p[2 * k]
                if k > 1 or self.first_activation:
                    dz *= below > 0
        return loss


# ---- the fast recipe's training, in numpy -------------------------------------------------------------
def ema_decay(decay: float, updates: int) -> float:
    """The EMA's weight on the old average at the k-th update: d_k = min(decay, (1 + k)/(10 + k)),
    ramped up from 0 so that early averages are not stale (both backends of engine.eps_net.train_eps)."""
    return min(decay, (1 + updates) / (10 + updates))


def train_fast(settings, data: np.ndarray, alpha_bar: np.ndarray, *,
               on_progress: Callable[[Any], Any] | None = None, should_stop: Callable[[], bool] | None = None,
               on_checkpoint: Callable[[int, "EpsMLP"], None] | None = None, checkpoint_every: int = 0,
               draw_steps: int = 250, draw_points: int = 1 << 20, report_every_s: float = 0.05,
               rng: Any = None) -> tuple[EpsMLP, Any]:
    """engine.eps_net.train_eps for a shuffled recipe (the fast one) in numpy: Adam on
    L(θ) = E‖ε − ε̂θ(√ᾱt x0 + √(1−ᾱt) ε, t)‖² over random minibatches (drawn ``draw_steps`` steps at a
    time), t ~ U{1 or 0, …, T−1}, the rate decayed by a cosine to 2 % (settings.lr_decay), and an
    exponential moving average of the weights (settings.ema > 0) — what is returned (the net is
    the average, or the last weights when ema = 0) with the TrainOutcome.

    The loop is engine.flat_net.run_flat_training (engine.training.run_training's rules): stop asked
    before every step, progress every ``report_every_s``, a non-finite loss (or weights) stops the run
    and restores the last good weights.
    ``on_checkpoint(step, net)`` gets the averaged net every ``checkpoint_every`` steps. ``rng``: where
    the random numbers come from (default np.random.default_rng(settings.seed); engine.eps_net.TorchDraws
    hands it the torch trainer's own draws, to compare the two trainers on the same numbers)."""
    from engine.training import TrainOutcome, TrainProgress

    total, b, T = settings.total_steps, settings.batch, settings.T
    rng = np.random.default_rng(settings.seed) if rng is None else rng
    net = EpsMLP.init(settings.hidden, settings.embedding, settings.first_activation, T, rng)
    x_all = np.asarray(data, dtype=F32)
    ab = np.asarray(alpha_bar, dtype=np.float64)
    root_ab, root_1m = np.sqrt(ab).astype(F32), np.sqrt(1 - ab).astype(F32)
    table = net.embed(np.arange(T, dtype=F32))  # emb(t) for every t: the draws index it
    opt = FlatAdam(net.theta, settings.lr)
    lr0, lr_min = settings.lr, settings.lr * 0.02
    averaged = EpsMLP(net.theta.copy(), settings.hidden, settings.embedding, settings.first_activation, T) \
        if settings.ema > 0 else net
    t_low, n = (1 if settings.t_from_one else 0), len(x_all)
    per_draw = max(1, min(draw_steps, draw_points // b))
    width = 2 + EMBEDDING_WIDTH[settings.embedding]
    drawn: dict[str, np.ndarray] = {}

    def loss_and_grad(step: int, grad: np.ndarray) -> float:
        if step % per_draw == 0:  # per_draw steps' minibatches in one go: [xt, emb(t)] and the ε to predict
            m = min(per_draw, total - step)
            idx = rng.integers(0, n, (m, b))
            t = rng.integers(t_low, T, (m, b))
            eps = rng.standard_normal((m, b, 2), dtype=F32)
            inputs = np.empty((m, b, width), dtype=F32)
            inputs[..., :2] = root_ab[t][..., None] * x_all[idx] + root_1m[t][..., None] * eps
            inputs[..., 2:] = table[t]
            drawn.update(inputs=inputs, eps=eps)
        j = step % per_draw
        return net.loss_and_grad(drawn["inputs"][j], drawn["eps"][j], grad)

    def after_step(step: int) -> None:
        if settings.lr_decay:
            opt.lr = cosine_rate(lr0, lr_min, step + 1, total)
        if averaged is not net:
            averaged.theta += F32(1 - ema_decay(settings.ema, step + 1)) * (net.theta - averaged.theta)
        if on_checkpoint is not None and checkpoint_every and (step + 1) % checkpoint_every == 0 and step + 1 < total:
            on_checkpoint(step + 1, averaged)

    def report(done: int, value: float, elapsed: float) -> None:
        on_progress(TrainProgress(done, total, value, elapsed))

    run = run_flat_training(net.theta, opt, total, loss_and_grad, after_step=after_step,
                            report=report if on_progress is not None else None, should_stop=should_stop,
                            report_every_s=report_every_s)
    status, message = run.status, run.message
    if status == "diverged" or not np.isfinite(net.theta).all():
        np.copyto(net.theta, run.good)
        np.copyto(averaged.theta, run.good)  # as train_eps: the average is replaced by the last good weights
        if status != "diverged":
            status, message = "diverged", "parameters became non-finite; kept the last good weights"
    final = run.losses[-1] if run.losses else math.nan
    if on_progress is not None:
        report(len(run.losses), final, run.seconds)
    return averaged, TrainOutcome(status, len(run.losses), total, final, run.seconds, tuple(run.losses), message)
