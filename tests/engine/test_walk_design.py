"""The numbers DESIGN.md asks the samplers to reproduce, at T = 1000 with Tσ² = 25 and the exact score.

The deterministic flow keeps the order of particles, so it is run on n stratified particles
xT,i = FT⁻¹((i+½)/n): its output y_i is then compared with the p0 quantiles qi = F0⁻¹((i+½)/n)
and W1 = mean |y_i − q_i| has no Monte Carlo noise — a few thousand particles measure it exactly.
The prior floor is checked against an independent prediction: the exact (continuous-time) flow
is the monotone map F0⁻¹∘FT, so starting from N(0, Tσ²) it delivers F0⁻¹(FT(√(Tσ²) Φ⁻¹(u))).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.walk import (
    WalkSetup, error_budget, exact_score, exact_score_fn, marginal_at, prior_floor_limit, reverse_step_deterministic,
    reverse_step_heun, reverse_step_two, sample, wasserstein1,
)

TOTAL = 25.0  # Tσ²
N = 4000
U = (np.arange(N) + 0.5) / N


def quantiles(mixture: GaussianMixture, u: np.ndarray) -> np.ndarray:
    """F⁻¹(u) by interpolating the exact CDF on a fine grid (error ~1e-5, far below what is measured)."""
    lo, hi = mixture.support(9.0)
    grid = np.linspace(lo, hi, 400_001)
    return np.interp(u, mixture.cdf(grid), grid)


def normal_quantiles(u: np.ndarray) -> np.ndarray:
    inv = NormalDist().inv_cdf
    return np.array([inv(float(v)) for v in u])


def flow(setup: WalkSetup, x: np.ndarray, half: bool = True) -> np.ndarray:
    """Run the deterministic reverse from t = T to 0: xt−1 = xt + ½σ²s (or, half=False, + σ²s)."""
    step = reverse_step_deterministic if half else reverse_step_two
    for t in range(setup.T, 0, -1):
        x = step(x, exact_score(setup, x, t), setup.sigma2)
    return x


def heun_flow(setup: WalkSetup, x: np.ndarray) -> np.ndarray:
    score = exact_score_fn(setup)
    for t in range(setup.T, 0, -1):
        x = reverse_step_heun(x, score, t, setup.sigma2)
    return x


def w1_to_p0_quantiles(y: np.ndarray) -> float:
    return float(np.mean(np.abs(np.sort(y) - quantiles(DEFAULT_MIXTURE, U))))


@pytest.fixture(scope="module")
def deterministic_w1():
    out = {}
    for T in (250, 1000):
        s = WalkSetup(DEFAULT_MIXTURE, T, TOTAL / T)
        out[T] = w1_to_p0_quantiles(flow(s, quantiles(marginal_at(s, T), U)))
    return out


def test_deterministic_half_step_is_about_001_at_T1000_and_first_order(deterministic_w1):
    assert 0.004 < deterministic_w1[1000] < 0.02, deterministic_w1  # DESIGN: ≈ 0.01
    assert 3.3 < deterministic_w1[250] / deterministic_w1[1000] < 4.7, deterministic_w1  # ∝ 1/T


def test_heun_is_second_order_and_far_below_the_design_figure_at_T1000(deterministic_w1):
    w = {}
    for T in (250, 1000):
        s = WalkSetup(DEFAULT_MIXTURE, T, TOTAL / T)
        w[T] = w1_to_p0_quantiles(heun_flow(s, quantiles(marginal_at(s, T), U)))
    assert 11 < w[250] / w[1000] < 22, w  # ∝ 1/T²: four times the steps, a sixteenth of the error
    assert w[1000] < 0.002 and w[1000] < 0.1 * deterministic_w1[1000], w  # DESIGN: ≈ 0.002 (with sampling noise)
    # sample(method="heun") takes the same steps
    s = WalkSetup(DEFAULT_MIXTURE, 20, TOTAL / 20)
    run = sample(s, exact_score_fn(s), 500, method="heun", start="prior", seed=5, max_frames=2)
    x_T = math.sqrt(TOTAL) * np.random.default_rng(5).standard_normal(500)
    np.testing.assert_allclose(run.x0, heun_flow(s, x_T), rtol=1e-12, atol=1e-12)


def test_stratified_w1_agrees_with_the_cdf_formula():
    """mean |y_i − q_i| and ∫|Fn − F0| are the same W1 (up to the 1/n quantization of n points)."""
    s = WalkSetup(DEFAULT_MIXTURE, 250, TOTAL / 250)
    y = flow(s, quantiles(marginal_at(s, 250), U))
    assert wasserstein1(y, DEFAULT_MIXTURE) == pytest.approx(w1_to_p0_quantiles(y), abs=2e-3)


def test_without_the_half_the_deterministic_step_collapses_and_never_converges():
    spreads = []
    for T in (250, 1000):
        s = WalkSetup(DEFAULT_MIXTURE, T, TOTAL / T)
        y = flow(s, quantiles(marginal_at(s, T), U), half=False)
        spreads.append(y.var())
        assert w1_to_p0_quantiles(y) > 0.3  # no T fixes it: it is the wrong flow, not a coarse one
    assert max(spreads) < 0.5 * DEFAULT_MIXTURE.variance()


def test_prior_floor_of_the_deterministic_flow_matches_the_exact_transport_map():
    T = 1000
    s = WalkSetup(DEFAULT_MIXTURE, T, TOTAL / T)
    z = math.sqrt(TOTAL) * normal_quantiles(U)  # stratified N(0, Tσ²): the homework's start
    predicted = w1_to_p0_quantiles(quantiles(DEFAULT_MIXTURE, marginal_at(s, T).cdf(z)))
    measured = w1_to_p0_quantiles(flow(s, z))
    assert predicted > 0.05  # a real floor: N(0, Tσ²) is not pT (its mean and spread differ)
    assert measured == pytest.approx(predicted, abs=0.015)  # the floor plus at most the step error
    # N(mean, var + Tσ²) matches pT's first two moments and removes most of the floor
    matched = DEFAULT_MIXTURE.mean() + math.sqrt(DEFAULT_MIXTURE.variance() + TOTAL) * normal_quantiles(U)
    assert w1_to_p0_quantiles(flow(s, matched)) < 0.35 * measured
    # the engine's limit (CDF composition Fq∘FT⁻¹∘F0, no quantiles) gives the same floor
    assert prior_floor_limit(s, "deterministic") == pytest.approx(predicted, abs=1e-3)
    assert prior_floor_limit(s, "deterministic", "exact") < 1e-4
    assert prior_floor_limit(s, "deterministic", "matched") < 0.1 * predicted


def test_stochastic_is_about_002_at_T1000_and_worse_than_the_flow(deterministic_w1):
    s = WalkSetup(DEFAULT_MIXTURE, 1000, TOTAL / 1000)
    x0 = sample(s, exact_score_fn(s), 100_000, method="stochastic", start="exact", seed=12, max_frames=2).x0
    w1 = wasserstein1(x0, DEFAULT_MIXTURE)
    assert 0.006 < w1 < 0.025  # DESIGN: ≈ 0.02; 10⁵ exact samples of p0 alone score ~0.005
    assert w1 > 1.3 * deterministic_w1[1000]  # DESIGN: stochastic ≈ 2× the ½-step flow at the same T


def stochastic_floor_prediction(setup: WalkSetup, start_pdf) -> float:
    """W1 to p0 of the exact reverse SDE started from q instead of pT, in the continuous limit.
    The exact reverse process draws x0 from the true posterior p(x0 | xT) = p0(x0) N(xT; x0, Tσ²)/pT(xT)
    (Problem 2's Bayes with noise Tσ²), so its output density is q0(x) = p0(x) ∫ q(y) N(y; x, Tσ²)/pT(y) dy."""
    V = setup.total_variance
    pT = marginal_at(setup, setup.T)
    x = np.linspace(*DEFAULT_MIXTURE.support(9.0), 2001)
    y = np.linspace(*pT.support(9.0), 2001)
    kernel = np.exp(-(y[None, :] - x[:, None]) ** 2 / (2 * V)) / math.sqrt(2 * math.pi * V)
    q0 = DEFAULT_MIXTURE.pdf(x) * (kernel * (start_pdf(y) / pT.pdf(y))[None, :]).sum(axis=1) * (y[1] - y[0])
    Q = np.concatenate([[0.0], np.cumsum(0.5 * (q0[1:] + q0[:-1]))])  # trapezoid CDF, no half-cell shift
    return float(np.trapezoid(np.abs(Q / Q[-1] - DEFAULT_MIXTURE.cdf(x)), x))


def test_prior_floor_of_the_stochastic_sampler_matches_the_posterior_prediction():
    s = WalkSetup(DEFAULT_MIXTURE, 1000, TOTAL / 1000)
    prior = stochastic_floor_prediction(s, lambda y: np.exp(-y**2 / (2 * TOTAL)) / math.sqrt(2 * math.pi * TOTAL))
    exact = stochastic_floor_prediction(s, marginal_at(s, s.T).pdf)
    assert exact < 1e-3  # sanity: started from pT itself, the exact reverse SDE returns p0
    z = math.sqrt(TOTAL) * normal_quantiles(U)
    deterministic = w1_to_p0_quantiles(quantiles(DEFAULT_MIXTURE, marginal_at(s, s.T).cdf(z)))
    assert 0.015 < prior < 0.5 * deterministic  # DESIGN: the stochastic floor is well below the flow's
    x0 = sample(s, exact_score_fn(s), 100_000, method="stochastic", start="prior", seed=12, max_frames=2).x0
    assert wasserstein1(x0, DEFAULT_MIXTURE) == pytest.approx(prior, abs=0.015)  # + steps + sampling noise
    assert prior_floor_limit(s, "stochastic") == pytest.approx(prior, abs=1e-3)
    assert prior_floor_limit(s, "stochastic", "exact") < 1e-3
    # the limit does not depend on T at fixed Tσ², and the budget carries it
    assert prior_floor_limit(WalkSetup(DEFAULT_MIXTURE, 50, TOTAL / 50), "stochastic") == pytest.approx(prior, abs=1e-3)
    assert error_budget(WalkSetup(DEFAULT_MIXTURE, 20, TOTAL / 20), "stochastic", 500).prior_limit == pytest.approx(
        prior, abs=1e-3)
