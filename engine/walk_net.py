"""sθ(x, t) of Problems 3–4 as a numpy network: forward, backward by hand and Adam, no torch.

The same network as engine.score_net.build_model (and the same weights, by name and shape):

    u = (x/√vt, log t/log(T+1)),  vt = v0 + tσ²
    a1 = silu(W0 u + b0),  a2 = silu(W2 a1 + b2),  a3 = silu(W4 a2 + b4),  f = W6 a3 + b6
    sθ(x, t) = f/√vt,      silu(z) = z·σ(z),  silu'(z) = σ(z)·(1 + z·(1 − σ(z)))

Why numpy: these nets are tiny (2 → 32 → 32 → 32 → 1), so a training step costs about as much in
numpy as in torch, while ``import torch`` alone costs about a second of a fresh process — more than
the whole training. With this module ``hw7-tui p3``/``p4`` never import torch, nor do screens 3–4
(a checkpoint is an npz file of :meth:`WalkNet.state_dict`'s arrays: engine.checkpoint).

Backward pass (loss L = mean_i wᵢ·ℓᵢ, ℓ = (target − xt − c·sθ)²), for a batch of n:
    ∂L/∂f = −2·w·c·r·scale/n  (r = target − xt − c·sθ, scale = 1/√vt)
    through a linear layer z = a Wᵀ + b:  ∂W = (∂z)ᵀ a, ∂b = Σ ∂z, ∂a = ∂z W;  through silu: ∂z = ∂a·silu'(z).
All parameters live in one flat float32 vector (each weight a view of it), so Adam, the copy of the
last good weights and the copy of the best weights are one array operation each.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

KEYS = ("f.0.weight", "f.0.bias", "f.2.weight", "f.2.bias", "f.4.weight", "f.4.bias", "f.6.weight", "f.6.bias")
BUFFERS = ("v0", "sigma2", "T")
F32 = np.float32


def shapes(hidden: int) -> list[tuple[int, ...]]:
    """Shapes of KEYS (torch's Linear layout: weight (out, in), bias (out,))."""
    h = hidden
    return [(h, 2), (h,), (h, h), (h,), (h, h), (h,), (1, h), (1,)]


def _silu(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(silu(z), σ(z)), with σ(z) = ½(1 + tanh(z/2)) (no overflow for any z)."""
    s = z * F32(0.5)
    np.tanh(s, out=s)
    s += F32(1.0)
    s *= F32(0.5)
    return z * s, s


class WalkNet:
    """The score network's weights (float32, one flat vector) and its forward/backward passes."""

    def __init__(self, theta: np.ndarray, hidden: int, v0: float, sigma2: float, T: float) -> None:
        self.hidden = int(hidden)
        self.theta = np.ascontiguousarray(theta, dtype=F32)
        self.v0, self.sigma2, self.T = F32(v0), F32(sigma2), F32(T)
        self.params = self._views(self.theta)

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        out, i = [], 0
        for shape in shapes(self.hidden):
            size = math.prod(shape)
            out.append(flat[i:i + size].reshape(shape))
            i += size
        if i != flat.size:
            raise ValueError(f"{flat.size} weights for a {self.hidden}-wide net, which has {i}")
        return out

    @staticmethod
    def size(hidden: int) -> int:
        return sum(math.prod(s) for s in shapes(hidden))

    @classmethod
    def init(cls, hidden: int, v0: float, sigma2: float, T: float, rng: np.random.Generator) -> "WalkNet":
        """torch.nn.Linear's default initialisation: weight and bias ~ U(−1/√fan_in, 1/√fan_in)."""
        parts = []
        for shape, fan_in in zip(shapes(hidden), (2, 2, hidden, hidden, hidden, hidden, hidden, hidden)):
            bound = 1.0 / math.sqrt(fan_in)
            parts.append(rng.uniform(-bound, bound, math.prod(shape)))
        return cls(np.concatenate(parts), hidden, v0, sigma2, T)

    # ---- torch's names (checkpoints) -----------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights as float32 arrays under build_model's names and shapes (buffers 0-d)."""
        out = {k: np.array(getattr(self, k), dtype=F32) for k in BUFFERS}  # torch's order: own buffers first
        out.update({k: p.copy() for k, p in zip(KEYS, self.params)})
        return out

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> "WalkNet":
        """The inverse of state_dict (tensors or arrays; buffers v0, σ² and T included)."""
        def arr(v: Any) -> np.ndarray:
            v = v.detach().cpu().numpy() if hasattr(v, "detach") else v
            return np.asarray(v, dtype=F32)

        hidden = arr(state["f.0.weight"]).shape[0]
        theta = np.concatenate([arr(state[k]).ravel() for k in KEYS])
        return cls(theta, hidden, float(arr(state["v0"])), float(arr(state["sigma2"])), float(arr(state["T"])))

    # ---- forward ---------------------------------------------------------------------------------
    def _inputs(self, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scale = F32(1.0) / np.sqrt(self.v0 + t * self.sigma2)
        u = np.empty((len(x), 2), dtype=F32)
        u[:, 0] = x * scale
        u[:, 1] = np.log(t) / np.log(self.T + F32(1.0))
        return u, scale

    def __call__(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """sθ(x, t) for 1-D float32 arrays x and t (float32 out)."""
        W0, b0, W2, b2, W4, b4, W6, b6 = self.params
        u, scale = self._inputs(np.asarray(x, dtype=F32), np.asarray(t, dtype=F32))
        z = u @ np.ascontiguousarray(W0.T)
        z += b0
        z = _silu(z)[0] @ W2.T
        z += b2
        z = _silu(z)[0] @ W4.T
        z += b4
        return (_silu(z)[0] @ W6.T + b6)[:, 0] * scale

    # ---- training ----------------------------------------------------------------------------------
    def loss_and_grad(self, xt: np.ndarray, t: np.ndarray, target: np.ndarray, c: np.ndarray,
                      w: np.ndarray | None, grad: np.ndarray) -> tuple[float, np.ndarray]:
        """L = mean(w·ℓ), ℓ = (target − xt − c·sθ(xt, t))² (w = 1 when None); writes ∂L/∂θ into the
        flat array ``grad`` (the layout of theta) and returns (L, ℓ)."""
        W0, b0, W2, b2, W4, b4, W6, b6 = self.params
        g = self._views(grad)
        u, scale = self._inputs(xt, t)
        z1 = u @ np.ascontiguousarray(W0.T)
        z1 += b0
        a1, s1 = _silu(z1)
        z2 = a1 @ W2.T
        z2 += b2
        a2, s2 = _silu(z2)
        z3 = a2 @ W4.T
        z3 += b4
        a3, s3 = _silu(z3)
        f = (a3 @ W6.T + b6)[:, 0]
        r = target - xt - c * (f * scale)
        ell = r * r
        n = len(xt)
        loss = float(np.sum(ell) if w is None else np.dot(w, ell)) / n
        df = (F32(-2.0 / n) * r) * c * scale
        if w is not None:
            df *= w
        df = df[:, None]
        np.matmul(df.T, a3, out=g[6])
        ones = np.ones(n, dtype=F32)  # Σ over the batch as a matrix–vector product (9× faster than .sum(0))
        g[7][...] = df.sum(0)
        dz = _dsilu(a3, s3)
        dz *= df * W6  # the outer product (n, 1)·(1, h), without a k = 1 matmul
        np.matmul(dz.T, a2, out=g[4])
        np.matmul(ones, dz, out=g[5])
        dz = dz @ W4
        dz *= _dsilu(a2, s2)
        np.matmul(dz.T, a1, out=g[2])
        np.matmul(ones, dz, out=g[3])
        dz = dz @ W2
        dz *= _dsilu(a1, s1)
        np.matmul(dz.T, u, out=g[0])
        np.matmul(ones, dz, out=g[1])
        return loss, ell


def _dsilu(a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """silu'(z) = σ(z)·(1 + z·(1 − σ(z))) = σ + a·(1 − σ), written with a = silu(z) = z·σ (one pass less)."""
    d = F32(1.0) - s
    d *= a
    d += s
    return d


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
