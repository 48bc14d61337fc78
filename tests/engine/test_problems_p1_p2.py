"""The Problem 1 and 2 workflows: their tables hold the numbers computed independently here, the
draft's edits are exact, the mixture text round-trips, and the LaTeX does not number twice."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from engine.discrete import DiscreteModel
from engine.errors import InvalidInput
from engine.problems.p1_discrete import DEFAULT_DRAFT, P1Draft, P1Settings, solve_p1
from engine.problems.p2_continuous import P2Settings, compare_p2, mixture_rows, mixture_text
from tui.render import latex, markdown


def test_p1_tables_hold_the_rules_computed_with_fractions():
    px = [F(1, 2), F(1, 4), F(1, 4)]
    pyx = [[F(1, 2), F(1, 2), F(0)], [F(0), F(1), F(0)], [F(1, 3), F(1, 3), F(1, 3)]]
    model = DiscreteModel.from_arrays(px, pyx)
    out = solve_p1(P1Settings(model=model), people=False)
    pxy = [[px[x] * pyx[x][y] for y in range(3)] for x in range(3)]
    py = [sum(pxy[x][y] for x in range(3)) for y in range(3)]
    joint = out.joint_table()
    for x in range(3):
        assert joint.rows[x][1:4] == pytest.approx([float(v) for v in pxy[x]], rel=1e-15)
    assert joint.rows[3][1:4] == pytest.approx([float(v) for v in py], rel=1e-15)
    t3 = next(t for t in out.tables() if t.key == "table3")
    for y in range(3):  # rows y, columns x: p(x|y) = p(x,y)/p̃(y)
        assert t3.rows[y][1:] == pytest.approx([float(pxy[x][y] / py[y]) for x in range(3)], rel=1e-15)
    back = out.backward_table()
    assert back.rows[3][1:4] == pytest.approx([0.5, 0.25, 0.25])  # the round trip gives p(x) back
    values = {(r[0], r[1], r[2]): r[3] for r in out.values_table().text_rows()}
    assert float(values[("p(x|y)", "2", "3")]) == float(pxy[2][1] / py[1])  # full precision survives the text
    assert "people" not in out.as_json() and set(out.as_json()) >= {"p_xy", "p_y", "p_x_given_y", "roundtrip_p_x"}


def test_p1_undefined_backward_rows_are_named_not_divided():
    model = DiscreteModel.from_arrays([0.5, 0.5], [[1, 0], [1, 0]])
    out = solve_p1(P1Settings(model=model), people=False)
    t3 = next(t for t in out.tables() if t.key == "table3")
    assert t3.text_rows()[1][1:] == ["undefined", "undefined"] and "y = 2" in t3.notes[0]
    assert "is undefined" in out.rule_lines(0, 1)["backward"]


def test_p1_people_table_is_consistent_and_puts_the_answer_first():
    out = solve_p1(P1Settings(people=10**6, seed=3))
    t = out.people_table()
    assert [c.header for c in t.columns][:2] == ["state", "same people"]
    p = out.people
    for i, row in enumerate(t.rows):
        assert row[1] == pytest.approx(p.same_back_x[i] / p.counts_back_x[i])
        assert row[2:] == (p.counts_x[i], p.counts_y[i], p.counts_back_x[i])
    assert sum(r[4] for r in t.rows) == 10**6


def test_p1_draft_edits_are_exact():
    d = DEFAULT_DRAFT.with_cell(0, 1, 1 / 3)  # p(y=1|x=1) = 1/3: the row sums to 0.5333…
    with pytest.raises(InvalidInput, match="row x=1 of p"):
        d.model()
    n = d.normalized(0)
    assert n.pyx[0] == pytest.approx((0.625, 0.1875, 0.1875), rel=1e-15)
    assert n.model().p_y_given_x[0] == n.pyx[0]
    grown = DEFAULT_DRAFT.with_new_state()
    assert grown.n == 4 and grown.model().p_x[3] == 0 and grown.pyx[3] == (0, 0, 0, 1)
    assert grown.without_state(3) == DEFAULT_DRAFT
    with pytest.raises(InvalidInput, match="at least 2"):
        P1Draft.of([0.5, 0.5], [[1, 0], [0, 1]]).without_state(0)
    with pytest.raises(InvalidInput):
        P1Draft.of([1, 0], [[1, 0]])  # p(y|x) not 2×2


def test_latex_does_not_number_the_tables_twice_and_escapes():
    tex = latex(solve_p1(P1Settings(), people=False).homework_tables())
    assert r"\caption{Initial distribution}" in tex and "Table 1:" not in tex
    assert r"p(y$|$x)" in tex
    assert "| y = 1 | 0.8333 | 0.1250 | 0.0417 |" in markdown(solve_p1(P1Settings(), people=False).tables())


@pytest.mark.parametrize("text", ["0.3:-2:0.5,0.5:0.5:0.7", "1e6:-1e6:1e-06,0:1e6:1e6", "0.1:0.30000000000000004:7"])
def test_mixture_text_round_trips_without_losing_a_digit(text):
    rows = mixture_rows(text)
    assert mixture_rows(mixture_text(rows)) == rows


@pytest.mark.parametrize("text, words", [("1:0:0", "component 1: std must be from 1e-06"),
                                         ("1:0:1,2:3", "component 2"), ("0:0:1", "weights sum to 0"),
                                         (",".join(["1:0:1"] * 9), "1 to 8 components"),
                                         ("1:2e6:1", "component 1: mean must be from -1000000 to 1000000")])
def test_p2_settings_refuse_a_bad_mixture_naming_the_component(text, words):
    with pytest.raises(InvalidInput, match=words.replace("(", r"\(")):
        P2Settings(mixture=text)


def test_p2_tables_and_curves_are_the_engine_numbers():
    from engine.mixture import GaussianMixture
    from engine.posterior import compare

    out = compare_p2(P2Settings(mixture="1:1:2", sigma2=0.5, y=3.0, particles=200_000, seed=1))
    # one component: p(x|y) = N((mσ² + y s²)/(s² + σ²), s²σ²/(s² + σ²))
    exact = out.posterior_table().rows[0]
    assert exact[1] == pytest.approx((1 * 0.5 + 3 * 4) / 4.5) and exact[2] == pytest.approx(4 * 0.5 / 4.5)
    assert out.comparison == compare(GaussianMixture((1.0,), (1.0,), (2.0,)), 0.5, 3.0)
    errors = out.errors_table()
    assert errors.rows[-1][0] == "fitted rate" and errors.rows[-1][3] == out.rates.rate_tv
    centers, density, xs, exact_pdf, approx_pdf = out.particle_histogram()
    assert float(np.sum(density) * (centers[1] - centers[0])) == pytest.approx(1.0, abs=0.01)  # a density
    xs2, e2, _ = out.posterior_curves()
    assert float(np.trapezoid(e2, xs2)) == pytest.approx(1.0, abs=1e-3)
    assert set(out.as_json()) >= {"mixture", "sigma2", "y", "exact", "approx", "errors", "rates", "particles"}


def test_p2_particle_histogram_says_none_when_nobody_lands():
    out = compare_p2(P2Settings(mixture="1:0:1", sigma2=1e-6, y=50.0, particles=1000))
    assert out.particles.n_selected == 0 and out.particle_histogram() is None
    assert math.isnan(out.as_json()["particles"]["mean"] or math.nan)


@pytest.mark.parametrize("text", [",".join(["1:0:1"] * 9), "1:0:0", "1:2e6:1", "1:0:1,2:3"])
def test_problems_2_to_4_refuse_a_mixture_with_the_same_words(text):
    """One parser (engine.mixture.mixture_rows) and one component limit for P2's table, screens 3–4
    and the engine: P2Settings, WalkSettings and GaussianMixture.parse refuse alike."""
    from engine.mixture import GaussianMixture
    from engine.problems.p3_walk import WalkSettings

    words = set()
    for make in (lambda: P2Settings(mixture=text), lambda: WalkSettings(mixture=text), lambda: GaussianMixture.parse(text)):
        with pytest.raises(InvalidInput) as caught:
            make()
        words.add(str(caught.value))
    assert len(words) == 1, words
