"""Problems 3 and 4 as one workflow: settings → exact part → train → evaluate → budget → score error.

The screen's workers, ``hw7-tui p3``/``p4`` and the report all call these functions; the tables
(quality, error budget, P3-vs-P4 comparison) are laid out only in :class:`WalkResult.tables`.
Problem 4 is the same workflow with ``target="p4"`` plus :func:`compare_targets`.

    exact_part(settings)                 frames with the exact score ∇log pt, the quality of the exact
                                         score and the budget's first two parts (no training needed)
    train(settings, target)              sθ by train_score (P3: xt−1 on xt + σ²sθ; P4: x0 on xt + tσ²sθ)
    evaluate_trained(settings, trained)  W1/TV of learned and exact × stochastic/deterministic, the error
                                         budget with the learned score, the score error per t
    compare_targets(settings)            the P3 and P4 targets trained with the same budget, score errors
    run(settings, target)                train + evaluate (+ compare): what the command line and report do

Thin on purpose: every formula lives in engine.walk and engine.score_net; the frames the screen plays
are recorded by engine.problems.walk_frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.score_net import (BATCH, HIDDEN, LOSS, LR, STEPS, TARGETS, Evaluation, ScoreErrors, TrainedScore,
                              TrainSettings, evaluation_from_metrics, evaluation_metrics)
from engine.settings import SEED, Spec, check_fields, setting
from engine.tables import Column, Table, table
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress
from engine.problems.walk_frames import (FRAMES, METHODS, Movie, OnPhase, ShouldStop, Stopped, WalkFrames, _check,
                                         record_frames)
from engine.walk import SIGMA2, STARTS, T_STEPS, EpsFormCheck, ErrorBudget, WalkSetup, eps_form_check, exact_score_fn
from engine.walk_exact import ExactSide, exact_side

__all__ = ["FRAMES", "METHODS", "Movie", "Stopped", "WalkFrames", "record_frames", "WalkSettings", "WalkResult",
           "Comparison", "exact_part", "train", "evaluate_trained", "compare_targets", "run", "result_from_summary"]

SCORES = ("learned", "exact")

PARTICLES = Spec("particles", "N", int, 20_000, 100, 1_000_000,
                 help="particles per sampler (animations and the quality table)",
                 reason="W1's sampling noise is about 1.5/√N: below 100 it hides every error measured here; "
                        "at 10⁶ it is 0.0015 and more particles only cost time.")
START = Spec("start", "start", str, "prior", choices=STARTS,
             help="where the reverse starts: N(0, Tσ²) (the homework), the exact p_T, or N(mean, var + Tσ²)")


@dataclass(frozen=True)
class WalkSettings:
    """Everything Problems 3 and 4 take from the user (p₀ is Problem 2's mixture)."""

    mixture: str = DEFAULT_MIXTURE.format()
    T: int = setting(T_STEPS)
    sigma2: float = setting(SIGMA2)
    particles: int = setting(PARTICLES)
    seed: int = setting(SEED)
    steps: int = setting(STEPS)
    lr: float = setting(LR)
    start: str = setting(START)
    loss: str = setting(LOSS)
    batch: int = setting(BATCH)
    hidden: int = setting(HIDDEN)

    def __post_init__(self) -> None:
        check_fields(self)
        GaussianMixture.parse(self.mixture)  # the one mixture parser (engine.mixture.mixture_rows)

    def setup(self) -> WalkSetup:
        return WalkSetup(GaussianMixture.parse(self.mixture), self.T, self.sigma2)

    def train_settings(self, target: str) -> TrainSettings:
        return TrainSettings(mixture=self.mixture, T=self.T, sigma2=self.sigma2, target=target, loss=self.loss,
                             steps=self.steps, lr=self.lr, batch=self.batch, hidden=self.hidden, seed=self.seed)

    @classmethod
    def from_train_settings(cls, s: TrainSettings, **rest: Any) -> "WalkSettings":
        """The settings a saved model was trained with (plus particles/start from ``rest``)."""
        return cls(mixture=s.mixture, T=s.T, sigma2=s.sigma2, seed=s.seed, steps=s.steps, lr=s.lr, loss=s.loss,
                   batch=s.batch, hidden=s.hidden, **rest)


# ---- the result -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """The two targets trained with the same budget, measured against the oracle per t."""

    p3: ScoreErrors
    p4: ScoreErrors
    p3_outcome: TrainOutcome | None
    p4_outcome: TrainOutcome | None


@dataclass(frozen=True)
class WalkResult:
    """What Problems 3/4 found: quality (exact score always, learned once trained), error budget,
    score errors, and (Problem 4) the comparison of the targets."""

    settings: WalkSettings
    target: str
    evaluation: Evaluation  # rows "exact" always, "learned" once trained
    budget: dict[str, ErrorBudget]  # method → budget (learned part None before training)
    trained: TrainedScore | None = None
    score_errors: ScoreErrors | None = None
    comparison: Comparison | None = None
    threads: int = DEFAULT_THREADS
    exact: ExactSide | None = None  # the exact side measured before training, reused by evaluate_trained
    eps_forms: tuple[EpsFormCheck, ...] = ()  # Problem 4: its ε samplers run beside the score forms

    @property
    def kind(self) -> str:
        return "exact" if self.trained is None else "learned"

    @property
    def setup(self) -> WalkSetup:
        return self.settings.setup()

    @property
    def learned_evaluation(self) -> Evaluation | None:
        """The evaluation when it has the learned rows (for the explanations), else None."""
        return self.evaluation if self.trained is not None else None

    def with_comparison(self, comparison: Comparison) -> "WalkResult":
        from dataclasses import replace

        return replace(self, comparison=comparison)

    def summary(self) -> dict[str, Any]:
        """The measured numbers as plain values, stored with a saved model so that reloading it shows
        its evaluation without sampling again (engine.score_net.evaluation_metrics; read back by
        :func:`result_from_summary`)."""
        return evaluation_metrics(self.evaluation, self.score_errors)

    # ---- tables: laid out here only -----------------------------------------------------------
    def quality_table(self) -> Table:
        ev = self.evaluation
        scores = [s for s in SCORES if any(r.score == s for r in ev.rows)]
        rows = [[s, *(ev.row(s, m).w1 for m in METHODS), *(ev.row(s, m).tv for m in METHODS)] for s in scores]
        notes = ["W1 = ∫|Fₙ − F₀| against the exact CDF of p₀; TV of 80-bin histograms. Same particles and seed "
                 "for the learned and the exact score."]
        if self.trained is None:
            notes.append("Only the exact score ∇log pt so far: press t (or run hw7-tui p3) to add the learned one.")
        return table("quality", f"W1 / TV to p₀ ({ev.n:,} particles, start {ev.start}, seed {ev.seed})",
                     [Column("score", key="score"), Column("stochastic W1", ".4f", "stochastic_w1"),
                      Column("deterministic W1", ".4f", "deterministic_w1"),
                      Column("stochastic TV", ".4f", "stochastic_tv"), Column("deterministic TV", ".4f", "deterministic_tv")],
                     rows, notes)

    def budget_table(self) -> Table:
        rows = [[m, b.discretization, b.prior_mismatch, b.learned_score, b.with_learned, b.prior_limit]
                for m, b in self.budget.items()]
        n = self.evaluation.n
        notes = ["Error budget: the exact score from the exact p_T (the steps only), then from N(0, Tσ²) "
                 "(+ prior), then the learned score (+ learned). W1 is not additive: errors from different "
                 "sources can partly cancel, so a part can come out below 0, by more than the sampling noise "
                 f"(~{1.5 / n ** 0.5:.3f} at {n:,} particles).",
                 "prior T→∞ is exact: the W1 that starting from N(0, Tσ²) leaves with the exact score and "
                 "infinitely fine steps."]
        return table("budget", "Error budget (W1): one ingredient swapped for its exact version at a time",
                     [Column("sampler", key="sampler"), Column("discretization", ".4f", "discretization"),
                      Column("+ prior", "+.4f", "prior_mismatch"), Column("+ learned", "+.4f", "learned_score"),
                      Column("total", ".4f", "total"), Column("prior T→∞", ".4f", "prior_mismatch_limit")],
                     rows, notes)

    def comparison_table(self) -> Table | None:
        c = self.comparison
        if c is None:
            return None
        rows = [[int(t), a, b, a / b if b > 0 else None] for t, a, b in zip(c.p3.t, c.p3.error, c.p4.error)]
        rows.append(["mean", c.p3.mean, c.p4.mean, c.p3.mean / c.p4.mean if c.p4.mean > 0 else None])
        budget = ""
        if c.p3_outcome is not None and c.p4_outcome is not None:
            budget = (f"Same budget: {c.p3_outcome.steps_done:,} and {c.p4_outcome.steps_done:,} steps "
                      f"({c.p3_outcome.seconds:.1f} s and {c.p4_outcome.seconds:.1f} s). ")
        return table("comparison", "Score error against the oracle, same budget: P3 target vs P4 target",
                     [Column("t", "s", "t"), Column("P3 target (xt−1)", ".2e", "p3"),
                      Column("P4 target (x0 / ε)", ".2e", "p4"), Column("P4 better by (×)", ".1f", "ratio")],
                     rows, [budget + "Error = Var(pt)·E(sθ − ∇log pt)² on fresh samples of pt. Both losses weight "
                            "the score error alike; the difference is the noise of the target."])

    def eps_table(self) -> Table | None:
        """Problem 4's ε forms beside the score forms (same seed, start and noise)."""
        if not self.eps_forms:
            return None
        rows = [[c.method, c.w1, c.w1_score_form, c.max_abs_difference] for c in self.eps_forms]
        return table("eps_forms", "Problem 4's ε forms: xt−1 = xt − εθ/t + σz and xt−1 = xt − εθ/(2t), εθ = −tσ²sθ",
                     [Column("sampler", key="method"), Column("ε form W1", ".4f", "w1"),
                      Column("score form W1", ".4f", "w1_score_form"),
                      Column("largest particle gap", ".1e", "max_abs_difference")],
                     rows, ["Each particle run both ways with the same seed: the two forms are the same steps."])

    def tables(self) -> list[Table]:
        """Every table Problems 3/4 show: quality, error budget (the ε forms and the comparison, once made)."""
        extra = [t for t in (self.eps_table(), self.comparison_table()) if t is not None]
        return [self.quality_table(), self.budget_table(), *extra]

    def as_json(self) -> dict[str, Any]:
        """``hw7-tui p3/p4 --json`` (keys may be added, none removed or renamed)."""
        trained = self.trained
        if trained is None:
            raise ValueError("as_json needs a trained model")  # the command line always trains
        o = trained.outcome
        ev = self.evaluation
        out: dict[str, Any] = {
            "settings": trained.settings.as_dict(), "device": trained.device, "threads": self.threads,
            "status": o.status if o else "loaded", "message": o.message if o else "",
            "steps_done": o.steps_done if o else 0, "train_seconds": o.seconds if o else 0.0,
            "final_loss": o.final_loss if o else None,
            # the homework's L(θ), whatever was trained: mean of the last ≤ 100 steps' batch estimates
            "final_loss_homework": trained.final_homework_loss if o else None,
            "quality": {s: {m: {"w1": ev.row(s, m).w1, "tv": ev.row(s, m).tv} for m in METHODS} for s in SCORES},
            "start": ev.start, "particles": ev.n,
            "error_budget": {m: {"discretization": b.discretization, "prior_mismatch": b.prior_mismatch,
                                 "learned_score": b.learned_score, "total": b.with_learned,
                                 "prior_mismatch_limit": b.prior_limit} for m, b in self.budget.items()},
            "tables": {t.key: t.as_json() for t in self.tables()},
        }
        if self.score_errors is not None:
            e = self.score_errors
            out["score_error"] = {"t": e.t, "relative_mse": e.error, "mean": e.mean, "stderr": e.stderr,
                                  "mean_stderr": e.mean_stderr, "samples_per_t": e.n}
        out["interpolation_error"] = ev.interpolation_error
        if self.eps_forms:
            out["eps_forms"] = {c.method: {"w1": c.w1, "w1_score_form": c.w1_score_form,
                                           "max_abs_difference": c.max_abs_difference} for c in self.eps_forms}
        if self.comparison is not None:
            c = self.comparison
            out["comparison"] = {"t": c.p4.t, "p3": c.p3.error, "p4": c.p4.error, "p3_mean": c.p3.mean,
                                 "p4_mean": c.p4.mean,
                                 "p3_train_seconds": c.p3_outcome.seconds if c.p3_outcome else None}
        return out


def result_from_summary(settings: WalkSettings, trained: TrainedScore, metrics: Any) -> WalkResult | None:
    """The result stored with a checkpoint (:meth:`WalkResult.summary`), when it was measured with
    these particles, start and seed and is complete (None otherwise: then evaluate again)."""
    stored = evaluation_from_metrics(metrics if isinstance(metrics, dict) else {})
    if stored is None:
        return None
    ev, errors = stored
    if (ev.n, ev.start, ev.seed) != (settings.particles, settings.start, settings.seed) or ev.budget is None:
        return None
    try:
        ev.row("learned", "deterministic"), ev.row("exact", "stochastic")  # every row there?
    except StopIteration:
        return None
    return WalkResult(settings, trained.settings.target, ev, ev.budget, trained, errors)


# ---- the phases -------------------------------------------------------------------------------------
def exact_part(settings: WalkSettings, target: str = "p3", *, on_phase: OnPhase | None = None,
               should_stop: ShouldStop | None = None) -> tuple[WalkResult, WalkFrames]:
    """Before any training: the frames with the exact score, and the exact side of the numbers
    (engine.walk_exact.exact_side: the exact score's quality rows and the budget's exact parts) —
    kept in the result so that the evaluation after training does not sample it again."""
    setup = settings.setup()
    frames = record_frames(setup, exact_score_fn(setup), settings.particles, settings.seed, settings.start,
                           kind="exact", forward=True, eps_form=target == "p4", on_phase=on_phase,
                           should_stop=should_stop)
    if on_phase:
        on_phase("exact score's quality and budget", 0, 1)
    exact = exact_side(setup, settings.particles, settings.seed, settings.start, METHODS, should_stop=should_stop)
    if on_phase:
        on_phase("exact score's quality and budget", 1, 1)
    evaluation = Evaluation(exact.rows, {}, settings.particles, settings.start, settings.seed)
    budget = {m: exact.parts[m].budget(m, None) for m in METHODS}
    return WalkResult(settings, target, evaluation, budget, exact=exact), frames


def train(settings: WalkSettings, target: str = "p3", *, threads: int = DEFAULT_THREADS, device: str = "cpu",
          on_progress: Callable[[TrainProgress], Any] | None = None,
          should_stop: ShouldStop | None = None) -> TrainedScore:
    """Train sθ with the Problem 3 or 4 target (engine.score_net.train_score)."""
    from engine.score_net import train_score

    return train_score(settings.train_settings(target), threads=threads, device=device, on_progress=on_progress,
                       should_stop=should_stop)


def evaluate_trained(settings: WalkSettings, trained: TrainedScore, *, threads: int = DEFAULT_THREADS,
                     exact: ExactSide | None = None, on_phase: OnPhase | None = None,
                     should_stop: ShouldStop | None = None) -> WalkResult:
    """Quality of the learned and the exact score (both samplers) with each sampler's error budget
    (engine.score_net.evaluate; the exact side reused when given) and the score error per t.
    ``settings`` gives particles, seed and start."""
    from engine.score_net import evaluate, score_errors

    report = on_phase or (lambda *_: None)
    setup = trained.settings.setup()
    if exact is None or not exact.matches(setup, settings.particles, settings.seed, settings.start):
        report("evaluating", 0, 4)
        exact = exact_side(setup, settings.particles, settings.seed, settings.start, METHODS, should_stop=should_stop)
    parts = []
    for i, m in enumerate(METHODS):
        _check(should_stop)
        report("evaluating", 1 + i, 4)
        parts.append(evaluate(trained, n=settings.particles, seed=settings.seed, start=settings.start,
                              methods=(m,), exact=exact, should_stop=should_stop))
    rows = sorted((r for ev in parts for r in ev.rows), key=lambda r: (SCORES.index(r.score), METHODS.index(r.method)))
    budget = {m: b for ev in parts for m, b in (ev.budget or {}).items()}
    interpolation = max((ev.interpolation_error for ev in parts if ev.interpolation_error is not None), default=None)
    evaluation = Evaluation(tuple(rows), {m: x for ev in parts for m, x in ev.samples.items()}, settings.particles,
                            settings.start, settings.seed, budget, interpolation)
    report("evaluating", 3, 4)
    errors = score_errors(trained, seed=settings.seed, should_stop=should_stop)
    eps_forms: tuple[EpsFormCheck, ...] = ()
    if trained.settings.target == "p4":  # Problem 4's samplers written with εθ = −tσ²sθ, used for real
        _check(should_stop)
        eps_forms = tuple(eps_form_check(setup, trained.grid_score_fn(), settings.particles, seed=settings.seed,
                                         start=settings.start, score_samples=evaluation.samples))
    report("evaluating", 4, 4)
    return WalkResult(settings, trained.settings.target, evaluation, budget, trained, errors, threads=threads,
                      exact=exact, eps_forms=eps_forms)


def compare_targets(settings: WalkSettings, *, trained: dict[str, TrainedScore] | None = None,
                    threads: int = DEFAULT_THREADS, device: str = "cpu",
                    on_target: Callable[[str], Any] | None = None,
                    on_progress: Callable[[TrainProgress], Any] | None = None,
                    should_stop: ShouldStop | None = None) -> Comparison:
    """Train whichever of the two targets is not given, with the same budget, and measure both
    against the exact score (engine.score_net.score_errors)."""
    from engine.score_net import score_errors

    models = dict(trained or {})
    for target in TARGETS[::-1]:  # P4 first: it is this problem's own model
        if target in models:
            continue
        _check(should_stop)
        if on_target:
            on_target(target)
        models[target] = train(settings, target, threads=threads, device=device, on_progress=on_progress,
                               should_stop=should_stop)
        if models[target].outcome is not None and models[target].outcome.status == "cancelled":
            raise Stopped
    errors = {t: score_errors(models[t], seed=settings.seed, should_stop=should_stop) for t in TARGETS}
    return Comparison(errors["p3"], errors["p4"], models["p3"].outcome, models["p4"].outcome)


def run(settings: WalkSettings, target: str = "p3", *, compare: bool = False, threads: int = DEFAULT_THREADS,
        device: str = "cpu", on_progress: Callable[[str, TrainProgress], Any] | None = None,
        on_phase: OnPhase | None = None) -> WalkResult:
    """The whole of Problem 3 (or 4): train, evaluate, and (``compare``) the other target with the
    same budget. ``on_progress(label, progress)`` reports training. The exact side (it does not depend
    on the model) runs in a thread while the model trains."""
    from concurrent.futures import ThreadPoolExecutor

    setup = settings.setup()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exact-side") as pool:
        exact = pool.submit(exact_side, setup, settings.particles, settings.seed, settings.start, METHODS)
        trained = train(settings, target, threads=threads, device=device,
                        on_progress=(lambda p: on_progress(target, p)) if on_progress else None)
        exact_done = exact.result()
    result = evaluate_trained(settings, trained, threads=threads, exact=exact_done, on_phase=on_phase)
    if compare:
        result = result.with_comparison(compare_targets(
            settings, trained={target: trained}, threads=threads, device=device,
            on_progress=(lambda p: on_progress("p3" if target == "p4" else "p4", p)) if on_progress else None))
    return result

