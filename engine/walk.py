"""Problems 3 and 4: a random walk that noises p₀, its exact score, and the reverse samplers.

Forward:  xt = xt−1 + et,  et ~ N(0, σ²),  x0 ~ p0  ⇒  pt = p0 ∗ N(0, tσ²)       (forward_walk)
For a Gaussian-mixture p0 every pt is a mixture with variances sk² + tσ², so the true score
∇log pt(x) is known exactly — the oracle a learned sθ(x, t) is measured against (exact_score).

Reverse (for any score s(x, t), learned or exact), from xT ~ N(0, Tσ²) (or the exact pT):
    stochastic      xt−1 = xt + σ² s(xt, t) + σ z                     (reverse_step_stochastic)
    deterministic   xt−1 = xt + ½σ² s(xt, t)                          (reverse_step_deterministic)
    homework's (4)  xt−2 = xt + σ² s(xt, t): the same flow, two steps at once (reverse_step_two)
    no ½            xt−1 = xt + σ² s(xt, t) one step at a time: the wrong flow, never converges
    Heun            two score calls a step, second order in 1/T       (sample(..., method="heun"))
Problem 4's forms with εθ = −tσ² sθ: xt−1 = xt − εθ/t + σz and xt−1 = xt − εθ/(2t), the same
steps written with ε (reverse_step_eps_stochastic / reverse_step_eps_deterministic).

Quality: W1 to p0 = ∫|Fn − F0| (exact CDF of the mixture) and TV of histograms; the error
budget swaps one ingredient at a time for its exact version (error_budget).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.errors import InvalidInput
from engine.mixture import GaussianMixture
from engine.settings import Spec

ScoreFn = Callable[[np.ndarray, int], np.ndarray]
"""s(x, t): the score of pt at the points x (an array), for an integer step t ≥ 1."""

METHODS = ("stochastic", "deterministic", "two_step", "heun")
"""The samplers the screens, CLI and error budget offer (all converge to p0 as T grows)."""
SAMPLE_METHODS = METHODS + ("no_half", "eps_stochastic", "eps_deterministic")
"""Every method sample() takes: METHODS, the flow without the ½, and Problem 4's ε forms."""
STARTS = ("prior", "exact", "matched")
TRACKED_PATHS = 12
"""Paths tracked for playback and for counting crossings (sample(n_trajectories=…))."""
PATH_FRAMES = 61
"""Recorded frames from T to 0 for playback and for counting crossings (sample(max_frames=…))."""

T_STEPS = Spec("T", "T", int, 100, 1, 10_000, help="number of noising steps T",
               reason="Every reverse run makes T score calls on every particle: 10000 steps of 20000 particles "
                      "take about a minute with a learned score, and the step error (∝ 1/T) is already ~1e-4 at 1000.")
MIN_SIGMA2, MAX_SIGMA2 = 1e-12, 100.0
SIGMA2 = Spec("sigma2", "σ²", float, 0.25, MIN_SIGMA2, MAX_SIGMA2,
              help="noise variance σ² added by each step (the walk adds Tσ² in all)",
              reason="A subnormal σ² underflows in σ²·s and √σ² (so the floor is 1e-12); above 100 a single "
                     "step already dwarfs any p₀ a box can hold, and T·σ² ≤ 10⁶ keeps every pt in a mixture's range.")


@dataclass(frozen=True)
class WalkSetup:
    """p0, the number of steps T and the per-step noise variance σ²."""

    p0: GaussianMixture
    T: int
    sigma2: float

    def __post_init__(self) -> None:  # the same declarations as every box and option (T_STEPS, SIGMA2)
        T = int(self.T) if isinstance(self.T, np.integer) else self.T
        object.__setattr__(self, "T", T_STEPS.check(T))
        object.__setattr__(self, "sigma2", SIGMA2.check(self.sigma2))

    @property
    def sigma(self) -> float:
        return math.sqrt(self.sigma2)

    @property
    def total_variance(self) -> float:
        """Tσ², the variance the walk adds by the last step."""
        return self.T * self.sigma2


# ---- the exact side (the oracle) ------------------------------------------------------------------
def marginal_at(setup: WalkSetup, t: int) -> GaussianMixture:
    """pt = p0 ∗ N(0, tσ²): component k becomes N(μk, sk² + tσ²)."""
    return setup.p0 if t == 0 else setup.p0.convolve(t * setup.sigma2)


