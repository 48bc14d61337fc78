"""A plotext figure's picture as a Rich Text, built fast: the same cells plotext builds, in a few ms.

plotext draws every signal point by point in pure Python: a frame of screen 3's animation (60 bars,
each a filled rectangle, and a 961-point density line) took 26 ms at 120×40 (60×31 cells per panel),
80 % of it the bars, plus 3.6 ms for ``Text.from_ansi`` to read its ANSI string back. Here plotext
still lays out the figure — axes, ticks and their labels, title, legend — but with one point per
labelled signal; the signals themselves are put on its canvas with numpy, following plotext's own
rules (its coordinates ``floor(round(0.5 + (n − 1)(v − lo)/(hi − lo), 8))``, its lines between
successive points, its "internal" fill, its 2×2 "hd" quarter blocks, a later signal's cell replacing
an earlier one's, the legend over everything), and the Text is made from the cells directly.

:func:`picture` falls back to plotext's own build for anything it does not follow (subplots, log
scales, dates, grids, text, limits not set, fhd/braille markers, a numeric fill level, …); tests
compare the two pictures cell by cell.
"""

from __future__ import annotations

import math
import numpy as np
from plotext import _utility as ut
from rich.style import Style
from rich.text import Span, Text

_HD = [ut.hd_codes[((c >> 3) & 1, (c >> 2) & 1, (c >> 1) & 1, c & 1)] for c in range(16)]
"""The quarter block of each 4-bit code (upper left 8, upper right 4, lower left 2, lower right 1)."""


def picture(fig) -> Text:
    """The picture of a drawn plotext figure (size and theme set), as ``Text.from_ansi(fig.build())`` gives it."""
    fast = fast_picture(fig)
    return fast if fast is not None else Text.from_ansi(fig.build())


def fast_picture(fig) -> Text | None:
    """The same picture built fast, or None where this module does not follow plotext (use its build)."""
    if not getattr(fig, "_no_plots", False):
        return None
    fig._set_sizes()
    mon = fig.monitor
    signals = _signals(mon)
    if signals is None:
        return None
    width, height = mon.size
    if not width or not height or width <= 0 or height <= 0:
        return None
    x_lim, y_lim = list(mon.xlim[0]), list(mon.ylim[0])

    # plotext lays out the frame (axes, ticks, title, legend) with one point per labelled signal
    saved = {name: getattr(mon, name) for name in _SIGNAL_FIELDS}
    keep = [s for s in range(len(mon.x)) if mon.label[s] is not None] or [0]
    try:
        for name in _SIGNAL_FIELDS:
            values = saved[name]
            setattr(mon, name, [values[s] for s in keep])
        mon.x = [[x_lim[0]] for _ in keep]  # the canvas's first cell: painted over below, or put back blank
        mon.y = [[y_lim[0]] for _ in keep]
        mon.marker = [m[:1] for m in mon.marker]
        mon.color = [c[:1] for c in mon.color]
        mon.style = [st[:1] for st in mon.style]
        mon.fillx = [False for _ in keep]
        mon.signals = len(keep)
        mon.build_plot()
    finally:
        for name, values in saved.items():
            setattr(mon, name, values)
        mon.signals = len(mon.x)
    matrix = mon.matrix
    cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
    W, H = len(cols), len(rows)
    if W <= 0 or H <= 0:
        return None

    owner = np.full((H, W), -1, dtype=np.int32)  # which signal drew each canvas cell (-1: none)
    glyph = np.zeros((H, W), dtype=np.int32)  # the code point it drew there
    s = 0
    while s < len(signals):  # in plotext's order: a later signal's cell replaces an earlier one's
        xs, ys, marker, lines, fill = signals[s]
        factor = (2, 2) if marker == "hd" else (1, 1)
        if _is_rectangle(xs, ys, lines, fill):  # the bars: a run of rectangles of one marker, at once
            end = s + 1
            while end < len(signals) and signals[end][2] == marker and _is_rectangle(*signals[end][:2], *signals[end][3:]):
                end += 1
            rects = np.array([(sig[0][0], sig[0][2], sig[1][0], sig[1][1]) for sig in signals[s:end]])
            _paint_rectangles(owner, glyph, s, rects, x_lim, y_lim, factor, marker)
            s = end
        else:
            _paint_points(owner, glyph, s, xs, ys, lines, fill, x_lim, y_lim, factor, marker)
            s += 1

    labels = [" " + label + " " for label in mon.label if label is not None]
    legend_width = 3 + max((len(label) for label in labels), default=0)  # no side symbols: all signals on the lower-left axes
    if labels and W >= legend_width and H >= len(labels):  # the legend is drawn over the data
        owner[H - len(labels):, :legend_width] = -1
    else:
        labels = []

    marker_m, color_m, style_m = matrix.marker, matrix.fullground, matrix.style
    c0, r0 = cols.start, rows.start
    if owner[0, 0] < 0 and not (labels and H - len(labels) <= 0 < legend_width):  # the layout's point, put back blank
        marker_m[r0][c0], color_m[r0][c0], style_m[r0][c0] = ut.space, ut.no_color, ut.no_color
    colors = [mon.color[s][0] for s in range(len(signals))]
    styles = [mon.style[s][0] for s in range(len(signals))]
    for r, c in zip(*np.nonzero(owner >= 0)):
        s = owner[r, c]
        row, col = r0 + int(r), c0 + int(c)
        marker_m[row][col] = chr(glyph[r, c])
        color_m[row][col] = colors[s]
        style_m[row][col] = styles[s]
    return _text(matrix)


