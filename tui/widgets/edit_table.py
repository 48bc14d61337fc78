"""A DataTable whose cells are edited from the keyboard: arrows move, Enter edits, Enter commits,
Escape cancels.

The owner passes a ``check(row, col, text) -> str | None`` callback: it returns an error message
or None. A refused value keeps the editor open with the typed text and posts
:class:`EditableTable.Refused` (the owner shows it on its message line, right under the table); an
accepted one closes the editor and posts :class:`EditableTable.CellEdited`. The table itself never
holds a number the owner has not accepted. Every key typed while editing stays in the editor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Input, Label

Check = Callable[[int, int, str], "str | None"]
Editable = Callable[[int, int], bool]


class _CellTable(DataTable):
    """The table inside an EditableTable. Enter opens the editor here, at once, not through a
    message: keys typed right after it (a paste, a fast typist, tmux) are already queued to this
    table, and they go on to the editor instead of reaching the app's bindings ("4" would switch
    to screen 4)."""

    async def _on_key(self, event: events.Key) -> None:
        owner = self.parent
        if isinstance(owner, EditableTable):
            if owner.editing:
                event.stop()
                event.prevent_default()
                owner.query_one("#edit-input", Input)._forward_event(events.Key(event.key, event.character))
                return
            if event.key == "enter" and self.row_count:
                event.stop()
                event.prevent_default()
                owner.open_editor(self.cursor_coordinate)
                return
        await super()._on_key(event)


class EditableTable(Vertical):
    """DataTable + a one-line editor that appears under it while a cell is being edited."""

    DEFAULT_CSS = """
    EditableTable { height: auto; }
    EditableTable > DataTable { height: auto; max-height: 12; }
    EditableTable > #edit-line { height: 1; display: none; }
    EditableTable.-editing > #edit-line { display: block; }
    EditableTable #edit-label { width: auto; padding: 0 1 0 0; height: 1; }
    EditableTable #edit-input { width: 1fr; height: 1; border: none; padding: 0; background: $boost; }
    """

    BINDINGS = [Binding("escape", "cancel_edit", "Cancel edit", show=False)]

    @dataclass
    class _News(Message):
        """Base of the table's messages: ``control`` is the table (so ``@on(…, "#id")`` selects it)."""

        table: "EditableTable"

        @property
        def control(self) -> "EditableTable":
            return self.table

    @dataclass
    class CellEdited(_News):
        """A cell's new text was accepted by the owner's check."""

        row: int
        col: int
        text: str

    @dataclass
    class Refused(_News):
        """Enter on a value the owner's check refused (or on a computed cell): what is wrong."""

        message: str

    @dataclass
    class Opened(_News):
        """The editor opened on a cell (the owner says how to commit or cancel)."""

        name: str

    @dataclass
    class Cancelled(_News):
        """Escape closed the editor; nothing changed."""

    def __init__(self, *, check: Check, editable: Editable | None = None, cell_name: Callable[[int, int], str] | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.check = check
        self.editable = editable or (lambda r, c: c > 0)
        self.cell_name = cell_name or (lambda r, c: f"row {r + 1}, column {c + 1}")
        self._editing: Coordinate | None = None

    def compose(self) -> ComposeResult:
        yield _CellTable(cursor_type="cell", zebra_stripes=True, id="edit-table")
        with Horizontal(id="edit-line"):
            yield Label("", id="edit-label")
            yield Input(id="edit-input", select_on_focus=True)

    @property
    def table(self) -> DataTable:
        return self.query_one("#edit-table", DataTable)

    @property
    def editing(self) -> bool:
        return self._editing is not None

    def focus_table(self) -> None:
        self.table.focus()

    # ---- content -------------------------------------------------------------------------------
    def set_grid(self, columns: Sequence[str], rows: Sequence[Sequence[str | Text]]) -> None:
        """Replace the table's content; the cursor stays where it was when it still fits, else it
        goes to the first editable cell. Columns widen to the longest value (never cut a number)."""
        table = self.table
        cursor = table.cursor_coordinate
        same_shape = (len(table.columns) == len(columns) and table.row_count == len(rows)
                      and [str(c.label) for c in table.columns.values()] == list(columns))
        if same_shape:
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if table.get_cell_at(Coordinate(r, c)) != value:
                        table.update_cell_at(Coordinate(r, c), value, update_width=True)
            return
        fresh = table.row_count == 0
        table.clear(columns=True)
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*row)
        if not rows:
            return
        if fresh:
            cursor = next((Coordinate(r, c) for r in range(len(rows)) for c in range(len(columns))
                           if self.editable(r, c)), Coordinate(0, 0))
        table.move_cursor(row=min(cursor.row, len(rows) - 1), column=min(cursor.column, len(columns) - 1),
                          animate=False)

    # ---- editing -------------------------------------------------------------------------------
    @on(DataTable.CellSelected, "#edit-table")
    def _start_edit(self, event: DataTable.CellSelected) -> None:  # a click on a cell
        event.stop()
        if self._editing is None:
            self.open_editor(event.coordinate)

    def open_editor(self, coord: Coordinate) -> None:
        """Open the editor on a cell (or say that it is computed); the editor takes the focus now."""
        if not self.editable(coord.row, coord.column):
            self.app.bell()
            self.post_message(self.Refused(self, f"{self.cell_name(coord.row, coord.column)} is computed, not edited"))
            return
        self._editing = coord
        value = self.table.get_cell_at(coord)
        text = value.plain if isinstance(value, Text) else str(value)
        self.query_one("#edit-label", Label).update(f"{self.cell_name(coord.row, coord.column)} =")
        self.add_class("-editing")
        entry = self.query_one("#edit-input", Input)
        entry.value = text.strip()
        self.screen.set_focus(entry)
        self.post_message(self.Opened(self, self.cell_name(coord.row, coord.column)))

    @on(Input.Submitted, "#edit-input")
    def _commit(self, event: Input.Submitted) -> None:
        event.stop()
        if self._editing is None:
            return
        row, col = self._editing.row, self._editing.column
        error = self.check(row, col, event.value)
        if error:  # the editor stays open with the typed text
            self.post_message(self.Refused(self, f"✗ {error} — fix it, or Esc to cancel"))
            return
        self._close()
        self.post_message(self.CellEdited(self, row, col, event.value.strip()))

    def action_cancel_edit(self) -> None:
        if self._editing is not None:
            self._close()
            self.post_message(self.Cancelled(self))

    def _close(self) -> None:
        self._editing = None
        self.remove_class("-editing")
        self.table.focus()
