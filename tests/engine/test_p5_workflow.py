"""Problem 5's workflow (engine.problems.p5_swiss): settings per recipe, one quality table laid out
from the evaluation's own numbers, the numbers a saved model keeps, the data shown, the phases."""

import pytest

from engine.eps_net import faithful, fast
from engine.errors import InvalidInput
from engine.problems.p5_swiss import (
    P5Settings, evaluate_trained, preview, quality_table, run, shown_data, stored_quality, train,
)
from engine.toy2d import make_dataset


def test_recipe_defaults_come_from_the_recipe():
    assert P5Settings.for_recipe("faithful").recipe_settings() == faithful()
    assert P5Settings().recipe_settings() == fast()
    s = P5Settings.for_recipe("faithful", lr=0.005, T=20).with_recipe("fast")
    assert (s.lr, s.batch, s.embedding, s.T) == (fast().lr, fast().batch, "sinusoidal", 20)  # T kept, knobs reset
    assert P5Settings.of_recipe(faithful(seed=3)) == P5Settings.for_recipe("faithful", seed=3)
    assert P5Settings.of_checkpoint(faithful(seed=3).as_dict()) == P5Settings.for_recipe("faithful", seed=3)
    with pytest.raises(InvalidInput, match="T must be a whole number from 2 to 1000, got 5000"):
        P5Settings.of_checkpoint({**faithful().as_dict(), "T": 5000})
    with pytest.raises(InvalidInput, match="not a recipe's"):
        P5Settings.of_checkpoint({**faithful().as_dict(), "colour": "red"})


def test_saved_state_refuses_a_bad_value_by_its_spec():
    s, notes = P5Settings.from_saved({"recipe": "faithful", "T": 5000, "seed": 4, "junk": 1})
    assert s.recipe == "faithful" and s.lr == faithful().lr and s.seed == 4 and s.T == 40
    assert len(notes) == 1 and "T must be a whole number from 2 to 1000, got 5000" in notes[0]


def test_engine_recipe_checks_with_the_same_words():
    with pytest.raises(InvalidInput, match=r"^T must be a whole number from 2 to 1000, got 1001$"):
        fast(T=1001)
    with pytest.raises(InvalidInput, match=r"^T must be a whole number from 2 to 1000, got 1001$"):
        P5Settings(T=1001)


@pytest.fixture(scope="module")
def small_run():
    phases = []
    settings = P5Settings(steps=60, particles=300, T=10)
    result = run(settings, frame_points=50, on_phase=phases.append)
    return result, phases


def test_quality_table_holds_the_evaluations_numbers(small_run):
    result, _ = small_run
    ev = result.evaluation
    (table,) = result.tables()
    assert [r[0] for r in table.rows] == ["ddpm", "x0", "ddim", "fresh data (floor)", "N(0, I)"]
    for row, q in zip(table.rows, (*ev.samplers, ev.floor, ev.gaussian)):
        assert row[1:] == (q.energy, q.mmd2[0.1], q.mmd2[0.5])
    assert table.text_rows()[0][1] == f"{ev.samplers[0].energy:.5f}"
    out = result.as_json()  # the CLI contract's keys, from the same numbers
    assert out["quality"]["ddim"]["energy"] == ev.get("ddim").energy and out["floor"]["energy"] == ev.floor.energy
    assert out["steps_done"] == 60 and out["particles"] == 300 and out["tables"]["quality"][3]["sampler"] == "fresh data (floor)"


def test_phases_name_each_sampler_then_the_measurement(small_run):
    _, phases = small_run
    calls = 3 * (10 - 1)
    assert [p.step for p in phases] == list(range(1, calls + 1)) and {p.total for p in phases} == {calls + 1}
    names = [p.phase for p in phases]
    assert names[:9] == ["sampling (ddpm)"] * 9 and names[9:18] == ["sampling (x0)"] * 9
    assert names[18:26] == ["sampling (ddim)"] * 8 and names[-1].startswith("measuring quality")


