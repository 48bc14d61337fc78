"""Issue 13, checkpoints that pass the file checks and still crashed: weights that do not fit their
settings, and stored settings holding an overflowing mixture, are refused in one line (no torch
advice, no colour codes) before anything is built from them."""

from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")

from engine.checkpoint import check_weights, save_checkpoint  # noqa: E402
from engine.errors import InvalidInput  # noqa: E402
from engine.mixture import DEFAULT_MIXTURE  # noqa: E402


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "\x1b" not in text and "strict" not in text and len(text) < 300, text
    return text


def score_settings(**kw):
    from engine.score_net import TrainSettings

    return TrainSettings(**{"mixture": DEFAULT_MIXTURE.format(), "T": 20, "sigma2": 0.25, "hidden": 8, "steps": 10, **kw})


def score_weights(settings):
    from engine.score_net import build_model

    return build_model(settings, settings.setup().p0.variance()).state_dict()


def test_score_weights_of_another_width_are_refused_in_one_line():
    from engine.score_net import load_trained

    with pytest.raises(InvalidInput) as err:
        load_trained(score_settings(), score_weights(score_settings(hidden=16)))
    assert "has shape" in one_line(err.value) and "do not fit" in str(err.value)


def test_score_weights_whose_settings_were_edited_are_refused():
    from engine.score_net import load_trained

    weights = score_weights(score_settings())
    with pytest.raises(InvalidInput) as err:
        load_trained(score_settings(sigma2=0.5), weights)
    assert "does not match its settings" in one_line(err.value)


@pytest.mark.parametrize("damage, words", [
    (lambda w: w.pop("f.0.weight"), "missing f.0.weight"),
    (lambda w: w.__setitem__("extra.weight", torch.zeros(1)), "unexpected extra.weight"),
    (lambda w: w["f.0.weight"].__setitem__((0, 0), float("inf")), "non-finite"),
    (lambda w: w.__setitem__("f.0.bias", torch.zeros(8, dtype=torch.int64)), "not floating point"),
    (lambda w: w.__setitem__("f.0.bias", [0.0] * 8), "not a tensor"),
])
def test_damaged_score_weights_are_refused(damage, words):
    from engine.score_net import load_trained

    weights = score_weights(score_settings())
    damage(weights)
    with pytest.raises(InvalidInput) as err:
        load_trained(score_settings(), weights)
    assert words in one_line(err.value)


def test_good_score_weights_load_and_compute_the_same_function():
    from engine.score_net import build_model, load_trained

    settings = score_settings()
    model = build_model(settings, settings.setup().p0.variance())
    trained = load_trained(settings, model.state_dict())
    x, t = torch.linspace(-3, 3, 7), torch.full((7,), 5.0)
    assert torch.equal(trained.model(x, t), model(x, t))


def test_stored_settings_with_an_overflowing_mixture_are_refused():
    from engine.score_net import TrainSettings

    for mixture in ("1e308:0:1,1e308:1:1", "1:1e300:1", "1:0:1e-300"):
        with pytest.raises(InvalidInput) as err:
            TrainSettings(mixture=mixture)
        one_line(err.value)


def test_eps_weights_that_do_not_fit_are_refused():
    from engine.eps_net import build_model, fast, load_trained

    weights = build_model(fast(hidden=16)).state_dict()
    with pytest.raises(InvalidInput) as err:
        load_trained(fast(hidden=32, n_data=200), weights)
    assert "has shape" in one_line(err.value)
    weights = build_model(fast(T=40)).state_dict()
    with pytest.raises(InvalidInput) as err:
        load_trained(fast(T=50, n_data=200), weights)
    assert "does not match its settings" in one_line(err.value)


def test_check_weights_names_the_first_difference_only():
    model = torch.nn.Linear(3, 2)
    check_weights(model, model.state_dict())  # fits: nothing raised
    with pytest.raises(InvalidInput, match=r"weight has shape \(2, 4\), the model needs \(2, 3\)"):
        check_weights(model, {"weight": torch.zeros(2, 4), "bias": torch.zeros(2)})


def test_report_trains_afresh_when_the_matching_saved_model_does_not_fit(tmp_path):
    from tui.report import reuse_or_train

    settings = SimpleNamespace(as_dict=lambda: {"a": 1})
    save_checkpoint(tmp_path, "old", "p3-score", {"w": torch.zeros(3)}, {"a": 1})
    ctx = SimpleNamespace(models_dir=tmp_path, notes=[], threads=1, device="cpu", progress=lambda *a: None)
    trained_afresh = SimpleNamespace(outcome=SimpleNamespace(status="cancelled"))

    def load(settings, state_dict):
        raise InvalidInput("the checkpoint's weights do not fit this model (missing f.0.weight)")

    result, outcome = reuse_or_train(ctx, "p3-score", settings, "P3", "new", load,
                                     lambda settings, **kw: trained_afresh)
    assert result is trained_afresh and outcome is trained_afresh.outcome
    assert "was not usable" in ctx.notes[0] and "trained afresh" in ctx.notes[0]


# ---- the phases after training can be stopped ---------------------------------------------------
def stop_after(k: int):
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > k

    return should_stop, calls


def test_score_evaluation_phases_stop_when_asked():
    from engine.score_net import build_model, evaluate, load_trained, score_errors
    from engine.walk import error_budget

    settings = score_settings()
    trained = load_trained(settings, build_model(settings, settings.setup().p0.variance()).state_dict())
    for phase in (lambda stop: evaluate(trained, n=500, should_stop=stop),
                  lambda stop: score_errors(trained, n=500, should_stop=stop),
                  lambda stop: error_budget(settings.setup(), "stochastic", 500, learned=trained.score_fn(),
                                            should_stop=stop)):
        stop, calls = stop_after(3)
        with pytest.raises(InterruptedError):
            phase(stop)
        assert len(calls) == 4  # asked once more after saying go three times, then nothing ran on
    assert len(evaluate(trained, n=200, should_stop=lambda: False).rows) == 4  # never stopping changes nothing


def test_eps_evaluation_stops_between_its_quadratic_comparisons():
    from engine.eps_net import build_model, evaluate, fast, load_trained

    settings = fast(T=5, n_data=200, hidden=8)
    trained = load_trained(settings, build_model(settings).state_dict())
    steps_per_sampler = settings.T - 1
    stop, calls = stop_after(steps_per_sampler)  # the first sampler's steps, then the check before compare()
    with pytest.raises(InterruptedError):
        evaluate(trained, n=100, samplers=("ddpm",), should_stop=stop)
    assert len(calls) == steps_per_sampler + 1
