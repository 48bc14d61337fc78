"""Problem 3's samplers, measured: W1 to p0 against the number of steps T at a fixed Tσ², exact score.

For each sampler and each start (the exact pT, or the homework's N(0, Tσ²)) the W1 distance of the
sampler's OUTPUT LAW to p0 is computed without Monte Carlo noise, so a log–log fit of W1 against T
gives the order p in W1 ∝ T^−p cleanly:

  deterministic samplers (½-step flow, the homework's two-step form (4), Heun, the flow without the ½)
      map xT to x0 monotonically, so n stratified starts xT,i = Fstart⁻¹((i + ½)/n) go to the
      quantiles of the output law, and W1 = ∫₀¹ |Qout(u) − Q0(u)| du ≈ (1/n) Σi |x0,(i) − Q0((i + ½)/n)|.
  the stochastic sampler  xt−1 = xt + σ² s(xt, t) + σz  is a Markov kernel, so its law is pushed
      through each step on a grid (no particles at all):
          qt−1(y) = ∫ qt(x) N(y; x + σ² s(x, t), σ²) dx     (trapezoid on a grid of step min(σ, min sk)/3,
      where the integrand is smooth on the scale of σ and the trapezoid rule converges spectrally: halving
      the grid step changes W1 by ~1e-9 relative at T = 100 and 800), and
      the last step gives the output CDF  F(y) = Σi qi h Φ((y − mi)/σ)  exactly for that grid law;
      W1 = ∫ |F − F0| dy.  Zero variance, so no 1/√N sampling floor flattens the slope.

Expected: order 1 for stochastic, the ½-step flow and the two-step form; order 2 for Heun; no
convergence at all for the flow without the ½ (it is the wrong ODE, not a coarse one). From N(0, Tσ²)
W1 levels off at the prior floor (walk.prior_floor_limit), which no T removes.
"""

from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.walk import STEPS, WalkSetup, _Walker, exact_score_fn, marginal_at, prior_floor_limit, start_distribution

ORDER_METHODS = ("stochastic", "deterministic", "two_step", "heun", "no_half")
ORDER_STARTS = ("exact", "prior")
LABELS = {"stochastic": "stochastic", "deterministic": "½-step flow", "two_step": "two-step (4)",
          "heun": "Heun", "no_half": "flow without ½"}
EXPECTED_ORDER = {"stochastic": 1.0, "deterministic": 1.0, "two_step": 1.0, "heun": 2.0, "no_half": 0.0}
DEFAULT_TS = (100, 200, 400, 800)  # even (the two-step form takes whole pairs), past the pre-asymptotic T = 50
FULL_TS = (50, 100, 200, 500, 1000, 2000)
DEFAULT_TOTAL = 25.0
STRATA = 4000


@dataclass(frozen=True)
class OrderRow:
    """One sampler from one start: W1 to p0 at each T, and the least-squares slope of log W1 on log T."""

    method: str
    start: str
    T: tuple[int, ...]
    w1: tuple[float, ...]
    slope: float
    prior_floor: float | None  # W1 left by the start with infinitely fine steps (0 from the exact pT)

    @property
    def order(self) -> float:
        """p in W1 ∝ T^−p (minus the slope)."""
        return -self.slope

    @property
    def label(self) -> str:
        return LABELS[self.method]


@dataclass(frozen=True)
class Orders:
    """The whole measurement: p0, Tσ², the rows, and how W1 was computed."""

    mixture: GaussianMixture
    total_variance: float
    T: tuple[int, ...]
    rows: tuple[OrderRow, ...]
    strata: int

    def table(self):
        """The measurement as an engine Table (what the screen's Orders view and exports show)."""
        from engine.tables import Column, table

        cols = [Column("sampler"), Column("from")] + [Column(f"T={T}", ".3g", f"w1_T{T}") for T in self.T] + [
            Column("order", ".2f", "order"), Column("expect", ".0f", "expected_order")]
        rows = [[r.label, "p_T" if r.start == "exact" else "N(0,Tσ²)", *r.w1, r.order, EXPECTED_ORDER[r.method]]
                for r in self.rows]
        return table("orders", f"W1 to p₀ against T, exact score, Tσ² = {self.total_variance:g}", cols, rows,
                     notes=["order = −slope of log W1 on log T (W1 ∝ T^−order). From N(0, Tσ²) W1 levels off at "
                            "the prior's floor, so only the rows from p_T show the samplers' own orders; the flow "
                            "without the ½ does not converge."])

    def row(self, method: str, start: str) -> OrderRow:
        for r in self.rows:
            if r.method == method and r.start == start:
                return r
        raise KeyError((method, start))

    def as_dict(self) -> dict:
        return {
            "mixture": self.mixture.format(), "total_variance": self.total_variance, "T": list(self.T),
            "how": {"flows": f"{self.strata} stratified starts x_T,i = F_start^-1((i+1/2)/n), W1 = mean |x0_(i) - Q0((i+1/2)/n)|",
                    "stochastic": "the sampler's law pushed through each step on a grid (no particles, no sampling noise)"},
            "rows": [{"method": r.method, "label": r.label, "start": r.start, "T": list(r.T), "w1": list(r.w1),
                      "slope": r.slope, "order": r.order, "expected_order": EXPECTED_ORDER[r.method],
                      "prior_floor": r.prior_floor} for r in self.rows],
        }


