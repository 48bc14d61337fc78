"""A kept picture (a Rich Text of a plot, one line per row) as a Textual Visual that keeps its lines.

Textual draws a Text by converting it to Content, splitting, wrapping and styling it into strips: for a
plot's picture with a thousand colour runs (screen 5's points at 120×40) that took ~20 ms, every time a
frame was shown. A Picture makes those strips itself — the same segments, styles and offsets the
Content path gives, for a picture whose lines fit the width (tests compare the two) — and
keeps them, so a frame shown again costs nothing. Anything else (a selection, a line too wide,
another alignment) goes the Content way.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Picture(Visual):
    """``text`` drawn as it is, its lines kept per (width, height, base style)."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self._strips: dict[tuple, list[Strip]] = {}

    @property
    def plain(self) -> str:
        return self.text.plain

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        if options.selection is not None or options.post_style is not None:  # drawn afresh, as Textual does
            return Content.from_rich_text(self.text).render_strips(width, height, style, options)
        key = (width, height, style)
        strips = self._strips.get(key)
        if strips is None:
            strips = direct_strips(self.text, width, height, style, options)
            if strips is None:
                strips = Content.from_rich_text(self.text).render_strips(width, height, style, options)
            self._strips[key] = strips
        return list(strips)

    def get_optimal_width(self, rules, container_width: int) -> int:
        return max((line.cell_len for line in self.text.split()), default=0)

    def get_height(self, rules, width: int) -> int:
        return len(self.text.split())


def direct_strips(text: Text, width: int, height: int | None, style: Style,
                  options: RenderOptions) -> list[Strip] | None:
    """The strips ``Content.from_rich_text(text).render_strips(...)`` gives, made directly — or None
    where they could differ: lines wider than the width (wrapping), tabs, overlapping
    spans, text alignment or padding other than the default."""
    get_rule = options.rules.get
    if get_rule("text_align", "left") not in ("left", "start") or get_rule("line_pad", 0) or height is None:
        return None
    plain = text.plain
    lines = plain.split("\n")
    if len(lines) < height or "\t" in plain:
        return None
    lines = lines[:height]
    cells = [cell_len(line) for line in lines]
    if any(n > width for n in cells):  # Content would wrap it
        return None
    spans = sorted(text.spans, key=lambda span: span.start)
    if any(a.end > b.start for a, b in zip(spans, spans[1:])):
        return None
    from textual._context import active_app

    try:
        ansi_theme = active_app.get().ansi_theme
    except LookupError:
        ansi_theme = None
    plain_style = style + style  # what Content gives text outside any span: the base style over itself
    styles: dict = {}

    def style_of(rich_style) -> Style:
        if rich_style not in styles:
            if isinstance(rich_style, str):
                return None  # a style by name: left to Content's parsing
            styles[rich_style] = style + (style + Style.from_rich_style(rich_style, ansi_theme))
        return styles[rich_style]

    strips: list[Strip] = []
    span_index, offset = 0, 0
    for y, line in enumerate(lines):
        end_of_line = offset + len(line)
        segments: list[Segment] = []
        x = 0
        while span_index < len(spans) and spans[span_index].end <= offset:
            span_index += 1
        while span_index < len(spans) and spans[span_index].start < end_of_line:
            span = spans[span_index]
            if span.end > end_of_line:  # a span across lines
                return None
            start = span.start - offset
            if start > x:
                segments.append(Segment(line[x:start], plain_style.rich_style_with_offset(x, y)))
                x = start
            if span.end - offset > x:
                seg_style = style_of(span.style)
                if seg_style is None:
                    return None
                segments.append(Segment(line[x:span.end - offset], seg_style.rich_style_with_offset(x, y)))
                x = span.end - offset
            span_index += 1
        if x < len(line):
            segments.append(Segment(line[x:], plain_style.rich_style_with_offset(x, y)))
        strips.append(Strip(segments, cells[y]))
        offset = end_of_line + 1
    return strips
