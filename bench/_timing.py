"""Tiny timing helpers for the benchmark scripts (not tests: nothing here asserts a speed)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def table(rows: list[tuple[str, str, str]], header: tuple[str, str, str] = ("what", "time", "vs baseline")) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


class LoopGaps:
    """The worst gap between ticks of a short timer on a Textual app's event loop: how long any key
    pressed meanwhile could have waited. ``start(app)``, ``reset()``, ``worst`` (seconds), ``stop()``."""

    def __init__(self, interval: float) -> None:
        self.interval, self.worst, self._last, self._timer = interval, 0.0, time.perf_counter(), None

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst, self._last = max(self.worst, now - self._last), now

    def start(self, app) -> "LoopGaps":
        self.reset()
        self._timer = app.set_interval(self.interval, self._tick)
        return self

    def reset(self) -> None:
        self.worst, self._last = 0.0, time.perf_counter()

    def stop(self) -> float:
        if self._timer is not None:
            self._timer.stop()
        return self.worst

