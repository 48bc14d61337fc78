"""Problem 2 screen: the exact backward conditional of a Gaussian mixture against the homework's
small-σ² approximation N(y + σ²∇log p(y), σ²), how its error shrinks with σ², and particles.

State: ``draft`` (the mixture's rows as typed) and ``setup`` (the P2Settings in force). A valid
draft becomes the setup's mixture by watching; a new setup is computed and shown by watching.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from engine.errors import InvalidInput
from engine.problems.p2_continuous import (
    COMPONENT, MAX_COMPONENTS, SIGMA2, P2Settings, component_value, compare_p2, mixture_rows,
    mixture_text,
)
from engine.settings import from_saved, specs_of
from tui.plots.posterior import draw_densities, draw_particles, draw_posterior
from tui.render import csv_text, markdown
from tui.screens.base import View
from tui.screens.editing import UNDO_KEYS, UNDOES, VIEW_KEYS, EditingScreen, in_force
from tui.widgets.edit_table import EditableTable
from tui.widgets.plot import Plot
from tui.widgets.setting_input import MessageLine, SettingInput
from tui.widgets.table_view import TableView

Rows = tuple[tuple[float, float, float], ...]
DEFAULT_ROWS: Rows = mixture_rows(P2Settings().mixture)
COLUMNS = ("k", "weight", "mean", "std")

HELP = """
**Top: p(x), a Gaussian mixture** Σk wk N(μk, sk²), one row per component (weights are
normalized for you). Arrows move, **Enter** edits a cell, **Enter** commits, **Escape** cancels;
a refused value is explained on the line under the table and stays in the editor. **σ²**, **y**,
**N** (particles) and **seed** are edited in the boxes beside it (Tab reaches them; Enter sets,
Escape leaves without changing). Every box and cell takes `0.25`, `1e-3`, `1e6`.

**The summary** gives the exact p(x|y) (a mixture again: component k has mean
(μkσ² + y sk²)/(sk² + σ²), variance sk²σ²/(sk² + σ²), weight ∝ wk N(y; μk, sk² + σ²)) against the
approximation N(y + σ²∇log p(y), σ²): both means and variances, and the TV and KL between them.

**Views**: *Densities* p(x) and the noisy marginal p̃(y) = Σk wk N(μk, sk² + σ²), with y marked;
*Posterior* the exact p(x|y) and the approximation on the same axes, zoomed on y; *Error vs σ²*
the approximation's errors over five decades of σ² with the fitted rate (error ∝ (σ²)^rate);
*Particles* N particles from p(x), moved by the noise, and the origins of those that land within
σ/10 of y, against both densities.

