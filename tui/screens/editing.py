"""What screens 1 and 2 share: a model edited in a table (the *draft*, valid or not) beside
settings boxes, and the settings in force (the *setup*, always valid).

A subclass declares two reactives, ``draft`` and ``setup`` (``always_update=True``), its ``VIEWS``
(tui.screens.base.View) and writes: ``compose_editor()`` (the table, boxes and message line),
``show_draft(draft)`` (redraw the table), ``setup_for(draft)`` (the setup with this draft's model,
or InvalidInput), ``show_setup(setup)`` (compute and show the results), ``save()``, and
``DEFAULT_DRAFT``. The watchers here do the rest: a new draft is shown and, when valid, becomes
the setup; a new setup is shown and the boxes follow it. One MessageLine says what
was just done or what is wrong; the next valid action replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from engine.errors import InvalidInput
from tui.screens.base import EXPORT_KEYS, ProblemScreen, View, compose_views
from tui.widgets.edit_table import EditableTable
from tui.widgets.setting_input import SettingInput

UNDOES = " (u undoes)"
UNDO_KEYS = [Binding("u", "undo", "Undo"), Binding("R", "reset", "Reset")]
"""u undoes the last delete or reset, R resets everything to the defaults (screens 1–2)."""
VIEW_KEYS = [Binding("v", "next_view", "View"), Binding("s", "new_seed", "Seed", show=False), *EXPORT_KEYS]
"""v the next view, s a new seed, e export, c copy (screens 1–2, after their own keys)."""


def in_force(name: str) -> property:
    """A read-only name for a field of the setup in force: ``screen.sigma2`` is ``screen.setup.sigma2``."""
    return property(lambda self: getattr(self.setup, name), doc=f"the {name} in force (self.setup.{name})")


class EditingScreen(ProblemScreen):
    DEFAULT_DRAFT: Any = None
    STALE = "The results still show the last valid model."

    VIEWS: tuple[View, ...] = ()

    def __init__(self) -> None:
        super().__init__(id=f"p{self.PROBLEM}")
        self.result: Any = None  # the workflow's result for the setup in force (P1Result, P2Result)
        self._what = ""  # what the next draft is, for the message line
        self._undo: list[tuple[Any, Any, str]] = []
        self._restoring = False

    # ---- layout: the model being edited on the left, the views on the right ------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id=f"{self.id}-body"):
            with Vertical(id=f"{self.id}-edit"):
                yield from self.compose_editor()
            yield from compose_views(f"{self.id}-tabs", self.VIEWS)

    # ---- what a subclass writes ---------------------------------------------------------------------
    def compose_editor(self) -> ComposeResult:
        """The EditableTable, the boxes and the MessageLine."""
        yield from ()

    def show_draft(self, draft: Any) -> None: ...
    def setup_for(self, draft: Any) -> Any: ...
    def show_setup(self, setup: Any) -> None: ...
    def save(self) -> None: ...
    def ready_text(self, setup: Any) -> str:
        return "✓ valid · Enter edits a cell"

    def restore(self, setup: Any, draft: Any, notes: list[str]) -> None:
        """Show saved (or default) state at start, without saving it back (nothing is written
        until something changes)."""
        self._restoring, self._what = True, "; ".join(notes)
        try:
            self.setup = setup
            self.draft = draft
        finally:
            self._restoring = False
        self.query_one(EditableTable).focus_table()

    def _save_if_changed(self) -> None:
        if not self._restoring:
            self.save()

    # ---- the two watchers ---------------------------------------------------------------------------
    def watch_draft(self, draft: Any) -> None:
        self.show_draft(draft)
        try:
            setup = self.setup_for(draft)
        except InvalidInput as exc:
            self.message(f"✗ {exc}. {self.STALE}", error=True)
        else:
            self.message(f"✓ {self._what}" if self._what else self.ready_text(setup))
            self.setup = setup
        self._what = ""
        self._save_if_changed()

    def watch_setup(self, old: Any, setup: Any) -> None:
        try:
            self.show_setup(setup)
        except (InvalidInput, ArithmeticError, ValueError) as exc:  # numbers the engine cannot take
            self.message(f"✗ cannot compute with this ({exc}); the previous settings stay", error=True)
            self.set_reactive(type(self).setup, setup := old)
            if self.result is None:  # at start nothing was shown yet: show the defaults
                self.show_setup(setup)
        for box in self.query(SettingInput):
            if box.in_force != getattr(setup, box.spec.name):
                box.set_in_force(getattr(setup, box.spec.name))
        self._save_if_changed()

    # ---- changes ------------------------------------------------------------------------------------
    def set_draft(self, draft: Any, what: str, undoable: bool = False) -> None:
        if undoable:
            self._undo.append((self.draft, self.setup, what))
        self._what = what
        self.draft = draft

    def edit(self, change: Callable[[Any], Any], what: str, undoable: bool = False) -> None:
        """Apply ``change`` to the draft; a refused change (InvalidInput) is a message, nothing else."""
        try:
            draft = change(self.draft)
        except InvalidInput as exc:
            self.message(f"✗ {exc}", error=True)
        else:
            self.set_draft(draft, what, undoable)

    message = ProblemScreen.show_message  # the name screens 1–2 use

    # ---- cells and boxes ----------------------------------------------------------------------------
    @on(EditableTable.Refused)
    def _cell_refused(self, event: EditableTable.Refused) -> None:
        self.message(event.message, error=True)

    @on(EditableTable.Opened)
    def _cell_opened(self, event: EditableTable.Opened) -> None:
        self.message(f"editing {event.name}: Enter commits · Esc cancels")

    @on(EditableTable.Cancelled)
    def _cell_cancelled(self) -> None:
        self.message("edit cancelled; nothing changed")

    @on(SettingInput.Set)
    def _box_changed(self, event: SettingInput.Set) -> None:
        self.message(f"✓ {event.box.spec.label} = {event.box.spec.format(event.value)}")  # first: a failure replaces it
        self.setup = replace(self.setup, **{event.name: event.value})

    def kept_text(self, box: SettingInput) -> str:
        """Escape left a refused box showing the value in force again: say so (the error is stale)."""
        return f"{box.spec.label} kept at {box.value}"

    # ---- actions ------------------------------------------------------------------------------------
    def action_reset(self) -> None:
        """Everything back to the defaults (undoable)."""
        what = "reset everything to the defaults" + UNDOES
        self._undo.append((self.draft, self.setup, what))
        self.setup = type(self.setup)()
        self.set_draft(self.DEFAULT_DRAFT, what)

    def action_undo(self) -> None:
        if not self._undo:
            self.message("nothing to undo (u undoes a delete or a reset)")
            return
        draft, setup, what = self._undo.pop()
        self.setup = setup
        self.set_draft(draft, f"undid: {what.removesuffix(UNDOES)}")

    def action_new_seed(self) -> None:
        self.message(f"✓ seed = {self.setup.seed + 1}")
        self.setup = replace(self.setup, seed=self.setup.seed + 1)
