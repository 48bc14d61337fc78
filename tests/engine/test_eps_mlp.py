"""The numpy ε-network of Problem 5 (engine.eps_mlp) is engine.nets.EpsNet: the same forward values,
the same gradients (torch's autograd as the independent reference, and central differences), the
same names and shapes both ways; the fast recipe trains with it on the CPU, and `hw7-tui p5` then
never imports torch, while the faithful recipe stays the notebook's torch code."""


import numpy as np
import pytest
import torch

from engine.eps_mlp import EpsMLP, keys
from engine.eps_net import build_model, faithful, fast, load_trained, train_eps
from tests.helpers import run_python



def _pair(settings, seed=3):
    torch.manual_seed(seed)
    model = build_model(settings)
    with torch.no_grad():  # biases away from torch's small init, so every term of the backward pass counts
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model, EpsMLP.from_state_dict(model.state_dict())


RECIPES = [fast(hidden=12), fast(hidden=9, embedding="raw"), faithful(hidden=10)]


@pytest.mark.parametrize("settings", RECIPES, ids=["fast", "fast-raw", "faithful"])
def test_forward_is_the_torch_network(settings):
    model, net = _pair(settings)
    assert net.first_activation == settings.first_activation and net.embedding == settings.embedding
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1.5, (500, 2)).astype(np.float32)
    t = rng.integers(0, 40, 500).astype(np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(x), torch.from_numpy(t)).numpy()
        ref_in = model.inputs(torch.from_numpy(x), torch.from_numpy(t)).numpy()
    np.testing.assert_allclose(net.inputs(x, t), ref_in, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(net(x, t), ref, rtol=1e-4, atol=1e-5)
    assert list(net.state_dict()) == list(model.state_dict())  # torch's names, in torch's order
    for k, v in net.state_dict().items():  # arrays (a checkpoint is npz), equal to the module's tensors
        assert isinstance(v, np.ndarray) and v.dtype == np.float32, k
        np.testing.assert_array_equal(v, model.state_dict()[k].numpy(), err_msg=k)
    back = EpsMLP.from_state_dict(net.state_dict())
    np.testing.assert_array_equal(back.theta, net.theta)


@pytest.mark.parametrize("settings", RECIPES, ids=["fast", "fast-raw", "faithful"])
def test_gradient_is_torch_autograd(settings):
    model, net = _pair(settings)
    rng = np.random.default_rng(1)
    n = 256
    x = rng.normal(0, 1.5, (n, 2)).astype(np.float32)
    t = rng.integers(0, 40, n).astype(np.float32)
    eps = rng.standard_normal((n, 2)).astype(np.float32)
    grad = np.empty_like(net.theta)
    loss = net.loss_and_grad(net.inputs(x, t), eps, grad)

    ref = ((model(torch.from_numpy(x), torch.from_numpy(t)) - torch.from_numpy(eps)) ** 2).mean()
    model.zero_grad()
    ref.backward()
    assert loss == pytest.approx(float(ref.detach()), rel=1e-5)
    mine = dict(zip(keys(settings.first_activation), net._views(grad)))
    for name, p in model.named_parameters():
        np.testing.assert_allclose(mine[name], p.grad.numpy(), rtol=2e-4, atol=2e-6, err_msg=name)


def test_gradient_is_the_central_difference():
    """Independent of torch: (L(θ + h e_i) − L(θ − h e_i))/2h in float64 for a few weights of each layer."""
    _, net32 = _pair(fast(hidden=6))
    rng = np.random.default_rng(2)
    u = net32.inputs(rng.normal(0, 1, (64, 2)), rng.integers(1, 40, 64))
    eps = rng.standard_normal((64, 2)).astype(np.float32)
    grad = np.empty_like(net32.theta)
    net32.loss_and_grad(u, eps, grad)

    def loss64(theta):
        net = EpsMLP(theta.astype(np.float32), 6)  # the float32 net's pieces, recomputed in float64 here
        a = u.astype(np.float64)
        for k in range(6):
            w, b = (p.astype(np.float64) for p in net.params[2 * k:2 * k + 2])
            a = a @ w.T + b
            a = np.maximum(a, 0) if k < 5 else a
        return np.sum((a - eps) ** 2) / (2 * len(u))

    theta = net32.theta.astype(np.float64)
    h = 1e-3
    starts = np.cumsum([0] + [int(np.prod(s)) for s in net32.shapes])
    for i in [int(s) + j for s in starts[:-1] for j in (0, 1)]:
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        # loss64 recasts to float32 weights: use a step float32 represents exactly around θ_i
        numeric = (loss64(up) - loss64(down)) / (np.float32(up[i]) - np.float32(down[i]))
        assert grad[i] == pytest.approx(numeric, rel=2e-2, abs=1e-4), i


def test_fast_recipe_trains_in_numpy_and_its_checkpoint_loads_both_ways():
    trained = train_eps(fast(steps=30, n_data=2000, hidden=8))
    assert isinstance(trained.net, EpsMLP) and trained.outcome.steps_done == 30
    x = np.random.default_rng(0).normal(size=(7, 2))
    with torch.no_grad():  # its torch module (for a checkpoint) computes the same ε̂
        ref = trained.model(torch.tensor(x, dtype=torch.float32), torch.full((7,), 5.0)).numpy()
    np.testing.assert_allclose(trained.eps_fn()(x, 5), ref, rtol=1e-4, atol=1e-5)
    again = load_trained(trained.settings, trained.model.state_dict())
    assert isinstance(again.net, EpsMLP)
    np.testing.assert_array_equal(again.net.theta, trained.net.theta)
    torch_trained = train_eps(fast(steps=3, n_data=2000, hidden=8), backend="torch")  # a torch-trained one
    back = load_trained(torch_trained.settings, torch_trained.model.state_dict())
    np.testing.assert_allclose(back.eps_fn()(x, 5), torch_trained.eps_fn()(x, 5), rtol=1e-4, atol=1e-5)


def test_faithful_recipe_stays_torch():
    trained = train_eps(faithful(epochs=1, n_data=2048, hidden=8))
    assert isinstance(trained.net, torch.nn.Module) and trained.model is trained.net
    with pytest.raises(Exception, match="fast recipe only"):
        train_eps(faithful(epochs=1, n_data=2048, hidden=8), backend="numpy")


def test_same_seed_same_numpy_weights():
    a = train_eps(fast(steps=20, n_data=1000))
    b = train_eps(fast(steps=20, n_data=1000))
    np.testing.assert_array_equal(a.net.theta, b.net.theta)
    c = train_eps(fast(steps=20, n_data=1000, seed=1))
    assert not np.array_equal(a.net.theta, c.net.theta)


def test_fast_model_saved_and_reloaded_without_torch(tmp_path):
    """A fast-recipe model trained on the CPU is saved (npz) and reloaded with the same ε̂, all without
    importing torch (the checkpoint's weights are the numpy net's arrays under EpsNet's names)."""
    out = run_python(f"""
        import sys
        import numpy as np
        from pathlib import Path
        from engine.checkpoint import load_checkpoint, save_checkpoint
        from engine.eps_net import CHECKPOINT_KIND, fast, load_trained, train_eps
        trained = train_eps(fast(steps=20, n_data=1000, hidden=8))
        path = save_checkpoint(Path({str(tmp_path)!r}), "m", CHECKPOINT_KIND, trained.state_dict(), trained.settings.as_dict())
        again = load_trained(trained.settings, load_checkpoint(path, CHECKPOINT_KIND).state_dict)
        x = np.random.default_rng(0).normal(size=(9, 2))
        same = np.array_equal(again.eps_fn()(x, 7), trained.eps_fn()(x, 7))
        print(path.suffix, same, "torch" in sys.modules)
    """)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split() == [".npz", "True", "False"], out.stdout
