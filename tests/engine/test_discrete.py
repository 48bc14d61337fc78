"""Problem 1 engine, checked against exact rational arithmetic (fractions.Fraction)."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.discrete import (
    DEFAULT_MODEL, DiscreteModel, add_state, allocate, backward_conditional, expected_share_same,
    joint, marginal, move_people, normalize, parse_matrix, parse_probability, parse_vector,
    remove_state, round_trip, solve,
)
from engine.errors import InvalidInput


def exact_tables(px, pyx):
    """The homework's rules in exact fractions: chain rule, total probability, Bayes."""
    n = len(px)
    pxy = [[px[x] * pyx[x][y] for y in range(n)] for x in range(n)]
    py = [sum(pxy[x][y] for x in range(n)) for y in range(n)]
    back = [[pxy[x][y] / py[y] if py[y] else None for x in range(n)] for y in range(n)]
    rt = [sum(py[y] * back[y][x] for y in range(n) if back[y][x] is not None) for x in range(n)]
    return pxy, py, back, rt


def test_default_model_matches_fractions():
    px = [F(1, 2), F(3, 10), F(1, 5)]
    pyx = [[F(4, 5), F(1, 10), F(1, 10)], [F(1, 5), F(3, 5), F(1, 5)], [F(1, 10), F(3, 10), F(3, 5)]]
    pxy, py, back, rt = exact_tables(px, pyx)
    r = solve(DEFAULT_MODEL)
    np.testing.assert_allclose(r.p_xy, np.array(pxy, dtype=float), rtol=0, atol=1e-15)
    np.testing.assert_allclose(r.p_y, [float(v) for v in py], atol=1e-15)
    assert [float(v) for v in py] == pytest.approx([0.48, 0.29, 0.23])
    np.testing.assert_allclose(r.p_x_given_y, np.array(back, dtype=float), atol=1e-15)
    np.testing.assert_allclose(r.roundtrip_p_x, [float(v) for v in rt], atol=1e-15)
    assert rt == px  # exactly, in rational arithmetic


def test_fraction_cells_and_undefined_backward():
    px = parse_vector("1/3, 1/3, 1/3")
    pyx = parse_matrix("1/2,1/2,0; 1/4,3/4,0; 1,0,0")  # nobody ever reaches y=3
    r = solve(DiscreteModel(px, pyx))
    assert r.undefined_y == (2,)
    assert np.isnan(r.p_x_given_y[2]).all()
    exact_px = [F(1, 3)] * 3
    exact_pyx = [[F(1, 2), F(1, 2), F(0)], [F(1, 4), F(3, 4), F(0)], [F(1), F(0), F(0)]]
    _, py, back, rt = exact_tables(exact_px, exact_pyx)
    assert back[2] == [None, None, None]
    np.testing.assert_allclose(r.p_x_given_y[:2], np.array(back[:2], dtype=float), atol=1e-15)
    np.testing.assert_allclose(r.roundtrip_p_x, [float(v) for v in rt], atol=1e-15)


@pytest.mark.parametrize("text, fragment", [
    ("abc", "not a number"), ("", "empty"), ("-0.1", "negative"), ("1.5", "more than 1"),
    ("nan", "not a finite"), ("inf", "not a finite"), ("1/0", "divides by zero"),
])
def test_bad_cells_are_named(text, fragment):
    with pytest.raises(InvalidInput) as err:
        parse_probability(text, "p(x=2)")
    assert "p(x=2)" in str(err.value) and fragment in str(err.value)


def test_row_not_summing_to_one_names_the_row():
    with pytest.raises(InvalidInput) as err:
        DiscreteModel((0.5, 0.5), ((0.6, 0.5), (0.5, 0.5)))
    assert "row x=1" in str(err.value) and err.value.where == ("p_y_given_x", 0)
    with pytest.raises(InvalidInput, match=r"p\(x\) sums to 1.1"):
        DiscreteModel((0.6, 0.5), ((0.5, 0.5), (0.5, 0.5)))
    DiscreteModel((0.5, 0.5 + 5e-10), ((1.0, 0.0), (0.0, 1.0)))  # within 1e-9 is accepted


def test_state_editing_keeps_validity():
    px, pyx = add_state(*DEFAULT_MODEL.arrays())
    m = DiscreteModel.from_arrays(px, pyx)
    assert m.n == 4 and m.p_x[3] == 0 and m.p_y_given_x[3] == (0, 0, 0, 1)
    px2, pyx2 = remove_state(DEFAULT_MODEL.p_x, DEFAULT_MODEL.p_y_given_x, 0)
    m2 = DiscreteModel(px2, pyx2)
    assert m2.p_x == pytest.approx((0.6, 0.4))
    assert m2.p_y_given_x[0] == pytest.approx((0.75, 0.25))
    with pytest.raises(InvalidInput, match="at least 2"):
        remove_state(px2, pyx2, 0)
    assert normalize([1, 1, 2]) == (0.25, 0.25, 0.5)
    with pytest.raises(InvalidInput):
        normalize([0, 0])


def test_allocate_is_exact_and_close():
    counts = allocate(10**9, np.array([1 / 3, 1 / 3, 1 / 3]))
    assert counts.sum() == 10**9 and counts.max() - counts.min() <= 1


