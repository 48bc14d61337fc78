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

Thin on purpose: every formula lives in engine.walk and engine.score_net.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.score_net import LR, STEPS, TARGETS, Evaluation, QualityRow, ScoreErrors, TrainedScore, TrainSettings
from engine.settings import SEED, Spec, check_fields, setting
from engine.tables import Column, Table, table
from engine.training import DEFAULT_THREADS, TrainOutcome, TrainProgress
from engine.walk import (SIGMA2, STARTS, T_STEPS, ErrorBudget, SampleRun, WalkSetup, crossings, error_budget,
                         exact_score_fn, forward_walk, marginal_at, quality, sample)

METHODS = ("stochastic", "deterministic")
SCORES = ("learned", "exact")
FRAMES = 61
"""Frames recorded per animation (the screen plays them; T = 2000 would otherwise be 2001 histograms)."""
BINS = 240
"""Histogram bins over the widest frame: fine enough that p₀ alone still spans ~50 of them when a
plot zooms to it (tui.widgets.walk_plots regroups them to the plot's width)."""

PARTICLES = Spec("particles", "N", int, 20_000, 100, 1_000_000,
                 help="particles per sampler (animations and the quality table)",
                 reason="W1's sampling noise is about 1.5/√N: below 100 it hides every error measured here; "
                        "at 10⁶ it is 0.0015 and more particles only cost time.")
START = Spec("start", "start", str, "prior", choices=STARTS,
             help="where the reverse starts: N(0, Tσ²) (the homework), the exact p_T, or N(mean, var + Tσ²)")

OnPhase = Callable[[str, int, int], Any]
"""on_phase(phase, done, total): progress of a long phase that is not training."""
ShouldStop = Callable[[], bool]


class Stopped(Exception):
    """A phase was cancelled (should_stop() said so) before it finished."""


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

    def __post_init__(self) -> None:
        check_fields(self)
        GaussianMixture.parse(self.mixture)  # refuses a bad mixture with its own message

    def setup(self) -> WalkSetup:
        return WalkSetup(GaussianMixture.parse(self.mixture), self.T, self.sigma2)

    def train_settings(self, target: str) -> TrainSettings:
        return TrainSettings(mixture=self.mixture, T=self.T, sigma2=self.sigma2, target=target,
                             steps=self.steps, lr=self.lr, seed=self.seed)

    @classmethod
    def from_train_settings(cls, s: TrainSettings, **rest: Any) -> "WalkSettings":
        """The settings a saved model was trained with (plus particles/start from ``rest``)."""
        return cls(mixture=s.mixture, T=s.T, sigma2=s.sigma2, seed=s.seed, steps=s.steps, lr=s.lr, **rest)


# ---- frames for playback ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Movie:
    """Recorded frames: per frame the histogram density, and the exact pt density on a grid."""

    steps: np.ndarray
    centers: np.ndarray
    densities: np.ndarray  # (frames, bins)
    xs: np.ndarray
    exact: np.ndarray  # (frames, len(xs))
    trajectories: np.ndarray  # (frames, k)
    support: np.ndarray  # (frames, 2): where the frame's exact pt lives (±4 std of its widest part)


def make_movie(setup: WalkSetup, run: SampleRun) -> Movie:
    """A recorded engine run as drawable frames (with the exact pt of each frame's step t)."""
    h = run.histograms
    xs = np.linspace(h.edges[0], h.edges[-1], 4 * len(h.centers) + 1)
    marginals = [marginal_at(setup, int(t)) for t in h.steps]
    exact = np.array([m.pdf(xs) for m in marginals])
    dens = np.array([h.density(i) for i in range(len(h.steps))])
    support = np.array([m.support(4.0) for m in marginals])
    return Movie(h.steps, h.centers, dens, xs, exact, run.trajectories, support)


@dataclass(frozen=True)
class WalkFrames:
    """What the animations play: the forward noising (exact part only) and both reverse samplers."""

    kind: str  # "exact" or "learned": which score the reverse frames used
    forward: Movie | None
    stochastic: Movie
    deterministic: Movie
    crossings: tuple[int, int]  # (deterministic, stochastic)
    x0: dict[str, np.ndarray]  # method → the particles at t = 0


