"""Tables as text for Problems 3–5 (Problems 1–2 render engine Tables through tui.render).

Pure formatting (no Textual, no Rich): the screens, the command line and the report all use it.
"""

from __future__ import annotations

import numpy as np

from engine.atomic import write_atomic  # noqa: F401  (re-exported: screens and CLI use it)
from tui.render import csv_table, latex_table, markdown_table  # noqa: F401  (moved there; re-exported)


def tables_markdown(tables) -> str:
    parts = []
    for caption, header, rows in tables:
        parts += [f"**{caption}**", "", markdown_table(header, rows), ""]
    return "\n".join(parts)


def tables_csv(tables) -> str:
    """Several tables in one CSV, each preceded by its caption on a line of its own."""
    return "\n".join(f"# {caption}\n" + csv_table(header, rows) for caption, header, rows in tables)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick positions (1, 2, 5 × 10^k apart) inside [lo, hi], for readable axis labels."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = min((m * mag for m in (1, 2, 5, 10)), key=lambda v: abs(np.log(v / raw)))  # nearest 1-2-5 step
    first = np.ceil(lo / step) * step
    return [float(round(v, 10)) for v in np.arange(first, hi + 1e-9, step)]
