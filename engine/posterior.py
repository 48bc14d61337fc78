"""Problem 2: the backward conditional of y = x + e, e ~ N(0, σ²), for a Gaussian-mixture p(x).

With p(x) = Σk wk N(μk, sk²) everything is exact:

    p̃(y)    = Σk wk N(y; μk, sk² + σ²)                                   (marginal_density)
    p(x|y)  = Σk πk(y) N(x; mk, vk)                                      (exact_backward_conditional)
              mk = (μk σ² + y sk²)/(sk² + σ²),  vk = sk² σ²/(sk² + σ²),
              πk(y) ∝ wk N(y; μk, sk² + σ²)

The homework's small-σ² approximation (first-order Taylor expansion of log p(x) around y):

    p(x|y) ≈ N(y + σ² ∇log p(y), σ²)                                      (approximate_backward_conditional)

Its errors shrink as σ² → 0; :func:`error_rates` measures them over several decades and fits
the rate (the slope of log error against log σ²).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput
from engine.mixture import GaussianMixture

DEFAULT_SIGMA2 = 0.05
DEFAULT_Y = 0.0
DEFAULT_SIGMA2_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
ASYMPTOTIC_SIGMA2 = 1e-2
"""The rates are fitted on σ² ≤ this: there the leading terms dominate (at σ² = 0.1 and 1 the next
order still bends the curve, and a fit through them gives 0.89–0.91 for TV and 1.6–1.95 for the rest)."""
PHI_1 = math.exp(-0.5) / math.sqrt(2 * math.pi)
"""φ(1) = e^(−1/2)/√(2π) ≈ 0.242: TV between N(0, 1) and N(0, 1 + δ) is φ(1)|δ| to first order."""


MIN_SIGMA2, MAX_SIGMA2 = 1e-12, 1e6
MAX_ABS_Y = 1e6
"""σ² in [1e-12, 1e6] and |y| ≤ 1e6: σ² = 0 means no noise (p(x|y) is a point mass) and a
subnormal σ² such as 5e-324 makes vk = sk²σ²/(sk² + σ²) underflow to 0 (then log 0 and 0/0: pages
of RuntimeWarnings). With the mixture's input limits (engine.mixture) these keep every posterior
component within the range any mixture may hold (std ≥ √(½·1e-12), |mk| ≤ 1e6), so densities,
scores and the comparison grid stay finite."""


MAX_PARTICLES = 10**7
"""Particles for :func:`particles_near`: each is a few float64 arrays of n (≈ 80 MB each at 10⁷,
about a second); beyond that the check costs gigabytes without telling anything new."""


def check_sigma2(sigma2: float) -> float:
    """σ² must be a finite number in [MIN_SIGMA2, MAX_SIGMA2]."""
    if isinstance(sigma2, bool) or not isinstance(sigma2, (int, float)) or not math.isfinite(sigma2) or sigma2 <= 0:
        raise InvalidInput(f"σ² must be a finite number > 0, got {sigma2!r}")
    if not MIN_SIGMA2 <= sigma2 <= MAX_SIGMA2:
        raise InvalidInput(f"σ² must be between {MIN_SIGMA2:g} and {MAX_SIGMA2:g}, got {sigma2:g}")
    return float(sigma2)


def check_y(y: float) -> float:
    """y must be a finite number with |y| ≤ MAX_ABS_Y."""
    if isinstance(y, bool) or not isinstance(y, (int, float)) or not math.isfinite(y):
        raise InvalidInput(f"y must be a finite number, got {y!r}")
    if abs(y) > MAX_ABS_Y:
        raise InvalidInput(f"y must be between {-MAX_ABS_Y:g} and {MAX_ABS_Y:g}, got {y:g}")
    return float(y)


def marginal_density(prior: GaussianMixture, sigma2: float) -> GaussianMixture:
    """p̃(y) = ∫ p(x) N(y; x, σ²) dx = Σk wk N(y; μk, sk² + σ²)."""
    return prior.convolve(check_sigma2(sigma2))


def exact_backward_conditional(prior: GaussianMixture, sigma2: float, y: float) -> GaussianMixture:
    """p(x|y) ∝ p(x) N(y; x, σ²) = Σk πk N(x; mk, vk) with
    mk = (μk σ² + y sk²)/(sk² + σ²), vk = sk²σ²/(sk² + σ²), πk ∝ wk N(y; μk, sk² + σ²).

    The πk are float64: a component whose πk is below e^−745 times the largest (y hundreds of
    standard deviations from it) rounds to 0 and is left out — the mixture is exact for every other."""
    sigma2, y = check_sigma2(sigma2), check_y(y)
    w, mu, s = (np.asarray(a) for a in (prior.weights, prior.means, prior.stds))
    s2 = s**2
    log_pi = marginal_density(prior, sigma2).component_logpdf(np.array([y]))[0]
    log_pi = log_pi - np.max(log_pi)
    pi = np.exp(log_pi)
    pi = pi / pi.sum()
    means = (mu * sigma2 + y * s2) / (s2 + sigma2)
    var = s2 * sigma2 / (s2 + sigma2)
    keep = pi > 0  # a weight that underflowed (see above) is the only one left out
    return GaussianMixture(tuple(pi[keep]), tuple(means[keep]), tuple(np.sqrt(var[keep])))


@dataclass(frozen=True)
class GaussianApprox:
    """N(mean, variance)."""

    mean: float
    variance: float

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return -0.5 * math.log(2 * math.pi * self.variance) - 0.5 * (x - self.mean) ** 2 / self.variance

    def pdf(self, x: np.ndarray) -> np.ndarray:
        return np.exp(self.logpdf(x))


def approximate_backward_conditional(prior: GaussianMixture, sigma2: float, y: float) -> GaussianApprox:
    """The homework's approximation: p(x|y) ≈ N(y + σ² ∇log p(y), σ²).

    From log p(x) ≈ log p(y) + (x − y)∇log p(y): p(x|y) ∝ exp[(x−y)∇log p(y) − (x−y)²/(2σ²)],
    a Gaussian with mean y + σ²∇log p(y) and variance σ².
    """
    sigma2, y = check_sigma2(sigma2), check_y(y)
    return GaussianApprox(y + sigma2 * float(prior.score(np.array([y]))[0]), sigma2)


def tweedie_mean(prior: GaussianMixture, sigma2: float, y: float) -> float:
    """Tweedie's formula, exact: E[x|y] = y + σ² ∇log p̃(y) (the score of the *noisy* marginal)."""
    sigma2, y = check_sigma2(sigma2), check_y(y)
    return y + sigma2 * float(marginal_density(prior, sigma2).score(np.array([y]))[0])


