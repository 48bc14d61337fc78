"""The hw7-tui application: five problem screens as Textual modes, help, palette, saved state.

Importing this module does not import torch: screens that train import it inside their workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.problems.p1_discrete import P1Settings
from engine.problems.p2_continuous import P2Settings
from engine.problems.p3_walk import WalkSettings
from engine.problems.p5_swiss import P5Settings
from engine.settings import Spec, setting, validate_section
from tui.memory import thaw
from tui.screens.base import TOPICS, ProblemScreen
from tui.screens.p1_discrete import P1Screen
from tui.screens.p2_continuous import P2Screen
from tui.screens.p3_walk import P3Screen
from tui.screens.p4_x0 import P4Screen
from tui.screens.p5_swiss import P5Screen
from tui.state import StateStore, Validator, export_dir

SCREENS: dict[int, type[ProblemScreen]] = {1: P1Screen, 2: P2Screen, 3: P3Screen, 4: P4Screen, 5: P5Screen}
"""Problem → its screen (a Textual mode each; a screen is built the first time its mode opens)."""
QUIT_WINDOW_S = 3.0


PROBLEM = Spec("problem", "screen number", int, 1, 1, len(SCREENS), help="the screen shown at start",
               reason="A stored 3.0 would name the mode 'p3.0': UnknownModeError at every start.")
MARKER = Spec("marker", "plot marker", str, "hd", choices=("hd", "dot"),
              help="plots drawn with braille blocks (hd) or dots (terminals without good Unicode fonts)")
THEME = Spec("theme", "theme", str, "textual-dark", help="Textual's colour theme (an unknown name is ignored)")


@dataclass(frozen=True)
class AppSettings:
    """The app's own saved section: which screen, the plot marker, the theme."""

    problem: int = setting(PROBLEM)
    marker: str = setting(MARKER)
    theme: str = setting(THEME)


def section_validator(name: str, cls: type, *extra: Callable[[dict], str | None]) -> Validator:
    """The state store's check of section ``name``: every declared setting of ``cls`` by its Spec
    (engine.settings.validate_section), then the ``extra`` checks of values that are not Specs (each
    drops its key and returns a message, or None); each message names the section."""
    def check(section: dict) -> tuple[dict, list[str]]:
        out, refused = validate_section(cls, section)
        refused += [m for m in (f(out) for f in extra) if m]
        return out, [f"{name}: {m}" for m in refused]
    return check


def _p2_mixture(section: dict) -> str | None:
    """p(x) through the engine's one mixture parser (a Spec checks each number of each component)."""
    if "mixture" not in section:
        return None
    try:
        GaussianMixture.parse(section["mixture"])
    except InvalidInput as exc:
        del section["mixture"]
        return f"saved p(x) refused ({exc}); using the default {DEFAULT_MIXTURE.format()}"
    return None


STATE_VALIDATORS: dict[str, Validator] = {
    "app": section_validator("app", AppSettings),
    "p1": section_validator("p1", P1Settings),
    "p2": section_validator("p2", P2Settings, _p2_mixture),
    "p3": section_validator("p3", WalkSettings),
    "p4": section_validator("p4", WalkSettings),
    "p5": section_validator("p5", P5Settings),
}
"""Section → the check of its stored values, from the same declarations the screens and the
command line use; what a section holds beyond its Specs (P1's draft, P2's draft) its screen checks."""


