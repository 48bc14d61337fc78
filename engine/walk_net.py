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
All parameters live in one flat float32 vector (each weight a view of it: engine.flat_net, shared
with Problem 5's engine.eps_mlp), so Adam, the copy of the last good weights and the copy of the best
weights are one array operation each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.flat_net import F32, FlatAdam, FlatNet  # noqa: F401  (FlatAdam: engine.walk_net.FlatAdam still)

KEYS = ("f.0.weight", "f.0.bias", "f.2.weight", "f.2.bias", "f.4.weight", "f.4.bias", "f.6.weight", "f.6.bias")
BUFFERS = ("v0", "sigma2", "T")


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


class WalkNet(FlatNet):
    """The score network's weights (float32, one flat vector: engine.flat_net) and its forward/backward passes."""

    def __init__(self, theta: np.ndarray, hidden: int, v0: float, sigma2: float, T: float) -> None:
        self.hidden = int(hidden)
        self.v0, self.sigma2, self.T = F32(v0), F32(sigma2), F32(T)
        super().__init__(theta, KEYS, shapes(self.hidden), {"v0": self.v0, "sigma2": self.sigma2, "T": self.T})

    @staticmethod
    def size(hidden: int) -> int:
        return FlatNet.count(shapes(hidden))

    @classmethod
    def init(cls, hidden: int, v0: float, sigma2: float, T: float, rng: np.random.Generator) -> "WalkNet":
        """torch.nn.Linear's default initialisation: weight and bias ~ U(−1/√fan_in, 1/√fan_in)."""
        return cls(FlatNet.linear_init(shapes(hidden), rng), hidden, v0, sigma2, T)

    @classmethod
    def from_state_dict(cls, state: dict[str, Any]) -> "WalkNet":
        """The inverse of state_dict (tensors or arrays; buffers v0, σ² and T included)."""
        a = FlatNet.arrays(state)
        theta = np.concatenate([a[k].ravel() for k in KEYS])
        return cls(theta, a["f.0.weight"].shape[0], float(a["v0"]), float(a["sigma2"]), float(a["T"]))

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
