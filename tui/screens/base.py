"""What every problem screen shares: title, header/footer, help text, saved settings.

A problem screen subclasses :class:`ProblemScreen`, sets ``PROBLEM`` and ``HELP`` (its title is in ``TOPICS``)
and implements :meth:`compose_body`. It keeps its settings in the app's state store under
``p<N>`` through :meth:`settings` / :meth:`save_settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane, Tabs

from engine.errors import InvalidInput, WriteError
from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.atomic import write_atomic
from tui.homework import statement
from tui.memory import settle
from tui.state import export_dir
from tui.widgets.setting_input import MessageLine, SettingInput

SETTLE_S = 1.0
"""Seconds after a screen mounts before what it built is settled (tui.memory): its first results are in."""

TOPICS = {
    1: "Moving people: chain rule, marginal, Bayes",
    2: "Backward conditional of a Gaussian mixture",
    3: "Learning the score of a random walk",
    4: "Predicting x₀: the ε target",
    5: "The toy-diffusion swiss roll",
}


EXPORT_KEYS = [Binding("e", "export", "Export"), Binding("c", "copy", "Copy", show=False)]
"""e writes this screen's tables and visible plots into the export directory, c copies the tables."""


@dataclass(frozen=True)
class View:
    """One view (tab) of a screen, declared as data: its title, its pane's id, what it holds (a
    function that makes the widgets, called at compose), and how: ``scroll`` (a VerticalScroll
    around them) or ``pair`` (side by side, ``Horizontal.pair``)."""

    title: str
    id: str
    widgets: Callable[[], Iterable[Widget]]
    scroll: bool = False
    pair: bool = False


def compose_views(tabs_id: str, views: Iterable[View]) -> ComposeResult:
    """The TabbedContent of a screen's views, in their order (``v`` and Textual's own tab keys cycle them)."""
    with TabbedContent(id=tabs_id):
        for view in views:
            with TabPane(view.title, id=view.id):
                if view.scroll:
                    yield VerticalScroll(*view.widgets())
                elif view.pair:
                    yield Horizontal(*view.widgets(), classes="pair")
                else:
                    yield from view.widgets()


def numbered_names(folder: Path, names: list[str]) -> dict[str, str]:
    """name → the name to write: the names as given when none exists yet in ``folder``, else all with
    the same smallest free number (``hw7-p3-tables-2.md``, ``hw7-p3-plot-2.txt``), so one export's
    files stay together and an earlier export is never overwritten."""
    k = 1
    while True:
        out = {n: n if k == 1 else f"{Path(n).stem}-{k}{Path(n).suffix}" for n in names}
        if not any((folder / n).exists() for n in out.values()):
            return out
        k += 1


class ProblemScreen(Screen):
    """Base of the five problem screens."""

    PROBLEM: ClassVar[int] = 0
    HELP: ClassVar[str] = ""
    """Markdown: what the screen shows and what its keys do (shown by `?` above the homework)."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="∇")
        yield from self.compose_body()
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        self.title = self.heading
        self.sub_title = ""
        self.call_after_refresh(settle)  # the screen's widgets live as long as the app (tui.memory) …
        self.set_timer(SETTLE_S, settle)  # … and so do its first results

    @property
    def heading(self) -> str:
        """The screen's title: "Problem 2 — Backward conditional of a Gaussian mixture"."""
        return f"Problem {self.PROBLEM} — {TOPICS.get(self.PROBLEM, '')}"

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

    # ---- the message line and the boxes ------------------------------------------------------------
    def show_message(self, text: str, *, error: bool = False) -> None:
        """What was just done, or what is wrong, on the screen's one MessageLine."""
        self.query_one(MessageLine).show(text, error=error)

    @on(SettingInput.Refused)
    def _box_refused(self, event: SettingInput.Refused) -> None:
        self.show_message(f"✗ {event.message} — fix it, or Esc to keep {event.box.spec.format(event.box.in_force)}",
                          error=True)

    @on(events.DescendantBlur)
    def _box_left(self, event: events.DescendantBlur) -> None:
        """Escape (or Tab) left a refused box showing the value in force again: its error is stale."""
        box = event.widget
        if (isinstance(box, SettingInput) and box.value == box.spec.format(box.in_force)
                and self.query_one(MessageLine).has_class("-error")):
            self.show_message(self.kept_text(box))

    def kept_text(self, box: SettingInput) -> str:
        """What the message line says then: nothing (screens 1–2 say which value was kept)."""
        return ""

    def action_next_view(self) -> None:
        """The next view, through Textual's own Tabs action (the order is the tabs' order)."""
        self.query_one(TabbedContent).query_one(Tabs).action_next_tab()

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
        """Every plot the user is looking at (both panels of a pair), as plain text."""
        import plotext

        from tui.widgets.plot import Plot

        shown = [plotext.uncolorize(plot.plt.build()) for plot in self.query(Plot)
                 if plot.display and plot.is_on_screen and plot.size.area]
        return "\n\n".join(shown) or None

    def action_export(self) -> None:
        """Write this screen's tables (and its visible plots, as text) into the export directory,
        numbered so that a second export never overwrites the first."""
        files = dict(self.export_files())
        plot = self.visible_plot_text()
        if plot:
            files[f"hw7-p{self.PROBLEM}-plot.txt"] = plot
        if not files:
            self.notify("nothing to export on this screen yet", severity="warning")
            return
        folder = export_dir()
        names = numbered_names(folder, list(files))
        try:
            paths = [write_atomic(folder / name, files[original], make_parent=True)
                     for original, name in names.items()]
        except (WriteError, OSError) as exc:
            self.notify(f"could not export to {folder}: {getattr(exc, 'reason', None) or exc}",
                        severity="error", timeout=8)
            return
        self.notify(f"{len(paths)} files written to {folder}: " + ", ".join(p.name for p in paths), title="Export")

    def action_copy(self) -> None:
        """Send this screen's Markdown tables to the clipboard through the terminal (OSC 52: works
        over SSH where the terminal allows it; no terminal says whether it did, so say so)."""
        markdown = next((text for name, text in self.export_files().items() if name.endswith(".md")), None)
        if markdown is None:
            self.notify("nothing to copy on this screen yet", severity="warning")
            return
        self.app.copy_to_clipboard(markdown)
        self.notify("the tables (Markdown) were sent to the terminal's clipboard (OSC 52). If nothing "
                    "arrives, your terminal does not allow it (tmux: set -g set-clipboard on); `e` writes "
                    "the same tables to a file.", title="Copy", timeout=8)

    # ---- help --------------------------------------------------------------------------------
    def key_rows(self) -> list[tuple[str, str]]:
        """(key, what it does) for every key this screen answers right now, app keys included:
        the help's key table is made from the bindings themselves, so it cannot miss one."""
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for active in self.app.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            rows.append((self.app.get_key_display(binding), binding.description))
        return rows

    def help_markdown(self) -> str:
        keys = "\n".join(f"| `{key}` | {what} |" for key, what in self.key_rows())
        return (f"# {self.heading}\n\n"
                f"{self.HELP.strip()}\n\n"
                f"## Keys\n\n| key | does |\n|---|---|\n{keys}\n\n"
                "`ctrl+p` lists every action as a command.\n\n"
                f"---\n\n## The homework's text\n\n{statement(self.PROBLEM)}")
