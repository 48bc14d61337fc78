"""The samplers' orders (engine.orders): W1 to p0 against T at fixed Tσ² = 25, exact score, no sampling noise."""

import math

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.orders import (
    FULL_TS, flow_w1, mixture_quantiles, orders_plot_data, sampler_orders, stochastic_law_w1,
)
from engine.walk import WalkSetup, exact_score_fn, prior_floor_limit, sample, wasserstein1


@pytest.fixture(scope="module")
def full():
    return sampler_orders(DEFAULT_MIXTURE, FULL_TS, 25.0)


@pytest.mark.parametrize("method, order", [("stochastic", 1), ("deterministic", 1), ("two_step", 1), ("heun", 2)])
def test_orders_from_the_exact_pT(full, method, order):
    row = full.row(method, "exact")
    assert abs(row.order - order) < 0.15, row
    assert all(a > b for a, b in zip(row.w1, row.w1[1:])), row  # every doubling helps


def test_the_flow_without_the_half_does_not_converge(full):
    for start in ("exact", "prior"):
        row = full.row("no_half", start)
        assert min(row.w1) > 0.3 and row.w1[-1] >= row.w1[0], row  # W1 does not fall with T
        assert abs(row.slope) < 0.1, row


def test_from_the_prior_w1_levels_off_at_the_prior_floor(full):
    for method in ("stochastic", "deterministic", "heun"):
        row = full.row(method, "prior")
        assert row.prior_floor == pytest.approx(prior_floor_limit(WalkSetup(DEFAULT_MIXTURE, 2000, 25 / 2000), method),
                                                rel=1e-12)
        assert row.w1[-1] == pytest.approx(row.prior_floor, abs=0.01), row  # what is left is the start's error
        assert row.order < 0.6, row  # so the slope flattens
    assert full.row("deterministic", "prior").w1[-1] > 2 * full.row("stochastic", "prior").w1[-1]


def test_stochastic_law_on_a_grid_agrees_with_particles():
    """The zero-variance W1 equals the W1 of many simulated particles (whose own floor is ~1/√n)."""
    for T, start in ((50, "exact"), (200, "prior")):
        s = WalkSetup(DEFAULT_MIXTURE, T, 25 / T)
        grid = stochastic_law_w1(s, start)
        particles = wasserstein1(sample(s, exact_score_fn(s), 200_000, method="stochastic", start=start, seed=4,
                                        max_frames=2).x0, DEFAULT_MIXTURE)
        assert grid == pytest.approx(particles, abs=0.006), (T, grid, particles)


def test_two_step_at_T_is_the_half_step_flow_at_T_over_2():
    """xt−2 = xt + σ²s with T, σ² is the ½-step flow with T/2 steps of 2σ² — the same Tσ²."""
    a = flow_w1(WalkSetup(DEFAULT_MIXTURE, 200, 25 / 200), "two_step", "exact")
    b = flow_w1(WalkSetup(DEFAULT_MIXTURE, 100, 25 / 100), "deterministic", "exact")
    assert a == pytest.approx(b, rel=1e-9)


def test_quantiles_invert_the_cdf():
    u = np.array([1e-4, 0.1, 0.5, 0.9, 1 - 1e-4])
    np.testing.assert_allclose(DEFAULT_MIXTURE.cdf(mixture_quantiles(DEFAULT_MIXTURE, u)), u, atol=1e-12)


def test_plot_data_carries_the_rows_and_reference_slopes():
    o = sampler_orders(DEFAULT_MIXTURE, (50, 100), 25.0, methods=("deterministic", "heun"), starts=("exact",))
    plot = orders_plot_data(o)
    assert [s.method for s in plot.series] == ["deterministic", "heun"]
    assert plot.series[1].log10_w1 == tuple(math.log10(v) for v in o.row("heun", "exact").w1)
    ref1 = plot.references[0]
    assert (ref1.log10_w1[1] - ref1.log10_w1[0]) / (ref1.log10_T[1] - ref1.log10_T[0]) == pytest.approx(-1)


@pytest.mark.parametrize("kwargs, words", [(dict(Ts=(100,)), "two or more"), (dict(Ts=(1, 10)), "≥ 2"),
                                            (dict(methods=("euler",)), "method must be"),
                                            (dict(starts=("matched",)), "start must be")])
def test_bad_orders_requests_are_refused(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        sampler_orders(**kwargs)


def test_the_grid_is_fine_enough():
    """Halving the grid step of the pushed-forward law leaves W1 unchanged to 1e-6 (measured ~1e-9)."""
    s = WalkSetup(DEFAULT_MIXTURE, 100, 0.25)
    for start in ("exact", "prior"):
        assert stochastic_law_w1(s, start, 6.0) == pytest.approx(stochastic_law_w1(s, start), rel=1e-6)
