"""Training sθ: a short run lands near the exact-score sampler; cancel and divergence guards."""

import math

import numpy as np
import pytest
import torch

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE
from engine.score_net import TrainSettings, load_trained, score_errors, train_score
from engine.training import run_training
from engine.walk import exact_score_fn, sample, wasserstein1

SMALL = dict(mixture=DEFAULT_MIXTURE.format(), T=50, sigma2=0.5, steps=1500, batch=256, lr=3e-3, seed=0)


@pytest.fixture(scope="module")
def trained_p3():
    return train_score(TrainSettings(**SMALL, target="p3"))


def test_short_training_lands_near_the_exact_sampler(trained_p3):
    assert trained_p3.outcome.status == "done" and trained_p3.outcome.steps_done == 1500
    setup = trained_p3.settings.setup()
    for method in ("stochastic", "deterministic"):
        learned = wasserstein1(sample(setup, trained_p3.score_fn(), 20_000, method=method, seed=4).x0, setup.p0)
        exact = wasserstein1(sample(setup, exact_score_fn(setup), 20_000, method=method, seed=4).x0, setup.p0)
        assert learned < exact + 0.12, (method, learned, exact)
    # and far better than not denoising at all (pT itself is ~5 wide)
    assert learned < 0.5 * wasserstein1(np.sqrt(setup.total_variance) * np.random.default_rng(0).standard_normal(20_000), setup.p0)


def test_same_seed_same_weights_and_checkpoint_reload(trained_p3):
    again = train_score(TrainSettings(**{**SMALL, "steps": 50}, target="p3"))
    twice = train_score(TrainSettings(**{**SMALL, "steps": 50}, target="p3"))
    for a, b in zip(again.model.state_dict().values(), twice.model.state_dict().values()):
        assert torch.equal(a, b)
    reloaded = load_trained(trained_p3.settings, trained_p3.model.state_dict())
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(reloaded.score_fn()(x, 5), trained_p3.score_fn()(x, 5))


def test_score_error_is_small_against_the_oracle(trained_p3):
    errors = score_errors(trained_p3, n=2000, n_t=5)
    assert errors.t[0] == 1 and errors.t[-1] == 50
    assert errors.mean < 0.2 and np.median(errors.error) < 0.05


def test_cancel_stops_within_a_step():
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 7

    out = train_score(TrainSettings(**{**SMALL, "steps": 10_000}, target="p4"), should_stop=stop)
    assert out.outcome.status == "cancelled" and out.outcome.steps_done == 7


def test_divergence_is_caught_and_good_weights_kept():
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.ones(4, 1)

    def loss_at(step):
        return (model(x) ** 2).mean() * (math.inf if step == 5 else 1.0)

    out = run_training(model, opt, loss_at, 20)
    assert out.status == "diverged" and out.steps_done == 5 and "learning rate" in out.message
    assert all(torch.isfinite(p).all() for p in model.parameters())
    # Adam keeps the weights finite, so a too-large rate shows as a huge but finite loss: caught too
    for target in ("p3", "p4"):
        big = train_score(TrainSettings(**{**SMALL, "steps": 300, "lr": 10.0}, target=target))
        assert big.outcome.status == "diverged" and big.outcome.steps_done < 300, big.outcome
        assert "learning rate is too large" in big.outcome.message
        assert all(torch.isfinite(p).all() for p in big.model.parameters())
        assert np.isfinite(big.score_fn()(np.linspace(-3, 3, 7), 5)).all()


def test_blow_up_guard_restores_the_weights_of_the_lowest_loss():
    from engine.score_net import BlowUpGuard

    model = torch.nn.Linear(1, 1)
    guard = BlowUpGuard(model)
    kept = None
    for step, value in enumerate([5.0, 3.0, 4.0, 2e5]):
        with torch.no_grad():
            model.weight.fill_(float(step))  # the weights that "gave" this step's loss
        if step == 1:
            kept = model.weight.clone()
        out = guard.check(step, torch.tensor(value, requires_grad=True))
        assert math.isinf(float(out.detach())) == (step == 3)  # 2e5 > 10⁴ × 3; 4 and 5 are honest noise
    from engine.training import TrainOutcome

    outcome = guard.finish(TrainOutcome("diverged", 3, 10, 4.0, 0.1, (5.0, 3.0, 4.0)))
    assert torch.equal(model.weight, kept) and "step 1" in outcome.message
    done = TrainOutcome("done", 3, 3, 4.0, 0.1, (5.0, 3.0, 4.0))
    assert BlowUpGuard(model).finish(done) is done


@pytest.mark.parametrize("change, words", [
    ({"lr": float("nan")}, "lr must be a finite"), ({"lr": 0.0}, "lr must be > 0"), ({"steps": 0}, "steps"),
    ({"target": "p5"}, "target"), ({"T": 0}, "T must be"), ({"sigma2": -1.0}, "σ² must be"),
    ({"mixture": "1:0:0"}, "std must be from 1e-06 to 1000000"),
])
def test_bad_settings_are_refused(change, words):
    with pytest.raises(InvalidInput, match=words):
        TrainSettings(**{**SMALL, **change})