def test_a_saved_models_numbers_come_back_without_measuring(small_run, monkeypatch):
    result, _ = small_run
    metrics = result.metrics()
    stored = stored_quality(metrics)
    assert stored.n == 300 and stored.get("x0") == result.evaluation.get("x0") and stored.floor == result.evaluation.floor
    assert metrics["losses"] == list(result.outcome.losses)

    def no_measuring(*a, **k):
        raise AssertionError("a saved model's quality is not measured again")

    monkeypatch.setattr("engine.eps_net.evaluate", no_measuring)
    phases = []
    again = evaluate_trained(result.settings, result.trained, stored=metrics, frame_points=40, source="saved",
                             on_progress=phases.append)
    assert {p.total for p in phases} == {27} and not any("measuring" in p.phase for p in phases)  # nothing measured
    assert again.tables()[0].rows == result.tables()[0].rows and again.losses == result.outcome.losses
    assert again.evaluation.runs["ddpm"].frames.shape == (10, 40, 2)
    assert stored_quality({"quality": [["ddpm", 1, 2, 3]], "quality_n": 9}) is None  # incomplete: measure


def test_two_moons_shown_data_has_both_moons():
    raw = make_dataset("two_moons", 100_000, 0)  # the upper moon first, then the lower one
    shown = shown_data(raw, 0)
    assert len(shown) == 3000
    # only the upper moon reaches x < −0.5, only the lower one x > 1.5
    assert (shown[:, 0] < -0.5).sum() > 200 and (shown[:, 0] > 1.5).sum() > 200
    assert (raw[:3000, 0] > 1.5).sum() == 0  # what the first 3000 points showed


def test_preview_is_the_exact_score_and_only_for_the_swiss_roll():
    r = preview(P5Settings(T=8))
    assert r.score == "exact" and r.evaluation.n == 1500 and r.tables()[0].title.startswith("Problem 5 quality (exact")
    moons = preview(P5Settings(dataset="two_moons", T=8))
    assert moons.evaluation is None and moons.tables() == [] and len(moons.data) == 3000


def test_cancelled_training_gives_no_evaluation():
    calls = []
    result = run(P5Settings(steps=500, particles=300), should_stop=lambda: len(calls) > 0,
                 on_progress=calls.append)
    assert result.evaluation is None and result.outcome.status == "cancelled" and result.tables() == []
    with pytest.raises(InvalidInput, match="swiss roll only"):
        run(P5Settings(dataset="two_moons", steps=1), oracle=True)
    assert train(P5Settings(steps=3, batch=7)).outcome.steps_done == 3


def test_a_saved_models_quality_is_stored_in_the_one_format_eps_net_reads(small_run):
    """One stored-evaluation format: P5Result.metrics() holds engine.eps_net.evaluation_metrics'
    dict (not a second list-of-rows layout), and eps_net's own reader gives back the same numbers."""
    from engine.eps_net import evaluation_from_metrics, evaluation_metrics

    result, _ = small_run
    metrics = result.metrics()
    ev = result.evaluation
    assert metrics["evaluation"] == evaluation_metrics(ev)["evaluation"] and "quality" not in metrics
    back = evaluation_from_metrics(metrics)
    assert [q.sampler for q in back.samplers] == ["ddpm", "x0", "ddim"] and back.n == ev.n
    assert back.get("ddim").mmd2 == ev.get("ddim").mmd2 and back.gaussian == ev.gaussian


def test_p5_settings_are_the_recipes_declarations_not_copies():
    """P5Settings' fields come from RecipeSettings (the same Spec objects, in the screen's order), and
    its quality points are the Spec engine.eps_net.evaluate checks n with."""
    from engine.eps_net import QUALITY_POINTS, RecipeSettings, evaluate
    from engine.errors import InvalidInput
    from engine.problems.p5_swiss import USER_FIELDS
    from engine.settings import spec_of, specs_of

    assert [s.name for s in specs_of(P5Settings)] == [*USER_FIELDS, "particles"]
    assert all(spec_of(P5Settings, n) is spec_of(RecipeSettings, n) for n in USER_FIELDS)
    assert spec_of(P5Settings, "particles") is QUALITY_POINTS
    with pytest.raises(InvalidInput, match=r"quality points must be a whole number from 100 to 20000, got 99"):
        evaluate(None, n=99)  # refused by the Spec before anything is sampled
    rs = P5Settings(T=12, seed=4, lr=0.005).recipe_settings()
    assert (rs.T, rs.seed, rs.lr, rs.recipe) == (12, 4, 0.005, "fast")
