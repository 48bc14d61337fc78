"""Problem 5 engine: the notebook's schedule and samplers, data sets, quality numbers."""

import math

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.quality2d import compare
from engine.toy2d import DATASETS, Standardizer, make_dataset, swiss_roll
from engine.vp import MixtureScore, cosine_schedule, linear_schedule, make_schedule, q_sample, sample


def test_cosine_schedule_is_the_notebooks():
    s = cosine_schedule(40, 0.008)
    f = [math.cos(((t / 40) + 0.008) / 1.008 * math.pi / 2) ** 2 for t in range(40)]
    np.testing.assert_allclose(s.alpha_bar, [v / f[0] for v in f], rtol=1e-14)
    assert s.alpha_bar[0] == 1.0 and s.beta[0] == 0.0
    assert s.beta[39] == pytest.approx(1 - f[39] / f[38]) and s.beta[39] == pytest.approx(0.75, abs=0.02)
    assert np.all(np.diff(s.alpha_bar) < 0) and s.T == 40
    np.testing.assert_allclose(np.cumprod(s.alpha), s.alpha_bar, rtol=1e-12)  # ᾱt = Π αs
    lin = linear_schedule(40)
    assert lin.alpha_bar[0] == 1.0 and np.all(np.diff(lin.alpha_bar) < 0)
    with pytest.raises(InvalidInput):
        make_schedule("quadratic")


def test_q_sample_is_variance_preserving():
    s = cosine_schedule()
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((200_000, 2))
    t = np.full(len(x0), 20)
    xt = q_sample(x0, t, rng.standard_normal(x0.shape), s)
    assert xt.var() == pytest.approx(1.0, abs=0.01)  # unit-variance data stays unit variance


def test_x0_sampler_has_the_ddpm_mean():
    """c0 x̂0 + ct x equals (x − (1−αt)/√(1−ᾱt) ε)/√αt for any x, ε and t ≥ 1."""
    s = cosine_schedule()
    ab, beta, alpha = s.alpha_bar, s.beta, s.alpha
    rng = np.random.default_rng(1)
    x, eps = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    for t in (1, 5, 20, 39):
        ddpm = (x - (1 - alpha[t]) / math.sqrt(1 - ab[t]) * eps) / math.sqrt(alpha[t])
        x0_hat = (x - math.sqrt(1 - ab[t]) * eps) / math.sqrt(ab[t])
        c0 = math.sqrt(ab[t - 1]) * beta[t] / (1 - ab[t])
        ct = math.sqrt(alpha[t]) * (1 - ab[t - 1]) / (1 - ab[t])
        np.testing.assert_allclose(c0 * x0_hat + ct * x, ddpm, rtol=1e-10, atol=1e-12)
    # and through the sampler: with ε ≡ 0 and noise, both samplers' means agree step by step
    zero = lambda x, t: np.zeros_like(x)  # noqa: E731
    a = sample(zero, s, 40_000, sampler="ddpm", seed=3)
    b = sample(zero, s, 40_000, sampler="x0", seed=3)
    np.testing.assert_allclose(a.x0.mean(0), b.x0.mean(0), atol=0.03)
    assert b.x0.var() < a.x0.var()  # only the variance differs: the x0 sampler's is smaller
    assert a.frames.shape[0] == 40 and a.frame_steps[0] == 39 and a.frame_steps[-1] == 0


def test_gaussian_data_exact_eps_recovers_the_data():
    """p0 = N(m, v I): the exact ε makes every sampler return ≈ N(m, v I)."""
    s = cosine_schedule()
    oracle = MixtureScore(np.array([[0.5, -0.5]]), 0.09, s)
    for name in ("ddpm", "x0", "ddim"):
        run = sample(oracle.eps, s, 20_000, sampler=name, seed=0)
        np.testing.assert_allclose(run.x0.mean(0), [0.5, -0.5], atol=0.03)
        np.testing.assert_allclose(run.x0.std(0), [0.3, 0.3], atol=0.04)


def test_swiss_roll_matches_the_recipe():
    x = swiss_roll(50_000, np.random.default_rng(0), noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.min() >= 1.5 * math.pi - 1e-9 and r.max() <= 4.5 * math.pi + 1e-9
    noisy = swiss_roll(50_000, np.random.default_rng(0), noise=0.5)
    assert np.std(noisy - x) == pytest.approx(0.5, abs=0.01)
    std = Standardizer.fit(noisy)
    z = std.forward(noisy)
    assert z.mean() == pytest.approx(0.0, abs=1e-12) and z.std() == pytest.approx(1.0)
    np.testing.assert_allclose(std.inverse(z), noisy)
    for name in DATASETS:
        data = make_dataset(name, 1000, 0)
        assert data.shape == (1000, 2) and np.isfinite(data).all()
    with pytest.raises(InvalidInput, match="dataset"):
        make_dataset("spiral", 10, 0)


def _normal_abs_mean(mu, sd):
    """E|Z| for Z ~ N(mu, sd²)."""
    return sd * math.sqrt(2 / math.pi) * math.exp(-mu * mu / (2 * sd * sd)) + mu * math.erf(mu / (sd * math.sqrt(2)))


def test_energy_distance_and_mmd_match_closed_forms():
    rng = np.random.default_rng(5)
    n, delta = 3000, 0.8
    x = np.column_stack([rng.standard_normal(n), np.zeros(n)])
    y = np.column_stack([delta + rng.standard_normal(n), np.zeros(n)])
    q = compare(x, y)
    expected = 2 * _normal_abs_mean(delta, math.sqrt(2)) - 2 * _normal_abs_mean(0, math.sqrt(2))
    assert q.energy == pytest.approx(expected, abs=0.02)
    x2, y2 = rng.standard_normal((n, 2)), rng.standard_normal((n, 2)) + [delta, 0]
    for h in (0.5,):
        c = h * h / (h * h + 2)
        assert compare(x2, y2).mmd2[h] == pytest.approx(2 * c * (1 - math.exp(-delta**2 / (2 * (h * h + 2)))), abs=0.01)
    same = compare(x2, rng.standard_normal((n, 2)))
    assert 0 <= same.energy < 0.005 and abs(same.mmd2[0.1]) < 0.005
