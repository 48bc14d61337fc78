"""Screen 5's pictures, drawn with plotext from a workflow result (no formulas: the numbers come
from engine.problems.p5_swiss). Each function draws into the ``plt`` a Plot hands it."""

from __future__ import annotations

import math

AXIS = 2.5
"""Standardized units: the swiss roll lies within ±2.5 (two moons reaches 2.6: see :func:`limit`)."""


DDPM_STEP = "DDPM x ← (x − βt·ε̂/√(1−ᾱt))/√αt + √βt·z"
"""The update the Denoise view animates (engine.vp.sample, sampler "ddpm"), as its title says it."""


def limit(data) -> float:
    """The axes' half-width: ±2.5, or wider when the data reaches beyond it (rounded up to 0.5)."""
    reach = float(abs(data).max()) if len(data) else 0.0
    return max(AXIS, math.ceil(reach * 1.05 * 2) / 2)


def _points(plt, pts, marker: str, label: str | None = None, lim: float = AXIS) -> None:
    plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker=marker, label=label)
    plt.xlim(-lim, lim)
    plt.ylim(-lim, lim)


def frame_drawer(run, who: str, marker: str, lim: float = AXIS):
    """Frame i of a sampler run (the points after the step to t), for a FramePlot."""
    def draw(plt, _frame, i: int) -> None:
        _points(plt, run.frames[i], marker, lim=lim)
        plt.title(f"{DDPM_STEP} · {who} · t = {int(run.frame_steps[i])}")
    return draw


def samples_drawer(pts, sampler: str, energy: float, marker: str, lim: float = AXIS):
    def draw(plt) -> None:
        _points(plt, pts, marker, lim=lim)
        plt.title(f"{sampler} · ED {energy:.4f}")
    return draw


def data_drawer(data, generated, marker: str, lim: float = AXIS):
    """Fresh data (a random subsample: every part of the set) against DDPM's samples, if any."""
    def draw(plt) -> None:
        _points(plt, data, marker, "data", lim)
        if generated is not None:
            _points(plt, generated, marker, "generated (DDPM)", lim)
        plt.title("data vs generated (standardized units)" if generated is not None else
                  "the training data (standardized units)")
    return draw


def schedule_drawer(schedule, marker: str):
    t = list(range(schedule.T))

    def draw(plt) -> None:
        plt.plot(t, schedule.alpha_bar.tolist(), label="ᾱt", marker=marker)
        plt.plot(t, schedule.beta.tolist(), label="βt", marker=marker)
        plt.title(f"{schedule.name} schedule, T = {schedule.T}: ᾱ0 = {schedule.alpha_bar[0]:g}, "
                  f"β{schedule.T - 1} = {schedule.beta[-1]:.3f}")
        plt.xlabel("t")
    return draw


def note_drawer(text: str):
    return lambda plt: plt.title(text)