@dataclass(frozen=True)
class PosteriorComparison:
    """The exact p(x|y) against the approximation, at one σ² and y."""

    sigma2: float
    y: float
    exact: GaussianMixture
    approx: GaussianApprox
    exact_mean: float
    exact_variance: float
    mean_error: float  # |E_exact − E_approx|
    variance_error: float  # |Var_exact − σ²|
    tv: float  # ½∫|p − q|
    kl: float  # ∫ p log(p/q), p exact, q approximation


def _grid(exact: GaussianMixture, approx: GaussianApprox, n: int = 20001) -> np.ndarray:
    """A grid that holds (almost) all of both densities' mass, fine enough for the narrower."""
    width = math.sqrt(approx.variance)
    # Far-away components with negligible weight would stretch the grid and starve the peak
    # of points, so restrict the grid to components that carry mass.
    heavy = [k for k, w in enumerate(exact.weights) if w > 1e-12]
    lo = min([exact.means[k] - 9.0 * exact.stds[k] for k in heavy] + [approx.mean - 9.0 * width])
    hi = max([exact.means[k] + 9.0 * exact.stds[k] for k in heavy] + [approx.mean + 9.0 * width])
    return np.linspace(lo, hi, n)


def compare(prior: GaussianMixture, sigma2: float, y: float) -> PosteriorComparison:
    """Mean, variance, TV and KL(exact ‖ approx) of the approximation at σ² and y.

    TV = ½∫|p − q| dx and KL = ∫ p log(p/q) dx by the trapezoid rule on a fine grid.
    """
    exact = exact_backward_conditional(prior, sigma2, y)
    approx = approximate_backward_conditional(prior, sigma2, y)
    grid = _grid(exact, approx)
    log_p, log_q = exact.logpdf(grid), approx.logpdf(grid)
    p, q = np.exp(log_p), np.exp(log_q)
    tv = 0.5 * float(np.trapezoid(np.abs(p - q), grid))
    kl = float(np.trapezoid(np.where(p > 0, p * (log_p - log_q), 0.0), grid))
    m, v = exact.mean(), exact.variance()
    return PosteriorComparison(
        sigma2=float(sigma2), y=float(y), exact=exact, approx=approx,
        exact_mean=m, exact_variance=v,
        mean_error=abs(m - approx.mean), variance_error=abs(v - approx.variance),
        tv=min(max(tv, 0.0), 1.0), kl=max(kl, 0.0),
    )