def test_people_counts_are_consistent_and_seeded():
    p = move_people(DEFAULT_MODEL, 10**9, seed=7)
    assert p.counts_x.tolist() == [500_000_000, 300_000_000, 200_000_000]
    assert (p.counts_xy.sum(axis=1) == p.counts_x).all()
    assert (p.counts_y == p.counts_xy.sum(axis=0)).all()
    assert p.counts_back_x.sum() == 10**9 and (p.same_back_x <= p.counts_back_x).all()
    # 10⁹ people: the counts are within a few standard deviations of N p(x, y)
    expected = 10**9 * solve(DEFAULT_MODEL).p_xy
    assert np.all(np.abs(p.counts_xy - expected) < 6 * np.sqrt(expected) + 1)
    # the round trip lands (up to noise) back on p(x), yet they are not the same people
    assert np.abs(p.counts_back_x / 1e9 - DEFAULT_MODEL.p_x).max() < 1e-4
    np.testing.assert_allclose(p.share_same, expected_share_same(DEFAULT_MODEL), atol=1e-3)
    assert (p.share_same < 1).all()
    q = move_people(DEFAULT_MODEL, 10**9, seed=7)
    assert (q.counts_xy == p.counts_xy).all() and (q.same_back_x == p.same_back_x).all()


def test_expected_share_same_closed_form():
    # x=1: Σy p(1,y) p(1|y) / p(1) with the default numbers, in fractions
    px = [F(1, 2), F(3, 10), F(1, 5)]
    pyx = [[F(4, 5), F(1, 10), F(1, 10)], [F(1, 5), F(3, 5), F(1, 5)], [F(1, 10), F(3, 10), F(3, 5)]]
    pxy, py, back, _ = exact_tables(px, pyx)
    share = [sum(pxy[x][y] * back[y][x] for y in range(3)) / px[x] for x in range(3)]
    np.testing.assert_allclose(expected_share_same(DEFAULT_MODEL), [float(s) for s in share], atol=1e-15)


# ---- properties ------------------------------------------------------------------------------
weights = st.lists(st.integers(0, 20), min_size=2, max_size=8).filter(lambda w: sum(w) > 0)


@st.composite
def models(draw):
    wx = draw(weights)
    n = len(wx)
    rows = [draw(st.lists(st.integers(0, 20), min_size=n, max_size=n).filter(lambda w: sum(w) > 0))
            for _ in range(n)]
    px = [F(w, sum(wx)) for w in wx]
    pyx = [[F(w, sum(r)) for w in r] for r in rows]
    return px, pyx


@settings(max_examples=60, deadline=None)
@given(models())
def test_random_models_match_exact_fractions(m):
    px, pyx = m
    r = solve(DiscreteModel.from_arrays(px, pyx))
    pxy, py, back, rt = exact_tables(px, pyx)
    np.testing.assert_allclose(r.p_xy, np.array(pxy, dtype=float), atol=1e-12)
    np.testing.assert_allclose(r.p_y, np.array(py, dtype=float), atol=1e-12)
    for y in range(len(px)):
        if back[y][0] is None:
            assert np.isnan(r.p_x_given_y[y]).all()
        else:
            np.testing.assert_allclose(r.p_x_given_y[y], np.array(back[y], dtype=float), atol=1e-12)
    np.testing.assert_allclose(r.roundtrip_p_x, np.array(px, dtype=float), atol=1e-12)
    assert rt == px


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=12))
def test_any_string_is_a_probability_or_a_named_error(text):
    try:
        v = parse_probability(text, "cell")
    except InvalidInput as exc:
        assert str(exc).startswith("cell")
    else:
        assert 0.0 <= v <= 1.0


def test_low_level_rules_agree_with_solve():
    p_x, pyx = DEFAULT_MODEL.arrays()
    pxy = joint(p_x, pyx)
    py = marginal(pxy)
    back = backward_conditional(pxy, py)
    np.testing.assert_allclose(round_trip(py, back), p_x, atol=1e-15)


def test_everyone_in_one_state_and_huge_populations():
    # all 10⁹ people end in y=1 (the case numpy's hypergeometric sampler cannot take whole)
    m = DiscreteModel((0.5, 0.5), ((1.0, 0.0), (1.0, 0.0)))
    p = move_people(m, 10**9, seed=1)
    assert p.counts_y.tolist() == [10**9, 0]
    assert p.counts_back_x.sum() == 10**9 and (p.same_back_x <= p.counts_back_x).all()
    np.testing.assert_allclose(p.share_same, [0.5, 0.5], atol=1e-3)
    big = move_people(DEFAULT_MODEL, 10**15, seed=2)
    assert big.counts_back_x.sum() == 10**15 and (big.same_back_x <= big.counts_back_x).all()
    np.testing.assert_allclose(big.share_same, expected_share_same(DEFAULT_MODEL), atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=6), st.data())
def test_split_without_replacement_is_feasible(colors, data):
    from engine.discrete import split_without_replacement

    k = data.draw(st.integers(0, sum(colors)))
    chosen = split_without_replacement(np.random.default_rng(0), np.array(colors), k)
    assert chosen.sum() == k and (chosen >= 0).all() and (chosen <= np.array(colors)).all()
