"""The speed-ups of issue 11 change no number beyond what they state: the light Adam is torch's Adam,
the tabulated score is the network to within its measured interpolation error, the exact side passed
in equals the one computed inside, the budget's learned W1 is the quality table's own run, the score
error's standard error is the per-sample spread / √n, and the homework-units loss is the homework's L(θ)."""

import math

import numpy as np
import pytest
import torch

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.score_net import (TrainSettings, _sample_t, evaluate, homework_loss, score_errors, t_probabilities,
                              train_score)
from engine.training import Adam, CosineRate
from engine.walk import error_budget, marginal_at
from engine.walk_exact import exact_side

SMALL = dict(mixture=DEFAULT_MIXTURE.format(), T=30, sigma2=0.8, steps=300, batch=512, lr=1e-2, seed=0)


@pytest.fixture(scope="module")
def trained():
    return train_score(TrainSettings(**SMALL, target="p4"))


def test_light_adam_is_torch_adam_with_its_cosine_schedule():
    torch.manual_seed(0)
    a = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.SiLU(), torch.nn.Linear(16, 1))
    b = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.SiLU(), torch.nn.Linear(16, 1))
    b.load_state_dict(a.state_dict())
    mine = Adam(a.parameters(), lr=3e-2)
    mine_rate = CosineRate(mine, 40, 1e-3)
    ref = torch.optim.Adam(b.parameters(), lr=3e-2)
    ref_rate = torch.optim.lr_scheduler.CosineAnnealingLR(ref, T_max=40, eta_min=1e-3)
    x = torch.randn(64, 2)
    for _ in range(40):  # a run of T_max steps, as in training
        for model, opt, rate in ((a, mine, mine_rate), (b, ref, ref_rate)):
            opt.zero_grad(set_to_none=True)
            ((model(x) - x[:, :1] ** 2) ** 2).mean().backward()
            opt.step()
            rate.step()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    assert mine.lr == pytest.approx(ref.param_groups[0]["lr"])


def test_grid_score_is_the_network_within_its_stated_error(trained):
    grid = trained.grid_score_fn()
    direct = trained.score_fn()
    rng = np.random.default_rng(1)
    setup = trained.settings.setup()
    worst = 0.0
    for t in (1, 7, 30):
        pt = marginal_at(setup, t)
        x = pt.sample(5000, rng)
        worst = max(worst, float(np.max(np.abs(grid(x, t) - direct(x, t))) * math.sqrt(pt.variance())))
        far = np.array([pt.support(8.0)[1] + 3.0, pt.support(8.0)[0] - 1.0])  # off the grid: the network itself
        np.testing.assert_allclose(grid(far, t), direct(far, t), rtol=1e-6)
    stated = grid.interpolation_error()
    assert worst <= 1.5 * stated + 1e-6 and stated < 1e-2, (worst, stated)


def test_exact_side_passed_in_is_the_one_computed_inside(trained):
    setup = trained.settings.setup()
    inside = evaluate(trained, n=3000, seed=2)
    passed = evaluate(trained, n=3000, seed=2, exact=exact_side(setup, 3000, 2, "prior"))
    assert inside.rows == passed.rows and inside.budget == passed.budget
    # a mismatched exact side (other seed) is not used
    other = evaluate(trained, n=3000, seed=2, exact=exact_side(setup, 3000, 5, "prior"))
    assert other.rows == inside.rows


def test_budget_reuses_the_quality_run_and_matches_the_independent_budget(trained):
    setup = trained.settings.setup()
    ev = evaluate(trained, n=4000, seed=3)
    for m in ("stochastic", "deterministic"):
        b = ev.budget[m]
        assert b.with_learned == ev.row("learned", m).w1 and b.with_prior == ev.row("exact", m).w1
        old = error_budget(setup, m, 4000, seed=3, learned=trained.score_fn())  # network at every step
        assert (b.discretization, b.with_prior, b.prior_limit) == (old.discretization, old.with_prior, old.prior_limit)
        assert b.with_learned == pytest.approx(old.with_learned, abs=2e-3)
    # another start: the budget's learned run is still from N(0, Tσ²)
    ev_exact = evaluate(trained, n=4000, seed=3, start="exact")
    assert ev_exact.budget["stochastic"].with_learned == pytest.approx(ev.budget["stochastic"].with_learned, abs=1e-12)


def test_score_error_standard_error_is_spread_over_root_n(trained):
    errs = score_errors(trained, n=3000, n_t=4, seed=5)
    setup = trained.settings.setup()
    rng = np.random.default_rng(5)
    fn = trained.score_fn()
    for k, t in enumerate(errs.t):
        pt = marginal_at(setup, int(t))
        x = pt.sample(3000, rng)
        terms = (fn(x, int(t)) - pt.score(x)) ** 2 * pt.variance()
        assert errs.error[k] == pytest.approx(terms.mean(), rel=1e-5)
        assert errs.stderr[k] == pytest.approx(terms.std(ddof=1) / math.sqrt(3000), rel=1e-4)
    assert errs.mean_stderr == pytest.approx(math.sqrt(np.sum(errs.stderr**2)) / len(errs.t))