# ---- what plotext would do, signal by signal ------------------------------------------------------------
_SIGNAL_FIELDS = ("x", "y", "xside", "yside", "lines", "marker", "color", "style", "fillx", "filly", "label")


def _signals(mon) -> list[tuple[np.ndarray, np.ndarray, str, bool, bool]] | None:
    """Each signal as (x, y, marker, lines, internal fill), or None if the figure is not one this module follows."""
    d = mon.default
    if (mon.text or any(mon.hcoord) or any(mon.vcoord) or any(mon.grid) or mon.fast_plot
            or mon.xscale[0] != d.xscale[0] or mon.yscale[0] != d.yscale[0]
            or any(mon.x_date) or any(mon.y_date) or mon.xdirection[0] != 1 or mon.ydirection[0] != 1
            or None in mon.xlim[0] or None in mon.ylim[0] or mon.xlim[0][0] == mon.xlim[0][1]
            or mon.ylim[0][0] == mon.ylim[0][1] or not mon.x):
        return None
    out = []
    for s in range(len(mon.x)):
        if mon.xside[s] != d.xside[0] or mon.yside[s] != d.yside[0] or mon.filly[s] is not False:
            return None
        fill = mon.fillx[s]
        if fill not in (False, "internal"):
            return None
        markers, colors, styles = mon.marker[s], mon.color[s], mon.style[s]
        if not markers or any(m != markers[0] for m in markers) or any(c != colors[0] for c in colors) \
                or any(st != styles[0] for st in styles):
            return None
        marker = markers[0]
        if marker != "hd" and (marker in ut.hd_symbols or len(marker) != 1):
            return None
        try:
            xs, ys = np.asarray(mon.x[s], dtype=float), np.asarray(mon.y[s], dtype=float)
        except (TypeError, ValueError):
            return None
        if xs.shape != ys.shape or xs.ndim != 1 or not xs.size or not (np.isfinite(xs).all() and np.isfinite(ys).all()):
            return None
        out.append((xs, ys, marker, bool(mon.lines[s]), fill == "internal"))
    return out


def _matrix_coords(values: np.ndarray, lim: list[float], bins: int) -> np.ndarray:
    """plotext's ``get_matrix_data``: floor(round(0.5 + (bins − 1)(v − lo)/(hi − lo), 8)), exactly."""
    v = 0.5 + (bins - 1) * (values - lim[0]) / (lim[1] - lim[0])
    out = np.floor(v)
    near = np.abs(v - np.rint(v)) < 1e-7  # only there can rounding to 8 decimals cross an integer
    for i in np.flatnonzero(near):
        out[i] = math.floor(round(float(v[i]), 8))
    return out.astype(np.int64)


def _is_rectangle(xs, ys, lines: bool, fill: bool) -> bool:
    """A filled rectangle as plotext's draw_rectangle gives it (the bars of ``bar``)."""
    return (lines and fill and xs.size == 5 and xs[0] == xs[1] == xs[4] and xs[2] == xs[3]
            and ys[0] == ys[3] == ys[4] and ys[1] == ys[2] and xs[0] <= xs[2] and ys[0] <= ys[1])