# ---- noise-free W1 ------------------------------------------------------------------------------
def mixture_quantiles(mixture: GaussianMixture, u: np.ndarray) -> np.ndarray:
    """F⁻¹(u): interpolation on a grid, then four Newton steps x ← x − (F(x) − u)/p(x) (≈ 1e-12)."""
    u = np.asarray(u, dtype=float)
    lo, hi = mixture.support(12.0)
    grid = np.linspace(lo, hi, 20_001)
    x = np.interp(u, mixture.cdf(grid), grid)
    for _ in range(4):
        x = x - (mixture.cdf(x) - u) / np.maximum(mixture.pdf(x), 1e-300)
    return x


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ(z) by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7; numpy has no erf and math.erf is per element)."""
    a = np.abs(z) / math.sqrt(2.0)
    k = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k
    return 0.5 * (1.0 + np.sign(z) * (1.0 - poly * np.exp(-a * a)))


def flow_w1(setup: WalkSetup, method: str, start: str, strata: int = STRATA) -> float:
    """W1 to p0 of a deterministic sampler from stratified starts (no sampling noise; see the module doc)."""
    if method == "stochastic" or method not in STEPS:
        raise InvalidInput(f"flow_w1 takes a deterministic method, got {method!r}")
    u = (np.arange(strata) + 0.5) / strata
    x = mixture_quantiles(start_distribution(setup, start), u)
    walker = _Walker(exact_score_fn(setup), None, setup.sigma2, np.random.default_rng(0), strata)
    step, t = STEPS[method], setup.T
    while t > 0:
        x, t = step(walker, x, t)
    return float(np.mean(np.abs(np.sort(x) - _p0_quantiles(setup.p0, strata))))


@lru_cache(maxsize=8)
def _p0_quantiles(p0: GaussianMixture, strata: int) -> np.ndarray:
    q = mixture_quantiles(p0, (np.arange(strata) + 0.5) / strata)
    q.flags.writeable = False
    return q


def stochastic_law_w1(setup: WalkSetup, start: str, cells_per_scale: float = 3.0) -> float:
    """W1 to p0 of the stochastic sampler's output law, pushed through every step on a grid (module doc)."""
    q0 = start_distribution(setup, start)
    sigma = setup.sigma
    h = min(sigma, min(setup.p0.stds)) / cells_per_scale
    lo1, hi1 = marginal_at(setup, setup.T).support(10.0)
    lo2, hi2 = q0.support(10.0)
    x = np.arange(min(lo1, lo2), max(hi1, hi2) + h, h)
    w = q0.pdf(x) * h
    w /= w.sum()
    score = exact_score_fn(setup)
    norm = h / (math.sqrt(2 * math.pi) * sigma)
    for t in range(setup.T, 1, -1):
        m = x + setup.sigma2 * score(x, t)
        live = w > 1e-18
        reach = int(math.ceil((8.5 * sigma + np.max(np.abs(m - x)[live])) / h))
        q = np.zeros_like(w)
        for d in range(-reach, reach + 1):  # mass at x_i lands around m_i; x_{i+d} collects it
            src = slice(max(0, -d), len(x) - max(0, d))
            dst = slice(max(0, d), len(x) - max(0, -d))
            q[dst] += w[src] * np.exp(-0.5 * ((x[dst] - m[src]) / sigma) ** 2)
        w = q * norm
    m = x + setup.sigma2 * score(x, 1)
    live = w > 1e-18
    m, w = m[live], w[live]
    y = np.linspace(*setup.p0.support(9.0), 6001)
    F = np.zeros_like(y)
    for c in range(0, len(m), 512):
        F += _normal_cdf((y[:, None] - m[None, c:c + 512]) / sigma) @ w[c:c + 512]
    return float(np.trapezoid(np.abs(F / w.sum() - setup.p0.cdf(y)), y))


