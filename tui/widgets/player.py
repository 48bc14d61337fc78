"""Playing precomputed frames: a plot that shows frame i, and the play/pause/step/speed logic.

Frames are computed once (histograms per step, by the engine); playback only picks one and
redraws. Each frame's picture is built once (tui.widgets.plot_picture: plotext's picture in 2–4 ms
instead of plotext's own 12–32 ms) and kept with its Textual lines (tui.widgets.picture).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from textual.app import RenderResult
from textual.timer import Timer
from textual.visual import RenderOptions

from tui.memory import settle
from tui.widgets.plot import DrawFn, Plot
from tui.widgets.picture import Picture
from tui.widgets.plot_picture import picture

T = TypeVar("T")

SPEEDS = (1, 2, 4, 8, 15, 20, 30)
"""Frames per second the +/- keys step through."""


class FramePlot(Plot, Generic[T]):
    """A plot of precomputed frames: ``set_frames(frames, draw)``, then ``show(i)``;
    ``draw(plt, frame, i)`` draws one frame.

    Each frame's picture is built once per size, theme and marker and kept: they are built ahead of
    the player in the event loop's idle turns (from the frame shown on), so playback only picks a picture,
    and a frame not built yet is built when shown — by plot_picture, 2–4 ms per panel where plotext's own
    build took 12 ms at 80×24 and 27–32 ms at 120×40 (two panels of it held the first play at 120×40 to
    10 frames/s). ``plt`` (what exports read) always holds the frame shown, at the size shown.
    """

    def __init__(self, *, title: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(title=title, id=id, classes=classes)
        self.frames: Sequence[T] = ()
        self._draw_frame: Callable[[Any, T, int], None] | None = None
        self.index = 0
        self._generation = 0  # bumped whenever the frames or the way they are drawn change
        self._pictures: dict[tuple, Picture] = {}
        self._painted: tuple | None = None  # (generation, index) the plotext figure holds
        self._retry: Timer | None = None  # the next turn of building pictures
        self._shown_at = 0.0  # when show() last ran: while frames follow each other, playback has the turns
        self._spare = None  # a second plotext figure to build pictures in (the first holds the frame shown)
        self.auto_links = False  # no links in a plot: Textual need not look for them in every segment, every frame

    def set_frames(self, frames: Sequence[T], draw: Callable[[Any, T, int], None]) -> None:
        self.frames, self._draw_frame = frames, draw
        self._forget()
        self.show(min(self.index, max(len(frames) - 1, 0)))
        self.call_after_refresh(self._build_ahead)

    def draw(self, fn: DrawFn) -> None:
        """A picture that is not one of the frames (a note): the frames and their pictures are dropped."""
        self.frames, self._draw_frame = (), None
        self._forget()
        super().draw(fn)

    def redraw(self) -> None:  # theme or marker changed: every kept picture is stale
        self._forget()
        super().redraw()
        self._painted = (self._generation, self.index)
        self.call_after_refresh(self._build_ahead)

    def show(self, index: int) -> None:
        self.index, self._shown_at = index, time.monotonic()
        if not (self.frames and self._draw_frame is not None):
            return
        frame, draw = self.frames[index], self._draw_frame
        self._draw = lambda plt: draw(plt, frame, index)
        self.refresh()  # its picture is picked (or built) when rendered; the figure is painted only if someone asks for it

    @property
    def plt(self):  # noqa: ANN201 — textual_plotext's figure, holding the frame shown
        if self._draw is not None and self._painted != (self._generation, self.index):
            self._paint()
            self._painted = (self._generation, self.index)
        if self.frames and self._draw_frame is not None and self.size.area:
            self._plot.plotsize(self.size.width, self.size.height)  # the size of the picture on screen
            self._plot._set_size(self.size.width, self.size.height)
        return self._plot

    def render(self) -> RenderResult:
        key = self._key()
        if key is None or not self.size.area:  # not one of the frames (a note)
            self.plt  # noqa: B018 — make sure the figure holds what is drawn
            return super().render()
        kept = self._pictures.get(key)
        if kept is None:
            kept = self._pictures[key] = self._build_picture(self.index, self.size.width, self.size.height)
        return kept

    @property
    def pictures_built(self) -> int:
        """How many of the frames' pictures are kept for the current size, theme and marker."""
        keys = {self._key(i) for i in range(len(self.frames))} if self.frames and self._draw_frame else set()
        return len(keys & self._pictures.keys())

    # ---- internals -----------------------------------------------------------------------
    def _key(self, index: int | None = None, size: tuple[int, int] | None = None) -> tuple | None:
        if not self.frames or self._draw_frame is None:
            return None
        width, height = size or (self.size.width, self.size.height)
        return (self._generation, self.index if index is None else index, width, height, self.marker,
                self.app.theme, self.theme)

    def _forget(self) -> None:
        self._generation += 1
        self._pictures.clear()
        self._painted = None

    def _build_ahead(self) -> None:
        """Build the frames' pictures at the current size and their lines, one per turn of the event
        loop (a few ms), from the frame shown on — only while no worker runs: beside the
        evaluation after training, building them in a thread took the GIL and made that evaluation
        6× slower (1.4 s instead of 0.23 s), and threads side by side made the worker pool grow."""
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        width, height = self.size.width, self.size.height
        if not (self.frames and self._draw_frame is not None and width > 0 and height > 0):
            return
        if self._other_work_running() or time.monotonic() - self._shown_at < 0.2:  # busy, or playing
            self._retry = self.set_timer(0.25, self._build_ahead)
            return
        n = len(self.frames)
        missing = next((i for i in ((self.index + k) % n for k in range(n)) if self._key(i) not in self._pictures),
                       None)
        if missing is None:
            return
        kept = self._pictures[self._key(missing)] = self._build_picture(missing, width, height)
        kept.render_strips(width, height, self.visual_style, RenderOptions(self._get_style, self.styles))  # its lines, too
        if self.pictures_built == n:  # all kept from now on: out of the collector's full passes (tui.memory)
            settle()
            return
        self._retry = self.set_timer(0.01, self._build_ahead)  # the next one after the keys had their turn

    def _build_picture(self, index: int, width: int, height: int) -> Picture:
        """Frame index's picture at this size, drawn in a figure of its own (``plt`` holds the frame
        shown, for exports) and built by plot_picture (3–4 ms; plotext's own build took 12 ms at 80×24
        and 27–32 ms at 120×40 per panel)."""
        if self._spare is None:
            self._spare = type(self._plot)()
        figure = self._spare
        figure.clear_figure()
        if self._title:
            figure.title(self._title)
        self._draw_frame(figure, self.frames[index], index)
        figure.plotsize(width, height)
        figure._set_size(width, height)  # as textual_plotext's own render does
        figure.theme(self._get_plotext_theme_name(self.app.theme))
        return Picture(picture(figure))

    def _other_work_running(self) -> bool:
        """Is a worker of the app (training, sampling, reading models) running?"""
        return any(w.is_running for w in self.app.workers)

    def on_resize(self) -> None:
        self.call_after_refresh(self._build_ahead)


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
            self._shown.clear()  # the measured rate is of frames moving, not of the hold
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