def test_t_probabilities_are_how_t_is_drawn():
    gen = torch.Generator().manual_seed(0)
    for loss in ("homework", "balanced"):
        p = t_probabilities(20, loss)
        assert p.sum() == pytest.approx(1.0)
        t = _sample_t(20, 400_000, gen, "cpu", loss).long().numpy()
        freq = np.bincount(t, minlength=21)[1:] / len(t)
        np.testing.assert_allclose(freq, p, atol=5 * np.sqrt(p.max() / len(t)))


def test_homework_units_are_the_homework_loss():
    homework = train_score(TrainSettings(**{**SMALL, "steps": 50}, target="p3", loss="homework"))
    np.testing.assert_allclose(homework.homework_losses, homework.outcome.losses, rtol=1e-5)
    balanced = train_score(TrainSettings(**{**SMALL, "steps": 400}, target="p3", loss="balanced"))
    assert balanced.outcome.final_loss > 5 * balanced.final_homework_loss  # other units altogether
    fresh = homework_loss(balanced, n=200_000, seed=1)
    # the last steps' batch estimates average to L(θ) of (nearly) the final weights
    assert balanced.final_homework_loss == pytest.approx(fresh.value, abs=6 * fresh.stderr + 0.01 * fresh.value)


def test_loss_setting_and_old_checkpoints():
    with pytest.raises(InvalidInput, match="loss"):
        TrainSettings(**SMALL, loss="l1")
    saved = TrainSettings(**SMALL).as_dict()
    del saved["loss"]
    assert TrainSettings.from_saved(saved).loss == "balanced"
    assert TrainSettings.from_saved({**saved, "loss": "homework"}).loss == "homework"


def test_progress_is_reported_in_the_homework_units():
    seen = []
    out = train_score(TrainSettings(**{**SMALL, "steps": 30}, target="p4", loss="balanced"), on_progress=seen.append)
    last = seen[-1]
    assert last.step == 30 and last.loss == pytest.approx(out.homework_losses[-1])
    assert last.loss != pytest.approx(out.outcome.final_loss)  # the trained objective is in other units


def test_evaluation_travels_with_the_checkpoint(trained, tmp_path):
    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.score_net import evaluation_from_metrics, evaluation_metrics

    ev = evaluate(trained, n=2000, seed=1)
    errors = score_errors(trained, n=500, seed=1)
    path = save_checkpoint(tmp_path, "m", "p4-score", trained.model.state_dict(), trained.settings.as_dict(),
                           {"final_loss": 1.0, **evaluation_metrics(ev, errors)})
    back, back_errors = evaluation_from_metrics(load_checkpoint(path).metrics)
    assert back.rows == ev.rows and back.budget == ev.budget and back.n == 2000 and back.start == "prior"
    np.testing.assert_array_equal(back_errors.t, errors.t)
    np.testing.assert_allclose(back_errors.error, errors.error)
    np.testing.assert_allclose(back_errors.stderr, errors.stderr)
    assert evaluation_from_metrics({"final_loss": 1.0}) is None  # an older checkpoint: evaluate again


def test_2d_evaluation_travels_with_the_checkpoint(tmp_path):
    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.eps_net import evaluate as evaluate_2d
    from engine.eps_net import evaluation_from_metrics, evaluation_metrics, fast, train_eps

    model = train_eps(fast(steps=20, n_data=1000))
    ev = evaluate_2d(model, n=300, seed=0, frame_points=1)
    path = save_checkpoint(tmp_path, "e", "p5-eps", model.model.state_dict(), model.settings.as_dict(),
                           evaluation_metrics(ev))
    back = evaluation_from_metrics(load_checkpoint(path).metrics)
    assert back.samplers == ev.samplers and back.floor == ev.floor and back.gaussian == ev.gaussian
    assert evaluation_from_metrics({}) is None


def test_swiss_roll_oracle_in_float32_is_the_float64_score():
    from engine.toy2d import Standardizer, make_dataset
    from engine.vp import make_schedule, swiss_roll_oracle

    raw = make_dataset("swiss_roll", 20_000, 0)
    oracle = swiss_roll_oracle(Standardizer.fit(raw), make_schedule("cosine", 40), 800)
    x = np.random.default_rng(0).standard_normal((3000, 2)) * 1.5
    for t in (1, 5, 20, 39):
        exact = oracle.score(x, t, dtype=np.float64)
        fast32 = oracle.score(x, t)
        assert np.max(np.abs(fast32 - exact)) <= 1e-5 * np.max(np.abs(exact)), t


def test_eps_form_check_reuses_the_quality_runs_without_changing_a_number(trained):
    from engine.walk import eps_form_check

    setup = trained.settings.setup()
    ev = evaluate(trained, n=3000, seed=4, budget=False)
    fn = trained.grid_score_fn()
    assert fn is trained.grid_score_fn()  # one table per model, shared
    reused = eps_form_check(setup, fn, 3000, seed=4, score_samples=ev.samples)
    fresh = eps_form_check(setup, fn, 3000, seed=4)
    assert reused == fresh
    for check in reused:
        assert check.w1_score_form == ev.row("learned", check.method).w1
