"""What the training screens (3, 4 and 5) share: a row of setting boxes, one worker group for
training and sampling (cancelled by `x`), playback of precomputed frames, and saving a trained
model as a checkpoint (the message line and the view cycle are every screen's: tui.screens.base).

A subclass yields :meth:`compose_settings` in its layout, builds a
:class:`~tui.widgets.player.Playback` as ``self.playback`` and decorates its workers with
``@work(thread=True, exclusive=True, group=TRAIN_GROUP)`` (groups are per screen in Textual, so one
name serves every screen).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from engine.errors import InvalidInput
from engine.settings import Spec
from tui.screens.base import ProblemScreen
from tui.widgets.setting_input import SettingInput

TRAIN_GROUP = "train"
"""The worker group of a screen's training and sampling: a new run replaces the old, `x` cancels it."""
TRAIN_KEYS = [Binding("t", "train", "Train"), Binding("x", "cancel", "Cancel"), Binding("space", "toggle_play", "Play")]
"""t trains, x cancels, space plays or pauses the animation (screens 3–5, first in the footer)."""
PLAYBACK_KEYS = [
    Binding("left", "step(-1)", "◀", show=False), Binding("right", "step(1)", "▶", show=False),
    Binding("plus,equals_sign", "faster", "Faster", show=False, key_display="+"),
    Binding("minus", "slower", "Slower", show=False, key_display="-"),
]
"""The animation's keys on screens 3–5: one frame back/forward, faster, slower."""


class TrainableScreen(ProblemScreen):
    PARAM_PREFIX: ClassVar[str] = "param-"

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

    # ---- models ---------------------------------------------------------------------------------
    def save_model(self, trained: Any, kind: str, name: str, metrics: dict[str, Any]) -> tuple[str | None, str | None]:
        """Save trained weights with their settings as a checkpoint: (file name, None) or (None, why not)."""
        from engine.checkpoint import save_checkpoint
        from tui.screens.models import models_dir

        try:
            path = save_checkpoint(models_dir(), name, kind, trained.state_dict(),
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