def exact_score(setup: WalkSetup, x: np.ndarray, t: int) -> np.ndarray:
    """∇log pt(x) = Σk rk(x) (μk − x)/(sk² + tσ²), rk the responsibilities under pt."""
    return marginal_at(setup, t).score(np.asarray(x, dtype=float))


def exact_score_fn(setup: WalkSetup) -> ScoreFn:
    """The oracle as a score function s(x, t)."""
    cache: dict[int, GaussianMixture] = {}

    def score(x: np.ndarray, t: int) -> np.ndarray:
        if t not in cache:
            cache[t] = marginal_at(setup, t)
        return cache[t].score(x)

    return score


def tweedie_mean(setup: WalkSetup, x: np.ndarray, t: int) -> np.ndarray:
    """E[xt−1 | xt = x] = x + σ²∇log pt(x) (exact, Tweedie): what the Problem 3 regression learns."""
    return np.asarray(x, dtype=float) + setup.sigma2 * exact_score(setup, x, t)


# ---- the reverse steps (the homework's formulas) --------------------------------------------------
def reverse_step_stochastic(x: np.ndarray, score: np.ndarray, sigma2: float, z: np.ndarray) -> np.ndarray:
    """xt−1 = xt + σ² s(xt, t) + σ z,  z ~ N(0, 1)."""
    return x + sigma2 * score + math.sqrt(sigma2) * z


def reverse_step_deterministic(x: np.ndarray, score: np.ndarray, sigma2: float) -> np.ndarray:
    """xt−1 = xt + ½σ² s(xt, t): one step of the probability flow (mass moves at −½σ²∇log p)."""
    return x + 0.5 * sigma2 * score


def reverse_step_two(x: np.ndarray, score: np.ndarray, sigma2: float) -> np.ndarray:
    """The homework's xt−2 = xt + σ² s(xt, t): two ½-steps of the flow taken at once."""
    return x + sigma2 * score


def reverse_step_heun(x: np.ndarray, score: ScoreFn, t: int, sigma2: float) -> np.ndarray:
    """Heun's step of the ½-step flow: d1 = ½σ² s(xt, t), d2 = ½σ² s(xt + d1, t−1),
    xt−1 = xt + ½(d1 + d2) — two score calls, error O(1/T²) instead of O(1/T)."""
    d1 = 0.5 * sigma2 * score(x, t)
    d2 = 0.5 * sigma2 * score(x + d1, t - 1)
    return x + 0.5 * (d1 + d2)


def reverse_step_eps_stochastic(x: np.ndarray, eps: np.ndarray, t: int, sigma2: float, z: np.ndarray) -> np.ndarray:
    """Problem 4: xt−1 = xt − εθ(xt, t)/t + σ z  (εθ = −tσ² sθ, so −εθ/t = σ² sθ)."""
    return x - eps / t + math.sqrt(sigma2) * z


def reverse_step_eps_deterministic(x: np.ndarray, eps: np.ndarray, t: int) -> np.ndarray:
    """Problem 4: xt−1 = xt − εθ(xt, t)/(2t)."""
    return x - eps / (2 * t)


# ---- sampling with recording ---------------------------------------------------------------------
@dataclass(frozen=True)
class Histograms:
    """Per-step histograms on fixed bins: counts[i] is the histogram at step steps[i]."""

    edges: np.ndarray
    steps: np.ndarray
    counts: np.ndarray  # (frames, bins), int

    @property
    def centers(self) -> np.ndarray:
        return 0.5 * (self.edges[1:] + self.edges[:-1])

    def density(self, i: int) -> np.ndarray:
        width = np.diff(self.edges)
        total = self.counts[i].sum()
        return self.counts[i] / (max(total, 1) * width)


@dataclass(frozen=True)
class SampleRun:
    """The x0 a sampler produced, plus what playback needs (histograms, a few trajectories)."""

    method: str
    start: str
    x0: np.ndarray
    histograms: Histograms
    trajectories: np.ndarray  # (steps+1, k): x_T … x_0 of k particles, ordered by their start


