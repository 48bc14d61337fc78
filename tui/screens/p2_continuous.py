"""Problem 2 screen: the exact backward conditional of a Gaussian mixture against the homework's
small-σ² approximation N(y + σ²∇log p(y), σ²), how its error shrinks with σ², and particles."""

from __future__ import annotations

import math

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane

from engine.errors import InvalidInput
from engine.mixture import DEFAULT_MIXTURE, GaussianMixture
from engine.posterior import (
    DEFAULT_SIGMA2, DEFAULT_Y, PosteriorComparison, check_sigma2, check_y, compare, error_rates,
    marginal_density, particles_near,
)
from tui.export import p2_tables, tables_csv, tables_markdown
from tui.screens.base import ProblemScreen
from tui.widgets.edit_table import EditableTable
from tui.widgets.plot import Plot

MAX_COMPONENTS = 8
DEFAULT_PARTICLES = 1_000_000
COLUMNS = ("k", "weight", "mean", "std")

HELP = """
**Top: p(x), a Gaussian mixture** Σk wk N(μk, sk²), one row per component (weights are
normalized for you). Arrows move, **Enter** edits, **Enter** commits, **Escape** cancels;
**a** adds a component, **d** deletes the one under the cursor. **σ²** (the noise variance, > 0)
and **y** (the observed point) are edited in the boxes beside it (Tab to reach them), or with
`[` / `]` (σ² ÷ 2 / × 2) and `,` / `.` (y − 0.1 / y + 0.1).

**The summary line** gives the exact p(x|y) (a mixture again: component k has mean
(μkσ² + y sk²)/(sk² + σ²), variance sk²σ²/(sk² + σ²), weight ∝ wk N(y; μk, sk² + σ²)) against the
approximation N(y + σ²∇log p(y), σ²): both means and variances, and the TV and KL between them.

**Views** (`v` cycles): *Densities* p(x) and the noisy marginal p̃(y) = Σk wk N(μk, sk² + σ²),
with y marked; *Posterior* the exact p(x|y) and the approximation on the same axes, zoomed on y;
*Error vs σ²* the approximation's errors over five decades of σ² with the fitted rate
(error ∝ (σ²)^rate: mean, variance and KL shrink like σ⁴, TV like σ²); *Particles* N particles
from p(x), moved by the noise, and the origins of those that land within σ/10 of y, against
both densities (`s` draws a new seed).

`e` exports the tables (Markdown, CSV) and the visible plot (text) to the export directory,
`c` copies the Markdown tables to the clipboard.
"""


