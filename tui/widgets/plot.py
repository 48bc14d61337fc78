"""A plotext plot that is redrawn from a callback: ``plot.draw(lambda plt: plt.bar(...))``.

The data a plot shows is always precomputed (binned histograms, sampled curves): plotext
rebuilds the picture on every refresh, so the callback must be cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from textual_plotext import PlotextPlot

DrawFn = Callable[["object"], None]

MARKERS = ("hd", "dot")
"""Plot markers the app offers: "hd" (quarter blocks, the default: needs no braille font) and
"dot" (plain ASCII-safe bullets, for terminals with poor Unicode)."""


class Plot(PlotextPlot):
    """A PlotextPlot drawn by ``draw(fn)``; remembers the callback so theme/marker changes redraw."""

    DEFAULT_CSS = """
    Plot { height: 1fr; min-height: 6; }
    """

    def __init__(self, *, title: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._title = title
        self._draw: DrawFn | None = None
        if title:  # an empty plot says what will fill it (before its first draw, too)
            self._plot.title(title)

    @property
    def marker(self) -> str:
        marker = getattr(self.app, "plot_marker", MARKERS[0])
        return marker if marker in MARKERS else MARKERS[0]

    def draw(self, fn: DrawFn) -> None:
        self._draw = fn
        self.redraw()

    def redraw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if self._title:
            plt.title(self._title)
        if self._draw is not None:
            self._draw(plt)
        self.refresh()
