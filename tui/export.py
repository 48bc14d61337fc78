"""Axis ticks for the text plots of screens 3–4, the report and Problem 2's plots.

Tables are laid out in the workflows (engine.problems) and rendered by tui.render; files are
written by engine.atomic.write_atomic. What is left here is plot formatting (no Textual, no Rich).
"""

from __future__ import annotations

import numpy as np


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick positions (1, 2, 5 × 10^k apart) inside [lo, hi], for readable axis labels."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = min((m * mag for m in (1, 2, 5, 10)), key=lambda v: abs(np.log(v / raw)))  # nearest 1-2-5 step
    first = np.ceil(lo / step) * step
    return [float(round(v, 10)) for v in np.arange(first, hi + 1e-9, step)]
