"""Input boxes bound to a setting's declaration (engine.settings.Spec), and the message line.

One input model everywhere: a box checks what is typed with the spec's own parser (a Textual
``Validator``, so the message is the command line's wording); Enter on a bad value keeps the
focus and the typed text and says what is wrong; Escape puts back the value in force and leaves
the box; every key typed in a box stays in the box (printable keys are the Input's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from engine.errors import InvalidInput
from engine.settings import Spec


class SpecValidator(Validator):
    """Valid exactly when ``spec.parse`` accepts the text; the failure is its message."""

    def __init__(self, spec: Spec) -> None:
        super().__init__()
        self.spec = spec

    def validate(self, value: str) -> ValidationResult:
        try:
            self.spec.parse(value)
        except InvalidInput as exc:
            return self.failure(str(exc))
        return self.success()


class SettingInput(Input):
    """A box for one setting. Posts :class:`SettingInput.Set` with the parsed value on a valid
    Enter and :class:`SettingInput.Refused` with the message on a bad one."""

    BINDINGS = [Binding("escape", "leave", "Leave box", show=False)]

    @dataclass
    class Set(Message):
        """A valid value was entered and is now in force (not Input.Changed, which fires per key)."""

        box: "SettingInput"
        name: str
        value: Any

    @dataclass
    class Refused(Message):
        box: "SettingInput"
        name: str
        message: str

    def __init__(self, spec: Spec, value: Any = None, *, id: str | None = None, classes: str | None = None) -> None:
        self.spec = spec
        self.in_force = spec.default if value is None else value
        super().__init__(value=spec.format(self.in_force), id=id or f"setting-{spec.name}",
                         classes=classes, validators=[SpecValidator(spec)], validate_on={"changed", "submitted"},
                         tooltip=spec.describe())

    def set_in_force(self, value: Any) -> None:
        """Show a value that is now in force (set by code: a reset, a loaded model)."""
        self.in_force = value
        with self.prevent(Input.Changed):
            self.value = self.spec.format(value)
        self.cursor_position = len(self.value)

    def action_leave(self) -> None:
        """Escape: back to the value in force, focus back to the screen."""
        self.set_in_force(self.in_force)
        self.screen.set_focus(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.post_message(self.Refused(self, self.spec.name, result.failure_descriptions[0]))
            return  # focus and typed text stay
        value = self.spec.parse(self.value)
        self.in_force = value
        self.value = self.spec.format(value)
        self.cursor_position = len(self.value)  # after the whole number, not inside it
        self.post_message(self.Set(self, self.spec.name, value))


class MessageLine(Static):
    """One line under the inputs: what was just set, or what is wrong with what was typed."""

    DEFAULT_CSS = """
    MessageLine { height: auto; max-height: 3; color: $text-muted; }
    MessageLine.-error { color: $error; text-style: bold; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, id=id, classes=classes, markup=False)  # messages quote what was typed

    def show(self, text: str, *, error: bool = False) -> None:
        box = self.app.focused
        if (not error and self.has_class("-error") and isinstance(box, SettingInput)
                and box.value != box.spec.format(box.in_force)):
            self.app.notify(text, timeout=8)  # news from a worker: the refusal of the box being fixed stays
            return
        self.update(text)
        self.set_class(error, "-error")

    def clear(self) -> None:
        self.show("")
