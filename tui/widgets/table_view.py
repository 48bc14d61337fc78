"""A DataTable that shows one :class:`engine.tables.Table` (title above, notes below)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from engine.tables import Table


class TableView(Vertical):
    """Title, table and notes of one engine table; :meth:`show` replaces what it shows."""

    DEFAULT_CSS = """
    TableView { height: auto; }
    TableView > .table-title { text-style: bold; }
    TableView > DataTable { height: auto; max-height: 16; }
    TableView > .table-notes { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, empty: str = "") -> None:
        super().__init__(id=id)
        self.empty = empty
        self.table: Table | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.empty, classes="table-title")
        yield DataTable(cursor_type="none", zebra_stripes=True)
        yield Static("", classes="table-notes")

    def show(self, table: Table | None) -> None:
        self.table = table
        dt = self.query_one(DataTable)
        dt.clear(columns=True)
        title = self.query_one(".table-title", Static)
        notes = self.query_one(".table-notes", Static)
        if table is None:
            title.update(self.empty)
            notes.update("")
            return
        title.update(table.title)
        for i, h in enumerate(table.headers):
            dt.add_column(h, key=str(i))
        for row in table.text_rows():
            dt.add_row(*[cell if i == 0 else _right(cell) for i, cell in enumerate(row)])
        notes.update("\n".join(table.notes))
        notes.display = bool(table.notes)


def _right(text: str):
    from rich.text import Text

    return Text(text, justify="right")
