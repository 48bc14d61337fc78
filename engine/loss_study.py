"""Which loss to train the score with (Problems 3–4), measured: the homework's L(θ) against the
balanced one, same budget, several seeds.

    homework  L(θ) = E_{t~U{1..T}} [(x_{t−1} − (x_t + σ² sθ(x_t, t)))²]          (P3)
              L(θ) = E_{t~U{1..T}} [(x_0 − (x_t + tσ² sθ(x_t, t)))²]             (P4)
    balanced  each t's term × Var(p_t)/c² (c = σ² for P3, tσ² for P4), most of the t log-uniform

Both have the same minimiser, ∇log p_t (each t's regression is unchanged by a weight), so what
differs is only how a finite budget is spent across t. This module trains both on the same
settings and seeds and measures what matters: the score error against the exact score per t
(engine.score_net.score_errors) and the W1 to p₀ of both learned samplers beside the exact score's
(engine.score_net.evaluate). The screens' Explain view and ``hw7-tui p3 --compare-losses`` show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine.score_net import LOG_UNIFORM_SHARE
from engine.tables import Column, Table, table

LOSSES = ("homework", "balanced")


def within_goal(learned: float, exact: float) -> bool:
    """The quality goal of a learned sampler: W1 ≤ 1.5 × the exact score's W1 + 0.03."""
    return learned <= 1.5 * exact + 0.03


@dataclass(frozen=True)
class LossRun:
    """One loss at one seed: score error per t and W1 of both learned samplers (and the exact ones)."""

    loss: str
    seed: int
    t: np.ndarray
    score_error: np.ndarray
    w1_learned: tuple[float, float]  # stochastic, deterministic
    w1_exact: tuple[float, float]
    train_seconds: float

    @property
    def ok(self) -> bool:
        return all(within_goal(a, b) for a, b in zip(self.w1_learned, self.w1_exact))


@dataclass(frozen=True)
class LossComparison:
    target: str
    settings: dict
    runs: tuple[LossRun, ...]

    def of(self, loss: str) -> list[LossRun]:
        return [r for r in self.runs if r.loss == loss]

    def mean_error(self, loss: str) -> np.ndarray:
        """Score error per t, averaged over the seeds."""
        return np.mean([r.score_error for r in self.of(loss)], axis=0)

    def better(self) -> str:
        """The loss whose runs meet the goal more often, then with the lower mean score error."""
        return min(LOSSES, key=lambda l: (-sum(r.ok for r in self.of(l)), float(np.mean(self.mean_error(l)))))

    def table(self) -> Table:
        rows = []
        for loss in LOSSES:
            runs = self.of(loss)
            err = self.mean_error(loss)
            rows.append([loss, float(err[0]), float(np.mean(err)),
                         float(np.mean([r.w1_learned[0] for r in runs])), float(np.mean([r.w1_learned[1] for r in runs])),
                         float(np.mean([r.w1_exact[0] for r in runs])), float(np.mean([r.w1_exact[1] for r in runs])),
                         f"{sum(r.ok for r in runs)}/{len(runs)}", float(np.mean([r.train_seconds for r in runs]))])
        s = self.settings
        return table(
            "losses", f"Which loss? {self.target.upper()} target, {s['steps']:,} steps × {s['batch']:,}, "
                      f"seeds {', '.join(str(r.seed) for r in self.of(LOSSES[0]))}",
            [Column("loss"), Column("err t=1", ".3g", "score_error_t1"), Column("err mean", ".3g", "score_error_mean"),
             Column("W1 sto", ".3f", "w1_stochastic"), Column("W1 det", ".3f", "w1_deterministic"),
             Column("exact sto", ".3f", "w1_exact_stochastic"), Column("exact det", ".3f", "w1_exact_deterministic"),
             Column("ok", "s", "within_goal"), Column("s", ".1f", "train_seconds")],
            rows,
            notes=["err: the score error Var(p_t)·E(sθ − ∇log p_t)² on fresh samples (0 is perfect), averaged over "
                   "the seeds; W1 to p₀ from N(0, Tσ²), averaged; ok: runs whose two learned samplers have "
                   "W1 ≤ 1.5 × exact + 0.03; s: seconds of training."])

    def sentence(self) -> str:
        """What the measurement says, in the run's own numbers."""
        h, b = self.mean_error("homework"), self.mean_error("balanced")
        ok_h, ok_b = (sum(r.ok for r in self.of(l)) for l in LOSSES)
        n = len(self.of("homework"))
        return (f"Same minimiser, different spending: at t = 1 the homework's loss leaves a score error of "
                f"{h[0]:.3g} against {b[0]:.3g} for the balanced one ({h[0] / b[0]:.1f}×), and on average over t "
                f"{np.mean(h):.3g} against {np.mean(b):.3g}; both samplers met the goal in {ok_h}/{n} runs with "
                f"the homework's loss and {ok_b}/{n} with the balanced one, so {self.better()} is the better "
                "default here. A finite budget spends its gradient where the loss is large. The homework's loss "
                "weights every t alike in its own units: for P4 the large-t terms, whose target x₀ varies most "
                "given x_t, dominate; for P3 a score error costs σ⁴·error² at every t although the score is "
                "largest at small t. The balanced loss rescales each t so that every t's relative score error "
                f"counts alike and draws {LOG_UNIFORM_SHARE:.0%} of the t log-uniformly, so the small t — where the "
                "last, decisive reverse steps happen — get their share.")


def compare_losses(settings, seeds: tuple[int, ...] = (0, 1, 2), n: int = 10_000,
                   on_progress: Callable[[int, int, str], None] | None = None,
                   should_stop: Callable[[], bool] | None = None, threads: int = 1) -> LossComparison:
    """Train ``settings`` (an engine.score_net.TrainSettings) with each loss at each seed and measure
    both. ``on_progress(done, total, text)`` after each training; ``should_stop`` between them."""
    from engine.score_net import evaluate, score_errors, train_score
    from engine.walk_exact import exact_side

    setup = settings.setup()
    runs, total, done = [], len(LOSSES) * len(seeds), 0
    for seed in seeds:
        exact = exact_side(setup, n, seed, "prior")
        for loss in LOSSES:
            if should_stop is not None and should_stop():
                raise InterruptedError("loss comparison cancelled")
            s = replace(settings, loss=loss, seed=seed)
            trained = train_score(s, threads=threads, should_stop=should_stop)
            ev = evaluate(trained, n=n, seed=seed, exact=exact, budget=False, should_stop=should_stop)
            errors = score_errors(trained, seed=seed, should_stop=should_stop)
            runs.append(LossRun(loss, seed, errors.t, errors.error,
                                (ev.row("learned", "stochastic").w1, ev.row("learned", "deterministic").w1),
                                (ev.row("exact", "stochastic").w1, ev.row("exact", "deterministic").w1),
                                trained.outcome.seconds))
            done += 1
            if on_progress is not None:
                on_progress(done, total, f"{loss} loss, seed {seed}")
    return LossComparison(settings.target, settings.as_dict(), tuple(runs))
