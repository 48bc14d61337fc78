"""The exact side of Problems 3–4's quality numbers: everything that does not depend on the trained
model, as one value that can be computed once per setup (for instance while the model trains).

For a setup (p0, T, σ²), n particles, a seed and a start, it holds
    rows     W1 and TV to p0 of the exact-score samplers from that start (the "exact" rows of the
             quality table);
    parts    per sampler: W1 with the exact score from the exact pT (discretization only), W1 with the
             exact score from N(0, Tσ²) (+ the prior mismatch), and the prior mismatch's T → ∞ limit
             (prior_floor_limit) — the exact parts of the error budget.
A learned model then adds only its own samplers (engine.score_net.evaluate), with the same seed, n and
start, so the learned and exact numbers are paired exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.walk import (ErrorBudget, WalkSetup, exact_score_fn, prior_floor_limit, sample, tv_histogram,
                         wasserstein1)

METHODS = ("stochastic", "deterministic")


@dataclass(frozen=True)
class QualityRow:
    score: str  # "learned" or "exact"
    method: str  # "stochastic" or "deterministic"
    w1: float
    tv: float


@dataclass(frozen=True)
class ExactParts:
    """The exact parts of one sampler's error budget (see engine.walk.ErrorBudget)."""

    discretization: float  # exact score, exact pT start
    with_prior: float  # exact score, N(0, Tσ²) start
    prior_limit: float  # the prior mismatch with infinitely fine steps (computed, not sampled)

    def budget(self, method: str, with_learned: float | None) -> ErrorBudget:
        """The full budget once the learned sampler's W1 (N(0, Tσ²) start, same seed and n) is known."""
        return ErrorBudget(method, self.discretization, self.with_prior, with_learned, self.prior_limit)


@dataclass(frozen=True)
class ExactSide:
    setup: WalkSetup
    n: int
    seed: int
    start: str
    rows: tuple[QualityRow, ...]
    parts: dict[str, ExactParts]

    def row(self, method: str) -> QualityRow:
        return next(r for r in self.rows if r.method == method)

    def matches(self, setup: WalkSetup, n: int, seed: int, start: str) -> bool:
        return (self.setup == setup and self.n == n and self.seed == seed and self.start == start)


def exact_side(setup: WalkSetup, n: int, seed: int = 0, start: str = "prior",
               methods: tuple[str, ...] = METHODS, should_stop=None) -> ExactSide:
    """Run the exact-score samplers once: from `start` (the quality table), from pT and from N(0, Tσ²)
    (the budget; the N(0, Tσ²) run is shared when start is "prior"), each with `seed` and n particles.
    ``should_stop`` is asked at every sampling step (InterruptedError when it says stop)."""
    exact = exact_score_fn(setup)

    def run(method: str, from_: str):
        return sample(setup, exact, n, method=method, start=from_, seed=seed, max_frames=2,
                      should_stop=should_stop).x0

    rows, parts = [], {}
    for method in methods:
        x_start = run(method, start)
        rows.append(QualityRow("exact", method, wasserstein1(x_start, setup.p0), tv_histogram(x_start, setup.p0)))
        with_prior = rows[-1].w1 if start == "prior" else wasserstein1(run(method, "prior"), setup.p0)
        discretization = rows[-1].w1 if start == "exact" else wasserstein1(run(method, "exact"), setup.p0)
        parts[method] = ExactParts(discretization, with_prior, prior_floor_limit(setup, method, "prior"))
    return ExactSide(setup, n, seed, start, tuple(rows), parts)
