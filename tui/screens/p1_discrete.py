"""Problem 1 screen: edit p(x) and p(y|x); see the joint, the marginal, the backward conditional,
the round trip and a billion people moving, all recomputed on every accepted edit."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane

from engine.discrete import (
    DEFAULT_MODEL, MAX_STATES, SUM_TOLERANCE, DiscreteModel, PeopleResult, add_state, move_people,
    normalize, parse_probability, remove_state, solve, state_label,
)
from engine.errors import InvalidInput
from tui.export import fmt, fmt_count, p1_csv, p1_latex, p1_markdown, p1_rule_lines, people_rows
from tui.screens.base import ProblemScreen
from tui.widgets.edit_table import EditableTable
from tui.widgets.plot import Plot

DEFAULT_PEOPLE = 10**9
MAX_PEOPLE = 10**15

HELP = """
**Top: the model you edit.** Column `p(x)` is the initial distribution (Table 1); columns
`y=1…` are the transition probabilities p(y|x) (Table 2), one row per state x; `Σ` shows each
row's sum. Arrows move, **Enter** edits a cell (decimals or fractions such as `1/3`), **Enter**
commits, **Escape** cancels. A row must sum to 1 (within 1e-9): until it does, the message says
which row is off and the results below keep showing the last valid model. **n** normalizes the
row under the cursor (on the `p(x)` column or the Σ row: p(x)). **a** adds a state (2–8),
**d** deletes the state under the cursor.

**Below: what the rules give**, recomputed on every accepted edit.
*Joint & marginal*: p(x,y) = p(x)p(y|x) (chain rule) and p̃(y) = Σx p(x,y) (marginalization).
*Backward & round trip*: Table 3, p(x|y) = p(x,y)/p̃(y) (conditioning, Bayes; "undefined" where
p̃(y) = 0), and Σy p̃(y)p(x|y) = p(x). The worked lines use the cell under the cursor.
*People*: N people (default 10⁹) moved with exact multinomial counts, seeded; bars before, after
moving and after the return trip; "same people" is the share of a state's people, after the
return, who started there — the distribution comes back, the people do not.

