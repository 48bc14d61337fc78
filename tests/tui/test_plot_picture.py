"""plot_picture builds the same picture as plotext, cell by cell (character and colours), only faster:
the frames of screens 3–4 (bars with the exact density over them) and of screen 5 (scattered points),
at the sizes of 80×24 and 120×40 panels and smaller, with both markers; and it leaves to plotext the
figures it does not follow."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text
from textual_plotext.plot import Plot as Figure

from engine.problems.p3_walk import WalkSettings, record_frames
from engine.walk import exact_score_fn
from tui.widgets import walk_plots
from tui.widgets.plot_picture import fast_picture, picture

SIZES = [(60, 31), (40, 15), (13, 6)]  # a panel of 120×40, of 80×24, and one too small for the legend
_CONSOLE = Console(width=400, color_system="truecolor", force_terminal=True)


def cells(text: Text) -> list[tuple[str, object]]:
    """Every character with the style it is drawn in."""
    return [(ch, seg.style) for seg in text.render(_CONSOLE) for ch in seg.text]


def both(draw, size, theme: str = "default") -> tuple[Text, Text | None]:
    """plotext's own picture of draw(figure) at size, and plot_picture's (two figures drawn alike)."""
    def figure():
        fig = Figure()
        draw(fig)
        fig.plotsize(*size)
        fig._set_size(*size)
        fig.theme(theme)
        return fig
    return Text.from_ansi(figure().build()), fast_picture(figure())


@pytest.fixture(scope="module")
def movies():
    s = WalkSettings(T=20, sigma2=1.25, particles=2000, seed=0)
    frames = record_frames(s.setup(), exact_score_fn(s.setup()), s.particles, s.seed, s.start, kind="exact",
                           forward=True)
    return frames.stochastic, frames.forward


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("marker", ["hd", "dot"])
def test_walk_frames_are_plotexts_pictures(movies, size, marker):
    """Screens 3–4's histogram frames (60 bars, the exact pt over them, its legend), zoomed or not."""
    for movie in movies:
        for fit in (True, False):
            for i in range(0, len(movie.steps), 4):
                ref, new = both(lambda fig: walk_plots.draw_frame(fig, movie, i, "x(t−1)", marker, fit=fit,
                                                                  reverse=True), size, "dark")
                assert new is not None
                assert new.plain == ref.plain
                assert cells(new) == cells(ref)


def test_the_bars_are_drawn_not_only_framed(movies):
    """Not an empty frame twice: the picture holds the bars' blocks and the red density line."""
    movie = movies[0]
    ref, new = both(lambda fig: walk_plots.draw_frame(fig, movie, len(movie.steps) - 1, "f", "hd", fit=True,
                                                      reverse=True), (60, 31))
    assert cells(new) == cells(ref)
    assert new.plain.count("█") > 20 and sum(1 for _, st in cells(new) if st and st.color
                                             and st.color.name in ("red", "color(1)")) > 20


@pytest.mark.parametrize("marker", ["hd", "dot", "x"])
def test_scattered_points_lines_and_fills_are_plotexts(marker):
    """Screen 5's frames (points, some outside the axes), lines through points that leave the axes, a
    polygon filled inside, several labelled signals (the legend over the data), bars of height 0."""
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(400, 2)) * 1.4

    def scatter(fig):
        fig.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker=marker, label="data")
        fig.scatter((pts[:50, 0] * 0.5).tolist(), (pts[:50, 1] * 0.5).tolist(), marker=marker)
        fig.xlim(-2.5, 2.5)
        fig.ylim(-2.5, 2.5)
        fig.title("points")

    def lines(fig):
        x = np.linspace(-4, 4, 97)
        fig.plot(x.tolist(), np.sin(3 * x).tolist(), marker=marker, label="sin", color="cyan")
        fig.plot(x.tolist(), (0.4 * x).tolist(), marker=marker, label="a longer label")
        fig.bar([-2.0, -1.0, 0.0, 1.0, 2.0], [0.5, 0.0, 1.5, 0.0, 0.9], marker=marker, width=1)
        fig.polygon(0.5, 0.2, radius=1.2, sides=7, fill=True, marker=marker)
        fig.xlim(-3, 3)
        fig.ylim(-1.2, 1.7)
        fig.xticks([-3, 0, 3])
        fig.xlabel("x")

    for draw in (scatter, lines):
        for size in SIZES:
            ref, new = both(draw, size)
            assert new is not None and cells(new) == cells(ref), (draw.__name__, size)


def test_figures_it_does_not_follow_are_left_to_plotext():
    """No limits set (plotext computes them), log scales, grids: fast_picture declines, picture() is plotext's."""
    def no_limits(fig):
        fig.plot([0, 1, 2], [0, 3, 1])

    def log_scale(fig):
        fig.plot([1, 10, 100], [1, 2, 3])
        fig.xlim(1, 100)
        fig.ylim(0, 4)
        fig.xscale("log")

    def grid(fig):
        fig.plot([0, 1, 2], [0, 3, 1])
        fig.xlim(0, 2)
        fig.ylim(0, 3)
        fig.grid(True, True)

    for draw in (no_limits, log_scale, grid):
        ref, new = both(draw, (40, 15))
        assert new is None
        fig = Figure()
        draw(fig)
        fig.plotsize(40, 15)
        fig._set_size(40, 15)
        assert cells(picture(fig)) == cells(ref)


async def test_a_pictures_own_lines_are_the_ones_textual_makes():
    """Picture makes a picture's lines itself (Content's conversion took ~20 ms at 120×40 for screen 5's
    points): the same segments — text, colours and the offsets text selection reads — as Textual's own
    Content path, for plotext's pictures and plot_picture's, at the panel sizes; Content's way where a
    line does not fill the width."""
    from textual.app import App
    from textual.content import Content
    from textual.widgets import Static

    from tui.widgets.picture import Picture, direct_strips

    rng = np.random.default_rng(5)
    pts = rng.normal(size=(300, 2))

    def draw(fig):
        fig.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker="hd", label="data")
        fig.plot([-2.0, 0.0, 2.0], [-1.0, 2.0, 0.0], color="red", marker="hd")
        fig.xlim(-2.5, 2.5)
        fig.ylim(-2.5, 2.5)
        fig.title("x ← (x − βt·ε̂/√(1−ᾱt)) · t = 3")  # ε̂: a combining mark (2 characters, 1 cell)

    app = App()
    async with app.run_test(size=(120, 40)):
        widget = Static()
        await app.mount(widget)
        for size in SIZES:
            ref, new = both(draw, size, "dark")
            for text in (ref, new):
                options_style = widget.visual_style
                from textual.visual import RenderOptions

                options = RenderOptions(widget._get_style, widget.styles)
                mine = direct_strips(text, size[0], size[1], options_style, options)
                theirs = Content.from_rich_text(text).render_strips(size[0], size[1], options_style, options)
                assert mine is not None and len(mine) == size[1]
                assert [list(strip) for strip in mine] == [list(strip) for strip in theirs]
                assert Picture(text).render_strips(size[0], size[1], options_style, options) == mine
            assert direct_strips(new, size[0] - 3, size[1], widget.visual_style, options) is None  # Content would wrap
