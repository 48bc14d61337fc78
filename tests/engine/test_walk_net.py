"""The numpy score network of Problems 3–4 (engine.walk_net) is build_model's torch network: the same
forward values, the same gradients (torch's autograd as the independent reference), the same Adam;
its t is drawn by t_probabilities; numpy's BLAS is held to the thread count asked for (that hw7-tui
p3 never imports torch: tests/test_import_hygiene.py)."""

import numpy as np
import pytest
import torch

from engine.mixture import DEFAULT_MIXTURE
from engine.score_net import (TrainSettings, _sample_t_np, build_model, load_trained, t_probabilities,
                              train_score)
from engine.walk_net import KEYS, FlatAdam, WalkNet

SMALL = dict(mixture=DEFAULT_MIXTURE.format(), T=30, sigma2=0.8, steps=300, batch=512, lr=1e-2, seed=0)


def _pair(hidden=8, seed=3):
    settings = TrainSettings(**{**SMALL, "hidden": hidden})
    torch.manual_seed(seed)
    model = build_model(settings, settings.setup().p0.variance())
    with torch.no_grad():  # biases away from torch's small init, so every term of the backward pass counts
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return settings, model, WalkNet.from_state_dict(model.state_dict())


def test_forward_is_the_torch_network():
    _, model, net = _pair()
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, 500).astype(np.float32)
    t = rng.integers(1, 31, 500).astype(np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(x), torch.from_numpy(t)).numpy()
    np.testing.assert_allclose(net(x, t), ref, rtol=1e-5, atol=1e-6)
    back = WalkNet.from_state_dict(net.state_dict())  # torch's names and shapes, both ways
    np.testing.assert_array_equal(back.theta, net.theta)
    assert list(net.state_dict()) == list(model.state_dict())


@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_is_torch_autograd(weighted):
    _, model, net = _pair()
    rng = np.random.default_rng(1)
    n = 256
    xt = rng.normal(0, 2, n).astype(np.float32)
    t = rng.integers(1, 31, n).astype(np.float32)
    target = (xt + rng.normal(0, 0.5, n)).astype(np.float32)
    c = (t * 0.8).astype(np.float32)
    w = rng.uniform(0.5, 2.0, n).astype(np.float32) if weighted else None
    grad = np.empty_like(net.theta)
    loss, ell = net.loss_and_grad(xt, t, target, c, w, grad)

    tx, tt = torch.from_numpy(xt), torch.from_numpy(t)
    ref_ell = (torch.from_numpy(target) - tx - torch.from_numpy(c) * model(tx, tt)) ** 2
    ref = (ref_ell * torch.from_numpy(w)).mean() if weighted else ref_ell.mean()
    model.zero_grad()
    ref.backward()
    assert loss == pytest.approx(float(ref.detach()), rel=1e-5)
    np.testing.assert_allclose(ell, ref_ell.detach().numpy(), rtol=1e-4, atol=1e-6)
    mine = dict(zip(KEYS, net._views(grad)))
    for name, p in model.named_parameters():
        np.testing.assert_allclose(mine[name], p.grad.numpy(), rtol=2e-4, atol=2e-6, err_msg=name)


def test_flat_adam_is_torch_adam():
    rng = np.random.default_rng(2)
    theta = rng.normal(size=50).astype(np.float32)
    ref = torch.tensor(theta.copy(), requires_grad=True)
    opt_ref = torch.optim.Adam([ref], lr=3e-2)
    mine = FlatAdam(theta, lr=3e-2)
    for _ in range(30):
        g = rng.normal(size=50).astype(np.float32)
        ref.grad = torch.from_numpy(g.copy())
        opt_ref.step()
        mine.step(g)
    np.testing.assert_allclose(theta, ref.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_numpy_t_draws_follow_t_probabilities():
    rng = np.random.default_rng(0)
    for loss in ("homework", "balanced"):
        p = t_probabilities(20, loss)
        t = _sample_t_np(20, 4000, rng, loss, rows=100).astype(int)
        freq = np.bincount(t.ravel(), minlength=21)[1:] / t.size
        np.testing.assert_allclose(freq, p, atol=5 * np.sqrt(p.max() / t.size))


def test_numpy_and_torch_backends_learn_alike():
    """Same settings, two implementations (their random draws differ): both reach a small score error."""
    from engine.score_net import score_errors

    errs = {}
    for backend in ("numpy", "torch"):
        trained = train_score(TrainSettings(**SMALL, target="p4"), backend=backend)
        assert trained.outcome.status == "done" and trained.outcome.steps_done == 300
        errs[backend] = score_errors(trained, n=2000, n_t=5).mean
    assert errs["numpy"] < 0.1 and errs["torch"] < 0.1, errs
    assert 0.25 < errs["numpy"] / errs["torch"] < 4, errs


def test_torch_module_of_a_numpy_trained_net_and_reload():
    trained = train_score(TrainSettings(**{**SMALL, "steps": 20}))
    x = np.linspace(-3, 3, 9)
    with torch.no_grad():
        ref = trained.model(torch.tensor(x, dtype=torch.float32), torch.full((9,), 5.0)).numpy()
    np.testing.assert_allclose(trained.score_fn()(x, 5), ref, rtol=1e-5, atol=1e-6)
    again = load_trained(trained.settings, trained.model.state_dict())
    np.testing.assert_array_equal(again.net.theta, trained.net.theta)


def test_blas_threads_are_set():
    from engine.blas import blas_threads, set_blas_threads

    if not set_blas_threads(1):
        pytest.skip("numpy's BLAS here is not an OpenBLAS this can tell")
    assert blas_threads() == 1
    set_blas_threads(2)
    assert blas_threads() == 2
    set_blas_threads(1)
    assert blas_threads() == 1
