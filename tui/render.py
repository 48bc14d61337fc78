"""Generic renderers of :class:`engine.tables.Table`: Markdown, CSV, LaTeX, Rich and JSON.

Every face draws the same table objects through these functions (the screens through
``tui.widgets.table_view``), so a table is laid out once, in its workflow. No Textual here: the
command line imports this module; Rich is imported only by :func:`rich_table`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from engine.tables import Table


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table; a "|" inside a cell (as in p(y|x)) is escaped so it stays in its cell."""
    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [row(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [row(r) for r in rows]
    return "\n".join(lines)


def csv_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """RFC-4180 CSV (quotes where needed)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


_TEX_SPECIAL = {"&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$", "|": r"$|$", "~": r"\~{}"}
_TABLE_NUMBER = re.compile(r"^Table \d+:\s*")


def tex(text: str) -> str:
    """Text for a LaTeX cell or caption: &, %, #, _, $, ~ escaped; "|" (as in p(y|x)) set in math."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def latex_table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    """A LaTeX table; a "Table N:" prefix is dropped from the caption (LaTeX numbers tables itself,
    so it would print "Table 1: Table 1: …")."""
    cols = "c" * len(header)
    caption = tex(_TABLE_NUMBER.sub("", caption))
    body = [" & ".join(map(tex, header)) + r" \\ \hline"] + [" & ".join(map(tex, r)) + r" \\" for r in rows]
    return "\n".join([
        r"\begin{table}[h]", r"\centering", rf"\begin{{tabular}}{{{cols}}}", r"\hline",
        *body, r"\hline", r"\end{tabular}", rf"\caption{{{caption}}}", r"\end{table}",
    ])


def markdown(tables: Iterable[Table]) -> str:
    """Tables as Markdown: the title in bold, the table, its notes in italics."""
    parts: list[str] = []
    for t in tables:
        parts += [f"**{t.title}**", "", markdown_table(t.headers, t.text_rows()), ""]
        parts += [f"*{note}*\n" for note in t.notes]
    return "\n".join(parts)


def csv_text(tables: Iterable[Table]) -> str:
    """Several tables in one CSV, each preceded by its title on a line of its own."""
    return "\n".join(f"# {t.title}\n" + csv_table(t.headers, t.text_rows()) for t in tables)


def latex(tables: Iterable[Table]) -> str:
    return "\n\n".join(latex_table(t.headers, t.text_rows(), t.title) for t in tables) + "\n"


def as_json(tables: Iterable[Table]) -> dict[str, Any]:
    """``{key: [records…]}`` for ``--json``."""
    return {t.key: t.as_json() for t in tables}


def rich_table(t: Table):
    """A Rich table (for the command line): first column left, numbers right."""
    from rich.table import Table as RichTable

    out = RichTable(title=t.title, title_justify="left", caption="\n".join(t.notes) or None,
                    caption_justify="left")
    for i, h in enumerate(t.headers):
        out.add_column(h, justify="left" if i == 0 else "right")
    for r in t.text_rows():
        out.add_row(*r)
    return out


def print_tables(tables: Iterable[Table], console=None) -> None:
    """Print tables with Rich on stdout."""
    from rich.console import Console

    console = console or Console()
    for t in tables:
        console.print(rich_table(t))


def export_files(stem: str, tables: Sequence[Table]) -> dict[str, str]:
    """The files an export writes for a screen's tables: ``stem.md`` and ``stem.csv``."""
    if not tables:
        return {}
    return {f"{stem}.md": markdown(tables), f"{stem}.csv": csv_text(tables)}
