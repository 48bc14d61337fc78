"""Playing precomputed frames: a plot that shows frame i, and the play/pause/step/speed logic.

Frames are computed once (histograms per step, by the engine); playback only picks one and
redraws, so an animation costs one plotext render per frame.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from textual.timer import Timer

from tui.widgets.plot import Plot

T = TypeVar("T")

SPEEDS = (1, 2, 4, 8, 15, 30)
"""Frames per second the +/- keys step through."""


class FramePlot(Plot, Generic[T]):
    """A plot of precomputed frames: ``set_frames(frames, draw)``, then ``show(i)``;
    ``draw(plt, frame, i)`` draws one frame."""

    def __init__(self, *, title: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(title=title, id=id, classes=classes)
        self.frames: Sequence[T] = ()
        self._draw_frame: Callable[[Any, T, int], None] | None = None
        self.index = 0

    def set_frames(self, frames: Sequence[T], draw: Callable[[Any, T, int], None]) -> None:
        self.frames, self._draw_frame = frames, draw
        self.show(min(self.index, max(len(frames) - 1, 0)))

    def show(self, index: int) -> None:
        self.index = index
        if self.frames and self._draw_frame is not None:
            frame = self.frames[index]
            self.draw(lambda plt: self._draw_frame(plt, frame, index))


class Playback:
    """Index, playing/paused and speed of an animation, driving any number of callbacks.

    The owner (a screen) binds keys to :meth:`toggle`, :meth:`step`, :meth:`faster`,
    :meth:`slower`; ``on_frame(i)`` is called whenever the frame changes.
    """

    HOLD_S = 2.0
    """How long the last frame (t = 0: the result) stays up before the loop starts again."""

    def __init__(self, owner, on_frame: Callable[[int], None], *, fps: int = 8, loop: bool = True) -> None:
        self.owner = owner
        self._shown: deque[float] = deque(maxlen=30)  # when the last frames were drawn (measured fps)
        self._held = 0
        self.on_frame = on_frame
        self.n_frames = 0
        self.index = 0
        self.fps = fps if fps in SPEEDS else SPEEDS[3]
        self.loop = loop
        self.playing = False
        self._timer: Timer | None = None

    def reset(self, n_frames: int, index: int = 0) -> None:
        self.n_frames = n_frames
        self.index = max(0, min(index, n_frames - 1)) if n_frames else 0
        if n_frames:
            self.on_frame(self.index)
        if not n_frames:
            self.pause()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        if self.n_frames < 2:
            return
        self.playing = True
        self._shown.clear()
        self._restart_timer()

    def pause(self) -> None:
        self.playing = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def step(self, delta: int) -> None:
        """Go delta frames forward (or back); pauses so the frame stays put."""
        self.pause()
        self._move(delta)

    def faster(self) -> None:
        i = SPEEDS.index(self.fps)
        self.fps = SPEEDS[min(i + 1, len(SPEEDS) - 1)]
        if self.playing:
            self._restart_timer()

    def slower(self) -> None:
        i = SPEEDS.index(self.fps)
        self.fps = SPEEDS[max(i - 1, 0)]
        if self.playing:
            self._restart_timer()

    def measured_fps(self) -> float | None:
        """Frames actually drawn per second over the last ones (None until a few were drawn while playing)."""
        if len(self._shown) < 3 or self._shown[-1] <= self._shown[0]:
            return None
        return (len(self._shown) - 1) / (self._shown[-1] - self._shown[0])

    def describe(self) -> str:
        state = "▶ playing" if self.playing else "⏸ paused"
        measured = self.measured_fps() if self.playing else None
        speed = f"{measured:.0f} fps measured (asked {self.fps})" if measured else f"{self.fps} fps asked"
        return f"{state} · frame {self.index + 1}/{self.n_frames} · {speed}"

    # ---- internals -----------------------------------------------------------------------
    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.owner.set_interval(1 / self.fps, self._tick)

    def _tick(self) -> None:
        if self.index + 1 >= self.n_frames:
            if not self.loop:
                self.pause()
                return
            self._held += 1  # hold the result (the last frame) a while before looping
            if self._held < self.HOLD_S * self.fps:
                return
        self._held = 0
        self._move(1)
        self._shown.append(time.perf_counter())

    def _move(self, delta: int) -> None:
        if not self.n_frames:
            return
        if self.loop:
            self.index = (self.index + delta) % self.n_frames
        else:
            self.index = max(0, min(self.index + delta, self.n_frames - 1))
        self.on_frame(self.index)
