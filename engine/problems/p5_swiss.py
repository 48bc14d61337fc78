"""Problem 5 as one workflow: the settings → train ε̂θ → sample with DDPM, the x0 sampler and DDIM
→ energy distance and MMD² of each against fresh data, beside the fresh-vs-fresh floor and N(0, I).

The screen's workers, ``hw7-tui p5`` and the report all call the functions here and render the
:class:`P5Result`'s tables; none of them assembles the quality numbers or lays out a table.

* :func:`preview` — before training: the data, the schedule and (swiss roll) the samplers driven
  by the *exact* ε of the data (a fine mixture along its curve): the sampling error alone;
* :func:`train` — the recipe's training (engine.eps_net.train_eps);
* :func:`evaluate_trained` — the three samplers with a trained ε̂θ and their quality (or the
  quality stored with a saved model, re-sampling only the points the plots show);
* :func:`run` — train, then evaluate (the command line and the report).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from engine.eps_net import (
    QUALITY_POINTS, RECIPE, Evaluation2D, RecipeSettings, SamplerQuality, TrainedEps, evaluation_from_metrics,
    evaluation_metrics, recipe, sample_count,
)
from engine.errors import InvalidInput
from engine.settings import as_saved, check_fields, declared_subset, from_saved, setting
from engine.tables import Column, Table
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress
from engine.vp import SAMPLERS, Schedule

PARTICLES = QUALITY_POINTS
"""The quality numbers' sample count: the same declaration engine.eps_net.evaluate checks."""
USER_FIELDS = ("recipe", "dataset", "embedding", "schedule", "T", "steps", "epochs", "lr", "batch", "seed")
"""The recipe's settings a user sets (screen 5, ``hw7-tui p5``); the rest are the named recipe's."""
FROM_RECIPE = ("steps", "epochs", "lr", "batch", "embedding", "particles")
"""Settings whose default is the recipe's (the faithful recipe has the notebook's)."""
KEPT_ACROSS_RECIPES = ("dataset", "schedule", "T", "seed")
FRAME_POINTS = 1500
"""Points in each animation frame and scatter plot."""
PREVIEW_N, PREVIEW_CURVE_POINTS = 1500, 600
"""The exact-score preview: samples per sampler, and points along the curve for the exact ε."""
DATA_SHOWN = 3000


@dataclass(frozen=True)
class P5Settings(declared_subset(RecipeSettings, USER_FIELDS)):
    """Everything a user sets on screen 5 or on ``hw7-tui p5``: the recipe's USER_FIELDS, declared
    once in engine.eps_net.RecipeSettings (the rest is the named recipe's), and the quality points."""

    particles: int = setting(PARTICLES)

    def __post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def for_recipe(cls, name: str = RECIPE.default, **given: Any) -> "P5Settings":
        """The recipe's defaults for steps, epochs, lr, batch and the embedding, then ``given``."""
        r = recipe(name)
        values = {k: getattr(r, k) for k in FROM_RECIPE if k != "particles"}
        values["particles"] = sample_count(r, PARTICLES.default)  # faithful: the notebook's 10,000
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(recipe=name, **values)

    def with_recipe(self, name: str) -> "P5Settings":
        """Another recipe: its defaults for the recipe's knobs; data set, schedule, T, seed and
        particles kept."""
        return P5Settings.for_recipe(name, **{k: getattr(self, k) for k in KEPT_ACROSS_RECIPES})

    @classmethod
    def of_recipe(cls, rs: RecipeSettings, particles: int | None = None) -> "P5Settings":
        """The settings that give a saved model's recipe (engine.eps_net.RecipeSettings)."""
        return cls.for_recipe(rs.recipe, particles=particles, **{k: getattr(rs, k) for k in FROM_RECIPE + KEPT_ACROSS_RECIPES
                                                                 if k != "particles"})

    @classmethod
    def of_checkpoint(cls, saved: Mapping[str, Any], particles: int | None = None) -> "P5Settings":
        """The settings of a checkpoint's saved recipe; InvalidInput (naming what is wrong) otherwise."""
        try:
            return cls.of_recipe(RecipeSettings(**saved), particles)
        except TypeError as exc:
            raise InvalidInput(f"the saved settings are not a recipe's: {exc}") from None

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> tuple["P5Settings", list[str]]:
        """A saved state's settings (engine.settings.from_saved: a refused value → its default and a
        message); the recipe's defaults for what was not saved."""
        base, notes = from_saved(cls, saved)
        given = {k: getattr(base, k) for k in saved if k in cls.__dataclass_fields__ and k != "recipe"}
        return cls.for_recipe(base.recipe, **given), notes

    def recipe_settings(self) -> RecipeSettings:
        """The engine's full recipe: the named recipe's fixed choices with these values."""
        return recipe(self.recipe, **{k: getattr(self, k) for k in USER_FIELDS if k != "recipe"})

    @property
    def budget(self) -> str:
        """Which knob sets the length of training: ``steps`` (fast) or ``epochs`` (faithful)."""
        return "epochs" if self.recipe == "faithful" else "steps"

    def as_saved(self) -> dict[str, Any]:
        return as_saved(self)


