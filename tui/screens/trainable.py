"""What the training screens (3, 4 and 5) share: a row of numeric parameter boxes, a message line,
one worker group for training and sampling (cancelled by `x`), playback of precomputed frames, a
cycle through the tabs, and saving a trained model as a checkpoint.

A subclass sets the class variables below, yields :meth:`compose_params` in its layout, builds a
:class:`~tui.widgets.player.Playback` as ``self.playback`` and decorates its workers with
``@work(thread=True, exclusive=True, group=TRAIN_GROUP)`` (groups are per screen in Textual, so one
name serves every screen).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static, TabbedContent, Tabs

from engine.errors import InvalidInput
from engine.settings import Spec
from tui.screens.base import ProblemScreen
from tui.widgets.setting_input import SettingInput

TRAIN_GROUP = "train"
"""The worker group of a screen's training and sampling: a new run replaces the old, `x` cancels it."""

Param = tuple[str, str, type, float, float]
"""key, label, type (int or float), lowest, highest."""


class TrainableScreen(ProblemScreen):
    PARAMS: ClassVar[tuple[Param, ...]] = ()
    PARAM_PREFIX: ClassVar[str] = "param-"
    MESSAGE_ID: ClassVar[str] = ""
    TABS_ID: ClassVar[str] = ""
    VIEWS: ClassVar[tuple[str, ...]] = ()

    values: dict[str, Any]
    playback: Any

    # ---- boxes for declared settings (engine.settings.Spec): screens 3–4, and 5 once converted ----
    def compose_settings(self, specs: Iterable[Spec], values: Mapping[str, Any]) -> ComposeResult:
        """A label and a SettingInput per spec (id ``PARAM_PREFIX + name``): the box checks with the
        spec, keeps focus and text on a bad Enter, and posts SettingInput.Set on a good one."""
        for spec in specs:
            yield Label(spec.label, classes="param-label")
            yield SettingInput(spec, values[spec.name], id=f"{self.PARAM_PREFIX}{spec.name}", classes="param-input")

    def show_settings(self, values: Mapping[str, Any]) -> None:
        """Put values set by code (a reset, a loaded model) into their boxes."""
        for box in self.query(SettingInput):
            if box.spec.name in values:
                box.set_in_force(values[box.spec.name])

    @on(SettingInput.Refused)
    def _setting_refused(self, event: SettingInput.Refused) -> None:
        self.show_message(f"✗ {event.message} — fix it, or Escape to keep {event.box.spec.format(event.box.in_force)}",
                          error=True)

    @on(events.DescendantBlur)
    def _box_left(self, event: events.DescendantBlur) -> None:
        """Escape (or Tab) left a box showing the value in force: its error is stale, clear it."""
        box = event.widget
        message = self.query_one(f"#{self.MESSAGE_ID}", Static)
        if isinstance(box, SettingInput) and box.value == box.spec.format(box.in_force) and message.has_class("-error"):
            self.show_message("")

    # ---- parameter boxes (PARAMS tuples: screen 5 until it uses compose_settings) ------------------
    def compose_params(self) -> ComposeResult:
        for key, label, *_ in self.PARAMS:
            yield Label(label, classes="param-label")
            yield Input(id=f"{self.PARAM_PREFIX}{key}", classes="param-input")

    def restore_params(self, saved: dict[str, Any]) -> None:
        """Take the saved values that are numbers within their box's range; ignore the rest."""
        for key, _label, kind, low, high in self.PARAMS:
            value = saved.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
                self.values[key] = kind(value)

    def show_params(self) -> None:
        for key, *_ in self.PARAMS:
            self.query_one(f"#{self.PARAM_PREFIX}{key}", Input).value = f"{self.values[key]:g}"

    def parse_param(self, event: Input.Submitted) -> tuple[str, str, Any] | None:
        """Check a submitted box: (key, label, value) when valid and now in force (and saved);
        otherwise None, with a message naming what is wrong and the box showing the kept value."""
        self.set_focus(None)  # back to the screen's keys
        key = event.input.id.removeprefix(self.PARAM_PREFIX)
        _, label, kind, low, high = next(p for p in self.PARAMS if p[0] == key)
        kept = f"{self.values[key]:g}"
        try:
            from engine.numbers import parse_number  # ASCII digits, bounded, finite: the one parser

            value = parse_number(event.value, kind=kind, name=label)
            if not low <= value <= high:
                raise InvalidInput(f"{label} must be from {low:g} to {high:g}, got {value:g}")
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}; keeping {kept}", error=True)
            event.input.value = kept
            return None
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            self.show_message(f"✗ {label}: {event.value.strip()!r} is not {what}; keeping {kept}", error=True)
            event.input.value = kept
            return None
        self.values[key] = value
        self.save_settings(**{key: value})
        return key, label, value

    def show_message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one(f"#{self.MESSAGE_ID}", Static)
        box = self.app.focused
        if (not error and message.has_class("-error") and isinstance(box, SettingInput)
                and box.value != box.spec.format(box.in_force)):
            self.notify(text, timeout=8)  # news from a worker: the refusal under the box being fixed stays
            return
        message.update(text)
        message.set_class(error, "-error")

    # ---- models ---------------------------------------------------------------------------------
    def save_model(self, trained: Any, kind: str, name: str, metrics: dict[str, Any]) -> tuple[str | None, str | None]:
        """Save trained weights with their settings as a checkpoint: (file name, None) or (None, why not)."""
        from engine.checkpoint import save_checkpoint
        from tui.screens.models import models_dir

        try:
            path = save_checkpoint(models_dir(), name, kind, trained.model.state_dict(),
                                   trained.settings.as_dict(), metrics)
        except (InvalidInput, OSError) as exc:
            return None, str(exc)
        return path.name, None

    @staticmethod
    def saved_note(checkpoint: str | None, save_error: str | None) -> str:
        """The tail of the "trained" message: where the model went, or why it could not be saved."""
        if checkpoint:
            return f" · saved as {checkpoint}"
        return f" · could not save the model: {save_error}" if save_error else ""

    # ---- keys -----------------------------------------------------------------------------------
    def action_blur(self) -> None:
        self.set_focus(None)

    def action_cancel(self) -> None:
        running = any(w.node is self and w.group == TRAIN_GROUP and w.is_running for w in self.app.workers)
        self.workers.cancel_group(self, TRAIN_GROUP)
        self.show_message("cancelled" if running else "nothing is running")

    def action_toggle_play(self) -> None:
        self.playback.toggle()
        self.notify(self.playback.describe(), timeout=1.5)

    def action_step(self, delta: int) -> None:
        self.playback.step(delta)

    def action_faster(self) -> None:
        self.playback.faster()
        self.notify(self.playback.describe(), timeout=1.5)

    def action_slower(self) -> None:
        self.playback.slower()
        self.notify(self.playback.describe(), timeout=1.5)

    def action_next_view(self) -> None:
        """The next tab, through Textual's own Tabs action (the order is the tabs' order)."""
        self.query_one(f"#{self.TABS_ID}", TabbedContent).query_one(Tabs).action_next_tab()