def fitted_rate(sigma2s, errors) -> float:
    """Slope of log(error) against log(σ²) by least squares: error ≈ C·(σ²)^rate.

    Only positive, finite errors count; NaN if fewer than two remain.
    """
    x = np.log(np.asarray(sigma2s, dtype=float))
    e = np.asarray(errors, dtype=float)
    ok = np.isfinite(e) & (e > 0)
    if ok.sum() < 2:
        return math.nan
    return float(np.polyfit(x[ok], np.log(e[ok]), 1)[0])


@dataclass(frozen=True)
class ErrorRates:
    """The approximation's errors over a range of σ², with each error's fitted rate."""

    y: float
    rows: tuple[PosteriorComparison, ...]
    rate_mean: float
    rate_variance: float
    rate_tv: float
    rate_kl: float
    fit_max_sigma2: float = math.inf  # the rates are fitted on the rows with σ² ≤ this
    leading: LeadingTerms | None = None  # the predicted leading terms at y

    @property
    def fitted_rows(self) -> tuple[PosteriorComparison, ...]:
        return tuple(r for r in self.rows if r.sigma2 <= self.fit_max_sigma2)


def error_rates(prior: GaussianMixture, y: float, sigma2s=DEFAULT_SIGMA2_GRID,
                fit_max_sigma2: float = ASYMPTOTIC_SIGMA2) -> ErrorRates:
    """Compare exact and approximate p(x|y) for each σ² and fit error ∝ (σ²)^rate on σ² ≤ fit_max_sigma2
    (all rows if fewer than two are that small).

    Expected for a smooth p (leading_terms): mean and variance errors O(σ⁴), TV O(σ²), KL O(σ⁴) —
    when ℓ″(y) ≠ 0 (and ℓ‴/2 + ℓ′ℓ″ ≠ 0 for the mean), ℓ = log p.
    """
    rows = tuple(compare(prior, s, y) for s in sigma2s)
    fit = [r for r in rows if r.sigma2 <= fit_max_sigma2]
    if len(fit) < 2:
        fit, fit_max_sigma2 = list(rows), math.inf
    s = [r.sigma2 for r in fit]
    return ErrorRates(
        y=float(y), rows=rows,
        rate_mean=fitted_rate(s, [r.mean_error for r in fit]),
        rate_variance=fitted_rate(s, [r.variance_error for r in fit]),
        rate_tv=fitted_rate(s, [r.tv for r in fit]),
        rate_kl=fitted_rate(s, [r.kl for r in fit]),
        fit_max_sigma2=float(fit_max_sigma2),
        leading=leading_terms(prior, y),
    )


def log_density_derivatives(prior: GaussianMixture, y: float) -> tuple[float, float, float]:
    """ℓ′, ℓ″, ℓ‴ of ℓ = log p at y for a mixture: with an = p⁽ⁿ⁾/p = Σk rk(y) hn,k,
    h1 = gk, h2 = gk² − 1/sk², h3 = gk³ − 3gk/sk² (gk = (μk − y)/sk²):
    ℓ′ = a1,  ℓ″ = a2 − a1²,  ℓ‴ = a3 − 3a1a2 + 2a1³."""
    m, s = np.asarray(prior.means), np.asarray(prior.stds)
    r = prior.responsibilities(np.array([float(y)]))[0]
    g = (m - y) / s**2
    a1 = float(np.sum(r * g))
    a2 = float(np.sum(r * (g**2 - 1 / s**2)))
    a3 = float(np.sum(r * (g**3 - 3 * g / s**2)))
    return a1, a2 - a1**2, a3 - 3 * a1 * a2 + 2 * a1**3


