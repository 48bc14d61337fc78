"""The saved models (checkpoints) of every problem: list, reload into their screen, delete.

A checkpoint's kind starts with the problem it belongs to ("p3-…", "p4-…", "p5-…"); loading one
switches to that problem's screen and hands it over through the screen's
``load_checkpoint(checkpoint)`` method.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from engine.checkpoint import Checkpoint, delete_checkpoint, list_checkpoints
from engine.errors import InvalidInput
from tui.state import data_dir


def models_dir():
    """Where trained models are kept: the ``models`` folder of the data directory."""
    return data_dir() / "models"


def problem_of(kind: str) -> int | None:
    match = re.match(r"p([1-5])\b", kind)
    return int(match.group(1)) if match else None


def describe(settings: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(settings.items()) if not isinstance(v, (list, dict)))


def details(c: Checkpoint) -> str:
    """Everything about one model that its row leaves out (the line wraps: nothing is cut at 80 columns)."""
    return (f"problem {problem_of(c.kind) or '?'} · {c.kind} · saved {c.created.replace('T', ' ')[:19]}\n"
            f"{describe(c.settings)[:400]}")


def on_highlighted(action: Callable[["ModelsScreen", Checkpoint], None]) -> Callable[["ModelsScreen"], None]:
    """An action on the highlighted checkpoint; nothing when the list is empty."""
    @functools.wraps(action)
    def run(screen: "ModelsScreen") -> None:
        ckpt = screen._current()
        if ckpt is not None:
            action(screen, ckpt)
    return run


class ModelsScreen(ModalScreen[None]):
    """A table of checkpoints: Enter loads, d deletes (asks once), r rescans, Escape closes."""

    BINDINGS = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("enter", "load", "Load", priority=True),
        Binding("d", "delete", "Delete"),
        Binding("r", "rescan", "Rescan"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checkpoints: list[Checkpoint] = []
        self._armed_delete: str | None = None
        self._after_scan: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="models-box"):
            yield Label(f"Saved models in {models_dir()}", id="models-title")
            yield DataTable(id="models-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="models-detail", classes="hint")
            yield Static("", id="models-message", classes="message")
            yield Label("Enter load · d delete · r rescan · Escape close", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("model", "saved")  # two columns fit 80; the highlighted model's details go below
        self.action_rescan()
        table.focus()

    def action_rescan(self) -> None:
        """Read the checkpoints in a worker (a large file must not freeze the keys), then list them."""
        self._message("reading the saved models …")
        self._scan()

    @work(thread=True, exclusive=True, group="models-scan")
    def _scan(self) -> None:
        found = list_checkpoints(models_dir())
        self.app.call_from_thread(self._show, *found)

    def _show(self, checkpoints: list[Checkpoint], problems: list[str]) -> None:
        self.checkpoints = checkpoints
        table = self.query_one(DataTable)
        table.clear()
        for c in self.checkpoints:
            table.add_row(c.name, c.created.replace("T", " ")[:16], key=str(c.path))
        text = f"{len(self.checkpoints)} model(s)"
        if problems:
            text += f"; {len(problems)} file(s) refused: " + "; ".join(problems)[:300]
        if not self.checkpoints and not problems:
            text = "no saved models yet: train one on screen 3, 4 or 5"
        self._message(text, error=bool(problems))
        self._show_details()
        if self._after_scan is not None:
            self._message(self._after_scan)
            self._after_scan = None

    def _message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#models-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def _current(self) -> Checkpoint | None:
        table = self.query_one(DataTable)
        if not self.checkpoints or table.cursor_row is None or table.cursor_row >= len(self.checkpoints):
            return None
        return self.checkpoints[table.cursor_row]

    @on_highlighted
    def action_load(self, ckpt: Checkpoint) -> None:
        problem = problem_of(ckpt.kind)
        if problem is None:
            self._message(f"✗ {ckpt.name}: unknown kind {ckpt.kind!r}", error=True)
            return
        self.dismiss()
        self.app.call_later(self.app.load_checkpoint_into, problem, ckpt)

    @on_highlighted
    def action_delete(self, ckpt: Checkpoint) -> None:
        if self._armed_delete != str(ckpt.path):
            self._armed_delete = str(ckpt.path)
            self._message(f"press d again to delete {ckpt.name} for good", error=True)
            return
        self._armed_delete = None
        try:
            delete_checkpoint(ckpt.path)
        except InvalidInput as exc:
            self._message(f"✗ {exc}", error=True)
            return
        self._after_scan = f"deleted {ckpt.name}"
        self.action_rescan()

    @on(DataTable.RowHighlighted)
    def _disarm(self) -> None:
        self._armed_delete = None
        self._show_details()

    def _show_details(self) -> None:
        ckpt = self._current()
        self.query_one("#models-detail", Static).update(details(ckpt) if ckpt is not None else "")