def frame_edges(setup: WalkSetup, bins: int = 60) -> np.ndarray:
    """Bins wide enough for p0 and for pT (±4 std of the widest)."""
    pT = marginal_at(setup, setup.T)
    lo, hi = setup.p0.support(4.0)
    lo2, hi2 = pT.support(4.0)
    return np.linspace(min(lo, lo2), max(hi, hi2), bins + 1)


def start_particles(setup: WalkSetup, n: int, rng: np.random.Generator, start: str) -> np.ndarray:
    """xT: "prior" N(0, Tσ²) as the homework says; "exact" the true pT; "matched" N(mean, var + Tσ²)."""
    if start == "prior":
        return math.sqrt(setup.total_variance) * rng.standard_normal(n)
    if start == "exact":
        return marginal_at(setup, setup.T).sample(n, rng)
    if start == "matched":
        return setup.p0.mean() + math.sqrt(setup.p0.variance() + setup.total_variance) * rng.standard_normal(n)
    raise InvalidInput(f"start must be one of {', '.join(STARTS)}, got {start!r}")


def start_distribution(setup: WalkSetup, start: str) -> GaussianMixture:
    """The law of xT for each start: N(0, Tσ²), the exact pT, or N(mean p0, Var p0 + Tσ²)."""
    if start == "prior":
        return GaussianMixture((1.0,), (0.0,), (math.sqrt(setup.total_variance),))
    if start == "exact":
        return marginal_at(setup, setup.T)
    if start == "matched":
        return GaussianMixture((1.0,), (setup.p0.mean(),), (math.sqrt(setup.p0.variance() + setup.total_variance),))
    raise InvalidInput(f"start must be one of {', '.join(STARTS)}, got {start!r}")


def prior_floor_limit(setup: WalkSetup, method: str, start: str = "prior", grid_points: int = 1501) -> float:
    """W1 to p0 left by starting from q (see start_distribution) instead of pT, with the exact score and
    infinitely fine steps at the same Tσ² = V — the prior-mismatch part of the error budget in the limit.

    deterministic (the flow): it is the monotone map M = F0⁻¹∘FT, so x0 = M(xT) has CDF Fq(FT⁻¹(F0(x)))
        and W1 = ∫ |Fq(FT⁻¹(F0(x))) − F0(x)| dx.
    stochastic: the exact reverse process draws x0 from p(x0 | xT) = p0(x0) N(xT; x0, V)/pT(xT)
        (Problem 2's posterior), so x0 has density q0(x) = p0(x) ∫ q(y) N(y; x, V)/pT(y) dy and
        W1 = ∫ |Q0(x) − F0(x)| dx.
    """
    q, pT, p0 = start_distribution(setup, start), marginal_at(setup, setup.T), setup.p0
    lo, hi = p0.support(9.0)
    x = np.linspace(lo, hi, grid_points)
    f0 = p0.cdf(x)
    if method in ("deterministic", "two_step", "heun"):
        ylo, yhi = pT.support(12.0)
        y = np.linspace(ylo, yhi, 20 * grid_points)
        FT = pT.cdf(y)
        keep = np.concatenate([[True], np.diff(FT) > 0])  # strictly increasing for the inverse
        q0_cdf = q.cdf(np.interp(f0, FT[keep], y[keep]))
    elif method == "stochastic":
        ylo, yhi = pT.support(9.0)
        y = np.linspace(min(ylo, q.support(9.0)[0]), max(yhi, q.support(9.0)[1]), grid_points)
        V = setup.total_variance
        kernel = np.exp(-(y[None, :] - x[:, None]) ** 2 / (2 * V)) / math.sqrt(2 * math.pi * V)
        ratio = np.divide(q.pdf(y), pT.pdf(y), out=np.zeros_like(y), where=pT.pdf(y) > 0)
        q0 = p0.pdf(x) * (kernel @ ratio) * (y[1] - y[0])
        q0_cdf = np.concatenate([[0.0], np.cumsum(0.5 * (q0[1:] + q0[:-1]))]) * (x[1] - x[0])
        if not (math.isfinite(q0_cdf[-1]) and q0_cdf[-1] > 0):
            # q and pT do not overlap on the grid (p0 far from 0: q/pT underflows everywhere): the
            # limit cannot be formed in float64 — say "unknown" (NaN → null in JSON), not 0/0
            return float("nan")
        q0_cdf = q0_cdf / q0_cdf[-1]
    else:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return float(np.trapezoid(np.abs(q0_cdf - f0), x))


