"""Problems 3–4 oracle: exact score, Tweedie, and the samplers' orders of convergence."""

import math

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.walk import (
    WalkSetup, crossings, eps_from_score, error_budget, exact_score, exact_score_fn, forward_walk, marginal_at,
    reverse_step_deterministic, reverse_step_eps_deterministic, reverse_step_eps_stochastic,
    reverse_step_stochastic, reverse_step_two, sample, tv_histogram, tweedie_mean, wasserstein1,
)


def setup_for(T, total=25.0):
    return WalkSetup(DEFAULT_MIXTURE, T, total / T)


@pytest.mark.parametrize("t", [0, 1, 7, 100])
def test_exact_score_is_the_derivative_of_log_pt(t):
    s = setup_for(100)
    x = np.linspace(-6, 6, 25)
    h = 1e-5
    pt = marginal_at(s, t)
    fd = (pt.logpdf(x + h) - pt.logpdf(x - h)) / (2 * h)
    np.testing.assert_allclose(exact_score(s, x, t), fd, atol=1e-6)
    # pt is p0 ∗ N(0, tσ²): its variance grows by exactly tσ²
    assert pt.variance() == pytest.approx(DEFAULT_MIXTURE.variance() + t * s.sigma2)


def test_tweedie_by_monte_carlo():
    """E[xt−1 | xt = a] = a + σ²∇log pt(a), estimated from simulated pairs near a."""
    s = WalkSetup(DEFAULT_MIXTURE, 10, 0.3)
    rng = np.random.default_rng(0)
    n, t = 4_000_000, 4
    x_prev = DEFAULT_MIXTURE.sample(n, rng) + math.sqrt((t - 1) * s.sigma2) * rng.standard_normal(n)
    x_t = x_prev + s.sigma * rng.standard_normal(n)
    for a in (-2.0, 0.3, 2.5):
        near = np.abs(x_t - a) < 0.02
        assert near.sum() > 5000
        estimate = x_prev[near].mean() + (a - x_t[near].mean())  # correct for the window's offset
        assert estimate == pytest.approx(float(tweedie_mean(s, np.array([a]), t)[0]), abs=0.02)


def test_w1_measures_distance_to_p0():
    rng = np.random.default_rng(1)
    x = DEFAULT_MIXTURE.sample(200_000, rng)
    assert wasserstein1(x, DEFAULT_MIXTURE) < 0.01
    assert wasserstein1(x + 0.3, DEFAULT_MIXTURE) == pytest.approx(0.3, abs=0.01)  # a shift costs its size
    assert tv_histogram(x, DEFAULT_MIXTURE) < 0.02
    assert tv_histogram(rng.standard_normal(200_000) * 5, DEFAULT_MIXTURE) > 0.3


def w1_exact(T, method, n=60_000, start="exact"):
    s = setup_for(T)
    return wasserstein1(sample(s, exact_score_fn(s), n, method=method, start=start, seed=3, max_frames=2).x0, s.p0)


@pytest.mark.parametrize("method", ["stochastic", "deterministic"])
def test_first_order_in_T_with_the_exact_score(method):
    coarse, fine = w1_exact(100, method), w1_exact(400, method)
    assert 2.5 < coarse / fine < 6.5, (coarse, fine)  # ∝ 1/T: four times the steps, ~a quarter of the error


def test_heun_is_second_order_and_the_half_matters():
    assert w1_exact(100, "heun") < 0.35 * w1_exact(100, "deterministic")
    # the deterministic step without the ½ overshoots: the output variance collapses
    s = setup_for(100)
    rng = np.random.default_rng(0)
    x = marginal_at(s, s.T).sample(50_000, rng)
    for t in range(s.T, 0, -1):
        x = reverse_step_two(x, exact_score(s, x, t), s.sigma2)
    assert x.var() < 0.5 * DEFAULT_MIXTURE.variance()


def test_two_step_form_is_the_half_step_flow_with_stride_two():
    """xt−2 = xt + σ²s(xt, t) for T steps of σ² is the ½-step flow for T/2 steps of 2σ²."""
    a = WalkSetup(DEFAULT_MIXTURE, 100, 0.25)
    b = WalkSetup(DEFAULT_MIXTURE, 50, 0.5)
    ra = sample(a, exact_score_fn(a), 5000, method="two_step", start="prior", seed=9)
    rb = sample(b, exact_score_fn(b), 5000, method="deterministic", start="prior", seed=9)
    np.testing.assert_allclose(ra.x0, rb.x0, rtol=1e-12, atol=1e-12)


def test_deterministic_paths_never_cross_but_stochastic_ones_do():
    s = setup_for(100)
    det = sample(s, exact_score_fn(s), 2000, method="deterministic", seed=2, n_trajectories=40)
    sto = sample(s, exact_score_fn(s), 2000, method="stochastic", seed=2, n_trajectories=40)
    assert crossings(det.trajectories) == 0
    assert crossings(sto.trajectories) > 10
    # two paths that swap, and swap back, are two crossings; a third path that stays apart adds none
    paths = np.array([[0.0, 1.0, 5.0], [1.0, 0.0, 5.0], [0.0, 1.0, 5.0]])
    assert crossings(paths) == 2 and crossings(paths[:1]) == 0


