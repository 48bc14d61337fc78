"""The hw7-tui application: five problem screens as Textual modes, help, palette, saved state.

Importing this module does not import torch: screens that train import it inside their workers.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import partial

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from tui.screens.base import TOPICS, ProblemScreen, StatementScreen
from tui.state import StateStore, export_dir

SCREENS: dict[int, tuple[str, str]] = {
    1: ("tui.screens.p1_discrete", "P1Screen"),
    2: ("tui.screens.p2_continuous", "P2Screen"),
    3: ("tui.screens.p3_walk", "P3Screen"),
    4: ("tui.screens.p4_x0", "P4Screen"),
    5: ("tui.screens.p5_swiss", "P5Screen"),
}
"""Problem → (module, class) of its screen; a module not written yet shows the statement."""


def _valid_app(section: dict) -> tuple[dict, list[str]]:
    """The app section: the screen number must be an int 1–5 (a stored ``3.0`` would name the
    mode "p3.0": UnknownModeError at every start), the marker "hd" or "dot", the theme a name."""
    out, refused = dict(section), []
    p = out.get("problem")
    if "problem" in out and (isinstance(p, bool) or not isinstance(p, int) or p not in SCREENS):
        refused.append(f"app problem {str(p)[:20]!r} is not a screen number 1–5")
        del out["problem"]
    if "marker" in out and out["marker"] not in ("hd", "dot"):
        refused.append(f"app marker {str(out['marker'])[:20]!r} is not hd or dot")
        del out["marker"]
    if "theme" in out and not isinstance(out["theme"], str):
        refused.append("app theme is not a name")
        del out["theme"]
    return out, refused


def _valid_p2(section: dict) -> tuple[dict, list[str]]:
    """Problem 2's p(x), σ² and y through the engine's own checks: a stored value they refuse
    (an overflowing weight, a std of 1e-300, σ² = 5e-324) falls back to its default."""
    from engine.errors import InvalidInput
    from engine.mixture import GaussianMixture
    from engine.posterior import check_sigma2, check_y

    def check_mixture(value) -> None:
        if not isinstance(value, str):
            raise InvalidInput("not text like 'w:mean:std,…'")
        GaussianMixture.parse(value)

    out, refused = dict(section), []
    checks = (("mixture", "p(x)", check_mixture), ("sigma2", "σ²", check_sigma2), ("y", "y", check_y))
    for key, label, check in checks:
        if key not in out:
            continue
        try:
            check(out[key])
        except InvalidInput as exc:
            refused.append(f"p2 {label}: {exc}")
            del out[key]
    return out, refused


STATE_VALIDATORS = {"app": _valid_app, "p2": _valid_p2}
"""Section → check of its stored values (until the single settings declaration supplies them all)."""


def make_screen(problem: int) -> Screen:
    module_name, class_name = SCREENS[problem]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return StatementScreen(problem)
    return getattr(module, class_name)()


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
    MODES = {f"p{n}": partial(make_screen, n) for n in SCREENS}
    BINDINGS = [
        *(Binding(str(n), f"problem({n})", f"P{n}", show=False) for n in SCREENS),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+s", "screenshot", "Screenshot", show=False),
        Binding("m", "models", "Models", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    torch_warm_up_s: float | None = 1.0
    """Seconds after start to import torch in a background thread (None: never)."""

    def __init__(self, *, problem: int | None = None, fresh: bool = False, state: StateStore | None = None) -> None:
        super().__init__()
        self.state = state if state is not None else StateStore(fresh=fresh)
        self.state.apply_validators(STATE_VALIDATORS)
        saved = self.state.section("app")
        stored = saved.get("problem")
        self.start_problem = problem or (stored if type(stored) is int and stored in SCREENS else 1)
        self.plot_marker = saved.get("marker", "hd")
        if saved.get("theme") in self.available_themes:
            self.theme = saved["theme"]

    def on_mount(self) -> None:
        self.switch_mode(f"p{self.start_problem}")
        for problem in self.state.problems:
            self.notify(problem, title="Saved state", severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, lambda theme: self.state.update("app", theme=theme.name))
        if self.torch_warm_up_s is not None:
            self.set_timer(self.torch_warm_up_s, self._warm_up_torch)

    def _warm_up_torch(self) -> None:
        """Import torch in the background once the first frames are up, so pressing "train" later
        does not stall the interface for the second or two a first torch import takes."""
        self.run_worker(_import_torch, thread=True, group="warm-up", exit_on_error=False)

    # ---- actions ---------------------------------------------------------------------------
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
        yield from super().get_system_commands(screen)
        for n in SCREENS:
            yield SystemCommand(f"Problem {n}: {TOPICS[n]}", f"Go to screen {n} (key {n})",
                                partial(self.action_problem, n))
        yield SystemCommand("Help for this screen", "What it shows, its keys, the homework's text (key ?)",
                            self.action_help)
        yield SystemCommand("Saved models", "List, reload or delete trained models (key m)", self.action_models)
        yield SystemCommand("Save screenshot (SVG)", "Into the export directory (ctrl+s)", self.action_screenshot)
        yield SystemCommand("Plot marker: toggle blocks / dots", "For terminals without good Unicode fonts",
                            self.action_toggle_marker)

    def action_toggle_marker(self) -> None:
        self.plot_marker = "dot" if self.plot_marker == "hd" else "hd"
        self.state.update("app", marker=self.plot_marker)
        from tui.widgets.plot import Plot

        for screen in self.screen_stack:
            for plot in screen.query(Plot):
                plot.redraw()
        self.notify(f"plot marker: {self.plot_marker}")


def _import_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError:  # pragma: no cover - the screens that train say so themselves
        pass


def run_app(problem: int | None = None, fresh: bool = False) -> int:
    """Run the app in this terminal; returns the exit status."""
    app = Hw7App(problem=problem, fresh=fresh)
    app.run()
    return app.return_code or 0