class P2Screen(ProblemScreen):
    PROBLEM = 2
    TOPIC = "Backward conditional of a Gaussian mixture"
    HELP = HELP
    CSS_PATH = "p2_continuous.tcss"

    BINDINGS = [
        Binding("a", "add_component", "Add"),
        Binding("d", "delete_component", "Delete"),
        Binding("left_square_bracket", "scale_sigma2(0.5)", "σ²÷2", key_display="["),
        Binding("right_square_bracket", "scale_sigma2(2.0)", "σ²×2", key_display="]"),
        Binding("comma", "shift_y(-0.1)", "y−", key_display=","),
        Binding("full_stop", "shift_y(0.1)", "y+", key_display="."),
        Binding("v", "next_view", "View"),
        Binding("s", "new_seed", "Seed", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("c", "copy", "Copy", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="p2")
        self.mixture: GaussianMixture = DEFAULT_MIXTURE  # last valid p(x)
        self.rows: list[list[float]] = _rows_of(DEFAULT_MIXTURE)  # the draft being edited
        self.sigma2 = DEFAULT_SIGMA2
        self.y = DEFAULT_Y
        self.n_particles = DEFAULT_PARTICLES
        self.seed = 0

    # ---- layout -------------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="p2-body"):
            with Vertical(id="p2-edit"):
                with Horizontal(id="p2-top"):
                    yield EditableTable(check=self._check_cell, editable=lambda r, c: c > 0,
                                        cell_name=self._cell_name, id="p2-mixture")
                    with Vertical(id="p2-params"):
                        with Horizontal(classes="param"):
                            yield Label("σ² ")
                            yield Input(id="p2-sigma2")
                        with Horizontal(classes="param"):
                            yield Label("y  ")
                            yield Input(id="p2-y")
                        with Horizontal(classes="param"):
                            yield Label("N  ")
                            yield Input(id="p2-n", type="integer")
                        with Horizontal(classes="param"):
                            yield Label("seed")
                            yield Input(id="p2-seed", type="integer")
                yield Static("", id="p2-message", classes="message")
                yield Static("", id="p2-summary")
            with TabbedContent(id="p2-tabs"):
                with TabPane("Densities", id="tab-densities"):
                    yield Plot(id="p2-densities")
                with TabPane("Posterior", id="tab-posterior"):
                    yield Plot(id="p2-posterior")
                with TabPane("Error vs σ²", id="tab-errors"):
                    with VerticalScroll():
                        yield DataTable(id="p2-errors", cursor_type="none", zebra_stripes=True)
                        yield Static(id="p2-rates", classes="rules")
                with TabPane("Particles", id="tab-particles"):
                    yield Plot(id="p2-particles")

    def on_mount(self) -> None:
        super().on_mount()
        self._restore()
        self._refresh_table()
        self._recompute()
        self.query_one(EditableTable).focus_table()

    # ---- saved state --------------------------------------------------------------------------------
    def _restore(self) -> None:
        saved = self.settings()
        if isinstance(saved.get("mixture"), str):
            try:
                self.mixture = GaussianMixture.parse(saved["mixture"])
            except InvalidInput:
                self.mixture = DEFAULT_MIXTURE
        self.rows = _rows_of(self.mixture)
        draft = saved.get("draft")
        if isinstance(draft, list) and 1 <= len(draft) <= MAX_COMPONENTS and all(
                isinstance(r, list) and len(r) == 3 and all(isinstance(v, (int, float)) for v in r) for r in draft):
            self.rows = [[float(v) for v in r] for r in draft]
        for name, low in (("sigma2", 0.0), ("y", None)):
            value = saved.get(name)
            if isinstance(value, (int, float)) and math.isfinite(value) and (low is None or value > low):
                setattr(self, name, float(value))
        if isinstance(saved.get("particles"), int) and 1 <= saved["particles"] <= 10**7:
            self.n_particles = saved["particles"]
        if isinstance(saved.get("seed"), int) and saved["seed"] >= 0:
            self.seed = saved["seed"]
        self._show_params()
        self._validate_draft()

    def _show_params(self) -> None:
        self.query_one("#p2-sigma2", Input).value = f"{self.sigma2:g}"
        self.query_one("#p2-y", Input).value = f"{self.y:g}"
        self.query_one("#p2-n", Input).value = str(self.n_particles)
        self.query_one("#p2-seed", Input).value = str(self.seed)

    def _save(self) -> None:
        self.save_settings(mixture=self.mixture.format(), draft=self.rows, sigma2=self.sigma2, y=self.y,
                           particles=self.n_particles, seed=self.seed)

    # ---- the mixture table ----------------------------------------------------------------------------
    def _cell_name(self, row: int, col: int) -> str:
        return f"{COLUMNS[col]} of component {row + 1}"

    def _check_cell(self, row: int, col: int, text: str) -> str | None:
        try:
            _parse_cell(text, col, self._cell_name(row, col))
        except InvalidInput as exc:
            return str(exc)
        return None

    def _refresh_table(self) -> None:
        rows = [[str(k + 1)] + [f"{v:.6g}" for v in r] for k, r in enumerate(self.rows)]
        self.query_one(EditableTable).set_grid(list(COLUMNS), rows)

    @on(EditableTable.CellEdited, "#p2-mixture")
    def _cell_edited(self, event: EditableTable.CellEdited) -> None:
        value = _parse_cell(event.text, event.col, self._cell_name(event.row, event.col))
        self.rows[event.row][event.col - 1] = value
        self._after_edit(f"{self._cell_name(event.row, event.col)} = {value:g}")

    def _after_edit(self, what: str) -> None:
        self._refresh_table()
        if self._validate_draft(what):
            self._recompute()
        self._save()

    def _validate_draft(self, what: str = "") -> bool:
        try:
            mixture = GaussianMixture(*(tuple(c) for c in zip(*self.rows))).check_input()  # typed: input limits
        except InvalidInput as exc:
            self._message(f"✗ {exc}. The plots still show the last valid p(x).", error=True)
            return False
        self.mixture = mixture
        self._message(f"✓ {what}" if what else f"p(x) = {mixture.format()}", error=False)
        return True

    def _message(self, text: str, *, error: bool) -> None:
        message = self.query_one("#p2-message", Static)
        message.update(text)
        message.set_class(error, "-error").set_class(not error, "-ok")

    # ---- results ----------------------------------------------------------------------------------------
    def _recompute(self) -> None:
        c = compare(self.mixture, self.sigma2, self.y)
        self.query_one("#p2-summary", Static).update(
            f"p(x|y={c.y:g}), σ²={c.sigma2:g}:  exact mean {c.exact_mean:.5g}, var {c.exact_variance:.5g}  │  "
            f"approx mean {c.approx.mean:.5g}, var {c.approx.variance:.5g}\n"
            f"errors: |Δmean| {c.mean_error:.3g}  |Δvar| {c.variance_error:.3g}  TV {c.tv:.3g}  KL {c.kl:.3g}")
        self._draw_densities()
        self._draw_posterior(c)
        self._fill_errors()
        self._draw_particles(c)

    def _draw_densities(self) -> None:
        lo, hi = self.mixture.support(4.0)
        xs = np.linspace(lo, hi, 241)
        px, py = self.mixture.pdf(xs), marginal_density(self.mixture, self.sigma2).pdf(xs)
        plot = self.query_one("#p2-densities", Plot)
        y = self.y

        def draw(plt) -> None:
            plt.plot(xs.tolist(), px.tolist(), label="p(x)", marker=plot.marker)
            plt.plot(xs.tolist(), py.tolist(), label="p̃(y) = p ∗ N(0,σ²)", marker=plot.marker)
            if lo <= y <= hi:
                plt.vline(y, "red")
            plt.title(f"p(x) and the noisy marginal p̃(y); y = {y:g} in red")

        plot.draw(draw)

    def _draw_posterior(self, c: PosteriorComparison) -> None:
        sd = math.sqrt(max(c.exact_variance, c.approx.variance))
        center = 0.5 * (c.exact_mean + c.approx.mean)
        xs = np.linspace(center - 4.5 * sd, center + 4.5 * sd, 241)
        plot = self.query_one("#p2-posterior", Plot)

        def draw(plt) -> None:
            plt.plot(xs.tolist(), c.exact.pdf(xs).tolist(), label="exact p(x|y)", marker=plot.marker)
            plt.plot(xs.tolist(), c.approx.pdf(xs).tolist(), label="N(y+σ²∇log p(y), σ²)", marker=plot.marker)
            plt.title(f"backward conditional at y = {c.y:g}, σ² = {c.sigma2:g}  (TV {c.tv:.3g})")

        plot.draw(draw)

    def _fill_errors(self) -> None:
        rates = error_rates(self.mixture, self.y)
        table = self.query_one("#p2-errors", DataTable)
        table.clear(columns=True)
        table.add_columns("σ²", "|Δmean|", "|Δvar|", "TV", "KL")
        for r in rates.rows:
            table.add_row(f"{r.sigma2:g}", *(f"{v:.2e}" for v in (r.mean_error, r.variance_error, r.tv, r.kl)))
        table.add_row("rate", *(f"{v:.2f}" for v in (rates.rate_mean, rates.rate_variance, rates.rate_tv, rates.rate_kl)))
        from tui.explain import explain_p2_rates

        self.query_one("#p2-rates", Static).update(explain_p2_rates(rates))

    def _draw_particles(self, c: PosteriorComparison) -> None:
        check = particles_near(self.mixture, self.sigma2, self.y, n=self.n_particles, seed=self.seed)
        plot = self.query_one("#p2-particles", Plot)
        if check.n_selected < 2:
            plot.draw(lambda plt: plt.title(f"no particle of {check.n_particles:,} landed within "
                                            f"±{check.window:.3g} of y: raise N or move y"))
            return
        sd = math.sqrt(c.exact_variance)
        lo, hi = c.exact_mean - 4 * sd, c.exact_mean + 4 * sd
        counts, edges = np.histogram(check.origins, bins=40, range=(lo, hi))
        width = edges[1] - edges[0]
        density = counts / (check.n_selected * width)
        centers = np.round(0.5 * (edges[1:] + edges[:-1]), 4)
        xs = np.linspace(lo, hi, 161)

        def draw(plt) -> None:
            plt.bar(centers.tolist(), density.tolist(), label=f"origins of {check.n_selected:,} particles", width=1,
                    marker=plot.marker)
            plt.plot(xs.tolist(), c.exact.pdf(xs).tolist(), label="exact p(x|y)", marker=plot.marker)
            plt.plot(xs.tolist(), c.approx.pdf(xs).tolist(), label="approximation", marker=plot.marker)
            plt.title(f"{check.n_particles:,} particles, seed {check.seed}: where those landing at y came from")

        plot.draw(draw)

    # ---- parameter inputs ------------------------------------------------------------------------------
    @on(Input.Submitted, "#p2-sigma2")
    def _set_sigma2(self, event: Input.Submitted) -> None:
        self._set_param("sigma2", event, lambda t: check_sigma2(_float(t, "σ²")))

    @on(Input.Submitted, "#p2-y")
    def _set_y(self, event: Input.Submitted) -> None:
        self._set_param("y", event, lambda t: check_y(_float(t, "y")))

    @on(Input.Submitted, "#p2-n")
    def _set_n(self, event: Input.Submitted) -> None:
        self._set_param("n_particles", event, lambda t: _int(t, "N", 1, 10**7))

    @on(Input.Submitted, "#p2-seed")
    def _set_seed(self, event: Input.Submitted) -> None:
        self._set_param("seed", event, lambda t: _int(t, "seed", 0, 2**63 - 1))

    def _set_param(self, name: str, event: Input.Submitted, parse) -> None:
        try:
            value = parse(event.value)
        except InvalidInput as exc:
            self._message(f"✗ {exc}; keeping {getattr(self, name):g}", error=True)
            event.input.value = f"{getattr(self, name):g}"
            return
        setattr(self, name, value)
        self._message(f"✓ {event.input.id.removeprefix('p2-')} = {value:g}", error=False)
        self._recompute()
        self._save()

    # ---- actions ----------------------------------------------------------------------------------------
    def action_add_component(self) -> None:
        if len(self.rows) >= MAX_COMPONENTS:
            self._message(f"✗ at most {MAX_COMPONENTS} components", error=True)
            return
        self.rows.append([0.1, 0.0, 1.0])
        self._after_edit(f"added component {len(self.rows)} (weight 0.1, mean 0, std 1)")

    def action_delete_component(self) -> None:
        if len(self.rows) <= 1:
            self._message("✗ p(x) needs at least one component", error=True)
            return
        k = min(self.query_one(EditableTable).table.cursor_coordinate.row, len(self.rows) - 1)
        del self.rows[k]
        self._after_edit(f"deleted component {k + 1}")

    def action_scale_sigma2(self, factor: float) -> None:
        self.sigma2 = min(max(self.sigma2 * factor, 1e-6), 1e4)
        self._show_params()
        self._recompute()
        self._save()

    def action_shift_y(self, delta: float) -> None:
        self.y = round(self.y + delta, 10)
        self._show_params()
        self._recompute()
        self._save()

    def action_new_seed(self) -> None:
        self.seed += 1
        self._show_params()
        self._recompute()
        self._save()

    def export_files(self) -> dict[str, str]:
        tables = p2_tables(self.mixture, compare(self.mixture, self.sigma2, self.y), error_rates(self.mixture, self.y))
        return {"hw7-p2-tables.md": tables_markdown(tables), "hw7-p2-tables.csv": tables_csv(tables)}

    def action_next_view(self) -> None:
        tabs = self.query_one(TabbedContent)
        ids = ["tab-densities", "tab-posterior", "tab-errors", "tab-particles"]
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)] if tabs.active in ids else ids[0]


def _rows_of(m: GaussianMixture) -> list[list[float]]:
    return [[w, mu, s] for w, mu, s in zip(m.weights, m.means, m.stds)]


def _float(text: str, name: str) -> float:
    from engine.numbers import parse_number  # the one parser: ASCII digits, bounded, finite

    return parse_number(text, kind=float, name=name)


def _int(text: str, name: str, low: int, high: int) -> int:
    from engine.numbers import parse_number

    value = parse_number(text, kind=int, name=name)
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low:,} to {high:,}, got {value:,}")
    return value


def _parse_cell(text: str, col: int, name: str) -> float:
    value = _float(text, name)
    if col == 1 and value < 0:
        raise InvalidInput(f"{name}: a weight must be ≥ 0, got {value:g}")
    if col == 3 and value <= 0:
        raise InvalidInput(f"{name}: a standard deviation must be > 0, got {value:g}")
    return value
