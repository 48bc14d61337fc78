"""Problem 5 recipes: the faithful one keeps the notebook's settings; a short run learns; the
exact-score sampler sits at the data floor."""

import numpy as np
import pytest
import torch

from engine.errors import InvalidInput
from engine.eps_net import build_model, evaluate, faithful, fast, oracle_eps_fn, recipe, train_eps


def test_faithful_recipe_is_the_notebook():
    s = faithful()
    assert s.total_steps == 4900 and s.batch == 2048 and s.lr == 1e-3 and s.epochs == 100
    assert s.embedding == "raw" and not s.first_activation and not s.shuffle and not s.t_from_one
    assert not s.lr_decay and s.ema == 0 and s.T == 40 and s.s == 0.008 and s.n_data == 100_000
    net = build_model(s).net
    layers = list(net)
    assert isinstance(layers[0], torch.nn.Linear) and layers[0].in_features == 3 and layers[0].out_features == 64
    assert isinstance(layers[1], torch.nn.Linear)  # no activation after the first Linear
    assert sum(isinstance(m, torch.nn.ReLU) for m in layers) == 4 and layers[-1].out_features == 2
    assert sum(p.numel() for p in net.parameters()) == 3 * 64 + 64 + 4 * (64 * 64 + 64) + 64 * 2 + 2


def test_fast_recipe_differs_where_it_should():
    s = fast()
    assert s.recipe == "fast" and s.shuffle and s.t_from_one and s.lr_decay and s.embedding == "sinusoidal"
    assert build_model(s).net[0].in_features == 2 + 16
    with pytest.raises(InvalidInput, match="recipe"):
        recipe("slow")
    with pytest.raises(InvalidInput, match="learning rate"):
        fast(lr=float("nan"))


@pytest.fixture(scope="module")
def short_run():
    return train_eps(fast(steps=400, n_data=20_000, seed=1))


def _short_run_on_torchs_draws(settings):
    """The numpy trainer (the default on the CPU) fed the torch trainer's own random numbers."""
    from engine.eps_mlp import train_fast
    from engine.eps_net import TorchDraws, TrainedEps, load_data
    from engine.vp import make_schedule

    data, std = load_data(settings)
    schedule = make_schedule(settings.schedule, settings.T, settings.s)
    net, outcome = train_fast(settings, data, schedule.alpha_bar, rng=TorchDraws(settings))
    return TrainedEps(settings, net, std, schedule, outcome)


# The threshold is a property of one seed's random stream: over seeds 0–11 the 400-step run's worst
# sampler scatters from 0.14 to 0.69 × the Gaussian, and 0.35 is near the median (torch's stream passes
# 9 of 12 seeds, numpy's own 6 of 12, with means 0.339 and 0.362 — within their spread). Fed the same
# draws, the two trainers give the same numbers (mean 0.343 against 0.339; bench/p5_same_stream.py): so
# this checks both trainers on the stream the threshold was set on (seed 1: 0.30 and 0.29), and
# test_fast_recipe_reaches_the_floor_on_average checks the numpy trainer on its own stream.
@pytest.mark.parametrize("trainer", ["torch", "numpy on torch's draws"])
def test_a_short_run_beats_the_gaussian_clearly(trainer):
    settings = fast(steps=400, n_data=20_000, seed=1)
    run = train_eps(settings, backend="torch") if trainer == "torch" else _short_run_on_torchs_draws(settings)
    assert run.outcome.status == "done" and run.outcome.steps_done == 400
    ev = evaluate(run, n=1500, seed=2, frame_points=50)
    for name in ("ddpm", "x0", "ddim"):
        assert ev.get(name).energy < 0.35 * ev.gaussian.energy, (name, ev.get(name).energy, ev.gaussian.energy)
    assert ev.runs["ddpm"].frames.shape == (40, 50, 2)


def test_exact_score_sampler_is_at_the_floor(short_run):
    ev = evaluate(short_run, n=1500, seed=3, eps_fn=oracle_eps_fn(short_run, n_points=1000), frame_points=1)
    for name in ("ddpm", "ddim"):
        assert ev.get(name).energy < 2.5 * ev.floor.energy, (name, ev.get(name).energy, ev.floor.energy)
    assert ev.gaussian.energy > 20 * ev.floor.energy