@dataclass(frozen=True)
class LeadingTerms:
    """The approximation's errors to leading order in σ² at y (ℓ = log p, derivatives at y):

        mean error      E_exact − E_approx ≈ σ⁴ (ℓ‴/2 + ℓ′ℓ″)
        variance error  Var_exact − σ²     ≈ σ⁴ ℓ″
        TV                                 ≈ φ(1) σ² |ℓ″| ≈ 0.242 σ² |ℓ″|
        KL(exact ‖ approx)                 ≈ σ⁴ ℓ″² / 4

    (x = y + σu: the exact posterior is N(σℓ′, 1/(1 − σ²ℓ″)) in u up to a cubic σ³ℓ‴u³/6.) So the rates
    1 (TV) and 2 (variance, KL) need ℓ″(y) ≠ 0, and the mean's rate 2 needs ℓ‴/2 + ℓ′ℓ″ ≠ 0; where one
    vanishes that error falls faster than its rate says."""

    y: float
    dl1: float  # ℓ′(y)
    dl2: float  # ℓ″(y)
    dl3: float  # ℓ‴(y)

    @property
    def mean_coefficient(self) -> float:
        """ℓ‴/2 + ℓ′ℓ″: the mean error is σ⁴ times this."""
        return 0.5 * self.dl3 + self.dl1 * self.dl2

    def mean_error(self, sigma2: float) -> float:
        return sigma2**2 * abs(self.mean_coefficient)

    def variance_error(self, sigma2: float) -> float:
        return sigma2**2 * abs(self.dl2)

    def tv(self, sigma2: float) -> float:
        return PHI_1 * sigma2 * abs(self.dl2)

    def kl(self, sigma2: float) -> float:
        return sigma2**2 * self.dl2**2 / 4

    def predicted(self, sigma2: float) -> dict[str, float]:
        return {"mean": self.mean_error(sigma2), "variance": self.variance_error(sigma2),
                "tv": self.tv(sigma2), "kl": self.kl(sigma2)}

    def curvature_vanishes(self, tol: float = 1e-9) -> bool:
        """ℓ″(y) = 0: TV, variance and KL then fall faster than σ², σ⁴, σ⁴."""
        return abs(self.dl2) <= tol * (1 + self.dl1**2)

    def mean_term_vanishes(self, tol: float = 1e-9) -> bool:
        """ℓ‴/2 + ℓ′ℓ″ = 0: the mean error then falls faster than σ⁴."""
        return abs(self.mean_coefficient) <= tol * (1 + abs(self.dl1) ** 3)

    def as_dict(self) -> dict:
        return {"y": self.y, "dlogp": self.dl1, "d2logp": self.dl2, "d3logp": self.dl3,
                "mean_coefficient": self.mean_coefficient, "variance_coefficient": self.dl2,
                "tv_coefficient": PHI_1 * abs(self.dl2), "kl_coefficient": self.dl2**2 / 4,
                "curvature_vanishes": self.curvature_vanishes(), "mean_term_vanishes": self.mean_term_vanishes()}


def leading_terms(prior: GaussianMixture, y: float) -> LeadingTerms:
    """ℓ′, ℓ″, ℓ‴ of log p at y, packaged with the leading error terms they give (LeadingTerms)."""
    y = check_y(y)
    return LeadingTerms(float(y), *log_density_derivatives(prior, y))


@dataclass(frozen=True)
class ParticleCheck:
    """Particles x ~ p(x) moved to y' = x + e; those landing within ``window`` of y, by origin."""

    origins: np.ndarray  # x of the particles that landed near y
    n_particles: int
    window: float
    seed: int

    @property
    def n_selected(self) -> int:
        return int(self.origins.size)


def particles_near(prior: GaussianMixture, sigma2: float, y: float, n: int = 1_000_000,
                   window: float | None = None, seed: int = 0) -> ParticleCheck:
    """Sample x ~ p(x), y' = x + e with e ~ N(0, σ²), keep x where |y' − y| < window.

    The kept x are (approximately, exactly as window → 0) draws from p(x|y): where the people
    who end up at y came from. Default window: σ/10.
    """
    sigma2, y = check_sigma2(sigma2), check_y(y)
    if not 1 <= n <= MAX_PARTICLES:
        raise InvalidInput(f"number of particles must be from 1 to {MAX_PARTICLES:,}, got {n}")
    window = 0.1 * math.sqrt(sigma2) if window is None else float(window)
    if not window > 0:
        raise InvalidInput(f"window must be > 0, got {window}")
    rng = np.random.default_rng(seed)
    x = prior.sample(n, rng)
    y_prime = x + math.sqrt(sigma2) * rng.standard_normal(n)
    return ParticleCheck(x[np.abs(y_prime - y) < window], int(n), window, int(seed))



