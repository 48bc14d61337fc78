"""What screens 1 and 2 share: a model edited in a table (the *draft*, valid or not) beside
settings boxes, and the settings in force (the *setup*, always valid).

A subclass declares two reactives, ``draft`` and ``setup`` (``always_update=True``), and writes:
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

from textual import events, on
from textual.widgets import Tabs

from engine.errors import InvalidInput
from tui.screens.base import ProblemScreen
from tui.widgets.edit_table import EditableTable
from tui.widgets.setting_input import MessageLine, SettingInput

UNDOES = " (u undoes)"


class EditingScreen(ProblemScreen):
    DEFAULT_DRAFT: Any = None
    STALE = "The results still show the last valid model."

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.result: Any = None
        self._what = ""  # what the next draft is, for the message line
        self._undo: list[tuple[Any, Any, str]] = []
        self._restoring = False

    # ---- what a subclass writes ---------------------------------------------------------------------
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
            return
        self.set_draft(draft, what, undoable)

    def message(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).show(text, error=error)

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

    @on(SettingInput.Refused)
    def _box_refused(self, event: SettingInput.Refused) -> None:
        self.message(f"✗ {event.message} — fix it, or Esc to keep {event.box.spec.format(event.box.in_force)}",
                     error=True)

    @on(events.DescendantBlur)
    def _box_left(self, event: events.DescendantBlur) -> None:
        """Escape left a refused box showing the value in force again: say so (the error is stale)."""
        box = event.widget
        if (isinstance(box, SettingInput) and box.value == box.spec.format(box.in_force)
                and self.query_one(MessageLine).has_class("-error")):
            self.message(f"{box.spec.label} kept at {box.value}")

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

    def action_next_view(self) -> None:
        self.query_one(Tabs).action_next_tab()

    def action_new_seed(self) -> None:
        self.message(f"✓ seed = {self.setup.seed + 1}")
        self.setup = replace(self.setup, seed=self.setup.seed + 1)
