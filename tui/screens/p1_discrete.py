"""Problem 1 screen: edit p(x) and p(y|x); see the joint, the marginal, the backward conditional,
the round trip and a billion people moving, all recomputed on every accepted edit.

State: ``draft`` (the model being edited, valid or not) and ``setup`` (the P1Settings in force:
the last valid model, N, seed). Watchers do the rest: a new draft redraws the model table and,
when it is valid, becomes the setup's model; a new setup is solved and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label, Static, TabbedContent, Tabs, TabPane

from engine.discrete import (
    DEFAULT_MODEL, MAX_STATES, SUM_TOLERANCE, DiscreteModel, add_state, normalize, parse_probability,
    remove_state, state_label,
)
from engine.errors import InvalidInput
from engine.problems.p1_discrete import P1Result, P1Settings, solve_p1
from engine.settings import from_saved, spec_of
from tui.plots.people import draw_people, legend
from tui.render import csv_table, latex, markdown
from tui.screens.base import ProblemScreen
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
row is off and the results below keep showing the last valid model.

**Below: what the rules give**, recomputed on every accepted edit.
*Joint & marginal*: p(x,y) = p(x)p(y|x) (chain rule) and p̃(y) = Σx p(x,y) (marginalization).
*Backward & round trip*: Table 3, p(x|y) = p(x,y)/p̃(y) (conditioning, Bayes; "undefined" where
p̃(y) = 0), and Σy p̃(y)p(x|y) = p(x). The worked lines use the cell under the cursor.
*People*: N people (default 10⁹, up to 10¹⁵) moved with exact multinomial counts, seeded; the
"same people" column is the share of a state's people, after the return, who started there —
the distribution comes back, the people do not.

| key | what it does |
|---|---|
| `n` | normalize the row under the cursor (on the `p(x)` column or the Σ row: p(x)) |
| `a` / `d` | add a state (2–8) / delete the state under the cursor |
| `u` | undo the last delete or reset |
| `R` | reset the model, N and seed to the homework's defaults |
| `v` | next view (Joint · Backward · People) |
| `s` | a new seed for the people |
| `e` / `c` | export the tables (Markdown, LaTeX, CSV, the visible plot as text) / copy them (Markdown) |
| Esc | leave a box or cancel an edit |
"""


@dataclass(frozen=True)
class Draft:
    """The model as typed: p(x) and the rows of p(y|x), not necessarily valid."""

    px: tuple[float, ...]
    pyx: tuple[tuple[float, ...], ...]

    @classmethod
    def of(cls, px, pyx) -> "Draft":
        return cls(tuple(float(v) for v in px), tuple(tuple(float(v) for v in r) for r in pyx))


DEFAULT_DRAFT = Draft.of(DEFAULT_MODEL.p_x, DEFAULT_MODEL.p_y_given_x)


