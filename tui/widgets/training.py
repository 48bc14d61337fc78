"""Training in the background, drawn: progress bar, steps/s, live loss curve.

Workers post :class:`TrainingUpdate` / :class:`TrainingDone` messages tagged with a run id;
the panel ignores any message whose run id is not the current run's, so a late progress report
from a cancelled run never overwrites the new one.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.widgets.plot import Plot

_run_ids = itertools.count(1)


def next_run_id() -> int:
    """A new id for a training run, unique for the app's lifetime."""
    return next(_run_ids)


class TrainingUpdate(Message):
    """Progress of run ``run_id``: an engine ``TrainProgress`` (step, total, loss, elapsed)."""

    def __init__(self, run_id: int, progress: Any, losses: tuple[float, ...] = ()) -> None:
        super().__init__()
        self.run_id, self.progress, self.losses = run_id, progress, losses


class TrainingDone(Message):
    """Run ``run_id`` ended: an engine ``TrainOutcome`` plus whatever the screen computed after."""

    def __init__(self, run_id: int, outcome: Any, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.run_id, self.outcome, self.result, self.error = run_id, outcome, result, error


class TrainingPanel(Vertical):
    """Progress bar, a status line (step, loss, steps/s) and the loss curve of the current run."""

    DEFAULT_CSS = """
    TrainingPanel { height: auto; }
    TrainingPanel ProgressBar { width: 1fr; }
    TrainingPanel #train-status { height: 1; color: $text-muted; }
    TrainingPanel #train-loss { height: 8; min-height: 5; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None, show_curve: bool = True,
                 curve_id: str | None = None) -> None:
        """``show_curve``: draw the loss under the bar; ``curve_id``: draw it into that Plot elsewhere
        on the screen instead (e.g. a tab of its own)."""
        super().__init__(id=id, classes=classes)
        self.run_id: int | None = None
        self.running = False
        self._show_curve = show_curve and curve_id is None
        self._curve_id = curve_id
        self._losses: list[float] = []

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=True, id="train-bar")
        yield Static("not trained yet — press t to train", id="train-status")
        if self._show_curve:
            yield Plot(title="training loss (log scale)", id="train-loss")

    def start(self, run_id: int, total: int) -> None:
        self.run_id, self.running = run_id, True
        self._losses = []
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self._status(f"run {run_id}: starting…")

    def progress(self, run_id: int, progress: Any, losses: tuple[float, ...] = ()) -> bool:
        """Show a progress report; returns False (and does nothing) for a stale run id."""
        if run_id != self.run_id or not self.running:
            return False
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.step)
        self._status(f"run {run_id}: step {progress.step:,}/{progress.total:,} · loss {progress.loss:.4g}"
                     f" · {progress.steps_per_second:,.0f} steps/s")
        self._losses = list(losses) if losses else self._losses + [float(progress.loss)]
        self._draw_curve()
        return True

    def finish(self, run_id: int, outcome: Any, error: str | None = None) -> bool:
        if run_id != self.run_id:
            return False
        self.running = False
        if error:
            self._status(f"run {run_id}: failed — {error}")
            return True
        bar = self.query_one(ProgressBar)
        bar.update(total=max(outcome.total, 1), progress=outcome.steps_done)
        if outcome.losses:
            self._losses = list(outcome.losses)
            self._draw_curve()
        word = {"done": "done", "cancelled": "cancelled", "diverged": "stopped: diverged"}.get(outcome.status, outcome.status)
        extra = f" — {outcome.message}" if outcome.message else ""
        self._status(f"run {run_id}: {word} · {outcome.steps_done:,} steps in {outcome.seconds:.1f} s"
                     f" · final loss {outcome.final_loss:.4g}{extra}")
        return True

    def _status(self, text: str) -> None:
        self.query_one("#train-status", Static).update(text)

    def _draw_curve(self) -> None:
        if not self._show_curve and self._curve_id is None:
            return
        losses = [v for v in self._losses if math.isfinite(v) and v > 0]
        if not losses:
            return
        # thin to ≤ 400 points so a redraw stays cheap
        stride = max(1, len(losses) // 400)
        xs = list(range(0, len(losses), stride))
        ys = [math.log10(losses[i]) for i in xs]
        plot = self.screen.query_one(f"#{self._curve_id}", Plot) if self._curve_id else self.query_one("#train-loss", Plot)

        def draw(plt) -> None:
            plt.plot(xs, ys, marker=plot.marker)
            plt.xlabel("progress report (~20 per second)" if self.running else "step")
            plt.ylabel("log10 loss")

        plot.draw(draw)
