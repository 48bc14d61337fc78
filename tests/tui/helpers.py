"""Helpers for Pilot tests: an app on a private data directory, and cell reading."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.coordinate import Coordinate

from tui.app import Hw7App
from tui.state import StateStore


def make_app(data_dir: Path, problem: int = 1, fresh: bool = False) -> Hw7App:
    return Hw7App(problem=problem, state=StateStore(data_dir, fresh=fresh))


SMALL_WALK = {"T": 20, "sigma2": 1.25, "particles": 2000, "seed": 0, "steps": 300, "lr": 0.003}
"""Screens 3–4 small enough for a test: T = 20 steps, 2,000 particles, 300 training steps."""


def small_walk_app(data_dir: Path, problem: int = 3, **overrides) -> Hw7App:
    """Screen 3 or 4 on SMALL_WALK (with ``overrides``) saved in ``data_dir``."""
    StateStore(data_dir).update(f"p{problem}", **{**SMALL_WALK, **overrides})
    return make_app(data_dir, problem=problem)


async def wait_for(pilot, condition, timeout: float = 90.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        await pilot.pause(0.05)


def cell(table, row: int, col: int) -> str:
    """The text of a cell of a DataTable, or of the DataTable inside a TableView."""
    if not hasattr(table, "get_cell_at"):
        from textual.widgets import DataTable

        table = table.query_one(DataTable)
    value = table.get_cell_at(Coordinate(row, col))
    return value.plain if isinstance(value, Text) else str(value)


def static_text(widget) -> str:
    return str(widget.render())


async def edit_cell(pilot, table_widget, row: int, col: int, text: str) -> None:
    """Move the model table's cursor to (row, col), press Enter, type text, press Enter."""
    table_widget.table.focus()
    table_widget.table.move_cursor(row=row, column=col, animate=False)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    entry = table_widget.query_one("#edit-input")
    entry.value = ""
    await pilot.press(*list(text))
    await pilot.press("enter")
    await pilot.pause()


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (one line per row)."""
    from rich.console import Console

    width = app.size.width
    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