def _record_every(T: int, max_frames: int) -> int:
    return max(1, math.ceil(T / max(max_frames - 1, 1)))


EpsFn = Callable[[np.ndarray, int], np.ndarray]
"""εθ(x, t): Problem 4's noise prediction at the points x for an integer step t ≥ 1."""


def eps_from_score(score: ScoreFn, sigma2: float) -> EpsFn:
    """εθ(x, t) = −tσ² sθ(x, t): the ε a score function implies (Problem 4's change of variables)."""

    def eps(x: np.ndarray, t: int) -> np.ndarray:
        return -t * sigma2 * score(x, t)

    return eps


def reverse_step_no_half(x: np.ndarray, score: np.ndarray, sigma2: float) -> np.ndarray:
    """xt−1 = xt + σ² s(xt, t), one step at a time: the flow WITHOUT the ½. It moves mass twice as
    fast as the probability flow and ends in a collapsed p0 — no T fixes it (the wrong ODE, not a
    coarse one)."""
    return x + sigma2 * score


@dataclass
class _Walker:
    """What one step of a reverse sampler may use: the score (or ε) function, σ², the noise source."""

    score: ScoreFn
    eps: EpsFn | None
    sigma2: float
    rng: np.random.Generator
    n: int


def _step_stochastic(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_stochastic(x, w.score(x, t), w.sigma2, w.rng.standard_normal(w.n)), t - 1


def _step_deterministic(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_deterministic(x, w.score(x, t), w.sigma2), t - 1


def _step_two(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    if t >= 2:
        return reverse_step_two(x, w.score(x, t), w.sigma2), t - 2
    return reverse_step_deterministic(x, w.score(x, t), w.sigma2), t - 1  # an odd T leaves one ½-step


def _step_heun(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_heun(x, w.score, t, w.sigma2), t - 1


def _step_no_half(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_no_half(x, w.score(x, t), w.sigma2), t - 1


def _step_eps_stochastic(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_eps_stochastic(x, w.eps(x, t), t, w.sigma2, w.rng.standard_normal(w.n)), t - 1


def _step_eps_deterministic(w: _Walker, x: np.ndarray, t: int) -> tuple[np.ndarray, int]:
    return reverse_step_eps_deterministic(x, w.eps(x, t), t), t - 1


STEPS: dict[str, Callable[[_Walker, np.ndarray, int], tuple[np.ndarray, int]]] = {
    "stochastic": _step_stochastic,
    "deterministic": _step_deterministic,
    "two_step": _step_two,
    "heun": _step_heun,
    "no_half": _step_no_half,
    "eps_stochastic": _step_eps_stochastic,
    "eps_deterministic": _step_eps_deterministic,
}
"""method name → one reverse step (x, t) ↦ (x', t'), the table sample() walks with."""
assert set(STEPS) == set(SAMPLE_METHODS)


def sample(setup: WalkSetup, score: ScoreFn | None, n: int, *, method: str = "stochastic", start: str = "prior",
           seed: int = 0, bins: int = 60, max_frames: int = 101, n_trajectories: int = 12,
           should_stop: Callable[[], bool] | None = None, eps: EpsFn | None = None,
           x_start: np.ndarray | None = None) -> SampleRun:
    """Run a reverse sampler from t = T down to 0 and record it for playback.

    method: "stochastic" xt−1 = xt + σ²s + σz; "deterministic" xt−1 = xt + ½σ²s;
    "two_step" xt−2 = xt + σ²s (T/2 score calls); "heun" the ½-step flow with Heun's
    predictor–corrector (uses s(·, t−1) too; s(·, 0) must be defined); "no_half" xt−1 = xt + σ²s
    (the flow without the ½: never converges); Problem 4's "eps_stochastic" xt−1 = xt − εθ/t + σz and
    "eps_deterministic" xt−1 = xt − εθ/(2t), with εθ = eps (or −tσ² s when eps is None).
    x_start: the particles xT to start from (instead of drawing them by `start`; n = len(x_start)).
    """
    if method not in STEPS:
        raise InvalidInput(f"method must be one of {', '.join(SAMPLE_METHODS)}, got {method!r}")
    if x_start is not None:
        n = int(np.asarray(x_start).size)
    if not 1 <= n <= 10**8:
        raise InvalidInput(f"the number of particles must be from 1 to 10^8, got {n}")
    if score is None and (eps is None or not method.startswith("eps_")):
        raise InvalidInput(f"method {method!r} needs a score function")
    if method.startswith("eps_") and eps is None:
        eps = eps_from_score(score, setup.sigma2)
    rng = np.random.default_rng(seed)
    if x_start is None:
        x = start_particles(setup, n, rng, start)
    else:
        x = np.array(x_start, dtype=float).reshape(-1)
    edges = frame_edges(setup, bins)
    every = _record_every(setup.T, max_frames)
    k = min(n_trajectories, n)
    track = np.argsort(x)[np.linspace(0, n - 1, k).astype(int)] if k else np.array([], dtype=int)
    steps, frames, paths = [setup.T], [np.histogram(x, edges)[0]], [x[track].copy()]
    t = setup.T
    step = STEPS[method]
    walker = _Walker(score, eps, setup.sigma2, rng, n)
    while t > 0:
        if should_stop is not None and should_stop():
            raise InterruptedError("sampling cancelled")
        x, t = step(walker, x, t)
        if t % every == 0 or t == 0 or (method == "two_step" and t <= 1):
            steps.append(t)
            frames.append(np.histogram(x, edges)[0])
            paths.append(x[track].copy())
    return SampleRun(method, start, x, Histograms(edges, np.array(steps), np.array(frames)), np.array(paths))


def forward_walk(setup: WalkSetup, n: int, *, seed: int = 0, bins: int = 60, max_frames: int = 101,
                 n_trajectories: int = 12) -> SampleRun:
    """Noise n particles x0 ~ p0 by xt = xt−1 + et for t = 1..T, recording histograms."""
    rng = np.random.default_rng(seed)
    x = setup.p0.sample(n, rng)
    edges = frame_edges(setup, bins)
    every = _record_every(setup.T, max_frames)
    k = min(n_trajectories, n)
    track = np.argsort(x)[np.linspace(0, n - 1, k).astype(int)] if k else np.array([], dtype=int)
    steps, frames, paths = [0], [np.histogram(x, edges)[0]], [x[track].copy()]
    for t in range(1, setup.T + 1):
        x = x + setup.sigma * rng.standard_normal(n)
        if t % every == 0 or t == setup.T:
            steps.append(t)
            frames.append(np.histogram(x, edges)[0])
            paths.append(x[track].copy())
    return SampleRun("forward", "p0", x, Histograms(edges, np.array(steps), np.array(frames)), np.array(paths))


def crossings(trajectories: np.ndarray) -> int:
    """How many times two tracked paths cross: Σ over consecutive frames f of the number of pairs
    i < j with sign(x_i − x_j) changing from frame f to f+1 (0 for the deterministic flow in 1-D).
    Counted at the recorded frames, so paths that cross and cross back in between count 0."""
    x = np.asarray(trajectories, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        return 0
    side = np.sign(x[:, :, None] - x[:, None, :])  # (frames, k, k)
    i, j = np.triu_indices(x.shape[1], k=1)
    return int(np.sum(side[1:, i, j] != side[:-1, i, j]))


# ---- quality ------------------------------------------------------------------------------------
def wasserstein1(samples: np.ndarray, p0: GaussianMixture, grid_points: int = 40_001) -> float:
    """W1(samples, p0) = ∫ |Fn(x) − F0(x)| dx with the exact mixture CDF F0 (trapezoid on a fine grid)."""
    x = np.sort(np.asarray(samples, dtype=float))
    if x.size == 0:
        return math.nan
    lo, hi = p0.support(8.0)
    grid = np.linspace(min(lo, x[0]), max(hi, x[-1]), grid_points)
    fn = np.searchsorted(x, grid, side="right") / x.size
    return float(np.trapezoid(np.abs(fn - p0.cdf(grid)), grid))


def tv_histogram(samples: np.ndarray, p0: GaussianMixture, bins: int = 80) -> float:
    """½ Σ_bins |n_b/n − P0(bin b)| on bins over p0's support (mass outside counts too)."""
    x = np.asarray(samples, dtype=float)
    lo, hi = p0.support(5.0)
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.histogram(x, edges)[0] / x.size
    cdf = p0.cdf(edges)
    mass = np.diff(cdf)
    outside_samples = 1 - counts.sum()
    outside_p0 = cdf[0] + (1 - cdf[-1])
    return float(0.5 * (np.abs(counts - mass).sum() + abs(outside_samples - outside_p0)))


@dataclass(frozen=True)
class Quality:
    w1: float
    tv: float


def quality(samples: np.ndarray, p0: GaussianMixture) -> Quality:
    return Quality(wasserstein1(samples, p0), tv_histogram(samples, p0))


@dataclass(frozen=True)
class ErrorBudget:
    """W1 to p0 of one sampler, built up one ingredient at a time.

    discretization   exact score, exact pT start: only the finite steps remain
    + prior          exact score, N(0, Tσ²) start: adds the prior mismatch
    + learned score  learned score, N(0, Tσ²) start: what a user actually gets
    prior_limit      W1 of the N(0, Tσ²) start alone with infinitely fine steps, computed exactly
    """

    method: str
    discretization: float
    with_prior: float
    with_learned: float | None
    prior_limit: float | None = None  # what the prior part tends to with infinitely fine steps (prior_floor_limit)

    @property
    def prior_mismatch(self) -> float:
        return self.with_prior - self.discretization

    @property
    def learned_score(self) -> float | None:
        return None if self.with_learned is None else self.with_learned - self.with_prior


def error_budget(setup: WalkSetup, method: str, n: int, seed: int = 0, learned: ScoreFn | None = None,
                 should_stop: Callable[[], bool] | None = None) -> ErrorBudget:
    """Measure the three sources of error by swapping one ingredient for its exact version.
    ``should_stop`` is asked at every sampling step (InterruptedError when it says stop)."""
    exact = exact_score_fn(setup)
    run = partial(sample, setup, n=n, method=method, seed=seed, max_frames=2, should_stop=should_stop)
    d = wasserstein1(run(exact, start="exact").x0, setup.p0)
    p = wasserstein1(run(exact, start="prior").x0, setup.p0)
    lw = None
    if learned is not None:
        lw = wasserstein1(run(learned, start="prior").x0, setup.p0)
    return ErrorBudget(method, d, p, lw, prior_floor_limit(setup, method, "prior"))


# ---- Problem 4's ε forms against the score forms --------------------------------------------------
@dataclass(frozen=True)
class EpsFormCheck:
    """One of Problem 4's ε samplers run beside its score form (same seed, same start, same noise):
    xt−1 = xt − εθ/t + σz against xt−1 = xt + σ²sθ + σz, or xt−1 = xt − εθ/(2t) against xt−1 = xt + ½σ²sθ."""

    method: str  # the score form: "stochastic" or "deterministic"
    w1: float  # W1 to p0 of the ε form
    w1_score_form: float
    max_abs_difference: float  # max over particles of |x0 (ε form) − x0 (score form)|


def eps_form_check(setup: WalkSetup, score: ScoreFn, n: int, *, eps: EpsFn | None = None, seed: int = 0,
                   start: str = "prior", score_samples: dict[str, np.ndarray] | None = None) -> tuple[EpsFormCheck, ...]:
    """Sample with Problem 4's ε forms (εθ = eps, or −tσ² s) and with the score forms; how far apart they end.
    score_samples: method → x0 of sample(setup, score, n, method=method, start=start, seed=seed) already
    run (the quality table's learned runs), so the score forms are not sampled a second time."""
    out = []
    for method in ("stochastic", "deterministic"):
        by_eps = sample(setup, score, n, method=f"eps_{method}", start=start, seed=seed, max_frames=2, eps=eps).x0
        by_score = (score_samples or {}).get(method)
        if by_score is None or len(by_score) != n:
            by_score = sample(setup, score, n, method=method, start=start, seed=seed, max_frames=2).x0
        out.append(EpsFormCheck(method, wasserstein1(by_eps, setup.p0), wasserstein1(by_score, setup.p0),
                                float(np.max(np.abs(by_eps - by_score)))))
    return tuple(out)