def _posterior_variances(w: np.ndarray, mu: np.ndarray, s2: np.ndarray, v: np.ndarray, nodes: int) -> np.ndarray:
    """E_y[Var(x | y)] for n priors at once: row i has component variances s2[i] and noise v[i]."""
    z, h = np.polynomial.hermite.hermgauss(nodes)  # ∫ e^{−z²} f(z) dz ≈ Σ h f(z)
    a = s2 + v[:, None]  # (n, K): the components of p̃(y)
    y = mu[None, :, None] + np.sqrt(2 * a)[:, :, None] * z[None, None, :]  # (n, J, nodes)
    y = y.reshape(len(v), -1)
    quad = np.broadcast_to((w[:, None] * h[None, :] / np.sqrt(np.pi)).ravel(), y.shape)
    log_pi = np.log(w)[None, None, :] - 0.5 * (y[:, :, None] - mu[None, None, :]) ** 2 / a[:, None, :] \
        - 0.5 * np.log(2 * np.pi * a)[:, None, :]
    pi = np.exp(log_pi - log_pi.max(axis=2, keepdims=True))
    pi /= pi.sum(axis=2, keepdims=True)
    m = (mu[None, None, :] * v[:, None, None] + y[:, :, None] * s2[:, None, :]) / a[:, None, :]
    var_k = (s2 * v[:, None] / a)[:, None, :]
    var = np.sum(pi * (var_k + m**2), axis=2) - np.sum(pi * m, axis=2) ** 2
    return np.sum(quad * np.maximum(var, 0.0), axis=1)


def expected_posterior_variance(prior: GaussianMixture, noise_variance: float, nodes: int = 24) -> float:
    """E_y[Var(x | y)] for y = x + e, x ~ p(x), e ~ N(0, v): the smallest mean squared error of any
    prediction f(y) of x (reached by f(y) = E[x | y]).

    Var(x | y) = Σk πk(vk + mk²) − (Σk πk mk)² from the exact backward conditional (mk, vk, πk as in
    exact_backward_conditional); the average over y ~ p̃(y) = Σj wj N(μj, sj² + v) by Gauss–Hermite
    quadrature on each component (``nodes`` points each: Var(x | y) is smooth in y)."""
    w, mu, s = (np.asarray(a, dtype=float) for a in (prior.weights, prior.means, prior.stds))
    return float(_posterior_variances(w, mu, (s**2)[None, :], np.array([float(noise_variance)]), nodes)[0])


def homework_loss_minimum(p0: GaussianMixture, T: int, sigma2: float, target: str = "p3",
                          nodes: int = 24) -> float:
    """The least value the homework's L(θ) = (1/T) Σt E ℓ can take, over every sθ:
    p3 (ℓ = (xt−1 − (xt + σ²sθ))²): (1/T) Σt E Var(xt−1 | xt), xt−1 ~ pt−1 = p0 ∗ N(0, (t−1)σ²), noise σ²;
    p4 (ℓ = (x0 − (xt + tσ²sθ))²):  (1/T) Σt E Var(x0 | xt), noise tσ².
    Reached by sθ = ∇log pt (Tweedie), so a trained network's loss can only come down to it: the floor
    drawn under the Loss view's curve. (expected_posterior_variance for every t, in blocks of t.)"""
    if target not in ("p3", "p4"):
        raise InvalidInput(f"target must be p3 or p4, got {target!r}")
    w, mu, s = (np.asarray(a, dtype=float) for a in (p0.weights, p0.means, p0.stds))
    t_all = np.arange(1, int(T) + 1, dtype=float)
    block = max(1, 200_000 // (len(w) * len(w) * nodes))  # ≤ ~200k numbers per array
    total = 0.0
    for i in range(0, len(t_all), block):
        t = t_all[i:i + block]
        if target == "p3":
            s2, v = s[None, :] ** 2 + ((t - 1) * sigma2)[:, None], np.full(len(t), float(sigma2))
        else:
            s2, v = np.broadcast_to(s[None, :] ** 2, (len(t), len(w))), t * sigma2
        total += float(np.sum(_posterior_variances(w, mu, s2, v, nodes)))
    return total / int(T)
