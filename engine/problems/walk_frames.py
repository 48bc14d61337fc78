"""Frames the screens of Problems 3 and 4 play (and the report counts crossings on): both reverse
samplers and the forward walk recorded as histograms, with the exact pt of each frame's t.

Computation only (numpy, engine.walk); tui.widgets.walk_plots draws a Movie, and the workflow in
engine.problems.p3_walk records frames in its exact part and after training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.walk import (PATH_FRAMES, TRACKED_PATHS, SampleRun, WalkSetup, crossings, forward_walk, marginal_at,
                         sample)

METHODS = ("stochastic", "deterministic")
FRAMES = PATH_FRAMES
"""Frames recorded per animation (the screen plays them; T = 2000 would otherwise be 2001 histograms) —
engine.walk's, so that the screen and the report count the paths' crossings the same way."""
BINS = 240
"""Histogram bins over the widest frame: fine enough that p₀ alone still spans ~50 of them when a
plot zooms to it (tui.widgets.walk_plots regroups them to the plot's width)."""


OnPhase = Callable[[str, int, int], Any]
"""on_phase(phase, done, total): progress of a long phase that is not training."""
ShouldStop = Callable[[], bool]


class Stopped(InterruptedError):
    """A phase was cancelled (should_stop() said so) before it finished. An InterruptedError, like the
    engine's own (sample, evaluate, error_budget and score_errors raise one when should_stop says so),
    so one ``except InterruptedError`` catches both."""


def _check(should_stop: ShouldStop | None) -> None:
    if should_stop is not None and should_stop():
        raise Stopped


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


EPS_FORMS = {"stochastic": "eps_stochastic", "deterministic": "eps_deterministic"}
"""Problem 4 runs its samplers written with εθ = −tσ²s (engine.walk's eps_* steps): the same steps."""


def record_frames(setup: WalkSetup, score, n: int, seed: int, start: str, *, kind: str, forward: bool = False,
                  n_trajectories: int = TRACKED_PATHS, eps_form: bool = False, on_phase: OnPhase | None = None,
                  should_stop: ShouldStop | None = None) -> WalkFrames:
    """Run both reverse samplers (and the forward walk) recording FRAMES histograms each; with
    ``eps_form`` (Problem 4) each sampler is run in its ε form xt−1 = xt − εθ/t + σz, xt−1 = xt − εθ/(2t)."""
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
            runs[method] = sample(setup, score, n, method=EPS_FORMS[method] if eps_form else method, start=start,
                                  seed=seed, bins=BINS,
                                  max_frames=FRAMES, n_trajectories=n_trajectories, should_stop=should_stop)
        except InterruptedError:
            raise Stopped from None
    report("sampling frames", total, total)
    sto, det = runs["stochastic"], runs["deterministic"]
    return WalkFrames(kind, make_movie(setup, fwd) if fwd is not None else None, make_movie(setup, sto),
                      make_movie(setup, det), (crossings(det.trajectories), crossings(sto.trajectories)),
                      {m: r.x0 for m, r in runs.items()})
