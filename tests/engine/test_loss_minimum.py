"""The floor of the homework's L(θ): the mean posterior variance, checked against closed forms and sampling."""

import numpy as np
import pytest

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.posterior import expected_posterior_variance, homework_loss_minimum


def test_one_gaussian_has_the_closed_form_posterior_variance():
    prior = GaussianMixture((1.0,), (0.7,), (1.5,))
    for v in (0.01, 0.25, 4.0):
        assert expected_posterior_variance(prior, v) == pytest.approx(2.25 * v / (2.25 + v), rel=1e-12)


def test_a_mixture_matches_a_monte_carlo_of_the_best_predictor():
    rng = np.random.default_rng(0)
    v = 0.5
    x = DEFAULT_MIXTURE.sample(400_000, rng)
    y = x + np.sqrt(v) * rng.standard_normal(x.size)
    w, mu, s = (np.asarray(a) for a in (DEFAULT_MIXTURE.weights, DEFAULT_MIXTURE.means, DEFAULT_MIXTURE.stds))
    pi = w * np.exp(-0.5 * (y[:, None] - mu) ** 2 / (s**2 + v)) / np.sqrt(s**2 + v)
    pi /= pi.sum(axis=1, keepdims=True)
    best = np.sum(pi * (mu * v + y[:, None] * s**2) / (s**2 + v), axis=1)  # E[x | y]
    sampled = np.mean((x - best) ** 2)
    assert expected_posterior_variance(DEFAULT_MIXTURE, v) == pytest.approx(sampled, rel=0.01)


def test_the_p3_floor_is_close_to_sigma2_and_the_p4_floor_is_an_average_over_t():
    one = GaussianMixture((1.0,), (0.0,), (1.0,))
    T, s2 = 50, 0.25
    # p3: xt−1 ~ N(0, 1 + (t−1)σ²), noise σ²: Var = a σ²/(a + σ²)
    p3 = np.mean([(1 + (t - 1) * s2) * s2 / (1 + t * s2) for t in range(1, T + 1)])
    p4 = np.mean([t * s2 / (1 + t * s2) for t in range(1, T + 1)])
    assert homework_loss_minimum(one, T, s2, "p3") == pytest.approx(p3, rel=1e-12)
    assert homework_loss_minimum(one, T, s2, "p4") == pytest.approx(p4, rel=1e-12)
    assert 0.9 * s2 < homework_loss_minimum(DEFAULT_MIXTURE, 100, s2, "p3") < s2
