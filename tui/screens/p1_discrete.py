"""Problem 1 screen: edit p(x) and p(y|x); see the joint, the marginal, the backward conditional,
the round trip and a billion people moving, all recomputed on every accepted edit.

State: ``draft`` (the model being edited, valid or not) and ``setup`` (the P1Settings in force:
the last valid model, N, seed). Watchers do the rest: a new draft redraws the model table and,
when it is valid, becomes the setup's model; a new setup is solved and shown.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label, Static

from engine.discrete import DEFAULT_MODEL, SUM_TOLERANCE, DiscreteModel, parse_probability, state_label
from engine.errors import InvalidInput
from engine.problems.p1_discrete import DEFAULT_DRAFT, P1Draft, P1Settings, solve_p1
from engine.settings import from_saved, spec_of
from tui.plots.people import draw_people, legend
from tui.render import csv_table, latex, markdown
from tui.screens.base import View
from tui.screens.editing import UNDO_KEYS, UNDOES, VIEW_KEYS, EditingScreen, in_force
from tui.widgets.edit_table import EditableTable
from tui.widgets.plot import Plot
from tui.widgets.setting_input import MessageLine, SettingInput
from tui.widgets.table_view import TableView

HELP = """
**Top: the model you edit.** Column `p(x)` is the initial distribution (Table 1); columns
`y=1…` are the transition probabilities p(y|x) (Table 2), one row per state x; `Σ` shows each
row's sum. Arrows move, **Enter** edits a cell (decimals, `1e-3` or fractions such as `1/3`),
**Enter** commits, **Escape** cancels; a refused value is explained on the line under the table
and stays in the editor. A row must sum to 1 (within 1e-9): until it does, that line says which
row is off and the results below keep showing the last valid model. **n** normalizes the row
under the cursor (on the `p(x)` column or the Σ row: p(x)).

**Below: what the rules give**, recomputed on every accepted edit.
*Joint & marginal*: p(x,y) = p(x)p(y|x) (chain rule) and p̃(y) = Σx p(x,y) (marginalization).
*Backward & round trip*: Table 3, p(x|y) = p(x,y)/p̃(y) (conditioning, Bayes; "undefined" where
p̃(y) = 0), and Σy p̃(y)p(x|y) = p(x). The worked lines use the cell under the cursor.
*People*: N people (default 10⁹, up to 10¹⁵) moved with exact multinomial counts, seeded; the
"same people" column is the share of a state's people, after the return, who started there —
the distribution comes back, the people do not.