def _paint_rectangles(owner, glyph, first: int, rects: np.ndarray, x_lim, y_lim, factor, marker) -> None:
    """Signals first, first + 1, … : filled rectangles (x0, x1, y0, y1), each replacing the cells of those before it."""
    H, W = owner.shape
    fx, fy = factor
    X = _matrix_coords(rects[:, :2].ravel(), x_lim, W * fx).reshape(-1, 2)
    Y = _matrix_coords(rects[:, 2:].ravel(), y_lim, H * fy).reshape(-1, 2)
    mine = np.full((H, W), -1, dtype=np.int32)
    for b, (x0, x1, y0, y1) in enumerate(zip(X[:, 0].tolist(), X[:, 1].tolist(), Y[:, 0].tolist(), Y[:, 1].tolist())):
        c_lo, c_hi = max(x0 // fx, 0), min(x1 // fx, W - 1)
        r_lo, r_hi = max(y0 // fy, 0), min(y1 // fy, H - 1)
        if c_lo <= c_hi and r_lo <= r_hi:
            mine[r_lo:r_hi + 1, c_lo:c_hi + 1] = b
    r, c = np.nonzero(mine >= 0)
    b = mine[r, c]
    owner[r, c] = first + b
    if fx == 1:
        glyph[r, c] = ord(marker)
        return
    x0, x1, y0, y1 = X[b, 0], X[b, 1], Y[b, 0], Y[b, 1]  # each cell's quarters inside its rectangle
    left, right = (x0 <= 2 * c) & (2 * c <= x1), (x0 <= 2 * c + 1) & (2 * c + 1 <= x1)
    lower, upper = (y0 <= 2 * r) & (2 * r <= y1), (y0 <= 2 * r + 1) & (2 * r + 1 <= y1)
    glyph[r, c] = _HD_ORD[8 * (upper & left) + 4 * (upper & right) + 2 * (lower & left) + (lower & right)]


def _paint_points(owner, glyph, s, xs, ys, lines, fill, x_lim, y_lim, factor, marker) -> None:
    H, W = owner.shape
    fx, fy = factor
    px, py = _matrix_coords(xs, x_lim, W * fx), _matrix_coords(ys, y_lim, H * fy)
    if lines and px.size > 1:  # plotext's get_lines: int(x0 + k·(x1 − x0)/(a − 1)), k < a − 1, a = max(|Δx|, |Δy|) + 1
        dx, dy = np.diff(px), np.diff(py)
        a = np.maximum(np.abs(dx), np.abs(dy)) + 1
        steps = a - 1
        seg = np.repeat(np.arange(dx.size), steps)
        k = np.arange(seg.size) - np.repeat(np.cumsum(steps) - steps, steps)
        div = np.where(steps > 0, steps, 1).astype(float)
        lx = (px[:-1][seg] + k * (dx / div)[seg]).astype(np.int64)
        ly = (py[:-1][seg] + k * (dy / div)[seg]).astype(np.int64)
        px, py = np.append(lx, px[-1]), np.append(ly, py[-1])
    if fill:  # "internal": every column filled from its lowest point to its highest
        columns, inverse = np.unique(px, return_inverse=True)
        lo = np.full(columns.size, np.iinfo(np.int64).max)
        hi = np.full(columns.size, np.iinfo(np.int64).min)
        np.minimum.at(lo, inverse, py)
        np.maximum.at(hi, inverse, py)
        n = hi - lo + 1
        px = np.repeat(columns, n)
        py = np.repeat(lo, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    cx, cy = px // fx, py // fy
    inside = (cx >= 0) & (cx < W) & (cy >= 0) & (cy < H)
    cx, cy = cx[inside], cy[inside]
    if fx == 1:
        owner[cy, cx] = s
        glyph[cy, cx] = ord(marker)
        return
    bits = np.left_shift(1, 2 * (py[inside] % 2) + 1 - px[inside] % 2)
    codes = np.zeros((H, W), dtype=np.int32)
    for bit in (1, 2, 4, 8):
        hit = bits == bit
        codes[cy[hit], cx[hit]] |= bit
    drawn = codes > 0
    owner[drawn] = s
    glyph[drawn] = _HD_ORD[codes[drawn]]


_HD_ORD = np.array([ord(ch) for ch in _HD], dtype=np.int32)


# ---- the cells as Text (what Text.from_ansi makes of plotext's ANSI string) -----------------------------
_STYLES: dict = {}


def _style(fullground, style, background) -> Style | None:
    """The style Text.from_ansi gives a cell of these plotext colours (None: unstyled)."""
    key = (repr(fullground), repr(style), repr(background))
    if key not in _STYLES:
        sample = Text.from_ansi(ut.colors_to_ansi(fullground, style, background) + "x" + ut.ansi_end)
        _STYLES[key] = sum((span.style for span in sample.spans), Style()) if sample.spans else None
    return _STYLES[key]


def _text(matrix) -> Text:
    marker, fullground, style, background = matrix.marker, matrix.fullground, matrix.style, matrix.background
    plain: list[str] = []
    spans: list[tuple[int, int, Style | None]] = []
    offset = 0
    for row in range(matrix.rows - 1, -1, -1):
        fg, st, bg = fullground[row], style[row], background[row]
        start, key = 0, (fg[0], st[0], bg[0]) if matrix.cols else None
        for col in range(1, matrix.cols + 1):
            nxt = (fg[col], st[col], bg[col]) if col < matrix.cols else None
            if nxt != key:
                spans.append((offset + start, offset + col, _style(*key)))
                start, key = col, nxt
        plain.append("".join(marker[row]))
        offset += matrix.cols + 1
    return Text("\n".join(plain) + "\n", spans=[Span(start, end, st) for start, end, st in spans if st is not None])