def record_frames(setup: WalkSetup, score, n: int, seed: int, start: str, *, kind: str, forward: bool = False,
                  n_trajectories: int = 12, on_phase: OnPhase | None = None,
                  should_stop: ShouldStop | None = None) -> WalkFrames:
    """Run both reverse samplers (and the forward walk) recording FRAMES histograms each."""
    report = on_phase or (lambda *_: None)
    total = 3 if forward else 2
    report("sampling frames", 0, total)
    fwd = (forward_walk(setup, n, seed=seed, bins=BINS, max_frames=FRAMES, n_trajectories=n_trajectories)
           if forward else None)
    runs = {}
    for i, method in enumerate(METHODS):
        _check(should_stop)
        report("sampling frames", i + (1 if forward else 0), total)
        try:
            runs[method] = sample(setup, score, n, method=method, start=start, seed=seed, bins=BINS,
                                  max_frames=FRAMES, n_trajectories=n_trajectories, should_stop=should_stop)
        except InterruptedError:
            raise Stopped from None
    report("sampling frames", total, total)
    sto, det = runs["stochastic"], runs["deterministic"]
    return WalkFrames(kind, make_movie(setup, fwd) if fwd is not None else None, make_movie(setup, sto),
                      make_movie(setup, det), (crossings(det.trajectories), crossings(sto.trajectories)),
                      {m: r.x0 for m, r in runs.items()})


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
        """The measured numbers as plain values, stored with a saved model so that reloading it
        shows its evaluation without sampling again (see :func:`result_from_summary`)."""
        ev, e = self.evaluation, self.score_errors
        return {"particles": ev.n, "start": ev.start, "seed": ev.seed,
                "quality": [[r.score, r.method, r.w1, r.tv] for r in ev.rows],
                "budget": {m: [b.discretization, b.with_prior, b.with_learned, b.prior_limit]
                           for m, b in self.budget.items()},
                "score_errors": None if e is None else [e.t.tolist(), e.error.tolist()]}

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
                 "(+ prior), then the learned score (+ learned). W1 is not additive, so a part can come out "
                 f"below 0, by up to the sampling noise (~{1.5 / n ** 0.5:.3f} at {n:,} particles).",
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

    def tables(self) -> list[Table]:
        """Every table Problems 3/4 show: quality, error budget (and the comparison, once made)."""
        out = [self.quality_table(), self.budget_table()]
        comparison = self.comparison_table()
        return out + ([comparison] if comparison is not None else [])

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
            "quality": {s: {m: {"w1": ev.row(s, m).w1, "tv": ev.row(s, m).tv} for m in METHODS} for s in SCORES},
            "start": ev.start, "particles": ev.n,
            "error_budget": {m: {"discretization": b.discretization, "prior_mismatch": b.prior_mismatch,
                                 "learned_score": b.learned_score, "total": b.with_learned,
                                 "prior_mismatch_limit": b.prior_limit} for m, b in self.budget.items()},
            "tables": {t.key: t.as_json() for t in self.tables()},
        }
        if self.score_errors is not None:
            e = self.score_errors
            out["score_error"] = {"t": e.t, "relative_mse": e.error, "mean": e.mean}
        if self.comparison is not None:
            c = self.comparison
            out["comparison"] = {"t": c.p4.t, "p3": c.p3.error, "p4": c.p4.error, "p3_mean": c.p3.mean,
                                 "p4_mean": c.p4.mean,
                                 "p3_train_seconds": c.p3_outcome.seconds if c.p3_outcome else None}
        return out


def result_from_summary(settings: WalkSettings, trained: TrainedScore, summary: Any) -> WalkResult | None:
    """The result stored by :meth:`WalkResult.summary`, when it was measured with these particles,
    start and seed (None otherwise, or when it is not readable: then evaluate again)."""
    try:
        if (summary["particles"], summary["start"], summary["seed"]) != (settings.particles, settings.start,
                                                                          settings.seed):
            return None
        rows = tuple(QualityRow(str(s), str(m), float(w1), float(tv)) for s, m, w1, tv in summary["quality"])
        budget = {str(m): ErrorBudget(str(m), *(None if v is None else float(v) for v in values))
                  for m, values in summary["budget"].items()}
        e = summary["score_errors"]
        errors = None if e is None else ScoreErrors(np.asarray(e[0], dtype=int), np.asarray(e[1], dtype=float))
        evaluation = Evaluation(rows, {}, settings.particles, settings.start, settings.seed)
        evaluation.row("learned", "deterministic"), evaluation.row("exact", "stochastic")  # all there?
    except (KeyError, TypeError, ValueError, StopIteration):
        return None
    return WalkResult(settings, trained.settings.target, evaluation, budget, trained, errors)


# ---- the phases -------------------------------------------------------------------------------------
def _check(should_stop: ShouldStop | None) -> None:
    if should_stop is not None and should_stop():
        raise Stopped