@dataclass(frozen=True)
class EvalProgress:
    """Sampling after training: ``step`` of ``total`` parts: the network calls of the samplers
    (3 × (T − 1)), then the measurement."""

    step: int
    total: int
    elapsed: float
    phase: str

    @property
    def steps_per_second(self) -> float:
        return self.step / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class P5Result:
    """One run of Problem 5: what was trained (or the exact score), its samples and their quality."""

    settings: P5Settings
    score: str  # "learned" or "exact"
    schedule: Schedule
    data: np.ndarray = field(repr=False)  # a random subsample of the standardized training data
    evaluation: Evaluation2D | None = field(repr=False, default=None)  # None: nothing measured yet
    outcome: TrainOutcome | None = None  # None: not trained in this run (exact score, saved model)
    oracle: Evaluation2D | None = field(repr=False, default=None)
    trained: TrainedEps | None = field(repr=False, default=None)
    threads: int = DEFAULT_THREADS
    source: str = ""  # "trained", or the saved model's name
    losses: tuple[float, ...] = field(repr=False, default=())

    # ---- tables ----------------------------------------------------------------------------------
    def tables(self) -> list[Table]:
        return [] if self.evaluation is None else [quality_table([self])]

    # ---- the command line's JSON -------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        o, ev = self.outcome, self.evaluation
        out: dict[str, Any] = {
            "settings": self.trained.settings.as_dict() if self.trained else self.settings.recipe_settings().as_dict(),
            "device": self.trained.device if self.trained else "cpu", "threads": self.threads,
            "status": o.status if o else None, "message": o.message if o else "",
            "steps_done": o.steps_done if o else 0, "train_seconds": o.seconds if o else 0.0,
            "final_loss": o.final_loss if o else None, "particles": ev.n if ev else self.settings.particles,
        }
        if ev is not None:
            out |= {"quality": {q.sampler: quality_json(q) for q in ev.samplers},
                    "floor": quality_json(ev.floor), "gaussian": quality_json(ev.gaussian)}
        if self.oracle is not None:
            out["oracle"] = {q.sampler: quality_json(q) for q in self.oracle.samplers}
        if self.trained is not None and self.outcome is not None and self.settings.recipe == "faithful":
            from engine.notebook import loss_curves  # per-epoch mean loss beside the notebook's printed one

            c = loss_curves(self.trained)
            out["epoch_losses"] = {"ours": list(c.ours), "notebook": list(c.notebook), "notebook_source": c.source}
        out["tables"] = {t.key: t.as_json() for t in self.tables()}
        return out

    def summary(self) -> str:
        """One line: recipe, data, T, how training went."""
        s, o = self.settings, self.outcome
        head = f"recipe {s.recipe} · {s.dataset} · T = {s.T} ({s.schedule})"
        if o is None:
            return f"{head} · {'exact score' if self.score == 'exact' else 'saved model ' + self.source}"
        return f"{head} · {o.steps_done:,} steps in {o.seconds:.1f} s ({o.status}) · final loss {o.final_loss:.4g}"

    # ---- what a saved model keeps ------------------------------------------------------------------
    def metrics(self) -> dict[str, Any]:
        """Stored beside the weights, so a restart shows the same numbers without measuring again."""
        ev, o = self.evaluation, self.outcome
        out: dict[str, Any] = {}
        if o is not None:
            out |= {"final_loss": o.final_loss, "train_seconds": o.seconds, "losses": list(o.losses)}
        if ev is not None:
            out |= evaluation_metrics(ev)
        return out