| key | what it does |
|---|---|
| `a` / `d` | add a component (up to 8) / delete the one under the cursor |
| `u` | undo the last delete or reset |
| `R` | reset p(x), σ², y, N and seed to the defaults |
| `[` / `]` | σ² ÷ 2 / × 2 (within 1e-6 … 100) |
| `,` / `.` | y − 0.1 / y + 0.1 |
| `v` | next view |
| `s` | a new seed for the particles |
| `e` / `c` | export the tables (Markdown, CSV) and the visible plot (text) / copy the tables (Markdown) |
| Esc | leave a box or cancel an edit |
"""


class P2Screen(EditingScreen):
    PROBLEM = 2
    HELP = HELP
    CSS_PATH = "p2_continuous.tcss"
    DEFAULT_DRAFT = DEFAULT_ROWS
    STALE = "The plots still show the last valid p(x)."

    BINDINGS = [
        Binding("a", "add_component", "Add", show=False),
        Binding("d", "delete_component", "Delete", show=False),
        *UNDO_KEYS,
        Binding("left_square_bracket", "scale_sigma2(0.5)", "σ²÷2", key_display="["),
        Binding("right_square_bracket", "scale_sigma2(2.0)", "σ²×2", key_display="]"),
        Binding("comma", "shift_y(-0.1)", "y−", key_display=",", show=False),
        Binding("full_stop", "shift_y(0.1)", "y+", key_display=".", show=False),
        *VIEW_KEYS,
    ]
    VIEWS = (
        View("Densities", "tab-densities", lambda: (Plot(id="p2-densities"),)),
        View("Posterior", "tab-posterior", lambda: (Plot(id="p2-posterior"),)),
        View("Error vs σ²", "tab-errors", lambda: (TableView(id="p2-errors"),), scroll=True),
        View("Particles", "tab-particles", lambda: (Plot(id="p2-particles"),)),
    )

    draft: reactive[Rows] = reactive(DEFAULT_ROWS, init=False, always_update=True)
    setup: reactive[P2Settings] = reactive(P2Settings, init=False, always_update=True)

    # ---- layout -------------------------------------------------------------------------------------
    def compose_editor(self) -> ComposeResult:
        with Horizontal(id="p2-top"):
            yield EditableTable(check=self._check_cell, editable=lambda r, c: c > 0, cell_name=self._cell_name,
                                id="p2-mixture")
            with Vertical(id="p2-params"):
                for spec in specs_of(P2Settings):
                    with Horizontal(classes="param"):
                        yield Label(spec.label)
                        yield SettingInput(spec, id=f"p2-{'n' if spec.name == 'particles' else spec.name}")
        yield MessageLine("", id="p2-message")
        yield Static("", id="p2-summary")

    def on_mount(self) -> None:
        super().on_mount()
        saved = self.settings()
        mixture = saved.get("mixture") if isinstance(saved.get("mixture"), str) else P2Settings().mixture
        try:
            setup, notes = from_saved(P2Settings, saved, mixture=mixture)
        except InvalidInput as exc:
            setup, notes = from_saved(P2Settings, saved, mixture=P2Settings().mixture)
            notes.append(f"saved p(x) refused ({exc}); using the default")
        try:
            draft = mixture_rows(mixture_text(saved["draft"]))
        except (InvalidInput, KeyError, TypeError, ValueError):
            draft = mixture_rows(setup.mixture)
        self.restore(setup, draft, notes)

    def save(self) -> None:
        s = self.setup
        self.save_settings(mixture=s.prior.format(), draft=[list(r) for r in self.draft], sigma2=s.sigma2, y=s.y,
                           particles=s.particles, seed=s.seed)

    # ---- what is in force (read-only names for the setup's fields) ----------------------------------
    mixture = in_force("prior")
    sigma2 = in_force("sigma2")
    y = in_force("y")
    seed = in_force("seed")

    # ---- the mixture table ----------------------------------------------------------------------------
    def _cell_name(self, row: int, col: int) -> str:
        return f"{COLUMNS[col]} of component {row + 1}"

    def _check_cell(self, row: int, col: int, text: str) -> str | None:
        """None, or the spec's message naming the cell: "mean of component 2 must be from …"."""
        spec = COMPONENT[col - 1]
        try:
            spec.parse(text)
        except InvalidInput as exc:
            return self._cell_name(row, col) + str(exc).removeprefix(spec.label)
        return None

    def show_draft(self, rows: Rows) -> None:
        grid = [[str(k + 1)] + [spec.format(v) for spec, v in zip(COMPONENT, r)] for k, r in enumerate(rows)]
        self.query_one(EditableTable).set_grid(list(COLUMNS), grid)

    def setup_for(self, rows: Rows) -> P2Settings:
        return replace(self.setup, mixture=mixture_text(rows))

    def ready_text(self, setup: P2Settings) -> str:
        return f"p(x) = {setup.prior.format()}"

    @on(EditableTable.CellEdited, "#p2-mixture")
    def _cell_edited(self, event: EditableTable.CellEdited) -> None:
        value = component_value(COMPONENT[event.col - 1], event.text, event.row + 1)
        rows = [list(r) for r in self.draft]
        rows[event.row][event.col - 1] = value
        self.set_draft(tuple(tuple(r) for r in rows),
                        f"{self._cell_name(event.row, event.col)} = {COMPONENT[event.col - 1].format(value)}")

    # ---- results ----------------------------------------------------------------------------------------
    def show_setup(self, setup: P2Settings) -> None:
        self.result = result = compare_p2(setup)
        self.query_one("#p2-summary", Static).update(result.summary())
        for plot_id, draw in (("#p2-densities", draw_densities), ("#p2-posterior", draw_posterior),
                              ("#p2-particles", draw_particles)):
            plot = self.query_one(plot_id, Plot)
            plot.draw(lambda plt, plot=plot, draw=draw: draw(plt, result, plot.marker))
        self.query_one("#p2-errors", TableView).show(result.errors_table())

    # ---- actions ----------------------------------------------------------------------------------------
    def action_add_component(self) -> None:
        if len(self.draft) >= MAX_COMPONENTS:
            self.message(f"✗ at most {MAX_COMPONENTS} components", error=True)
            return
        self.set_draft(self.draft + ((0.1, 0.0, 1.0),), f"added component {len(self.draft) + 1} (weight 0.1, mean 0, std 1)")

    def action_delete_component(self) -> None:
        if len(self.draft) <= 1:
            self.message("✗ p(x) needs at least one component", error=True)
            return
        k = min(self.query_one(EditableTable).table.cursor_coordinate.row, len(self.draft) - 1)
        self.set_draft(self.draft[:k] + self.draft[k + 1:], f"deleted component {k + 1}" + UNDOES, undoable=True)

    def action_scale_sigma2(self, factor: float) -> None:
        sigma2 = min(max(self.setup.sigma2 * factor, SIGMA2.low), SIGMA2.high)
        self.message(f"✓ σ² = {SIGMA2.format(sigma2)}" + (" (the end of its range)" if sigma2 in (SIGMA2.low, SIGMA2.high) else ""))
        self.setup = replace(self.setup, sigma2=sigma2)

    def action_shift_y(self, delta: float) -> None:
        try:
            setup = replace(self.setup, y=round(self.setup.y + delta, 10))
        except InvalidInput as exc:
            self.message(f"✗ {exc}", error=True)
            return
        self.message(f"✓ y = {setup.y:g}")
        self.setup = setup

    def export_files(self) -> dict[str, str]:
        if self.result is None:
            return {}
        tables = self.result.tables()
        return {"hw7-p2-tables.md": markdown(tables), "hw7-p2-tables.csv": csv_text(tables)}