class P1Screen(ProblemScreen):
    PROBLEM = 1
    TOPIC = "Moving people: chain rule, marginal, Bayes"
    HELP = HELP
    CSS_PATH = "p1_discrete.tcss"

    BINDINGS = [
        Binding("n", "normalize", "Normalize"),
        Binding("a", "add_state", "Add"),
        Binding("d", "delete_state", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("R", "reset", "Reset"),
        Binding("v", "next_view", "View"),
        Binding("s", "new_seed", "Seed", show=False),
        Binding("e", "export", "Export"),
        Binding("c", "copy", "Copy", show=False),
    ]

    draft: reactive[Draft] = reactive(DEFAULT_DRAFT, init=False, always_update=True)
    setup: reactive[P1Settings] = reactive(P1Settings, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__(id="p1")
        self.result: P1Result | None = None
        self._what = ""  # what the next draft is (for the message line)
        self._undo: list[tuple[Draft, P1Settings, str]] = []

    # ---- layout ----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="p1-body"):
            with Vertical(id="p1-edit"):
                yield EditableTable(check=self._check_cell, editable=self._is_editable,
                                    cell_name=self._cell_name, id="p1-model")
                yield MessageLine("", id="p1-message")
            with TabbedContent(id="p1-tabs"):
                with TabPane("Joint & marginal", id="tab-joint"):
                    with VerticalScroll():
                        yield TableView(id="p1-joint")
                        yield Static(id="p1-joint-rules", classes="rules")
                with TabPane("Backward & round trip", id="tab-back"):
                    with VerticalScroll():
                        yield TableView(id="p1-back")
                        yield Static(id="p1-back-rules", classes="rules")
                with TabPane("People", id="tab-people"):
                    with VerticalScroll():
                        with Horizontal(id="p1-people-inputs"):
                            yield Label("N")
                            yield SettingInput(spec_of(P1Settings, "people"), id="p1-n")
                            yield Label("seed")
                            yield SettingInput(spec_of(P1Settings, "seed"), id="p1-seed")
                            yield Static(legend(), id="p1-legend")
                        yield TableView(id="p1-people")
                        yield Plot(id="p1-bars")
                        yield Static(id="p1-people-note", classes="rules")

    def on_mount(self) -> None:
        super().on_mount()
        saved = self.settings()
        draft, model = _saved_draft(saved)
        setup, notes = from_saved(P1Settings, saved, model=model)
        self._what = "; ".join(notes)
        self.setup = setup
        self.draft = draft
        self.query_one(EditableTable).focus_table()

    def _save(self) -> None:
        m = self.setup.model
        self.save_settings(px=list(self.draft.px), pyx=[list(r) for r in self.draft.pyx], valid_px=list(m.p_x),
                           valid_pyx=[list(r) for r in m.p_y_given_x], people=self.setup.people, seed=self.setup.seed)

    # ---- the model table -------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.draft.px)

    @property
    def px(self) -> list[float]:
        return list(self.draft.px)

    @property
    def model(self) -> DiscreteModel:
        return self.setup.model

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

    def watch_draft(self, draft: Draft) -> None:
        n = len(draft.px)
        columns = ["x", "p(x)"] + [f"y={state_label(j)}" for j in range(n)] + ["Σ"]
        rows = [[state_label(i), _num(draft.px[i]), *map(_num, draft.pyx[i]), _sum(draft.pyx[i])] for i in range(n)]
        rows.append([Text("Σ", style="dim"), _sum(draft.px)] + [""] * (n + 1))
        self.query_one(EditableTable).set_grid(columns, rows)
        try:
            model = DiscreteModel.from_arrays(draft.px, draft.pyx)
        except InvalidInput as exc:
            self._message(f"✗ {exc}. The results still show the last valid model.", error=True)
        else:
            self._message(f"✓ {self._what}" if self._what else "✓ every row sums to 1 · Enter edits a cell")
            self.setup = replace(self.setup, model=model)
        self._what = ""
        self._save()

    def _set_draft(self, draft: Draft, what: str, undoable: bool = False) -> None:
        if undoable:
            self._undo.append((self.draft, self.setup, what))
        self._what = what
        self.draft = draft

    @on(EditableTable.CellEdited, "#p1-model")
    def _cell_edited(self, event: EditableTable.CellEdited) -> None:
        name = self._cell_name(event.row, event.col)
        value = parse_probability(event.text, name)
        px, pyx = list(self.draft.px), [list(r) for r in self.draft.pyx]
        if event.col == 1:
            px[event.row] = value
        else:
            pyx[event.row][event.col - 2] = value
        self._set_draft(Draft.of(px, pyx), f"{name} = {_num(value)}")

    @on(EditableTable.Refused)
    def _cell_refused(self, event: EditableTable.Refused) -> None:
        self._message(event.message, error=True)

    @on(EditableTable.Cancelled)
    def _cell_cancelled(self) -> None:
        self._message("edit cancelled; nothing changed")

    def _message(self, text: str, *, error: bool = False) -> None:
        self.query_one("#p1-message", MessageLine).show(text, error=error)

    # ---- results ---------------------------------------------------------------------------------
    def watch_setup(self, setup: P1Settings) -> None:
        self.result = result = solve_p1(setup)
        self.query_one("#p1-joint", TableView).show(result.joint_table())
        self.query_one("#p1-back", TableView).show(result.backward_table())
        people = result.people_table()
        self.query_one("#p1-people", TableView).show(replace(people, notes=()))  # the note goes under the plot
        self.query_one("#p1-people-note", Static).update("\n".join(people.notes))
        plot = self.query_one("#p1-bars", Plot)
        plot.draw(lambda plt: draw_people(plt, result, plot.marker))
        for box in self.query(SettingInput):
            if box.in_force != getattr(setup, box.spec.name):
                box.set_in_force(getattr(setup, box.spec.name))
        self._update_rules()
        self._save()

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

    # ---- people boxes ----------------------------------------------------------------------------
    @on(SettingInput.Changed)
    def _box_changed(self, event: SettingInput.Changed) -> None:
        self.setup = replace(self.setup, **{event.name: event.value})
        self._message(f"✓ {event.box.spec.label} = {event.box.spec.format(event.value)}")

    @on(SettingInput.Refused)
    def _box_refused(self, event: SettingInput.Refused) -> None:
        self._message(f"✗ {event.message} — fix it, or Esc to keep {event.box.spec.format(event.box.in_force)}", error=True)

    # ---- actions -----------------------------------------------------------------------------------
    def action_normalize(self) -> None:
        cursor = self.query_one(EditableTable).table.cursor_coordinate
        px, pyx = list(self.draft.px), [list(r) for r in self.draft.pyx]
        try:
            if cursor.column == 1 or cursor.row >= self.n:
                px, what = list(normalize(px)), "normalized p(x)"
            else:
                pyx[cursor.row] = list(normalize(pyx[cursor.row]))
                what = f"normalized row x={state_label(cursor.row)}"
        except InvalidInput as exc:
            self._message(f"✗ {exc}", error=True)
            return
        self._set_draft(Draft.of(px, pyx), what)

    def action_add_state(self) -> None:
        if self.n >= MAX_STATES:
            self._message(f"✗ at most {MAX_STATES} states", error=True)
            return
        self._set_draft(Draft.of(*add_state(self.draft.px, self.draft.pyx)),
                        f"added state {state_label(self.n)} (empty; its people would stay put)")

    def action_delete_state(self) -> None:
        k = min(self.query_one(EditableTable).table.cursor_coordinate.row, self.n - 1)
        try:
            px, pyx = remove_state(self.draft.px, self.draft.pyx, k)
        except InvalidInput as exc:
            self._message(f"✗ {exc}", error=True)
            return
        self._set_draft(Draft.of(px, pyx), f"deleted state {state_label(k)}; p(x) and the rows were renormalized"
                        " (u undoes)", undoable=True)

    def action_reset(self) -> None:
        what = "reset the model, N and seed to the homework's defaults (u undoes)"
        self._undo.append((self.draft, self.setup, what))
        self.setup = replace(P1Settings(), model=self.setup.model)
        self._set_draft(DEFAULT_DRAFT, what)

    def action_undo(self) -> None:
        if not self._undo:
            self._message("nothing to undo (u undoes a delete or a reset)")
            return
        draft, setup, what = self._undo.pop()
        self.setup = setup
        self._set_draft(draft, f"undid: {what.removesuffix(' (u undoes)')}")

    def action_next_view(self) -> None:
        self.query_one(Tabs).action_next_tab()

    def action_new_seed(self) -> None:
        self.setup = replace(self.setup, seed=self.setup.seed + 1)
        self._message(f"✓ seed = {self.setup.seed}")

    def export_files(self) -> dict[str, str]:
        if self.result is None:
            return {}
        values = self.result.values_table()
        return {"hw7-p1-tables.md": markdown(self.result.tables()), "hw7-p1-tables.tex": latex(self.result.homework_tables()),
                "hw7-p1-tables.csv": csv_table(values.headers, values.text_rows())}


def _saved_draft(saved: dict) -> tuple[Draft, DiscreteModel]:
    """The saved draft (else the default) and the saved last valid model (else the default)."""
    try:
        draft = Draft.of(saved["px"], saved["pyx"])
        if len(draft.pyx) != len(draft.px) or any(len(r) != len(draft.px) for r in draft.pyx) \
                or not 2 <= len(draft.px) <= MAX_STATES:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        draft = DEFAULT_DRAFT
    try:
        model = DiscreteModel.from_arrays(saved["valid_px"], saved["valid_pyx"])
    except (InvalidInput, KeyError, TypeError, ValueError):
        model = DEFAULT_MODEL
    return draft, model


def _num(v: float) -> str:
    return f"{v:.6g}"


def _sum(values) -> Text:
    total = sum(values)
    return Text(f"{total:.6g}", style="" if abs(total - 1) <= SUM_TOLERANCE else "bold red")
