"""Problem 5 data sets: the swiss roll is the recipe's (sklearn's definition), the toys are what
their names say, and standardization uses one scalar mean and one scalar std."""

import math

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.toy2d import (DATASETS, Standardizer, checkerboard, eight_gaussians, make_dataset, swiss_roll,
                          swiss_roll_curve, two_moons)


def test_noiseless_swiss_roll_lies_on_its_curve_with_uniform_t():
    x = swiss_roll(40_000, np.random.default_rng(3), noise=0.0)
    t = np.hypot(x[:, 0], x[:, 1])  # (t cos t, t sin t) has radius t
    # the angle of the point is t itself (mod 2π)
    angle_gap = np.angle(np.exp(1j * (np.arctan2(x[:, 1], x[:, 0]) - t)))
    assert np.abs(angle_gap).max() < 1e-9
    # t = 1.5π(1 + 2u), u ~ U(0, 1): uniform on [1.5π, 4.5π], mean 3π, variance (3π)²/12
    assert t.mean() == pytest.approx(3 * math.pi, abs=0.05)
    assert t.var() == pytest.approx((3 * math.pi) ** 2 / 12, rel=0.03)
    counts, _ = np.histogram(t, bins=10, range=(1.5 * math.pi, 4.5 * math.pi))
    assert counts.min() > 0.9 * 4000 and counts.max() < 1.1 * 4000


def test_swiss_roll_noise_is_independent_per_coordinate():
    clean = swiss_roll(60_000, np.random.default_rng(1), noise=0.0)
    noisy = swiss_roll(60_000, np.random.default_rng(1), noise=0.5)
    d = noisy - clean
    np.testing.assert_allclose(d.std(0), [0.5, 0.5], atol=0.01)
    assert abs(np.corrcoef(d.T)[0, 1]) < 0.02 and abs(d.mean()) < 0.01


def test_curve_discretization_covers_the_same_t_range():
    c = swiss_roll_curve(1000)
    t = np.hypot(c[:, 0], c[:, 1])
    assert t.min() > 1.5 * math.pi and t.max() < 4.5 * math.pi
    np.testing.assert_allclose(np.diff(t), 3 * math.pi / 1000, rtol=1e-9)  # equal steps in t: equal weights


def test_standardizer_uses_one_scalar_for_both_coordinates():
    raw = make_dataset("swiss_roll", 20_000, 0)
    std = Standardizer.fit(raw)
    assert std.mean == pytest.approx(raw.mean()) and std.std == pytest.approx(raw.std())
    z = std.forward(raw)
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1)
    # one scalar, not per column: the columns keep their own (unequal) means and spreads
    assert abs(z[:, 0].mean() - z[:, 1].mean()) > 0.05
    ratio = raw[:, 0].std() / raw[:, 1].std()
    assert z[:, 0].std() / z[:, 1].std() == pytest.approx(ratio)


def test_toys_are_what_their_names_say():
    rng = np.random.default_rng(0)
    moons = two_moons(20_000, rng, noise=0.0)
    upper, lower = moons[:10_000], moons[10_000:]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0.5
    g = eight_gaussians(16_000, rng, radius=2.0, std=0.05)
    angle = np.arctan2(g[:, 1], g[:, 0])
    k = np.round(angle / (math.pi / 4)).astype(int) % 8
    assert np.bincount(k, minlength=8).min() > 1700
    np.testing.assert_allclose(np.hypot(*g.T).mean(), 2.0, atol=0.01)
    c = checkerboard(20_000, rng)
    assert c.min() >= -2 and c.max() <= 2
    parity = (np.floor(c[:, 0]) + np.floor(c[:, 1])) % 2
    assert len(np.unique(parity)) == 1  # only one colour of square is ever used
    cells = (np.floor(c[:, 0]) + 2) * 4 + np.floor(c[:, 1]) + 2
    assert len(np.unique(cells)) == 8  # and all eight squares of that colour


def test_seeds_and_bad_input():
    for name in DATASETS:
        a, b = make_dataset(name, 500, 7), make_dataset(name, 500, 7)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, make_dataset(name, 500, 8))
    for n in (0, -3, 2.5, 10**8):
        with pytest.raises(InvalidInput, match="data points"):
            make_dataset("swiss_roll", n, 0)
