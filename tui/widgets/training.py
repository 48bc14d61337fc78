"""Long work in the background, drawn: one progress bar for every phase (training, sampling,
evaluating, loading) with its phase, rate and an ETA that stops when the run stops, and the loss
curve (raw and smoothed).

The panel ignores reports whose run id is not the current run's (see tui.messages), so a late
report from a cancelled run never overwrites the new one.
"""

from __future__ import annotations

import math
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar, Static

from tui.messages import next_run_id
from tui.widgets.plot import Plot

__all__ = ["TrainingPanel", "TrainingUpdate", "TrainingDone", "next_run_id", "smooth", "eta_text"]


class TrainingUpdate(Message):
    """(Screen 5's older untyped message; screens 3–4 use tui.messages.) Progress of ``run_id``."""

    def __init__(self, run_id: int, progress: Any, losses: tuple[float, ...] = ()) -> None:
        super().__init__()
        self.run_id, self.progress, self.losses = run_id, progress, losses


class TrainingDone(Message):
    """(Screen 5's older untyped message; screens 3–4 use tui.messages.) Run ``run_id`` ended."""

    def __init__(self, run_id: int, outcome: Any, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.run_id, self.outcome, self.result, self.error = run_id, outcome, result, error


def eta_text(done: float, total: float, elapsed: float) -> str:
    """``ETA 0:12`` from the rate so far ("" when there is no rate yet)."""
    if done <= 0 or elapsed <= 0 or total <= done:
        return ""
    left = (total - done) * elapsed / done
    return f"ETA {int(left // 60)}:{int(left % 60):02d}"


def smooth(values: list[float], window: int = 25) -> list[float]:
    """A centred running mean (the window shrinks at the ends), so a noisy loss shows its trend."""
    if not values:
        return []
    half = max(1, window // 2)
    prefix = [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
    out = []
    for i in range(len(values)):
        lo, hi = max(0, i - half), min(len(values), i + half + 1)
        out.append((prefix[hi] - prefix[lo]) / (hi - lo))
    return out


class TrainingPanel(Vertical):
    """Progress bar and a status line (phase, step, loss, rate, ETA); the loss curve goes into the
    panel's own plot or into the Plot ``curve_id`` elsewhere on the screen."""

    DEFAULT_CSS = """
    TrainingPanel { height: auto; }
    TrainingPanel ProgressBar { width: 1fr; }
    TrainingPanel #train-status { height: 1; color: $text-muted; }
    TrainingPanel #train-loss { height: 8; min-height: 5; }
    """

    EMPTY = "not trained yet — press t to train"

    def __init__(self, *, id: str | None = None, classes: str | None = None, show_curve: bool = True,
                 curve_id: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.run_id: int | None = None
        self.running = False
        self._show_curve = show_curve and curve_id is None
        self._curve_id = curve_id
        self._losses: list[float] = []
        self._steps: int | None = None  # the steps a stored (thinned) history spans
        self._reference: tuple[float, str] | None = None  # a floor drawn under the curve
        self._final = False

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=False, id="train-bar")
        yield Static(self.EMPTY, id="train-status")
        if self._show_curve:
            yield Plot(title="training loss (log scale)", id="train-loss")

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw_curve)  # the curve's Plot may be composed after the panel

    def start(self, run_id: int, total: int, what: str = "training") -> None:
        self.run_id, self.running = run_id, True
        self._losses, self._steps = [], None
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self._status(f"{what}: starting…")

    def follow(self, run_id: int) -> None:
        """Take reports of a new run that is not training (sampling, loading) without clearing the curve."""
        self.run_id, self.running = run_id, True

    def progress(self, run_id: int, progress: Any, losses: tuple[float, ...] = ()) -> bool:
        """Show a training step report; returns False (and does nothing) for a stale run id."""
        if run_id != self.run_id or not self.running:
            return False
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.step)
        eta = eta_text(progress.step, progress.total, progress.elapsed)
        self._status(f"training {progress.step:,}/{progress.total:,} · loss {progress.loss:.4g}"
                     f" · {progress.steps_per_second:,.0f} steps/s" + (f" · {eta}" if eta else ""))
        self._losses = list(losses) if losses else self._losses + [float(progress.loss)]
        self._draw_curve()
        return True

    def phase(self, run_id: int, phase: str, done: int, total: int, elapsed: float) -> bool:
        """Show a phase that is not training (``done`` of ``total`` parts)."""
        if run_id != self.run_id:
            return False
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        eta = eta_text(done, total, elapsed)
        rate = f" · {done / elapsed:.2f} parts/s" if done and elapsed > 0 else ""
        self._status(f"{phase} {done}/{total}{rate}" + (f" · {eta}" if eta else ""))
        return True

    def stop(self, run_id: int, text: str, complete: bool = False) -> bool:
        """The run ended without a training outcome (cancelled, failed, evaluated): the bar stays
        where it is (full when ``complete``: the run did all its work), the status says why, and no
        ETA is shown any more."""
        if run_id != self.run_id:
            return False
        self.running = False
        if complete:
            bar = self.query_one(ProgressBar)
            bar.update(progress=bar.total or 100)
        self._status(text)
        return True

    def finish(self, run_id: int, outcome: Any, error: str | None = None) -> bool:
        """Training ended (the panel keeps following the run for the phases after it)."""
        if run_id != self.run_id:
            return False
        if error:
            self.running = False
            self._status(f"failed — {error}")
            return True
        bar = self.query_one(ProgressBar)
        bar.update(total=max(outcome.total, 1), progress=outcome.steps_done)
        if outcome.losses:
            self.show_losses(outcome.losses)
        word = {"done": "done", "cancelled": "cancelled", "diverged": "stopped: diverged"}.get(outcome.status, outcome.status)
        extra = f" — {outcome.message}" if outcome.message else ""
        self._status(f"training {word} · {outcome.steps_done:,} steps in {outcome.seconds:.1f} s"
                     f" · final loss {outcome.final_loss:.4g}{extra}")
        if outcome.status == "cancelled":
            self.running = False
        return True

    def show_losses(self, losses, steps: int | None = None) -> None:
        """Draw a whole loss history (after training, or from a reloaded checkpoint). ``steps``: the
        training steps it spans, when it was thinned to fewer values (the x-axis stays in steps)."""
        self._losses = [float(v) for v in losses]
        self._steps = steps if steps and steps > len(self._losses) else None
        self._draw_curve(final=True)

    def set_reference(self, value: float | None, label: str = "") -> None:
        """A horizontal line the loss can only come down to (e.g. the least possible L(θ)); None: none."""
        self._reference = (float(value), label) if value is not None and math.isfinite(value) and value > 0 else None
        self._draw_curve(final=self._final)

    def _status(self, text: str) -> None:
        self.query_one("#train-status", Static).update(text)

    def _draw_curve(self, final: bool = False) -> None:
        self._final = final
        if not self._show_curve and self._curve_id is None:
            return
        plot = self.screen.query_one(f"#{self._curve_id}", Plot) if self._curve_id else self.query_one("#train-loss", Plot)
        losses = [v for v in self._losses if math.isfinite(v) and v > 0]
        if not losses:
            plot.draw(lambda plt: plt.title("no loss yet — press t to train"))
            return
        stride = max(1, len(losses) // 400)  # ≤ 400 points keep a redraw cheap
        xs = list(range(0, len(losses), stride))
        ys = [math.log10(losses[i]) for i in xs]
        trend = smooth(ys, max(5, len(ys) // 10))
        if final and self._steps:  # a thinned history: value i stands for step i·steps/len
            xs = [round(i * self._steps / len(losses)) for i in xs]

        def draw(plt) -> None:
            plt.plot(xs, ys, marker=plot.marker, color="gray", label="loss")
            plt.plot(xs, trend, marker=plot.marker, color="cyan", label="smoothed")
            if self._reference is not None:
                value, label = self._reference
                plt.plot([xs[0], xs[-1]], [math.log10(value)] * 2, marker=plot.marker, color="red",
                         label=f"{label} {value:.4g}")
            plt.xlabel("step" if final else "progress report (~20 per second)")
            plt.ylabel("log10 loss")

        plot.draw(draw)
