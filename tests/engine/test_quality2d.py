"""Energy distance and MMD² (engine.quality2d) against brute force and their floors in closed form."""

import math

import numpy as np
import pytest

from engine.quality2d import compare


def _brute(x, y, h):
    """The definitions with every pair written out (n×m matrices)."""
    dxy = np.linalg.norm(x[:, None] - y[None], axis=2)
    dxx = np.linalg.norm(x[:, None] - x[None], axis=2)
    dyy = np.linalg.norm(y[:, None] - y[None], axis=2)
    energy = 2 * dxy.mean() - dxx.mean() - dyy.mean()
    k = lambda d: np.exp(-d**2 / (2 * h * h))  # noqa: E731
    n, m = len(x), len(y)
    kxx, kyy = k(dxx), k(dyy)
    mmd = ((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
           - 2 * k(dxy).mean())
    return energy, mmd


@pytest.mark.parametrize("n, m", [(5, 7), (1030, 700)])  # 1030 crosses the 1024-row chunk
def test_matches_the_definitions_pair_by_pair(n, m):
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal((n, 2)), rng.standard_normal((m, 2)) * 0.7 + [0.3, -0.2]
    q = compare(x, y)
    for h in (0.1, 0.5):
        energy, mmd = _brute(x, y, h)
        # the chunks use |a|² + |b|² − 2a·b: a zero distance comes out as √(rounding) ≈ 1e-8, hence rel=1e-7
        assert q.energy == pytest.approx(energy, rel=1e-7)
        assert q.mmd2[h] == pytest.approx(mmd, rel=1e-8, abs=1e-12)


def test_the_floor_of_two_fresh_samples_is_2_mean_distance_over_n():
    """Two independent samples of N(0, I₂), n each: E ED = E|X − X'| (1/n + 1/n), and E|X − X'| = √π
    in 2-D (|X − X'| is √2 times a Rayleigh(1) variable). The unbiased MMD² averages to 0."""
    rng = np.random.default_rng(0)
    n, reps = 200, 300
    runs = [compare(rng.standard_normal((n, 2)), rng.standard_normal((n, 2))) for _ in range(reps)]
    energies = np.array([r.energy for r in runs])
    expected = 2 * math.sqrt(math.pi) / n
    assert energies.mean() == pytest.approx(expected, rel=4 * energies.std() / math.sqrt(reps) / expected)
    assert energies.min() >= 0  # a V-statistic never goes negative
    for h in (0.1, 0.5):
        mmd = np.array([r.mmd2[h] for r in runs])
        assert abs(mmd.mean()) < 4 * mmd.std() / math.sqrt(reps)
        assert mmd.min() < 0  # unbiased: it dips below zero, as the screens say


def test_symmetric_and_zero_against_itself():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((300, 2)), rng.uniform(-1, 1, (250, 2))
    a, b = compare(x, y), compare(y, x)
    assert a.energy == pytest.approx(b.energy, rel=1e-12)
    assert compare(x, x).energy == pytest.approx(0, abs=1e-9)


def test_symmetric_halves_and_the_remembered_self_term_are_the_full_sums():
    from engine.quality2d import _pair_sums, self_sums

    rng = np.random.default_rng(4)
    x = rng.standard_normal((2100, 2))  # three chunks, the last one short
    full = _pair_sums(x, x, (0.1, 0.5))
    half = _pair_sums(x, x, (0.1, 0.5), symmetric=True)
    assert half[0] == pytest.approx(full[0], rel=1e-10)
    np.testing.assert_allclose(half[1], full[1], rtol=1e-10)
    again = self_sums(x.copy())
    assert again[0] == pytest.approx(full[0], rel=1e-10) and self_sums(x) is again  # remembered by content


def test_float32_is_far_below_the_floor():
    rng = np.random.default_rng(5)
    n = 3000
    x, y = rng.standard_normal((n, 2)), rng.standard_normal((n, 2)) * 1.02
    a, b = compare(x, y), compare(x, y, dtype=np.float32)
    floor = 2 * math.sqrt(math.pi) / n
    assert abs(a.energy - b.energy) < 1e-3 * floor
    for h in (0.1, 0.5):
        assert abs(a.mmd2[h] - b.mmd2[h]) < 1e-3 * floor
