"""Problem 5: the variance-preserving diffusion of the toy-diffusion notebook, its samplers, and
an exact ε for Gaussian-mixture data (the swiss roll is one: a mixture along its curve).

Forward (q_sample):   xt = √ᾱt x0 + √(1−ᾱt) ε,  ε ~ N(0, I)
Cosine schedule:      f(t) = cos²(((t/T) + s)/(1 + s) · π/2),  ᾱt = f(t)/f(0)  (t = 0..T−1, ᾱ0 = 1)
                      βt = 1 − ᾱt/ᾱt−1 (β0 = 0),  αt = 1 − βt  — no clipping (β39 ≈ 0.75 for T = 40)
Link to Problem 4:    xt/√ᾱt = x0 + √((1−ᾱt)/ᾱt) ε is Problem 4's walk with tσ² replaced by
                      (1−ᾱt)/ᾱt, and ε̂ = −√(1−ᾱt) ∇log pt(xt) is its εθ.

Samplers (t = T−1 down to 1, as the notebook: t = 0 is never used):
    ddpm   x ← (x − (1−αt)/√(1−ᾱt) · ε̂(x, t))/√αt  + √βt z  (z only while t > 1)
    x0     x̂0 = (x − √(1−ᾱt) ε̂)/√ᾱt;  x ← c0 x̂0 + ct x + √(βt(1−ᾱt−1)/(1−ᾱt)) z
           c0 = √ᾱt−1 βt/(1−ᾱt),  ct = √αt (1−ᾱt−1)/(1−ᾱt)   (same mean as ddpm; smaller variance)
    ddim   x ← √ᾱt−1 x̂0 + √(1−ᾱt−1) ε̂   (deterministic, η = 0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput

SCHEDULES = ("cosine", "linear")
SAMPLERS = ("ddpm", "x0", "ddim")
EpsFn = Callable[[np.ndarray, int], np.ndarray]
"""ε̂(x, t) for x of shape (n, 2) and an integer t."""


@dataclass(frozen=True)
class Schedule:
    """ᾱt, βt, αt for t = 0..T−1."""

    name: str
    alpha_bar: np.ndarray
    beta: np.ndarray

    @property
    def T(self) -> int:
        return len(self.alpha_bar)

    @property
    def alpha(self) -> np.ndarray:
        return 1.0 - self.beta


def cosine_schedule(T: int = 40, s: float = 0.008) -> Schedule:
    """The notebook's cosine schedule: ᾱt = f(t)/f(0), f(t) = cos²(((t/T)+s)/(1+s)·π/2), βt = 1 − ᾱt/ᾱt−1."""
    if not isinstance(T, (int, np.integer)) or not 2 <= T <= 10_000:
        raise InvalidInput(f"T must be a whole number from 2 to 10000, got {T!r}")
    if not isinstance(s, (int, float)) or not math.isfinite(s) or not 0 < s <= 1:
        raise InvalidInput(f"s must be a number in (0, 1], got {s!r}")
    t = np.arange(T, dtype=float)
    f = np.cos(((t / T) + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bar = f / f[0]
    beta = np.concatenate([[0.0], 1 - alpha_bar[1:] / alpha_bar[:-1]])
    return Schedule("cosine", alpha_bar, beta)


def linear_schedule(T: int = 40, beta_1: float = 1e-4, beta_T: float | None = None) -> Schedule:
    """βt linear from beta_1 to beta_T (t = 1..T−1, β0 = 0), ᾱt = Πs≤t (1 − βs).
    beta_T defaults to 0.02·1000/T, Ho et al.'s schedule stretched to T steps (capped at 0.5)."""
    if not isinstance(T, (int, np.integer)) or not 2 <= T <= 10_000:
        raise InvalidInput(f"T must be a whole number from 2 to 10000, got {T!r}")
    beta_T = min(0.5, 20.0 / T) if beta_T is None else beta_T
    beta = np.concatenate([[0.0], np.linspace(beta_1, beta_T, T - 1)])
    return Schedule("linear", np.cumprod(1 - beta), beta)


def make_schedule(name: str, T: int = 40, s: float = 0.008) -> Schedule:
    if name == "cosine":
        return cosine_schedule(T, s)
    if name == "linear":
        return linear_schedule(T)
    raise InvalidInput(f"schedule must be one of {', '.join(SCHEDULES)}, got {name!r}")


def q_sample(x0: np.ndarray, t: np.ndarray, eps: np.ndarray, schedule: Schedule) -> np.ndarray:
    """xt = √ᾱt x0 + √(1−ᾱt) ε."""
    ab = schedule.alpha_bar[t][:, None]
    return np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps


# ---- sampling -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SamplerRun:
    """Samples (standardized units) and up to T frames of a subsample for the animation."""

    sampler: str
    x0: np.ndarray
    frame_steps: np.ndarray  # t of each frame (T−1 … 0; frame k shows x after the step to t)
    frames: np.ndarray  # (frames, k, 2)


def sample(eps_fn: EpsFn, schedule: Schedule, n: int, *, sampler: str = "ddpm", seed: int = 0,
           frame_points: int = 1500, should_stop: Callable[[], bool] | None = None) -> SamplerRun:
    """Run one sampler from x ~ N(0, I) for t = T−1 … 1 (the notebook never uses t = 0)."""
    if sampler not in SAMPLERS:
        raise InvalidInput(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    ab, beta = schedule.alpha_bar, schedule.beta
    alpha = 1 - beta
    k = min(frame_points, n)
    steps, frames = [schedule.T - 1], [x[:k].copy()]
    for t in range(schedule.T - 1, 0, -1):
        if should_stop is not None and should_stop():
            raise InterruptedError("sampling cancelled")
        eps = eps_fn(x, t)
        if sampler == "ddpm":
            x = (x - (1 - alpha[t]) / math.sqrt(1 - ab[t]) * eps) / math.sqrt(alpha[t])
            if t > 1:
                x = x + math.sqrt(beta[t]) * rng.standard_normal(x.shape)
        else:
            x0_hat = (x - math.sqrt(1 - ab[t]) * eps) / math.sqrt(ab[t])
            if sampler == "x0":
                c0 = math.sqrt(ab[t - 1]) * beta[t] / (1 - ab[t])
                ct = math.sqrt(alpha[t]) * (1 - ab[t - 1]) / (1 - ab[t])
                var = max((1 - ab[t - 1]) / (1 - ab[t]) * beta[t], 1e-20)
                x = c0 * x0_hat + ct * x
                if t > 1:
                    x = x + math.sqrt(var) * rng.standard_normal(x.shape)
            else:  # ddim
                x = math.sqrt(ab[t - 1]) * x0_hat + math.sqrt(1 - ab[t - 1]) * eps
        steps.append(t - 1)
        frames.append(x[:k].copy())
    return SamplerRun(sampler, x, np.array(steps), np.array(frames))


# ---- the exact ε of a Gaussian mixture (the oracle) ------------------------------------------------
@dataclass(frozen=True)
class MixtureScore:
    """p0 = (1/K) Σk N(μk, v I) (equal weights, isotropic) in standardized units.

    Under the forward process pt = (1/K) Σk N(√ᾱt μk, (ᾱt v + 1 − ᾱt) I), so
    ∇log pt(x) = Σk rk(x)(√ᾱt μk − x)/(ᾱt v + 1 − ᾱt) and the ideal ε̂ = −√(1−ᾱt) ∇log pt(x).
    """

    means: np.ndarray  # (K, 2)
    var: float
    schedule: Schedule

    def score(self, x: np.ndarray, t: int, chunk: int = 2048, dtype=np.float32) -> np.ndarray:
        """The responsibilities rk(x) in `dtype` (float32: ~3× faster exp and products; rk is a softmax
        of logits shifted to max 0, so its relative error stays ~1e-7 whatever their size), the
        difference Σk rk μk − x and the division in float64."""
        ab = self.schedule.alpha_bar[t]
        m64 = math.sqrt(ab) * self.means
        v = ab * self.var + 1 - ab
        m = m64.astype(dtype)
        x = np.asarray(x, dtype=float)
        out = np.empty_like(x)
        half_m_sq = (0.5 * (m64 * m64).sum(1)).astype(dtype)
        inv_v = np.dtype(dtype).type(1.0 / v)
        m_cols = np.ascontiguousarray(m.T)  # Σk rk μk as two matrix–vector products (one (n, K)×(K, 2)
        for i in range(0, len(x), chunk):  # product runs ~4× slower with its 2-wide output)
            xb = x[i:i + chunk]
            logits = xb.astype(dtype) @ m.T  # −|x − m|²/(2v) up to a per-x constant, below
            logits -= half_m_sq[None, :]
            logits *= inv_v
            logits -= logits.max(axis=1, keepdims=True)
            np.exp(logits, out=logits)
            total = logits.sum(axis=1).astype(float)[:, None]
            weighted = np.stack([logits @ m_cols[0], logits @ m_cols[1]], axis=1).astype(float)
            out[i:i + chunk] = (weighted / total - xb) / v
        return out

    def eps(self, x: np.ndarray, t: int) -> np.ndarray:
        return -math.sqrt(1 - self.schedule.alpha_bar[t]) * self.score(x, t)


def swiss_roll_oracle(standardizer, schedule: Schedule, n_points: int = 4000, noise: float = 0.5) -> MixtureScore:
    """The swiss roll as a mixture of N(curve point, noise² I), standardized like the data."""
    from engine.toy2d import swiss_roll_curve

    curve = standardizer.forward(swiss_roll_curve(n_points))
    return MixtureScore(curve, (noise / standardizer.std) ** 2, schedule)