def quality_json(q: SamplerQuality) -> dict[str, float]:
    return {"energy": q.energy, "mmd2_h0.1": q.mmd2[0.1], "mmd2_h0.5": q.mmd2[0.5]}


QUALITY_COLUMNS = (Column("sampler", key="sampler"), Column("energy distance", ".5f", "energy"),
                   Column("MMD² h=0.1", ".5f", "mmd2_h0.1"), Column("MMD² h=0.5", ".5f", "mmd2_h0.5"))


def quality_table(results: list[P5Result]) -> Table:
    """Each result's samplers (and exact-score samplers), then the floor and N(0, I) of the last."""
    rows: list[tuple[Any, ...]] = []
    several = len(results) > 1
    notes: list[str] = []
    for r in results:
        n = r.evaluation.n
        prefix = "exact score, " if r.score == "exact" and several else (f"{r.settings.recipe} ({n:,}): " if several else "")
        rows += [(prefix + q.sampler, q.energy, q.mmd2[0.1], q.mmd2[0.5]) for q in r.evaluation.samplers]
        if r.oracle is not None:
            rows += [(f"exact score, {q.sampler}", q.energy, q.mmd2[0.1], q.mmd2[0.5]) for q in r.oracle.samplers]
        if several and r.score == "learned":
            how = "reused the saved model" if r.outcome is None else f"trained {r.outcome.steps_done:,} steps in {r.outcome.seconds:.1f} s"
            notes.append(f"{r.settings.recipe}: {how}")
    last = results[-1]
    ev = last.evaluation
    rows += [(q.sampler, q.energy, q.mmd2[0.1], q.mmd2[0.5]) for q in (ev.floor, ev.gaussian)]
    best = min(ev.samplers, key=lambda q: q.energy)
    who = ("the exact score (sampling error only)" if last.score == "exact" else
           f"the {last.settings.recipe} recipe" if several else "the learned ε̂θ")
    notes += [f"{ev.n:,} samples against {ev.n:,} fresh points (standardized units); the floor is fresh data "
              "against fresh data of the same size.",
              f"Best with {who}: {best.sampler}, {best.energy / max(ev.floor.energy, 1e-12):.1f}× the floor. "
              "Energy distance is a V-statistic (≥ 0); MMD² is unbiased (can dip below 0)."]
    s = last.settings
    title = (f"Problem 5 quality ({last.score} score, recipe {s.recipe}, {s.dataset}, T = {s.T})" if not several
             else f"Problem 5 quality ({s.dataset}, T = {s.T})")
    return Table("quality", title, QUALITY_COLUMNS, tuple(rows), tuple(notes))


# ---- the workflow ---------------------------------------------------------------------------------
def shown_data(data: np.ndarray, seed: int, n: int = DATA_SHOWN) -> np.ndarray:
    """A random subsample for the plots (the data sets come in order: two moons is upper then lower)."""
    if len(data) <= n:
        return data
    return data[np.random.default_rng(seed + 17).choice(len(data), n, replace=False)]


def preview(settings: P5Settings, should_stop: Callable[[], bool] | None = None) -> P5Result:
    """Before training: the data, the schedule, and for the swiss roll the three samplers with the
    exact ε (ε* = −√(1−ᾱt)∇log pt of the roll as a mixture along its curve)."""
    from engine.eps_net import evaluate, load_data, oracle_eps_fn
    from engine.vp import make_schedule

    rs = settings.recipe_settings()
    data, standardizer = load_data(rs)
    schedule = make_schedule(rs.schedule, rs.T, rs.s)
    evaluation = None
    if rs.dataset == "swiss_roll":
        shell = TrainedEps(rs, None, standardizer, schedule)
        evaluation = evaluate(shell, n=PREVIEW_N, seed=rs.seed, eps_fn=oracle_eps_fn(shell, PREVIEW_CURVE_POINTS),
                              frame_points=FRAME_POINTS, should_stop=should_stop, floor_pairs=1)
    return P5Result(settings, "exact", schedule, shown_data(data, rs.seed), evaluation)