| key | what it does |
|---|---|
| `n` | normalize the row under the cursor |
| `a` / `d` | add a state (2–8) / delete the state under the cursor |
| `u` | undo the last delete or reset |
| `R` | reset the model, N and seed to the homework's defaults |
| `v` | next view (Joint · Backward · People) |
| `s` | a new seed for the people |
| `e` / `c` | export the tables (Markdown, LaTeX, CSV, the visible plot as text) / copy them (Markdown) |
| Esc | leave a box or cancel an edit |
"""


class P1Screen(EditingScreen):
    PROBLEM = 1
    HELP = HELP
    CSS_PATH = "p1_discrete.tcss"
    DEFAULT_DRAFT = DEFAULT_DRAFT

    BINDINGS = [
        Binding("n", "normalize", "Normalize"),
        Binding("a", "add_state", "Add", show=False),
        Binding("d", "delete_state", "Delete", show=False),
        *UNDO_KEYS,
        *VIEW_KEYS,
    ]
    VIEWS = (
        View("Joint & marginal", "tab-joint", lambda: (TableView(id="p1-joint"),
                                                      Static(id="p1-joint-rules", classes="rules")), scroll=True),
        View("Backward & round trip", "tab-back", lambda: (TableView(id="p1-back"),
                                                          Static(id="p1-back-rules", classes="rules")), scroll=True),
        View("People", "tab-people", lambda: (
            Horizontal(Label("N"), SettingInput(spec_of(P1Settings, "people"), id="p1-n"),
                       Label("seed"), SettingInput(spec_of(P1Settings, "seed"), id="p1-seed"),
                       Static(legend(), id="p1-legend"), id="p1-people-inputs"),
            TableView(id="p1-people"), Plot(id="p1-bars"), Static(id="p1-people-note", classes="rules")), scroll=True),
    )

    draft: reactive[P1Draft] = reactive(DEFAULT_DRAFT, init=False, always_update=True)
    setup: reactive[P1Settings] = reactive(P1Settings, init=False, always_update=True)

    # ---- layout ----------------------------------------------------------------------------------
    def compose_editor(self) -> ComposeResult:
        yield EditableTable(check=self._check_cell, editable=self._is_editable, cell_name=self._cell_name, id="p1-model")
        yield MessageLine("", id="p1-message")

    def on_mount(self) -> None:
        super().on_mount()
        saved = self.settings()
        draft, model = _saved_draft(saved)
        setup, notes = from_saved(P1Settings, saved, model=model)
        self.restore(setup, draft, notes)

    def save(self) -> None:
        m = self.setup.model
        self.save_settings(px=list(self.draft.px), pyx=[list(r) for r in self.draft.pyx], valid_px=list(m.p_x),
                           valid_pyx=[list(r) for r in m.p_y_given_x], people=self.setup.people, seed=self.setup.seed)

    # ---- the model table -------------------------------------------------------------------------
    model = in_force("model")

    @property
    def n(self) -> int:
        return self.draft.n

    @property
    def px(self) -> list[float]:
        return list(self.draft.px)

    @property
    def people(self):
        return self.result.people if self.result else None

    def _is_editable(self, row: int, col: int) -> bool:
        return row < self.n and 1 <= col <= self.n + 1

    def _cell_name(self, row: int, col: int) -> str:
        if row >= self.n:
            return "the Σ row"
        if col == 1:
            return f"p(x={state_label(row)})"
        if 2 <= col <= self.n + 1:
            return f"p(y={state_label(col - 2)}|x={state_label(row)})"
        return f"the {'Σ' if col else 'state'} column"

    def _check_cell(self, row: int, col: int, text: str) -> str | None:
        try:
            parse_probability(text, self._cell_name(row, col))
        except InvalidInput as exc:
            return str(exc)
        return None

    def show_draft(self, draft: P1Draft) -> None:
        n = draft.n
        columns = ["x", "p(x)"] + [f"y={state_label(j)}" for j in range(n)] + ["Σ"]
        rows = [[state_label(i), _num(draft.px[i]), *map(_num, draft.pyx[i]), _sum(draft.pyx[i])] for i in range(n)]
        rows.append([Text("Σ", style="dim"), _sum(draft.px)] + [""] * (n + 1))
        self.query_one(EditableTable).set_grid(columns, rows)

    def setup_for(self, draft: P1Draft) -> P1Settings:
        return replace(self.setup, model=draft.model())

    def ready_text(self, setup: P1Settings) -> str:
        return "✓ every row sums to 1 · Enter edits a cell"

    @on(EditableTable.CellEdited, "#p1-model")
    def _cell_edited(self, event: EditableTable.CellEdited) -> None:
        name = self._cell_name(event.row, event.col)
        value = parse_probability(event.text, name)
        self.set_draft(self.draft.with_cell(event.row, event.col - 1, value), f"{name} = {_num(value)}")

    # ---- results ---------------------------------------------------------------------------------
    def show_setup(self, setup: P1Settings) -> None:
        self.result = result = solve_p1(setup)
        self.query_one("#p1-joint", TableView).show(result.joint_table())
        self.query_one("#p1-back", TableView).show(result.backward_table())
        people = result.people_table()
        self.query_one("#p1-people", TableView).show(replace(people, notes=()))  # the note goes under the plot
        self.query_one("#p1-people-note", Static).update("\n".join(people.notes))
        plot = self.query_one("#p1-bars", Plot)
        plot.draw(lambda plt: draw_people(plt, result, plot.marker))
        self._update_rules()

    def _update_rules(self) -> None:
        if self.result is None:
            return
        cursor = self.query_one(EditableTable).table.cursor_coordinate
        n = self.result.model.n
        x = min(cursor.row, n - 1)
        y = min(max(cursor.column - 2 if 2 <= cursor.column <= n + 1 else x, 0), n - 1)
        lines = self.result.rule_lines(x, y)
        self.query_one("#p1-joint-rules", Static).update(lines["joint"] + "\n" + lines["marginal"])
        undefined = self.result.result.undefined_y
        note = (f"\np(x|y) is undefined for y = {', '.join(state_label(j) for j in undefined)}: nobody arrives there."
                if undefined else "")
        self.query_one("#p1-back-rules", Static).update(lines["backward"] + "\n" + lines["round_trip"] + note)

    def on_data_table_cell_highlighted(self) -> None:
        self._update_rules()

    # ---- actions -----------------------------------------------------------------------------------
    def action_normalize(self) -> None:
        cursor = self.query_one(EditableTable).table.cursor_coordinate
        row = None if cursor.column == 1 or cursor.row >= self.n else cursor.row
        self.edit(lambda d: d.normalized(row), "normalized " + ("p(x)" if row is None else f"row x={state_label(row)}"))

    def action_add_state(self) -> None:
        self.edit(P1Draft.with_new_state, f"added state {state_label(self.n)} (empty; its people would stay put)")

    def action_delete_state(self) -> None:
        k = min(self.query_one(EditableTable).table.cursor_coordinate.row, self.n - 1)
        self.edit(lambda d: d.without_state(k),
                  f"deleted state {state_label(k)}; p(x) and the rows were renormalized" + UNDOES, undoable=True)

    def export_files(self) -> dict[str, str]:
        if self.result is None:
            return {}
        values = self.result.values_table()
        return {"hw7-p1-tables.md": markdown(self.result.tables()), "hw7-p1-tables.tex": latex(self.result.homework_tables()),
                "hw7-p1-tables.csv": csv_table(values.headers, values.text_rows())}


def _saved_draft(saved: dict) -> tuple[P1Draft, DiscreteModel]:
    """The saved draft (else the default) and the saved last valid model (else the default)."""
    try:
        draft = P1Draft.of(saved["px"], saved["pyx"])
    except (InvalidInput, KeyError):
        draft = DEFAULT_DRAFT
    try:
        model = P1Draft.of(saved["valid_px"], saved["valid_pyx"]).model()
    except (InvalidInput, KeyError):
        model = DEFAULT_MODEL
    return draft, model


def _num(v: float) -> str:
    return f"{v:.6g}"


def _sum(values) -> Text:
    total = sum(values)
    return Text(f"{total:.6g}", style="" if abs(total - 1) <= SUM_TOLERANCE else "bold red")
