"""One-dimensional Gaussian mixtures: the p(x) of Problems 2, 3 and 4.

    p(x) = Σk wk N(x; μk, sk²)

Everything the homework needs of a mixture is closed-form: its density, log-density, score
∇log p, CDF, moments, samples, and its convolution with Gaussian noise (the marginal of
y = x + e, e ~ N(0, σ²), is again a mixture with variances sk² + σ²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _erf(z: np.ndarray) -> np.ndarray:
    """Vectorised error function (math.erf is exact to double precision; numpy has none)."""
    return np.vectorize(math.erf, otypes=[float])(z)


@dataclass(frozen=True)
class GaussianMixture:
    """p(x) = Σk wk N(x; μk, sk²), weights normalised to sum to 1."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    stds: tuple[float, ...]

    def __post_init__(self) -> None:
        w, m, s = self.weights, self.means, self.stds
        if not (len(w) == len(m) == len(s)) or len(w) == 0:
            raise InvalidInput("a mixture needs one or more components, each with weight, mean and std")
        for k, (wk, mk, sk) in enumerate(zip(w, m, s), start=1):
            for name, v in (("weight", wk), ("mean", mk), ("std", sk)):
                if not math.isfinite(v):
                    raise InvalidInput(f"component {k}: {name} must be a finite number, got {v!r}")
            if wk < 0:
                raise InvalidInput(f"component {k}: weight must be ≥ 0, got {wk:g}")
            if sk <= 0:
                raise InvalidInput(f"component {k}: std must be > 0, got {sk:g}")
        total = math.fsum(w)
        if total <= 0:
            raise InvalidInput("mixture weights sum to 0: at least one weight must be positive")
        if abs(total - 1.0) > 1e-12:
            object.__setattr__(self, "weights", tuple(float(x) / total for x in w))
        object.__setattr__(self, "weights", tuple(float(x) for x in self.weights))
        object.__setattr__(self, "means", tuple(float(x) for x in m))
        object.__setattr__(self, "stds", tuple(float(x) for x in s))

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> "GaussianMixture":
        """Parse "w:mean:std,w:mean:std,…" (the command line's --mixture)."""
        if not isinstance(text, str):
            raise InvalidInput(f"mixture must be text like 'w:mean:std,…', got {text!r}")
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise InvalidInput("mixture is empty: expected 'w:mean:std,…'")
        w, m, s = [], [], []
        for k, part in enumerate(parts, start=1):
            fields = part.split(":")
            if len(fields) != 3:
                raise InvalidInput(f"mixture component {k} {part!r}: expected w:mean:std")
            try:
                a, b, c = (float(f) for f in fields)
            except ValueError:
                raise InvalidInput(f"mixture component {k} {part!r}: not numbers") from None
            w.append(a), m.append(b), s.append(c)
        return cls(tuple(w), tuple(m), tuple(s))

    def format(self) -> str:
        """Inverse of :meth:`parse`."""
        return ",".join(f"{w:g}:{m:g}:{s:g}" for w, m, s in zip(self.weights, self.means, self.stds))

    @property
    def n_components(self) -> int:
        return len(self.weights)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.asarray(self.weights), np.asarray(self.means), np.asarray(self.stds)

    # ---- densities ------------------------------------------------------------------------
    def component_logpdf(self, x: np.ndarray) -> np.ndarray:
        """log(wk N(x; μk, sk²)) for every x (rows) and k (columns)."""
        w, m, s = self._arrays()
        x = np.asarray(x, dtype=float)[..., None]
        with np.errstate(divide="ignore"):
            logw = np.log(w)
        return logw - np.log(s) - _LOG_SQRT_2PI - 0.5 * ((x - m) / s) ** 2

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        """log p(x) = logsumexp_k [log wk + log N(x; μk, sk²)]."""
        c = self.component_logpdf(x)
        top = np.max(c, axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        return (top + np.log(np.sum(np.exp(c - top), axis=-1, keepdims=True)))[..., 0]

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """p(x) = Σk wk N(x; μk, sk²)."""
        return np.exp(self.logpdf(x))

    def _logits_kfirst(self, x: np.ndarray) -> np.ndarray:
        """log wk N(x; μk, sk²) laid out (k, …): reductions over a few components are then
        elementwise passes, which numpy does far faster than a reduction along a short last axis."""
        w, m, s = self._arrays()
        with np.errstate(divide="ignore"):
            offset = np.log(w) - np.log(s) - _LOG_SQRT_2PI
        out = np.empty((len(w),) + x.shape)
        for k in range(len(w)):
            d = x - m[k]
            np.multiply(d, d, out=out[k])
            out[k] *= -0.5 / s[k] ** 2
            out[k] += offset[k]
        return out

    def responsibilities(self, x: np.ndarray) -> np.ndarray:
        """rk(x) = wk N(x; μk, sk²) / p(x): which component a point at x came from (last axis k)."""
        x = np.asarray(x, dtype=float)
        c = self._logits_kfirst(x)
        c -= c.max(axis=0)
        np.exp(c, out=c)
        c /= c.sum(axis=0)
        return np.moveaxis(c, 0, -1)

    def score(self, x: np.ndarray) -> np.ndarray:
        """∇log p(x) = Σk rk(x) · (μk − x) / sk²."""
        _, m, s = self._arrays()
        x = np.asarray(x, dtype=float)
        c = self._logits_kfirst(x)
        c -= c.max(axis=0)
        np.exp(c, out=c)
        total = c.sum(axis=0)
        num = np.zeros_like(x)
        for k in range(len(m)):
            num += c[k] * ((m[k] - x) / s[k] ** 2)
        return num / total

    def score_derivative(self, x: np.ndarray) -> np.ndarray:
        """∇² log p(x) = Σk rk(−1/sk² + gk²) − (Σk rk gk)², gk = (μk − x)/sk²."""
        _, m, s = self._arrays()
        x = np.asarray(x, dtype=float)
        r = self.responsibilities(x)
        g = (m - x[..., None]) / s**2
        return np.sum(r * (g**2 - 1.0 / s**2), axis=-1) - np.sum(r * g, axis=-1) ** 2

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """F(x) = Σk wk Φ((x − μk)/sk)."""
        w, m, s = self._arrays()
        x = np.asarray(x, dtype=float)
        z = (x[..., None] - m) / (s * math.sqrt(2.0))
        return np.sum(w * 0.5 * (1.0 + _erf(z)), axis=-1)

    # ---- moments and sampling -------------------------------------------------------------
    def mean(self) -> float:
        """E[x] = Σk wk μk."""
        w, m, _ = self._arrays()
        return float(np.sum(w * m))

    def variance(self) -> float:
        """Var[x] = Σk wk (sk² + μk²) − (Σk wk μk)²."""
        w, m, s = self._arrays()
        return float(np.sum(w * (s**2 + m**2)) - np.sum(w * m) ** 2)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws: pick k with probability wk, then x ~ N(μk, sk²)."""
        w, m, s = self._arrays()
        k = rng.choice(len(w), size=int(n), p=w)
        return m[k] + s[k] * rng.standard_normal(int(n))

    def convolve(self, noise_variance: float) -> "GaussianMixture":
        """Law of x + e, e ~ N(0, v) independent: Σk wk N(μk, sk² + v)."""
        if not (math.isfinite(noise_variance) and noise_variance >= 0):
            raise InvalidInput(f"noise variance must be a finite number ≥ 0, got {noise_variance!r}")
        return GaussianMixture(
            self.weights, self.means, tuple(math.sqrt(s * s + noise_variance) for s in self.stds)
        )

    def support(self, n_std: float = 5.0) -> tuple[float, float]:
        """An interval holding essentially all the mass: [min μk − n·sk, max μk + n·sk]."""
        lo = min(m - n_std * s for m, s in zip(self.means, self.stds))
        hi = max(m + n_std * s for m, s in zip(self.means, self.stds))
        return lo, hi


DEFAULT_MIXTURE = GaussianMixture(weights=(0.3, 0.5, 0.2), means=(-2.0, 0.5, 3.0), stds=(0.5, 0.7, 0.4))
"""The default p(x) of Problems 2–4: three well-separated bumps of unequal weight."""