def exact_part(settings: WalkSettings, target: str = "p3", *, on_phase: OnPhase | None = None,
               should_stop: ShouldStop | None = None) -> tuple[WalkResult, WalkFrames]:
    """Before any training: the frames with the exact score, the exact score's quality (from the
    frames' own x0: the same particles evaluate() draws) and the budget's exact parts."""
    setup = settings.setup()
    frames = record_frames(setup, exact_score_fn(setup), settings.particles, settings.seed, settings.start,
                           kind="exact", forward=True, on_phase=on_phase, should_stop=should_stop)
    rows = tuple(QualityRow("exact", m, *_quality(frames.x0[m], setup)) for m in METHODS)
    evaluation = Evaluation(rows, {}, settings.particles, settings.start, settings.seed)
    budget = _budget(setup, settings, None, on_phase, should_stop)
    return WalkResult(settings, target, evaluation, budget), frames


def _quality(x0: np.ndarray, setup: WalkSetup) -> tuple[float, float]:
    q = quality(x0, setup.p0)
    return q.w1, q.tv


def _budget(setup: WalkSetup, settings: WalkSettings, learned, on_phase: OnPhase | None,
            should_stop: ShouldStop | None) -> dict[str, ErrorBudget]:
    out = {}
    for i, m in enumerate(METHODS):
        _check(should_stop)
        if on_phase:
            on_phase("error budget", i, len(METHODS))
        out[m] = error_budget(setup, m, settings.particles, seed=settings.seed, learned=learned)
    if on_phase:
        on_phase("error budget", len(METHODS), len(METHODS))
    return out


def train(settings: WalkSettings, target: str = "p3", *, threads: int = DEFAULT_THREADS, device: str = "cpu",
          on_progress: Callable[[TrainProgress], Any] | None = None,
          should_stop: ShouldStop | None = None) -> TrainedScore:
    """Train sθ with the Problem 3 or 4 target (engine.score_net.train_score)."""
    from engine.score_net import train_score

    return train_score(settings.train_settings(target), threads=threads, device=device, on_progress=on_progress,
                       should_stop=should_stop)


def evaluate_trained(settings: WalkSettings, trained: TrainedScore, *, threads: int = DEFAULT_THREADS,
                     on_phase: OnPhase | None = None, should_stop: ShouldStop | None = None) -> WalkResult:
    """Quality of the learned and the exact score (both samplers), the error budget with the learned
    score and the score error per t. ``settings`` gives particles, seed and start."""
    from engine.score_net import evaluate, score_errors

    report = on_phase or (lambda *_: None)
    setup = trained.settings.setup()
    rows: list[QualityRow] = []
    samples: dict[str, np.ndarray] = {}
    for i, m in enumerate(METHODS):
        _check(should_stop)
        report("evaluating", i, 5)
        ev = evaluate(trained, n=settings.particles, seed=settings.seed, start=settings.start, methods=(m,))
        rows += ev.rows
        samples.update(ev.samples)
    rows.sort(key=lambda r: (SCORES.index(r.score), METHODS.index(r.method)))
    evaluation = Evaluation(tuple(rows), samples, settings.particles, settings.start, settings.seed)
    learned = trained.score_fn()
    budget = _budget(setup, settings, learned,
                     lambda _p, done, _t: report("evaluating", 2 + done, 5), should_stop)
    _check(should_stop)
    report("evaluating", 4, 5)
    errors = score_errors(trained, seed=settings.seed)
    report("evaluating", 5, 5)
    return WalkResult(settings, trained.settings.target, evaluation, budget, trained, errors, threads=threads)


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
    errors = {t: score_errors(models[t], seed=settings.seed) for t in TARGETS}
    return Comparison(errors["p3"], errors["p4"], models["p3"].outcome, models["p4"].outcome)


def run(settings: WalkSettings, target: str = "p3", *, compare: bool = False, threads: int = DEFAULT_THREADS,
        device: str = "cpu", on_progress: Callable[[str, TrainProgress], Any] | None = None,
        on_phase: OnPhase | None = None) -> WalkResult:
    """The whole of Problem 3 (or 4): train, evaluate, and (``compare``) the other target with the
    same budget. ``on_progress(label, progress)`` reports training."""
    trained = train(settings, target, threads=threads, device=device,
                    on_progress=(lambda p: on_progress(target, p)) if on_progress else None)
    result = evaluate_trained(settings, trained, threads=threads, on_phase=on_phase)
    if compare:
        result = result.with_comparison(compare_targets(
            settings, trained={target: trained}, threads=threads, device=device,
            on_progress=(lambda p: on_progress("p3" if target == "p4" else "p4", p)) if on_progress else None))
    return result

