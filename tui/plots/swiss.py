"""Screen 5's pictures, drawn with plotext from a workflow result (no formulas: the numbers come
from engine.problems.p5_swiss). Each function draws into the ``plt`` a Plot hands it."""

from __future__ import annotations

AXIS = 2.5
"""Standardized units: the data sets lie within ±2.5."""


def _points(plt, pts, marker: str, label: str | None = None) -> None:
    plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker=marker, label=label)
    plt.xlim(-AXIS, AXIS)
    plt.ylim(-AXIS, AXIS)


def frame_drawer(run, who: str, marker: str):
    """Frame i of a sampler run (the points after the step to t), for a FramePlot."""
    def draw(plt, _frame, i: int) -> None:
        _points(plt, run.frames[i], marker)
        plt.title(f"DDPM with the {who} · frame {i + 1}/{len(run.frame_steps)} · t = {int(run.frame_steps[i])}")
    return draw


def samples_drawer(pts, sampler: str, energy: float, marker: str):
    def draw(plt) -> None:
        _points(plt, pts, marker)
        plt.title(f"{sampler} · ED {energy:.4f}")
    return draw


def data_drawer(data, generated, marker: str):
    """Fresh data (a random subsample: every part of the set) against DDPM's samples, if any."""
    def draw(plt) -> None:
        _points(plt, data, marker, "data")
        if generated is not None:
            _points(plt, generated, marker, "generated (DDPM)")
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