**Keys:** `v` next view · `s` new seed for the people · `e` export Tables 1–3 (Markdown,
LaTeX, CSV files, and the visible plot as text) · `c` copy them to the clipboard · `R` reset to the homework's defaults.
"""


class P1Screen(ProblemScreen):
    PROBLEM = 1
    TOPIC = "Moving people: chain rule, marginal, Bayes"
    HELP = HELP
    CSS_PATH = "p1_discrete.tcss"

    BINDINGS = [
        Binding("n", "normalize", "Normalize"),
        Binding("a", "add_state", "Add"),
        Binding("d", "delete_state", "Delete"),
        Binding("v", "next_view", "View"),
        Binding("s", "new_seed", "Seed", show=False),
        Binding("e", "export", "Export"),
        Binding("c", "copy", "Copy"),
        Binding("R", "reset", "Reset", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="p1")
        self.model: DiscreteModel = DEFAULT_MODEL  # the last valid model: what the results show
        self.px: list[float] = list(DEFAULT_MODEL.p_x)  # the draft being edited
        self.pyx: list[list[float]] = [list(r) for r in DEFAULT_MODEL.p_y_given_x]
        self.n_people = DEFAULT_PEOPLE
        self.seed = 0
        self.people: PeopleResult | None = None

    # ---- layout ----------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="p1-body"):
            with Vertical(id="p1-edit"):
                yield Label("Model: p(x) and p(y|x) — Enter edits a cell", classes="hint")
                yield EditableTable(check=self._check_cell, editable=self._is_editable,
                                    cell_name=self._cell_name, id="p1-model")
                yield Static("", id="p1-message", classes="message")
            with TabbedContent(id="p1-tabs"):
                with TabPane("Joint & marginal", id="tab-joint"):
                    with VerticalScroll():
                        yield DataTable(id="p1-joint", cursor_type="none", zebra_stripes=True)
                        yield Static(id="p1-joint-rules", classes="rules")
                with TabPane("Backward & round trip", id="tab-back"):
                    with VerticalScroll():
                        yield DataTable(id="p1-back", cursor_type="none", zebra_stripes=True)
                        yield Static(id="p1-back-rules", classes="rules")
                with TabPane("People", id="tab-people"):
                    with VerticalScroll():
                        with Horizontal(id="p1-people-inputs"):
                            yield Label("N")
                            yield Input(str(self.n_people), id="p1-n", type="integer")
                            yield Label("seed")
                            yield Input(str(self.seed), id="p1-seed", type="integer")
                        yield Plot(title="people (billions) per state", id="p1-bars")
                        yield DataTable(id="p1-people", cursor_type="none", zebra_stripes=True)
                        yield Static(id="p1-people-note", classes="rules")

    def on_mount(self) -> None:
        super().on_mount()
        self._restore()
        self._refresh_model_table()
        self._recompute()
        self.query_one(EditableTable).focus_table()

    # ---- saved state -----------------------------------------------------------------------------
    def _restore(self) -> None:
        saved = self.settings()
        try:
            px = [float(v) for v in saved["px"]]
            pyx = [[float(v) for v in row] for row in saved["pyx"]]
            if len(pyx) != len(px) or any(len(r) != len(px) for r in pyx) or not 2 <= len(px) <= MAX_STATES:
                raise ValueError
        except (KeyError, TypeError, ValueError):
            px, pyx = list(DEFAULT_MODEL.p_x), [list(r) for r in DEFAULT_MODEL.p_y_given_x]
        self.px, self.pyx = px, pyx
        if isinstance(saved.get("valid_px"), list):
            try:
                self.model = DiscreteModel.from_arrays(saved["valid_px"], saved["valid_pyx"])
            except (InvalidInput, KeyError, TypeError, ValueError):
                self.model = DEFAULT_MODEL
        if isinstance(saved.get("people"), int) and 1 <= saved["people"] <= MAX_PEOPLE:
            self.n_people = saved["people"]
        if isinstance(saved.get("seed"), int) and saved["seed"] >= 0:
            self.seed = saved["seed"]
        self.query_one("#p1-n", Input).value = str(self.n_people)
        self.query_one("#p1-seed", Input).value = str(self.seed)
        self._validate_draft(announce=False)

    def _save(self) -> None:
        self.save_settings(px=self.px, pyx=self.pyx, valid_px=list(self.model.p_x),
                           valid_pyx=[list(r) for r in self.model.p_y_given_x],
                           people=self.n_people, seed=self.seed)

    # ---- the model table -------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.px)

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

    def _refresh_model_table(self) -> None:
        n = self.n
        columns = ["x", "p(x)"] + [f"y={state_label(j)}" for j in range(n)] + ["Σ"]
        rows: list[list[Any]] = []
        for i in range(n):
            total = sum(self.pyx[i])
            ok = abs(total - 1) <= SUM_TOLERANCE
            rows.append([state_label(i), _num(self.px[i])] + [_num(v) for v in self.pyx[i]]
                        + [Text(f"{total:.4g}", style="" if ok else "bold red")])
        total_px = sum(self.px)
        ok = abs(total_px - 1) <= SUM_TOLERANCE
        rows.append([Text("Σ", style="dim"), Text(f"{total_px:.4g}", style="" if ok else "bold red")]
                    + [""] * n + [""])
        self.query_one(EditableTable).set_grid(columns, rows)

    @on(EditableTable.CellEdited, "#p1-model")
    def _cell_edited(self, event: EditableTable.CellEdited) -> None:
        name = self._cell_name(event.row, event.col)
        value = parse_probability(event.text, name)
        if event.col == 1:
            self.px[event.row] = value
        else:
            self.pyx[event.row][event.col - 2] = value
        self._after_edit(f"{name} = {_num(value)}")

    def _after_edit(self, what: str) -> None:
        self._refresh_model_table()
        if self._validate_draft(announce=True, what=what):
            self._recompute()
        self._save()

    def _validate_draft(self, *, announce: bool, what: str = "") -> bool:
        message = self.query_one("#p1-message", Static)
        try:
            model = DiscreteModel.from_arrays(self.px, self.pyx)
        except InvalidInput as exc:
            message.update(f"✗ {exc}. The results still show the last valid model.")
            message.set_class(True, "-error").set_class(False, "-ok")
            return False
        self.model = model
        message.update(f"✓ {what}" if announce and what else "✓ valid: every row sums to 1")
        message.set_class(False, "-error").set_class(True, "-ok")
        return True

    # ---- results ---------------------------------------------------------------------------------
    def _cursor_pair(self) -> tuple[int, int]:
        """(x, y) for the worked lines: the cursor's row, and its y column (else y = x)."""
        cursor = self.query_one(EditableTable).table.cursor_coordinate
        n = self.model.n
        x = min(cursor.row, n - 1)
        y = cursor.column - 2 if 2 <= cursor.column <= n + 1 else x
        return x, min(max(y, 0), n - 1)

    def _recompute(self) -> None:
        result = solve(self.model)
        n = self.model.n
        labels = [state_label(i) for i in range(n)]
        joint = self.query_one("#p1-joint", DataTable)
        joint.clear(columns=True)
        joint.add_columns("p(x,y)", *[f"y={l}" for l in labels], "p(x)")
        for i in range(n):
            joint.add_row(f"x={labels[i]}", *[fmt(v) for v in result.p_xy[i]], fmt(self.model.p_x[i]))
        joint.add_row(Text("p̃(y)", style="bold"), *[Text(fmt(v), style="bold") for v in result.p_y], "1")
        back = self.query_one("#p1-back", DataTable)
        back.clear(columns=True)
        back.add_columns("p(x|y)", *[f"x={l}" for l in labels], "p̃(y)")
        for j in range(n):
            back.add_row(f"y={labels[j]}", *[_maybe_undefined(v) for v in result.p_x_given_y[j]], fmt(result.p_y[j]))
        back.add_row(Text("round trip", style="bold"), *[Text(fmt(v), style="bold") for v in result.roundtrip_p_x], "")
        back.add_row("p(x)", *[fmt(v) for v in self.model.p_x], "")
        self._result = result
        self._update_rules()
        self._move_people()

    def _update_rules(self) -> None:
        x, y = self._cursor_pair()
        lines = p1_rule_lines(self._result, x, y)
        self.query_one("#p1-joint-rules", Static).update(lines["joint"] + "\n" + lines["marginal"])
        undefined = self._result.undefined_y
        note = (f"\np(x|y) is undefined for y = {', '.join(state_label(j) for j in undefined)}: nobody arrives there."
                if undefined else "")
        self.query_one("#p1-back-rules", Static).update(lines["backward"] + "\n" + lines["round_trip"] + note)

    @on(DataTable.CellHighlighted, "#p1-model #edit-table")
    def _cursor_moved(self) -> None:
        if hasattr(self, "_result"):
            self._update_rules()

    def _move_people(self) -> None:
        people = move_people(self.model, self.n_people, self.seed)
        self.people = people
        n = self.model.n
        labels = [state_label(i) for i in range(n)]
        scale = 1e9 if self.n_people >= 10**8 else 1.0
        unit = "billions" if scale == 1e9 else "people"
        series = [people.counts_x / scale, people.counts_y / scale, people.counts_back_x / scale]

        def draw(plt) -> None:
            plt.multiple_bar(labels, [s.tolist() for s in series], labels=["start", "after moving", "after return"],
                             marker=self.query_one("#p1-bars", Plot).marker)
            plt.xlabel("state")
            plt.ylabel(unit)

        self.query_one("#p1-bars", Plot).draw(draw)
        table = self.query_one("#p1-people", DataTable)
        table.clear(columns=True)
        table.add_columns("state", "start", "after moving", "after return", "same people")
        for row in people_rows(people):
            table.add_row(*row)
        share = people.share_same
        best = max(range(n), key=lambda i: people.counts_back_x[i])
        self.query_one("#p1-people-note", Static).update(
            f"N = {fmt_count(people.n_people)}, seed {people.seed}. After the return trip state {labels[best]} holds "
            f"{fmt_count(people.counts_back_x[best])} people (p(x) × N = {fmt_count(round(self.model.p_x[best] * people.n_people))}), "
            f"but only {share[best]:.1%} of them started there: the distribution is back to p(x), "
            "the people in it are not the same people.")

    # ---- people inputs ---------------------------------------------------------------------------
    @on(Input.Submitted, "#p1-n")
    def _set_n(self, event: Input.Submitted) -> None:
        self._set_whole_number(event, "n_people", "N", 1, MAX_PEOPLE)

    @on(Input.Submitted, "#p1-seed")
    def _set_seed(self, event: Input.Submitted) -> None:
        self._set_whole_number(event, "seed", "the seed", 0, 2**63 - 1)

    def _set_whole_number(self, event: Input.Submitted, attr: str, name: str, low: int, high: int) -> None:
        try:
            from engine.numbers import parse_number  # InvalidInput is a ValueError

            value = parse_number(event.value, kind=int, name=name)
            if not low <= value <= high:
                raise ValueError
        except ValueError:
            self._flash(f"✗ {name} must be a whole number from {low:,} to {high:,}, got {event.value!r};"
                        f" keeping {getattr(self, attr):,}")
            event.input.value = str(getattr(self, attr))
            return
        setattr(self, attr, value)
        self._move_people()
        self._save()

    def _flash(self, text: str) -> None:
        message = self.query_one("#p1-message", Static)
        message.update(text)
        message.set_class(True, "-error").set_class(False, "-ok")

    # ---- actions -----------------------------------------------------------------------------------
    def action_normalize(self) -> None:
        cursor = self.query_one(EditableTable).table.cursor_coordinate
        try:
            if cursor.column == 1 or cursor.row >= self.n:
                self.px = list(normalize(self.px))
                what = "normalized p(x)"
            else:
                self.pyx[cursor.row] = list(normalize(self.pyx[cursor.row]))
                what = f"normalized row x={state_label(cursor.row)}"
        except InvalidInput as exc:
            self._flash(f"✗ {exc}")
            return
        self._after_edit(what)

    def action_add_state(self) -> None:
        try:
            px, pyx = add_state(self.px, self.pyx)
        except InvalidInput as exc:
            self._flash(f"✗ {exc}")
            return
        self.px, self.pyx = list(px), [list(r) for r in pyx]
        self._after_edit(f"added state {state_label(self.n - 1)} (empty; its people would stay put)")

    def action_delete_state(self) -> None:
        k = min(self.query_one(EditableTable).table.cursor_coordinate.row, self.n - 1)
        try:
            px, pyx = remove_state(self.px, self.pyx, k)
        except InvalidInput as exc:
            self._flash(f"✗ {exc}")
            return
        self.px, self.pyx = list(px), [list(r) for r in pyx]
        self._after_edit(f"deleted state {state_label(k)}; p(x) and the rows were renormalized")

    def action_reset(self) -> None:
        self.px, self.pyx = list(DEFAULT_MODEL.p_x), [list(r) for r in DEFAULT_MODEL.p_y_given_x]
        self._after_edit("reset to the homework's defaults")

    def action_next_view(self) -> None:
        tabs = self.query_one(TabbedContent)
        ids = ["tab-joint", "tab-back", "tab-people"]
        tabs.active = ids[(ids.index(tabs.active) + 1) % len(ids)] if tabs.active in ids else ids[0]

    def action_new_seed(self) -> None:
        self.seed += 1
        self.query_one("#p1-seed", Input).value = str(self.seed)
        self._move_people()
        self._save()

    def export_files(self) -> dict[str, str]:
        result = solve(self.model)
        return {"hw7-p1-tables.md": p1_markdown(result, self.people), "hw7-p1-tables.tex": p1_latex(result),
                "hw7-p1-tables.csv": p1_csv(result)}


def _num(v: float) -> str:
    return f"{v:.6g}"


def _maybe_undefined(v: float) -> Text | str:
    text = fmt(float(v))
    return Text(text, style="italic yellow") if text == "undefined" else text
