"""Drawing Problems 3–4's pictures with plotext: histogram frames (zoomed to each frame), paths,
score curves and the P3-vs-P4 comparison. Only arranging precomputed numbers: the frames, the
exact densities and the errors all come from engine.problems.p3_walk.
"""

from __future__ import annotations

import math

import numpy as np

from engine.problems.p3_walk import Comparison, Movie
from tui.export import nice_ticks

FORMULAS = {
    ("p3", "stochastic"): "x(t−1) = x(t) + σ²s + σz",
    ("p3", "deterministic"): "x(t−1) = x(t) + ½σ²s",
    ("p4", "stochastic"): "x(t−1) = x(t) − ε/t + σz",
    ("p4", "deterministic"): "x(t−1) = x(t) − ε/(2t)",
    ("p3", "forward"): "x(t) = x(t−1) + σe",
    ("p4", "forward"): "x(t) = x(t−1) + σe",
}
"""The update each panel runs, shown in its title."""
BARS = 60
"""Bars a histogram panel shows at most (about the width of half an 80-column screen)."""


def frame_view(movie: Movie, i: int, fit: bool) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Bar centres and heights of frame i inside the visible range, and that range: with ``fit`` the
    range of this frame's exact pt (so p₀ fills the plot at t = 0), else every frame's range. The
    recorded fine bins are regrouped to at most BARS bars (a group's height is its mean density)."""
    lo, hi = (float(movie.support[i][0]), float(movie.support[i][1])) if fit else (float(movie.xs[0]), float(movie.xs[-1]))
    inside = np.flatnonzero((movie.centers >= lo) & (movie.centers <= hi))
    if inside.size == 0:
        return np.array([]), np.array([]), lo, hi
    group = max(1, math.ceil(inside.size / BARS))
    usable = inside[: inside.size // group * group] if inside.size >= group else inside
    centers = movie.centers[usable].reshape(-1, group).mean(axis=1)
    heights = movie.densities[i][usable].reshape(-1, group).mean(axis=1)
    return centers, heights, lo, hi


def draw_frame(plt, movie: Movie, i: int, formula: str, marker: str, *, fit: bool, reverse: bool) -> None:
    """One histogram frame with the exact density over it (labelled p₀ where t = 0)."""
    centers, heights, lo, hi = frame_view(movie, i, fit)
    t = int(movie.steps[i])
    keep = (movie.xs >= lo) & (movie.xs <= hi)
    xs, curve = movie.xs[keep], movie.exact[i][keep]
    if centers.size:
        plt.bar(np.round(centers, 3).tolist(), heights.tolist(), marker=marker, width=1)
    plt.plot(xs.tolist(), curve.tolist(), marker=marker, color="red", label="p₀" if t == 0 else "exact pt")
    plt.title(f"{formula} · t={t}" + (" (p₀)" if t == 0 and reverse else ""))
    plt.xlim(lo, hi)
    plt.xticks(nice_ticks(lo, hi))
    if fit:
        top = max(float(curve.max()) if curve.size else 0.0, float(heights.max()) if heights.size else 0.0)
    else:  # one height for every frame, so the eye sees the mass spread and gather
        top = float(max(movie.exact[-1].max(), movie.exact[0].max()))
    plt.ylim(0, top * 1.25 or 1.0)


def draw_paths(plt, movie: Movie, name: str, n_cross: int, marker: str) -> None:
    """Tracked particles from t = T (left) to t = 0 (right)."""
    steps = movie.steps
    x = (-steps).tolist()  # plotted against −t so that time runs left to right, T → 0
    for j in range(movie.trajectories.shape[1]):
        plt.plot(x, movie.trajectories[:, j].tolist(), marker=marker)
    T = int(steps.max())
    ticks = [int(v) for v in nice_ticks(0, T)] if T > 1 else [0, 1]
    plt.xticks([-v for v in ticks], [str(v) for v in ticks])
    plt.title(f"{name}: paths cross {n_cross}×")
    plt.xlabel("t, from T down to 0")


def draw_score(plt, xs: np.ndarray, exact: np.ndarray, learned: np.ndarray | None, t: int, marker: str) -> None:
    plt.plot(xs.tolist(), exact.tolist(), label="exact ∇log pt", marker=marker)
    if learned is not None:
        plt.plot(xs.tolist(), learned.tolist(), label="learned sθ", marker=marker)
    plt.xticks(nice_ticks(float(xs[0]), float(xs[-1])))
    plt.title(f"score at t = {t} ([ / ] change t)" + ("" if learned is not None else " — press t to train"))


def draw_comparison(plt, c: Comparison, marker: str) -> None:
    """log10 of each target's relative score error against t, with a legend."""
    def log(values) -> list[float]:
        return [math.log10(max(float(v), 1e-12)) for v in values]

    p3, p4 = log(c.p3.error), log(c.p4.error)
    plt.plot(c.p3.t.tolist(), p3, label="P3 target xt−1", marker=marker, color="orange")
    plt.plot(c.p4.t.tolist(), p4, label="P4 target x0 (ε)", marker=marker, color="cyan")
    lo, hi = min(p3 + p4), max(p3 + p4)
    plt.ylim(lo - 0.05 * (hi - lo or 1), hi + 0.45 * (hi - lo or 1))  # room above the data for the legend
    t_max = int(max(c.p3.t.max(), c.p4.t.max()))
    plt.xticks([int(v) for v in nice_ticks(0, t_max)] if t_max > 1 else [1])
    plt.title("log10 score error vs t, same budget")
    plt.xlabel("t")
