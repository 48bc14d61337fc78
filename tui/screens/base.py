"""What every problem screen shares: title, header/footer, help text, saved settings.

A problem screen subclasses :class:`ProblemScreen`, sets ``PROBLEM``, ``TOPIC`` and ``HELP``
and implements :meth:`compose_body`. It keeps its settings in the app's state store under
``p<N>`` through :meth:`settings` / :meth:`save_settings`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from engine.errors import InvalidInput, WriteError
from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from tui.export import write_atomic
from tui.homework import statement
from tui.state import export_dir

TOPICS = {
    1: "Moving people: chain rule, marginal, Bayes",
    2: "Backward conditional of a Gaussian mixture",
    3: "Learning the score of a random walk",
    4: "Predicting x₀: the ε target",
    5: "The toy-diffusion swiss roll",
}


class ProblemScreen(Screen):
    """Base of the five problem screens."""

    PROBLEM: ClassVar[int] = 0
    TOPIC: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    """Markdown: what the screen shows and what its keys do (shown by `?` above the homework)."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="∇")
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        self.title = f"Problem {self.PROBLEM} — {self.TOPIC or TOPICS.get(self.PROBLEM, '')}"
        self.sub_title = ""

    # ---- settings --------------------------------------------------------------------------
    @property
    def section_name(self) -> str:
        return f"p{self.PROBLEM}"

    def settings(self) -> dict[str, Any]:
        """This problem's saved settings (a copy; empty on a fresh start)."""
        return self.app.state.section(self.section_name)

    def save_settings(self, **values: Any) -> None:
        """Save settings now (atomically); a failed save is reported, never fatal."""
        if not self.app.state.update(self.section_name, **values):
            self.notify(self.app.state.save_error or "could not save", severity="warning", timeout=6)

    def shared_mixture(self) -> GaussianMixture:
        """p(x) of Problem 2, which Problems 3 and 4 use as p₀."""
        text = self.app.state.section("p2").get("mixture")
        if isinstance(text, str):
            try:
                return GaussianMixture.parse(text)
            except InvalidInput:
                pass
        return DEFAULT_MIXTURE

    # ---- exports ---------------------------------------------------------------------------------
    def export_files(self) -> dict[str, str]:
        """File name → text of what this screen exports (tables as Markdown/CSV, …).
        Screens override this; the current plot is added by :meth:`action_export`."""
        return {}

    def visible_plot_text(self) -> str | None:
        """The plots the user is looking at (every displayed one: both panels of a pair), as plain
        text without colour codes (plotext's own uncolorize)."""
        from plotext import uncolorize

        from tui.widgets.plot import Plot

        shown = [uncolorize(plot.plt.build()) for plot in self.query(Plot)
                 if plot.display and plot.is_on_screen and plot.size.area]
        return "\n\n".join(shown) or None

    def action_export(self) -> None:
        """Write this screen's tables (and its visible plot, as text) into the export directory."""
        files = dict(self.export_files())
        plot = self.visible_plot_text()
        if plot:
            files[f"hw7-p{self.PROBLEM}-plot.txt"] = plot
        if not files:
            self.notify("nothing to export on this screen yet", severity="warning")
            return
        folder = export_dir()
        try:
            paths = [write_atomic(folder / name, text, make_parent=True) for name, text in files.items()]
        except (WriteError, OSError) as exc:
            self.notify(f"could not export to {folder}: {getattr(exc, 'reason', None) or exc}", severity="error", timeout=8)
            return
        self.notify(f"{len(paths)} files written to {folder}: " + ", ".join(p.name for p in paths), title="Export")

    def action_copy(self) -> None:
        """Copy this screen's Markdown export to the clipboard (through the terminal: works over SSH)."""
        markdown = next((text for name, text in self.export_files().items() if name.endswith(".md")), None)
        if markdown is None:
            self.notify("nothing to copy on this screen yet", severity="warning")
            return
        self.app.copy_to_clipboard(markdown)
        self.notify("the tables (Markdown) were copied to the clipboard", title="Copy")

    # ---- help --------------------------------------------------------------------------------
    def help_markdown(self) -> str:
        return (f"# Problem {self.PROBLEM} — {self.TOPIC or TOPICS.get(self.PROBLEM, '')}\n\n"
                f"{self.HELP.strip()}\n\n"
                "**Everywhere:** `1`–`5` switch problems · `?` this help · `ctrl+p` commands · "
                "`m` saved models · `ctrl+s` screenshot (SVG) · `ctrl+q` quit\n\n"
                f"---\n\n## The homework's text\n\n{statement(self.PROBLEM)}")


class StatementScreen(ProblemScreen):
    """A problem whose interactive screen is not built yet: its statement, readable."""

    HELP = "This screen shows the homework's statement for this problem."

    def __init__(self, problem: int) -> None:
        self.PROBLEM = problem  # type: ignore[misc]  # instance attribute shadows the ClassVar
        super().__init__(id=f"statement-{problem}")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="statement"):
            yield Markdown(statement(self.PROBLEM))