class HelpScreen(ModalScreen[None]):
    """The current screen's help: what it shows, its keys, and the homework's text."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self._markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self._markdown)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()


class Hw7App(App[int]):
    """HW7 — diffusion models from first principles."""

    CSS_PATH = "app.tcss"
    TITLE = "hw7-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    MODES = {f"p{n}": screen for n, screen in SCREENS.items()}
    BINDINGS = [
        *(Binding(str(n), f"problem({n})", f"P{n}", show=False) for n in SCREENS),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+s", "screenshot", "Screenshot", show=False),
        Binding("m", "models", "Models", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    _quit_armed_until: float = 0.0

    def __init__(self, *, problem: int | None = None, fresh: bool = False, state: StateStore | None = None) -> None:
        super().__init__()
        self.state = state if state is not None else StateStore(fresh=fresh)
        self.state.apply_validators(STATE_VALIDATORS)
        saved = self.state.section("app")
        self.start_problem = problem or saved.get("problem", PROBLEM.default)  # checked by STATE_VALIDATORS
        self.plot_marker = saved.get("marker", MARKER.default)
        if saved.get("theme") in self.available_themes:
            self.theme = saved["theme"]

    def on_mount(self) -> None:
        self.switch_mode(f"p{self.start_problem}")
        for problem in self.state.problems:
            self.notify(problem, title="Saved state", severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, lambda theme: self.state.update("app", theme=theme.name))

    def on_unmount(self) -> None:
        thaw()  # what the screens settled goes back to the collector (tui.memory)

    # ---- actions ---------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """ctrl+q: quit at once, unless a model is training: then ask for a second ctrl+q within
        QUIT_WINDOW_S seconds (the run would be lost)."""
        import time

        from tui.screens.trainable import TRAIN_GROUP

        running = [w for w in self.workers if w.group == TRAIN_GROUP and w.is_running]
        if running and time.monotonic() > self._quit_armed_until:
            self._quit_armed_until = time.monotonic() + QUIT_WINDOW_S
            self.notify(f"a model is training: press ctrl+q again within {QUIT_WINDOW_S:g} s to quit "
                        "(the run is lost), or x to cancel it", title="Quit?", severity="warning",
                        timeout=QUIT_WINDOW_S)
            return
        self.workers.cancel_all()
        self.exit()

    def action_problem(self, n: int) -> None:
        if self.current_mode != f"p{n}":
            self.switch_mode(f"p{n}")
            self.state.update("app", problem=n)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        text = screen.help_markdown() if isinstance(screen, ProblemScreen) else "# hw7-tui"
        self.push_screen(HelpScreen(text))

    def action_screenshot(self) -> None:
        """Save an SVG of the screen into the export directory, through the one atomic writer (a full
        disk leaves no 0-byte SVG behind, only a message)."""
        from textual._files import generate_datetime_filename

        from engine.atomic import write_atomic
        from engine.errors import WriteError

        try:
            path = write_atomic(export_dir() / generate_datetime_filename(self.title, ".svg"),
                                self.export_screenshot(), make_parent=True)
        except WriteError as exc:
            self.notify(f"could not save the screenshot: {exc}", severity="error")
            return
        self.notify(f"screenshot saved: {path}", title="Screenshot")

    def action_models(self) -> None:
        from tui.screens.models import ModelsScreen

        if not isinstance(self.screen, ModalScreen):
            self.push_screen(ModelsScreen())

    def load_checkpoint_into(self, problem: int, checkpoint) -> None:
        """Open problem's screen and hand it a checkpoint (from the models list)."""
        self.action_problem(problem)

        def hand_over() -> None:
            loader = getattr(self.screen, "load_checkpoint", None)
            if loader is None:
                self.notify(f"screen {problem} cannot load saved models", severity="warning")
                return
            loader(checkpoint)

        self.call_after_refresh(hand_over)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands (less its Screenshot: ours below saves into the export directory),
        the problems, every action of the current screen (from its bindings, so Train, Cancel,
        Export, Copy, Reset … are all here, each once) and every view of the screen."""
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")
        for n in SCREENS:
            yield SystemCommand(f"Problem {n}: {TOPICS[n]}", f"Go to screen {n} (key {n})",
                                partial(self.action_problem, n))
        yield SystemCommand("Help for this screen", "What it shows, its keys, the homework's text (key ?)",
                            self.action_help)
        yield SystemCommand("Saved models", "List, reload or delete trained models (key m)", self.action_models)
        yield SystemCommand("Save screenshot (SVG)", "Into the export directory (ctrl+s)", self.action_screenshot)
        yield SystemCommand("Plot marker: toggle blocks / dots", "For terminals without good Unicode fonts",
                            self.action_toggle_marker)
        if isinstance(screen, ProblemScreen):
            yield from screen_commands(screen)

    def action_toggle_marker(self) -> None:
        self.plot_marker = "dot" if self.plot_marker == "hd" else "hd"
        self.state.update("app", marker=self.plot_marker)
        from tui.widgets.plot import Plot

        for screen in self.screen_stack:
            for plot in screen.query(Plot):
                plot.redraw()
        self.notify(f"plot marker: {self.plot_marker}")


def screen_commands(screen: ProblemScreen) -> Iterable[SystemCommand]:
    """A command for each action bound on the screen itself and one for each of its views (tabs)."""
    from textual.widgets import TabbedContent, TabPane

    seen: set[str] = set()
    for bindings in screen._bindings.key_to_bindings.values():
        for binding in bindings:
            if binding.description and binding.action not in seen:
                seen.add(binding.action)
                key = screen.app.get_key_display(binding)
                yield SystemCommand(binding.description, f"Problem {screen.PROBLEM} (key {key})",
                                    partial(screen.run_action, binding.action))
    for tabs in screen.query(TabbedContent):
        for pane in tabs.query(TabPane):
            def show(tabs=tabs, pane=pane) -> None:
                tabs.active = pane.id
            yield SystemCommand(f"View: {pane._title}", f"Problem {screen.PROBLEM}: show the {pane._title} view",
                                show)


def run_app(problem: int | None = None, fresh: bool = False) -> int:
    """Run the app in this terminal; returns the exit status."""
    app = Hw7App(problem=problem, fresh=fresh)
    app.run()
    return app.return_code or 0