def train(settings: P5Settings, *, threads: int = DEFAULT_THREADS, device: str = "cpu",
          on_progress: Callable[[TrainProgress], Any] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainedEps:
    """Minimise E‖ε − ε̂θ(√ᾱt x0 + √(1−ᾱt) ε, t)‖² with the recipe (engine.eps_net.train_eps)."""
    from engine.eps_net import train_eps

    return train_eps(settings.recipe_settings(), threads=threads, device=device, on_progress=on_progress,
                     should_stop=should_stop)


def _counting(eps_fn: Callable, calls_total: int, on_progress: Callable[[EvalProgress], Any] | None,
              measuring: bool = True):
    """ε̂ that reports each network call (each sampler makes T − 1). ``measuring``: one more part
    follows, the measurement of the samples against fresh data, reported when the calls are done."""
    if on_progress is None:
        return eps_fn
    start, calls = time.perf_counter(), [0]

    def eps(x: np.ndarray, t: int) -> np.ndarray:
        out = eps_fn(x, t)
        calls[0] = k = min(calls[0] + 1, calls_total)
        phase = ("measuring quality (energy distance, MMD²)" if k == calls_total and measuring else
                 f"sampling ({SAMPLERS[(k - 1) * len(SAMPLERS) // calls_total]})")
        on_progress(EvalProgress(k, calls_total + measuring, time.perf_counter() - start, phase))
        return out

    return eps


def evaluate_trained(settings: P5Settings, trained: TrainedEps, *, oracle: bool = False,
                     frame_points: int = FRAME_POINTS, stored: Mapping[str, Any] | None = None,
                     on_progress: Callable[[EvalProgress], Any] | None = None,
                     should_stop: Callable[[], bool] | None = None, threads: int = DEFAULT_THREADS,
                     source: str = "trained", floor_pairs: int = 3, workers: int = 1) -> P5Result:
    """The three samplers with ε̂θ and their quality against ``settings.particles`` fresh points.

    ``stored``: a saved model's metrics (see :meth:`P5Result.metrics`); when they hold the quality,
    only ``frame_points`` points per sampler are drawn, for the plots, and nothing is measured.
    ``oracle``: also the samplers with the exact ε of the swiss roll (raises InvalidInput otherwise).
    """
    from engine.eps_net import evaluate, load_data, oracle_eps_fn
    from engine.vp import sample

    rs = trained.settings
    if oracle and rs.dataset != "swiss_roll":
        raise InvalidInput("--oracle: the exact score is available for the swiss roll only")
    data, _ = load_data(rs)
    total = len(SAMPLERS) * (rs.T - 1)
    quality = stored_quality(stored)
    eps_fn = _counting(trained.eps_fn(), total, on_progress, measuring=quality is None)
    if quality is not None:
        runs = {name: sample(eps_fn, trained.schedule, frame_points, sampler=name, seed=rs.seed,
                             frame_points=frame_points, should_stop=should_stop) for name in SAMPLERS}
        evaluation = replace(quality, runs=runs)
    else:
        evaluation = evaluate(trained, n=settings.particles, seed=rs.seed, frame_points=frame_points,
                              should_stop=should_stop, eps_fn=eps_fn, floor_pairs=floor_pairs, workers=workers)
    exact = None
    if oracle:
        exact = evaluate(trained, n=settings.particles, seed=rs.seed, frame_points=1,
                         eps_fn=oracle_eps_fn(trained, 2000), should_stop=should_stop)
    losses = trained.outcome.losses if trained.outcome else tuple((stored or {}).get("losses") or ())
    return P5Result(settings, "learned", trained.schedule, shown_data(data, rs.seed), evaluation, trained.outcome,
                    exact, trained, threads, source, tuple(losses))


def stored_quality(metrics: Mapping[str, Any] | None) -> Evaluation2D | None:
    """The quality a saved model's metrics hold (engine.eps_net.evaluation_metrics, the one stored
    format); None when they hold none, or not every sampler's."""
    ev = evaluation_from_metrics(dict(metrics or {}))
    if ev is None or [q.sampler for q in ev.samplers] != list(SAMPLERS):
        return None
    return ev


def _data_side_meanwhile(settings: P5Settings, floor_pairs: int):
    """A started thread that measures the model-free side of the evaluation (engine.eps_net.prepare_data_side)
    while the model trains; any error is left for the evaluation itself to raise."""
    import threading

    from engine.eps_net import prepare_data_side

    def work() -> None:
        try:
            prepare_data_side(settings.recipe_settings(), settings.particles, floor_pairs=floor_pairs)
        except Exception:  # noqa: BLE001 - evaluate() computes it again and reports what is wrong
            pass

    thread = threading.Thread(target=work, name="p5-data-side", daemon=True)
    thread.start()
    return thread


def run(settings: P5Settings, *, threads: int = DEFAULT_THREADS, device: str = "cpu", oracle: bool = False,
        frame_points: int = 1, on_progress: Callable[[TrainProgress], Any] | None = None,
        on_trained: Callable[[TrainOutcome], Any] | None = None,
        on_phase: Callable[[EvalProgress], Any] | None = None,
        should_stop: Callable[[], bool] | None = None, floor_pairs: int = 3, workers: int = 1) -> P5Result:
    """Train (``on_progress`` each report, ``on_trained`` at the end), then sample and measure
    (``on_phase``; ``workers`` threads for the samplers, engine.eps_net.evaluate). Cancelled (``should_stop``) before the end: a result without an evaluation."""
    if oracle and settings.dataset != "swiss_roll":
        raise InvalidInput("--oracle: the exact score is available for the swiss roll only")
    side = _data_side_meanwhile(settings, floor_pairs)
    trained = train(settings, threads=threads, device=device, on_progress=on_progress, should_stop=should_stop)
    side.join()  # the fresh data's self-term, the floor and N(0, I) were measured while it trained
    if on_trained is not None:
        on_trained(trained.outcome)
    stopped = P5Result(settings, "learned", trained.schedule, np.empty((0, 2)), None, trained.outcome,
                       trained=trained, threads=threads)
    if trained.outcome.status == "cancelled" or (should_stop is not None and should_stop()):
        return stopped
    try:
        return evaluate_trained(settings, trained, oracle=oracle, frame_points=frame_points, should_stop=should_stop,
                                on_progress=on_phase, threads=threads, floor_pairs=floor_pairs, workers=workers)
    except InterruptedError:
        return stopped


def checkpoint_name(settings: RecipeSettings) -> str:
    """A saved model's file name: kind, recipe, data set, steps, seed and the time."""
    from engine.eps_net import CHECKPOINT_KIND

    return (f"{CHECKPOINT_KIND}-{settings.recipe}-{settings.dataset}-n{settings.total_steps}-seed{settings.seed}-"
            f"{time.strftime('%Y%m%d-%H%M%S')}")


def find_saved(settings: P5Settings, directory) -> Any:
    """The newest saved model made with exactly these settings (engine.checkpoint.Checkpoint), or None."""
    from engine.checkpoint import find_matching
    from engine.eps_net import CHECKPOINT_KIND

    return find_matching(directory, CHECKPOINT_KIND, settings.recipe_settings().as_dict())


def reload(settings: P5Settings, checkpoint: Any, should_stop: Callable[[], bool] | None = None,
           on_progress: Callable[[EvalProgress], Any] | None = None) -> P5Result:
    """A saved model: its weights, and the quality and losses stored beside them (only the plotted
    points are sampled again). Raises InvalidInput when the weights do not fit the settings."""
    from engine.checkpoint import load_checkpoint
    from engine.eps_net import CHECKPOINT_KIND, load_trained

    weights = checkpoint.state_dict or load_checkpoint(checkpoint.path, CHECKPOINT_KIND).state_dict
    try:
        trained = load_trained(settings.recipe_settings(), weights)
    except RuntimeError as exc:
        raise InvalidInput(f"the saved model {checkpoint.name} does not fit: {str(exc)[:200]}") from None
    return evaluate_trained(settings, trained, stored=checkpoint.metrics, source=checkpoint.name,
                            should_stop=should_stop, on_progress=on_progress)
