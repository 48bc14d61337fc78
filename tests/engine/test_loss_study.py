"""engine.loss_study: the homework's loss against the balanced one, measured on the same budget."""

import numpy as np
import pytest

from engine.loss_study import LOSSES, LossComparison, LossRun, compare_losses, within_goal


def run(loss, seed, errors, learned, exact=(0.1, 0.1)):
    return LossRun(loss, seed, np.array([1, 5, 10]), np.array(errors), learned, exact, 0.5)


def test_table_and_sentence_are_the_runs_numbers():
    c = LossComparison("p3", {"steps": 100, "batch": 64}, (
        run("homework", 0, [2.0, 1.0, 0.5], (0.3, 0.3)), run("balanced", 0, [0.5, 0.2, 0.1], (0.12, 0.14)),
        run("homework", 1, [1.0, 1.0, 0.5], (0.15, 0.17)), run("balanced", 1, [0.3, 0.2, 0.1], (0.11, 0.13)),
    ))
    rows = {r["loss"]: r for r in c.table().as_json()}
    assert rows["homework"]["score_error_t1"] == pytest.approx(1.5) and rows["balanced"]["score_error_t1"] == pytest.approx(0.4)
    assert rows["homework"]["w1_stochastic"] == pytest.approx(0.225) and rows["homework"]["w1_deterministic"] == pytest.approx(0.235)
    assert rows["homework"]["within_goal"] == "1/2" and rows["balanced"]["within_goal"] == "2/2"
    assert c.better() == "balanced"
    assert "1.5 against 0.4" in c.sentence() and "(3.8×)" in c.sentence() and "1/2 runs" in c.sentence()


def test_goal_is_the_issue_s():
    assert within_goal(0.18, 0.1) and not within_goal(0.19, 0.1)


def test_compare_losses_trains_both_on_the_same_seeds():
    pytest.importorskip("torch")
    from engine.mixture import DEFAULT_MIXTURE
    from engine.score_net import TrainSettings

    settings = TrainSettings(mixture=DEFAULT_MIXTURE.format(), T=20, sigma2=1.25, steps=30, batch=256)
    seen = []
    c = compare_losses(settings, seeds=(0, 1), n=1000, on_progress=lambda done, total, text: seen.append((done, total)))
    assert [(r.loss, r.seed) for r in c.runs] == [(l, s) for s in (0, 1) for l in LOSSES]
    assert seen[-1] == (4, 4)
    for r in c.runs:  # the exact side is shared by both losses of a seed
        twin = next(o for o in c.runs if o.seed == r.seed and o.loss != r.loss)
        assert r.w1_exact == twin.w1_exact and np.isfinite(r.score_error).all()
    with pytest.raises(InterruptedError):
        compare_losses(settings, seeds=(0,), n=500, should_stop=lambda: True)