def test_same_seed_same_weights():
    a = train_eps(fast(steps=20, n_data=1000))
    b = train_eps(fast(steps=20, n_data=1000))
    for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()):
        assert torch.equal(x, y)
    x = np.zeros((3, 2))
    np.testing.assert_allclose(a.eps_fn()(x, 5), b.eps_fn()(x, 5))


def test_expected_floor_is_twice_the_mean_distance_over_n():
    """expected_floor = 2·E|X − X'|/n with E|X − X'| the mean over distinct pairs (written out here),
    and it sits where the fresh-vs-fresh Monte Carlo floor scatters."""
    from engine.eps_net import expected_floor
    from engine.quality2d import compare

    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 2))
    d = np.linalg.norm(x[:, None] - x[None], axis=2)
    floor = expected_floor(x, dtype=np.float64)
    assert floor.energy == pytest.approx(2 * d.sum() / (400 * 399) / 400, rel=1e-9)
    assert floor.mmd2 == {0.1: 0.0, 0.5: 0.0}
    draws = [compare(rng.standard_normal((400, 2)), rng.standard_normal((400, 2))).energy for _ in range(200)]
    assert floor.energy == pytest.approx(np.mean(draws), abs=4 * np.std(draws) / np.sqrt(200) + 0.02 * floor.energy)


def test_samplers_in_threads_and_the_data_side_ahead_give_the_same_numbers(short_run):
    """evaluate(workers=2) runs the samplers in two threads and prepare_data_side measures the
    model-free side beforehand (as `hw7-tui p5` does while training): the numbers are those of one
    thread with everything measured in evaluate()."""
    import engine.eps_net as eps_net
    import engine.quality2d as quality2d
    from engine.eps_net import prepare_data_side

    eps_net._DATA_SIDE.clear()
    quality2d._SELF_CACHE.clear()
    one = evaluate(short_run, n=600, seed=4, frame_points=1, floor_pairs=0)
    eps_net._DATA_SIDE.clear()
    quality2d._SELF_CACHE.clear()
    prepare_data_side(short_run.settings, 600, seed=4, floor_pairs=0)
    assert len(eps_net._DATA_SIDE) == 1
    two = evaluate(short_run, n=600, seed=4, frame_points=1, floor_pairs=0, workers=2)
    assert len(eps_net._DATA_SIDE) == 1  # the prepared side was the one used, not measured again
    assert [q.sampler for q in two.samplers] == ["ddpm", "x0", "ddim"]
    assert two.samplers == one.samplers and two.floor == one.floor and two.gaussian == one.gaussian
    for name in ("ddpm", "x0", "ddim"):
        np.testing.assert_array_equal(two.runs[name].x0, one.runs[name].x0)


def test_fast_recipe_reaches_the_floor_on_average():
    """Issue 11's quality goal for the default recipe and its default trainer (numpy on the CPU, its own
    random stream), at the default seed on each data set: DDPM within 2× the fresh-data floor on
    average, no data set past 3×. One run's ratio is not the measure: for one trained model it
    scatters 0.44–2.69 with the sampling seed alone (4,000 samples), so a single data set's number
    is held to 3× and the mean over the four to 2× (docs/sweep_p5.md, round 8: 48 runs, DDPM 1.40× the
    floor on average, 38 within 2×). Not tightened with the 3,500-step recipe: the mean over the four
    data sets at one seed spans 0.58–2.68 over seeds 0–11, so a tighter bar would be set by seed 0's luck."""
    from engine.toy2d import DATASETS

    ratios = {}
    for dataset in DATASETS:
        trained = train_eps(fast(dataset=dataset))
        assert type(trained.net).__name__ == "EpsMLP" and trained.outcome.status == "done"
        ev = evaluate(trained, n=4000, seed=0, frame_points=1, floor_pairs=0, samplers=("ddpm",))
        ratios[dataset] = ev.get("ddpm").energy / ev.floor.energy
    assert np.mean(list(ratios.values())) <= 2.0 and max(ratios.values()) <= 3.0, ratios