def test_problem4_steps_are_problem3_steps_with_eps():
    rng = np.random.default_rng(0)
    x, s, z = rng.standard_normal(100), rng.standard_normal(100), rng.standard_normal(100)
    t, sigma2 = 7, 0.3
    eps = -t * sigma2 * s
    np.testing.assert_allclose(reverse_step_eps_stochastic(x, eps, t, sigma2, z), reverse_step_stochastic(x, s, sigma2, z))
    np.testing.assert_allclose(reverse_step_eps_deterministic(x, eps, t), reverse_step_deterministic(x, s, sigma2))


def test_recording_and_forward_walk():
    s = setup_for(100)
    fwd = forward_walk(s, 20_000, seed=0, max_frames=21)
    assert fwd.histograms.steps[0] == 0 and fwd.histograms.steps[-1] == 100
    assert len(fwd.histograms.steps) == 21 and (fwd.histograms.counts.sum(axis=1) <= 20_000).all()
    # after the walk the particles follow pT (variance Var p0 + Tσ²)
    assert fwd.x0.var() == pytest.approx(marginal_at(s, 100).variance(), rel=0.05)
    rev = sample(s, exact_score_fn(s), 1000, max_frames=11)
    assert rev.histograms.steps[0] == 100 and rev.histograms.steps[-1] == 0
    assert rev.trajectories.shape == (len(rev.histograms.steps), 12)


def test_error_budget_separates_prior_and_steps():
    b = error_budget(setup_for(50), "deterministic", 40_000, seed=1)
    assert b.discretization < b.with_prior and b.prior_mismatch > 0.03 and b.learned_score is None


@pytest.mark.parametrize("kwargs, words", [
    ({"T": 0, "sigma2": 0.1}, "T must be"), ({"T": 10, "sigma2": 0.0}, "σ² must be"),
    ({"T": 10, "sigma2": float("nan")}, "σ² must be"),
])
def test_bad_setups_are_refused(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        WalkSetup(DEFAULT_MIXTURE, **kwargs)
    with pytest.raises(InvalidInput, match="method"):
        sample(setup_for(10), exact_score_fn(setup_for(10)), 10, method="euler")


# ---- the step table: the flow without the ½ and Problem 4's ε forms inside sample() ----------------
@pytest.mark.parametrize("pair", [("eps_stochastic", "stochastic"), ("eps_deterministic", "deterministic")])
def test_eps_forms_in_sample_agree_with_the_score_forms_to_float_precision(pair):
    """xt−1 = xt − εθ/t + σz and xt−1 = xt − εθ/(2t) with εθ = −tσ²s are the score steps, particle by particle."""
    eps_method, score_method = pair
    s = setup_for(60)

    def eps(x, t):  # written out here, not through the engine's helper
        return -t * s.sigma2 * exact_score(s, x, t)

    by_eps = sample(s, None, 3000, method=eps_method, start="prior", seed=11, eps=eps, max_frames=7)
    by_helper = sample(s, exact_score_fn(s), 3000, method=eps_method, start="prior", seed=11, max_frames=7)
    by_score = sample(s, exact_score_fn(s), 3000, method=score_method, start="prior", seed=11, max_frames=7)
    np.testing.assert_allclose(by_eps.x0, by_score.x0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_helper.x0, by_score.x0, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(by_eps.histograms.steps, by_score.histograms.steps)
    assert wasserstein1(by_eps.x0, s.p0) < 0.2  # and it is a sampler of p0, not a no-op


def test_eps_from_score_is_minus_t_sigma2_times_the_score():
    s = setup_for(50)
    x = np.linspace(-4, 4, 9)
    np.testing.assert_allclose(eps_from_score(exact_score_fn(s), s.sigma2)(x, 13), -13 * s.sigma2 * exact_score(s, x, 13))


def test_no_half_method_is_the_flow_without_the_half_and_does_not_converge():
    s = setup_for(100)
    run = sample(s, exact_score_fn(s), 4000, method="no_half", start="exact", seed=1, max_frames=2)
    x = marginal_at(s, s.T).sample(4000, np.random.default_rng(1))
    for t in range(s.T, 0, -1):
        x = x + s.sigma2 * exact_score(s, x, t)
    np.testing.assert_allclose(run.x0, x, rtol=1e-12, atol=1e-12)
    w = [wasserstein1(sample(setup_for(T), exact_score_fn(setup_for(T)), 4000, method="no_half", start="exact",
                             seed=1, max_frames=2).x0, DEFAULT_MIXTURE) for T in (50, 200)]
    assert min(w) > 0.3 and w[1] > 0.8 * w[0], w  # four times the steps do not help


def test_sample_names_the_methods_it_takes():
    s = setup_for(10)
    with pytest.raises(InvalidInput, match="no_half.*eps_stochastic"):
        sample(s, exact_score_fn(s), 10, method="euler")
    with pytest.raises(InvalidInput, match="needs a score"):
        sample(s, None, 10, method="stochastic")


def test_eps_form_check_measures_how_far_the_eps_forms_end_from_the_score_forms():
    from engine.walk import eps_form_check

    s = setup_for(40)
    same = eps_form_check(s, exact_score_fn(s), 2000, seed=3)
    assert [c.method for c in same] == ["stochastic", "deterministic"]
    assert all(c.max_abs_difference < 1e-9 and abs(c.w1 - c.w1_score_form) < 1e-9 for c in same)
    # an ε that is not −tσ²s (here twice too large) ends elsewhere: the check can fail
    wrong = eps_form_check(s, exact_score_fn(s), 2000, seed=3, eps=lambda x, t: -2 * t * s.sigma2 * exact_score(s, x, t))
    assert all(c.max_abs_difference > 0.1 for c in wrong)
