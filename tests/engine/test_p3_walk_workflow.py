"""engine.problems.p3_walk: one workflow for the screen, the command line and the report."""

import json

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.problems import p3_walk
from engine.problems.p3_walk import WalkSettings
from engine.walk import error_budget, exact_score_fn, quality, sample

SMALL = WalkSettings(T=20, sigma2=1.25, particles=2000, steps=150, seed=3)


@pytest.fixture(scope="module")
def trained_result():
    return p3_walk.run(SMALL, "p3")


def test_exact_part_measures_the_particles_evaluate_draws(trained_result):
    """Before training, the exact score's quality comes from the frames' own x0; it must be the same
    number evaluate() gets later from its own run (same start, seed and particles)."""
    exact, frames = p3_walk.exact_part(SMALL)
    setup = SMALL.setup()
    for method in ("stochastic", "deterministic"):
        x0 = sample(setup, exact_score_fn(setup), SMALL.particles, method=method, seed=SMALL.seed, max_frames=2).x0
        assert exact.evaluation.row("exact", method).w1 == pytest.approx(quality(x0, setup.p0).w1, abs=1e-12)
        assert trained_result.evaluation.row("exact", method).w1 == pytest.approx(
            exact.evaluation.row("exact", method).w1, abs=1e-12)
        assert exact.budget[method].with_learned is None
        assert exact.budget[method].with_prior == pytest.approx(
            error_budget(setup, method, SMALL.particles, seed=SMALL.seed).with_prior, abs=1e-12)
    assert exact.kind == "exact" and frames.kind == "exact" and frames.crossings[0] == 0
    assert len(frames.stochastic.steps) == SMALL.T + 1 and frames.stochastic.steps[-1] == 0  # T < FRAMES: every step


def test_tables_hold_the_results_numbers(trained_result):
    r = trained_result
    quality_t, budget_t = r.quality_table(), r.budget_table()
    assert [row[0] for row in quality_t.rows] == ["learned", "exact"]
    assert quality_t.rows[0][1] == r.evaluation.row("learned", "stochastic").w1
    assert quality_t.rows[1][4] == r.evaluation.row("exact", "deterministic").tv
    det = r.budget["deterministic"]
    assert budget_t.rows[1] == ("deterministic", det.discretization, det.prior_mismatch, det.learned_score,
                                det.with_learned, det.prior_limit)
    assert quality_t.text_rows()[0][1] == f"{r.evaluation.row('learned', 'stochastic').w1:.4f}"
    assert [t.key for t in r.tables()] == ["quality", "budget"]  # no comparison until one is made


def test_json_keeps_the_contract_and_adds_the_tables(trained_result):
    out = json.loads(json.dumps(trained_result.as_json(), default=lambda v: v.tolist()))
    for key in ("settings", "device", "threads", "status", "message", "steps_done", "train_seconds", "final_loss",
                "quality", "start", "particles", "error_budget", "score_error", "tables"):
        assert key in out, key
    assert out["tables"]["budget"][1]["prior_mismatch_limit"] == out["error_budget"]["deterministic"]["prior_mismatch_limit"]


def test_comparison_reuses_the_given_model_and_lays_out_its_table(trained_result):
    c = p3_walk.compare_targets(SMALL, trained={"p3": trained_result.trained})
    assert c.p3_outcome is trained_result.trained.outcome  # not trained again
    table = trained_result.with_comparison(c).comparison_table()
    assert len(table.rows) == len(c.p3.t) + 1 and table.rows[-1][0] == "mean"
    assert table.rows[0][3] == pytest.approx(c.p3.error[0] / c.p4.error[0])


def test_a_stored_summary_gives_back_the_same_result_only_for_the_same_measurement(trained_result):
    r = trained_result
    summary = json.loads(json.dumps(r.summary()))  # as a checkpoint stores it
    back = p3_walk.result_from_summary(SMALL, r.trained, summary)
    assert back.evaluation.rows == r.evaluation.rows and back.budget == r.budget
    assert np.array_equal(back.score_errors.error, r.score_errors.error)
    assert back.quality_table() == r.quality_table() and back.budget_table() == r.budget_table()
    from dataclasses import replace

    assert p3_walk.result_from_summary(replace(SMALL, particles=3000), r.trained, summary) is None
    assert p3_walk.result_from_summary(SMALL, r.trained, {"particles": 2000}) is None


def test_cancelled_phases_raise_stopped():
    with pytest.raises(p3_walk.Stopped):
        p3_walk.exact_part(SMALL, should_stop=lambda: True)


@pytest.mark.parametrize("change, words", [({"T": 0}, "T must be"), ({"particles": 99}, "N must be"),
                                           ({"start": "middle"}, "start must be one of"),
                                           ({"mixture": "1:0:-1"}, "std must be from 1e-06 to 1000000")])
def test_bad_settings_are_refused_with_the_declarations_words(change, words):
    with pytest.raises(InvalidInput, match=words):
        WalkSettings(**{"mixture": DEFAULT_MIXTURE.format(), **change})


def test_problem_4_frames_run_the_eps_forms_and_end_where_the_score_forms_do(monkeypatch):
    """Screen 4's panels say x(t−1) = x(t) − ε/t + σz: its frames really run the ε steps (engine.walk's
    eps_* methods), and with εθ = −tσ²s they end on the score forms' particles."""
    setup = SMALL.setup()
    score = exact_score_fn(setup)
    by_eps = p3_walk.record_frames(setup, score, 500, 1, "prior", kind="exact", eps_form=True)
    by_score = p3_walk.record_frames(setup, score, 500, 1, "prior", kind="exact")
    for method in ("stochastic", "deterministic"):
        assert np.allclose(by_eps.x0[method], by_score.x0[method], atol=1e-9)
    from engine.problems import walk_frames

    methods = []
    real = walk_frames.sample
    monkeypatch.setattr(walk_frames, "sample", lambda *a, **k: methods.append(k["method"]) or real(*a, **k))
    p3_walk.exact_part(SMALL, "p4")
    p3_walk.exact_part(SMALL, "p3")
    assert methods == ["eps_stochastic", "eps_deterministic", "stochastic", "deterministic"]
