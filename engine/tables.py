"""Tables as data: what a result shows, laid out once.

A workflow returns :class:`Table` objects (title, columns with their number formats, rows of
raw values, notes). Every face renders the same objects: the screens (DataTable), the command
line (Rich), the report and exports (Markdown, CSV, LaTeX) and ``--json`` (:meth:`Table.as_json`)
— so no table is laid out in more than one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

UNDEFINED = "undefined"
MISSING = "—"


@dataclass(frozen=True)
class Column:
    """A column: its header, the format of its numbers (a format spec such as ``.4f``, ``+.4f``,
    ``.2e``, ``,d``, ``.1%``; ``s`` for text) and its JSON key."""

    header: str
    fmt: str = "s"
    key: str = ""

    @property
    def json_key(self) -> str:
        return self.key or self.header

    def cell(self, value: Any) -> str:
        """One value as text: None → "—", NaN → "undefined", numbers by the format."""
        if value is None:
            return MISSING
        if isinstance(value, str) or self.fmt == "s":
            return str(value)
        if isinstance(value, float) and math.isnan(value):
            return UNDEFINED
        if self.fmt.endswith("d"):
            return format(int(value), self.fmt)
        return format(float(value), self.fmt)


@dataclass(frozen=True)
class Table:
    """A titled table: ``rows`` hold raw values (numbers, text, None), formatted by the columns."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def text_rows(self) -> list[list[str]]:
        return [[c.cell(v) for c, v in zip(self.columns, row)] for row in self.rows]

    def as_json(self) -> list[dict[str, Any]]:
        """The rows as records keyed by the columns' JSON keys (raw values, not text)."""
        return [{c.json_key: _plain(v) for c, v in zip(self.columns, row)} for row in self.rows]


def table(key: str, title: str, columns: list[Column | str], rows, notes=()) -> Table:
    """Shorthand: plain strings are text columns."""
    cols = tuple(c if isinstance(c, Column) else Column(c) for c in columns)
    return Table(key, title, cols, tuple(tuple(r) for r in rows), tuple(notes))


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
