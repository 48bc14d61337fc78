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
from engine.numbers import shown
from engine.settings import Spec

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _erf(z: np.ndarray) -> np.ndarray:
    """Vectorised error function (math.erf is exact to double precision; numpy has none). map over a
    list is twice as fast as np.vectorize (measured: 5.8 against 11.5 ms for 60,000 values) and the
    same math.erf, value for value."""
    z = np.asarray(z, dtype=float)
    return np.fromiter(map(math.erf, z.ravel().tolist()), dtype=float, count=z.size).reshape(z.shape)


# ---- declared limits: what a person may type (the P2 table's cells, --mixture, saved state, checkpoints) --
MAX_COMPONENTS = 8
"""At most 8 components, for every face and the engine alike: the P2 table shows one row each and
holds 8 at 80×24, and every score/density costs O(K·N) (K passes over N particles per walk step);
10,000 components took 39 s and 4.7 GB in ``p2``."""

# Chosen so every density, log-density and score stays finite in float64, with room for the mixtures
# derived from them (noisier marginals, narrower posteriors): with s ≥ 1e-6 and |μ|, |y| ≤ 1e6 the
# worst term (x − μ)²/s² is ≈ 1e24 and the score (μ − x)/s² ≈ 1e18 — far from float64's 1.8e308 —
# and s² ≥ 1e-12 never underflows (std 1e-160 squares to 1e-320, a subnormal whose reciprocal
# overflows). Weights are relative (they are normalised): ≤ 1e6 each keeps their sum finite
# (``1e308 + 1e308`` overflows) while allowing any sensible ratio.
WEIGHT = Spec("weight", "weight", float, 1.0, 0.0, 1e6, help="a component's weight (normalized for you)",
              reason="Weights are relative; ≤ 1e6 each keeps their sum finite.")
MEAN = Spec("mean", "mean", float, 0.0, -1e6, 1e6, help="a component's mean μk",
            reason="With |μ| ≤ 1e6 and s ≥ 1e-6 every density and score stays finite in float64.")
STD = Spec("std", "std", float, 1.0, 1e-6, 1e6, help="a component's standard deviation sk",
           reason="s² must not underflow (s ≥ 1e-6) and (x − μ)²/s² must stay finite.")
COMPONENT = (WEIGHT, MEAN, STD)
"""The three numbers of a component, in the order of the text ``w:mean:std`` and of the P2 table."""

Row = tuple[float, float, float]


def mixture_rows(text: str) -> tuple[Row, ...]:
    """ "w:mean:std,…" → the components as typed (weights not yet normalized), each number checked by
    its spec; a mistake names the component. The one parser of a mixture's text."""
    if not isinstance(text, str):
        raise InvalidInput(f"mixture must be text like 'w:mean:std,…', got {type(text).__name__}")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not 1 <= len(parts) <= MAX_COMPONENTS:
        raise InvalidInput(f"mixture needs 1 to {MAX_COMPONENTS} components 'w:mean:std,…', got {len(parts)}")
    rows = []
    for k, part in enumerate(parts, start=1):
        fields = part.split(":")
        if len(fields) != 3:
            raise InvalidInput(f"mixture component {k} {part[:30]!r}: expected w:mean:std")
        rows.append(tuple(component_value(spec, f, k) for spec, f in zip(COMPONENT, fields)))
    return tuple(rows)


def component_value(spec: Spec, text: str, k: int) -> float:
    """One number of component k, parsed and checked by its spec."""
    try:
        return spec.parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"component {k}: {exc}") from None


def mixture_text(rows) -> str:
    """Components → "w:mean:std,…" without losing a digit (the inverse of :func:`mixture_rows`)."""
    return ",".join(":".join(repr(float(v)) for v in row) for row in rows)


MIN_STD, MAX_STD = 1e-9, 1e9
MAX_ABS_MEAN = 1e7
MAX_NOISE_VARIANCE = 1e17
"""What any mixture may hold, derived ones included (the constructor's check). A posterior
component is narrower than both its prior component and the noise (v = s²σ²/(s² + σ²) ≥ ½·min(s², σ²)
≥ 5e-13 with the input limits and σ² ≥ 1e-12), a noisy marginal wider (sk² + tσ² ≤ 1e12 + 1e17 for
the longest walk): [1e-9, 1e9] holds both, and (x − μ)²/s² ≤ (2e7)²/1e-18 = 4e32 stays finite."""


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
        if len(w) > MAX_COMPONENTS:
            raise InvalidInput(f"a mixture has at most {MAX_COMPONENTS} components, got {len(w)}")
        for k, (wk, mk, sk) in enumerate(zip(w, m, s), start=1):
            for name, v in (("weight", wk), ("mean", mk), ("std", sk)):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise InvalidInput(f"component {k}: {name} must be a number, got {shown(repr(v))}")
                if not math.isfinite(v):
                    raise InvalidInput(f"component {k}: {name} must be a finite number, got {v!r}")
            if wk < 0:
                raise InvalidInput(f"component {k}: weight must be ≥ 0, got {wk:g}")
            if wk > WEIGHT.high:
                raise InvalidInput(f"component {k}: weight must be ≤ {WEIGHT.high:g} (weights are relative), got {wk:g}")
            if sk <= 0:
                raise InvalidInput(f"component {k}: std must be > 0, got {sk:g}")
            if not MIN_STD <= sk <= MAX_STD:
                raise InvalidInput(f"component {k}: std must be between {MIN_STD:g} and {MAX_STD:g}, got {sk:g}")
            if abs(mk) > MAX_ABS_MEAN:
                raise InvalidInput(f"component {k}: mean must be between {-MAX_ABS_MEAN:g} and {MAX_ABS_MEAN:g}, got {mk:g}")
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
        """Parse "w:mean:std,w:mean:std,…" (a box, --mixture, saved state) by :func:`mixture_rows`."""
        return cls(*(tuple(c) for c in zip(*mixture_rows(text))))

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
        if not (math.isfinite(noise_variance) and 0 <= noise_variance <= MAX_NOISE_VARIANCE):
            raise InvalidInput(f"noise variance must be a finite number from 0 to {MAX_NOISE_VARIANCE:g}, "
                               f"got {noise_variance!r}")
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
