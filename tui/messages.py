"""Typed messages a screen's background work posts to the screen (one dataclass per kind of news).

Every message of a run carries its ``run_id`` (from :func:`next_run_id`); a screen keeps the id of
its current run and drops any message with another id, so a late report from a cancelled or
superseded run never overwrites the new one (:meth:`RunMessage.is_current`).

Written like toolong's ``messages.py``: small ``@dataclass`` subclasses of Textual's ``Message``,
handled with ``@on(Progress)`` or ``on_<name>`` — no ``Any`` payloads sorted with ``isinstance``.
A screen's *result* message subclasses :class:`RunMessage` with a typed field of its own
(e.g. ``WalkReady(run_id, view: WalkView)``).

    worker thread                                         screen (event loop)
    ------------------------------------------------      ---------------------------------------
    post_message(TrainingProgress(run, TrainProgress))    → progress bar, steps/s, ETA, loss curve
    post_message(PhaseProgress(run, "sampling", 3, 8))    → the same bar, another phase
    post_message(TrainingEnded(run, TrainOutcome))        → "done / cancelled / diverged" line
    post_message(Note(run, "text"))                       → the message line
    post_message(Failed(run, "why"))                      → the message line, as an error
    post_message(<screen's result>(run, result))          → draw it
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import on
from textual.message import Message

from engine.training import TrainOutcome, TrainProgress

_run_ids = itertools.count(1)


def next_run_id() -> int:
    """A new id for a run (training, sampling, loading), unique for the app's lifetime."""
    return next(_run_ids)


@dataclass
class RunMessage(Message):
    """Base of every message from a run."""

    run_id: int

    def is_current(self, run_id: int | None) -> bool:
        """True when this message belongs to the run the screen is waiting for."""
        return self.run_id == run_id


RunMessageT = TypeVar("RunMessageT", bound=RunMessage)


def current_run(handler: Callable[[Any, RunMessageT], None]) -> Callable[[Any, RunMessageT], None]:
    """A screen's handler of a run's message, called only when the message is of the run the screen
    waits for (``screen.run_id``): a superseded run's news is dropped."""
    @functools.wraps(handler)
    def for_current_run(screen: Any, message: RunMessageT) -> None:
        if message.is_current(screen.run_id):
            handler(screen, message)
    return for_current_run


def on_current(message_type: type[RunMessage]) -> Callable:
    """``@on(message_type)`` for the current run only (:func:`current_run`): the decorator of a
    screen's handler of its workers' news."""
    def decorate(handler: Callable) -> Callable:
        return on(message_type)(current_run(handler))
    return decorate


@dataclass
class TrainingProgress(RunMessage):
    """A training step report from the engine's loop (step, total, loss, elapsed)."""

    progress: TrainProgress


@dataclass
class PhaseProgress(RunMessage):
    """Progress of a long phase that is not training ("sampling", "evaluating", "loading"):
    ``done`` of ``total`` units (sampler runs, measurements) after ``elapsed`` seconds."""

    phase: str
    done: int
    total: int
    elapsed: float = 0.0

    def can_replace(self, message: Message) -> bool:  # only the newest report of a phase matters
        return isinstance(message, PhaseProgress) and message.run_id == self.run_id and message.phase == self.phase


@dataclass
class TrainingEnded(RunMessage):
    """Training stopped (done, cancelled or diverged); what follows (evaluation) may still run."""

    outcome: TrainOutcome


@dataclass
class Note(RunMessage):
    """A line of news for the message line ("sampling with the learned score…")."""

    text: str


@dataclass
class Failed(RunMessage):
    """The run could not go on (bad settings, weights that do not fit): one line saying why."""

    error: str


@dataclass
class Cancelled(RunMessage):
    """The run was cancelled before it produced a result (``steps_done`` training steps, if any)."""

    steps_done: int = 0