def sampler_w1(setup: WalkSetup, method: str, start: str, strata: int = STRATA) -> float:
    """W1 to p0 of one sampler's output law with the exact score, computed without sampling noise."""
    if method == "stochastic":
        return stochastic_law_w1(setup, start)
    return flow_w1(setup, method, start, strata)


def loglog_slope(T, w1) -> float:
    """Least-squares slope of log W1 against log T."""
    return float(np.polyfit(np.log(np.asarray(T, dtype=float)), np.log(np.asarray(w1, dtype=float)), 1)[0])


def sampler_orders(p0: GaussianMixture = DEFAULT_MIXTURE, Ts=DEFAULT_TS, total_variance: float = DEFAULT_TOTAL,
                   methods=ORDER_METHODS, starts=ORDER_STARTS, strata: int = STRATA) -> Orders:
    """W1 to p0 against T at fixed Tσ² for each sampler and start, with the fitted log–log slopes."""
    Ts = tuple(int(T) for T in Ts)
    if len(Ts) < 2 or len(set(Ts)) != len(Ts):
        raise InvalidInput(f"the orders need two or more different T, got {list(Ts)}")
    if any(T < 2 for T in Ts):
        raise InvalidInput(f"every T must be ≥ 2, got {list(Ts)}")
    for m in methods:
        if m not in ORDER_METHODS:
            raise InvalidInput(f"method must be one of {', '.join(ORDER_METHODS)}, got {m!r}")
    for s in starts:
        if s not in ORDER_STARTS:
            raise InvalidInput(f"start must be one of {', '.join(ORDER_STARTS)}, got {s!r}")
    setups = [WalkSetup(p0, T, total_variance / T) for T in Ts]
    rows = []
    for start in starts:
        for method in methods:
            w1 = tuple(sampler_w1(s, method, start, strata) for s in setups)
            floor = None
            if start == "exact":
                floor = 0.0
            elif method != "no_half":
                floor = prior_floor_limit(setups[-1], method, start)
            rows.append(OrderRow(method, start, Ts, w1, loglog_slope(Ts, w1), floor))
    return Orders(p0, float(total_variance), Ts, tuple(rows), strata)


# ---- what a plot needs --------------------------------------------------------------------------
@dataclass(frozen=True)
class OrdersSeries:
    label: str
    method: str
    start: str
    log10_T: tuple[float, ...]
    log10_w1: tuple[float, ...]
    slope: float


@dataclass(frozen=True)
class OrdersPlot:
    """log10 W1 against log10 T per (sampler, start), plus reference lines of slope −1 and −2."""

    series: tuple[OrdersSeries, ...]
    references: tuple[OrdersSeries, ...]
    x_label: str = "log10 T"
    y_label: str = "log10 W1 to p0"


def orders_plot_data(orders: Orders, start: str | None = "exact") -> OrdersPlot:
    """The series for a log–log plot (one start, or all with start=None), with T^−1 and T^−2 guides
    through the first point of the ½-step flow (or the first series) so the slopes can be read off."""
    rows = [r for r in orders.rows if start is None or r.start == start]
    series = tuple(OrdersSeries(f"{r.label} ({r.start}) slope {r.slope:+.2f}", r.method, r.start,
                                tuple(math.log10(T) for T in r.T), tuple(math.log10(v) for v in r.w1), r.slope)
                   for r in rows)
    anchor = next((r for r in rows if r.method == "deterministic"), rows[0] if rows else None)
    refs = ()
    if anchor is not None:
        x = tuple(math.log10(T) for T in anchor.T)
        y0 = math.log10(anchor.w1[0])
        refs = tuple(OrdersSeries(f"T^-{p}", "reference", "", x, tuple(y0 - p * (v - x[0]) for v in x), float(-p))
                     for p in (1, 2))
    return OrdersPlot(series, refs)
