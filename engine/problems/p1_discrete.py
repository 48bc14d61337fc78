"""Problem 1's workflow: settings → :class:`P1Result` (the three rules, the round trip, the people)
→ the tables every face shows (screen, ``hw7-tui p1``, the report, exports).

    joint       p(x, y) = p(x) p(y|x)           (chain rule)
    marginal    p̃(y)    = Σx p(x, y)             (marginalization)
    backward    p(x|y)  = p(x, y) / p̃(y)        (conditioning, Bayes)
    round trip  Σy p̃(y) p(x|y) = p(x)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.discrete import (
    DEFAULT_MODEL, MAX_STATES, MIN_STATES, PEOPLE, DiscreteModel, DiscreteResult, PeopleResult, add_state,
    move_people, normalize, remove_state, solve, state_label,
)
from engine.errors import InvalidInput
from engine.settings import SEED, check_fields, setting
from engine.tables import Column, Table, table

P = Column("", ".4f")  # a probability in a table: 4 decimals, NaN → "undefined"
COUNT = Column("", ",d")


def _col(header: str, like: Column = P, key: str = "") -> Column:
    return Column(header, like.fmt, key)


@dataclass(frozen=True)
class P1Draft:
    """The model as typed, valid or not: p(x) and the rows of p(y|x) (what the screen edits)."""

    px: tuple[float, ...]
    pyx: tuple[tuple[float, ...], ...]

    @classmethod
    def of(cls, px, pyx) -> "P1Draft":
        """From any numbers; the shape must be n and n×n with 2 ≤ n ≤ MAX_STATES (else InvalidInput)."""
        try:
            draft = cls(tuple(float(v) for v in px), tuple(tuple(float(v) for v in r) for r in pyx))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"not a model: {exc}") from None
        n = len(draft.px)
        if not MIN_STATES <= n <= MAX_STATES or len(draft.pyx) != n or any(len(r) != n for r in draft.pyx):
            raise InvalidInput(f"a model needs {MIN_STATES} to {MAX_STATES} states, p(x) of n and p(y|x) of n×n")
        return draft

    @classmethod
    def of_model(cls, model: DiscreteModel) -> "P1Draft":
        return cls.of(model.p_x, model.p_y_given_x)

    @property
    def n(self) -> int:
        return len(self.px)

    def model(self) -> DiscreteModel:
        """The draft as a model, or InvalidInput saying which row does not sum to 1."""
        return DiscreteModel.from_arrays(self.px, self.pyx)

    def with_cell(self, row: int, col: int, value: float) -> "P1Draft":
        """Column 0 is p(x=row); column j ≥ 1 is p(y=j|x=row) (1-based y)."""
        px, pyx = list(self.px), [list(r) for r in self.pyx]
        if col == 0:
            px[row] = value
        else:
            pyx[row][col - 1] = value
        return P1Draft.of(px, pyx)

    def normalized(self, row: int | None) -> "P1Draft":
        """p(x) (row None) or the row x=row of p(y|x) divided by its sum."""
        if row is None:
            return P1Draft.of(normalize(self.px), self.pyx)
        return P1Draft.of(self.px, [normalize(r) if i == row else r for i, r in enumerate(self.pyx)])

    def with_new_state(self) -> "P1Draft":
        return P1Draft.of(*add_state(self.px, self.pyx))

    def without_state(self, k: int) -> "P1Draft":
        return P1Draft.of(*remove_state(self.px, self.pyx, k))


DEFAULT_DRAFT = P1Draft.of_model(DEFAULT_MODEL)


@dataclass(frozen=True)
class P1Settings:
    """The model (p(x) and p(y|x), checked by :class:`DiscreteModel`), and the people moved."""

    model: DiscreteModel = DEFAULT_MODEL
    people: int = setting(PEOPLE)
    seed: int = setting(SEED)

    def __post_init__(self) -> None:
        if not isinstance(self.model, DiscreteModel):
            raise InvalidInput(f"the model must be a DiscreteModel, got {type(self.model).__name__}")
        check_fields(self)


@dataclass(frozen=True)
class P1Result:
    """Everything Problem 1 computes for one settings object."""

    settings: P1Settings
    result: DiscreteResult
    people: PeopleResult | None

    @property
    def model(self) -> DiscreteModel:
        return self.settings.model

    @property
    def labels(self) -> list[str]:
        return [state_label(i) for i in range(self.model.n)]

    # ---- the homework's tables -------------------------------------------------------------------
    def homework_tables(self) -> list[Table]:
        """Tables 1–3 of the homework, filled in."""
        m, r, labels = self.model, self.result, self.labels
        t1 = table("table1", "Table 1: Initial distribution",
                   [Column("State (x)"), _col("p(x)"), Column("Interpretation")],
                   [[labels[i], m.p_x[i], f"{m.p_x[i]:.4g} billion people"] for i in range(m.n)])
        t2 = table("table2", "Table 2: Transition probabilities p(y|x)",
                   [Column("p(y|x)")] + [_col(f"y = {l}") for l in labels],
                   [[f"x = {labels[i]}", *m.p_y_given_x[i]] for i in range(m.n)])
        t3 = table("table3", "Table 3: Inverse transition probabilities p(x|y)",
                   [Column("p(x|y)")] + [_col(f"x = {l}") for l in labels],
                   [[f"y = {labels[j]}", *map(float, r.p_x_given_y[j])] for j in range(m.n)],
                   notes=[_undefined_note(r, labels)] if r.undefined_y else [])
        return [t1, t2, t3]

    def marginal_table(self) -> Table:
        r, labels = self.result, self.labels
        return table("marginal", "Marginal and round trip",
                     [Column("state"), _col("p̃(y) (marginal)"), _col("Σy p̃(y)p(x|y) (round trip)"), _col("p(x)")],
                     [[labels[i], float(r.p_y[i]), float(r.roundtrip_p_x[i]), self.model.p_x[i]]
                      for i in range(self.model.n)])

    def people_table(self) -> Table | None:
        """Problem 1 (3)'s answer in numbers: the distribution comes back, the people do not."""
        p = self.people
        if p is None:
            return None
        share = p.share_same
        return table("people", f"People: N = {p.n_people:,}, seed {p.seed}",
                     [Column("state"), _col("start", COUNT), _col("after moving", COUNT),
                      _col("after return", COUNT), Column("same people", ".1%")],
                     [[self.labels[i], int(p.counts_x[i]), int(p.counts_y[i]), int(p.counts_back_x[i]),
                       None if math.isnan(share[i]) else float(share[i])] for i in range(len(p.counts_x))],
                     notes=[self.people_note()])

    def tables(self) -> list[Table]:
        """Every table of Problem 1's answer: Tables 1–3, the marginal and round trip, the people."""
        people = self.people_table()
        return self.homework_tables() + [self.marginal_table()] + ([people] if people else [])

    # ---- what the screen shows beside them -------------------------------------------------------
    def joint_table(self) -> Table:
        """p(x,y) with p(x) on the right and the marginal p̃(y) underneath."""
        m, r, labels = self.model, self.result, self.labels
        rows = [[f"x={labels[i]}", *map(float, r.p_xy[i]), m.p_x[i]] for i in range(m.n)]
        rows.append(["p̃(y)", *map(float, r.p_y), math.fsum(m.p_x)])
        return table("joint", "Joint p(x,y) = p(x)p(y|x) and marginal p̃(y) = Σx p(x,y)",
                     [Column("p(x,y)")] + [_col(f"y={l}") for l in labels] + [_col("p(x)")], rows)

    def backward_table(self) -> Table:
        """p(x|y) (rows y) with p̃(y), then the round trip Σy p̃(y)p(x|y) against p(x)."""
        m, r, labels = self.model, self.result, self.labels
        rows: list[list[Any]] = [[f"y={labels[j]}", *map(float, r.p_x_given_y[j]), float(r.p_y[j])]
                                 for j in range(m.n)]
        rows.append(["round trip", *map(float, r.roundtrip_p_x), None])
        rows.append(["p(x)", *m.p_x, None])
        return table("backward", "Backward p(x|y) = p(x,y)/p̃(y) and the round trip",
                     [Column("p(x|y)")] + [_col(f"x={l}") for l in labels] + [_col("p̃(y)")], rows)

    def values_table(self) -> Table:
        """Every number at full precision, one per row (the CSV export): table, row, column, value."""
        m, r, n, lab = self.model, self.result, self.model.n, self.labels
        rows = [["p(x)", lab[x], "", m.p_x[x]] for x in range(n)]
        rows += [["p(y|x)", lab[x], lab[y], m.p_y_given_x[x][y]] for x in range(n) for y in range(n)]
        rows += [["p(x,y)", lab[x], lab[y], float(r.p_xy[x, y])] for x in range(n) for y in range(n)]
        rows += [["p~(y)", "", lab[y], float(r.p_y[y])] for y in range(n)]
        rows += [["p(x|y)", lab[y], lab[x], float(r.p_x_given_y[y, x])] for y in range(n) for x in range(n)]
        rows += [["round trip", lab[x], "", float(r.roundtrip_p_x[x])] for x in range(n)]
        return table("values", "Problem 1, every number",
                     [Column("table"), Column("row"), Column("column"), Column("value", ".17g")], rows)

    def rule_lines(self, x: int, y: int) -> dict[str, str]:
        """Each rule with its name and one worked line for the pair (x, y) (0-based): keys joint,
        marginal, backward, round_trip."""
        m, r, n = self.model, self.result, self.model.n
        X, Y = state_label(x), state_label(y)
        px, pyx = m.p_x, m.p_y_given_x
        lines = {
            "joint": f"chain rule  p(x,y) = p(x)·p(y|x):  p({X},{Y}) = {px[x]:.4g} × {pyx[x][y]:.4g} = {r.p_xy[x, y]:.4g}",
            "marginal": f"marginalization (total probability)  p̃(y) = Σx p(x,y):  p̃({Y}) = "
                        + " + ".join(f"{r.p_xy[i, y]:.4g}" for i in range(n)) + f" = {r.p_y[y]:.4g}",
        }
        if r.p_y[y] > 0:
            lines["backward"] = (f"conditioning (Bayes)  p(x|y) = p(x,y)/p̃(y):  p({X}|{Y}) = "
                                 f"{r.p_xy[x, y]:.4g} / {r.p_y[y]:.4g} = {r.p_x_given_y[y, x]:.4g}")
        else:
            lines["backward"] = (f"conditioning (Bayes)  p(x|y) = p(x,y)/p̃(y):  p({X}|{Y}) is undefined: "
                                 f"p̃({Y}) = 0, nobody is in {Y} to send back")
        terms = [f"{r.p_y[j]:.4g}×{r.p_x_given_y[j, x]:.4g}" for j in range(n) if r.p_y[j] > 0]
        lines["round_trip"] = (f"round trip  Σy p̃(y)p(x|y) = Σy p(x,y) = p(x):  for x={X}: " + " + ".join(terms)
                               + f" = {r.roundtrip_p_x[x]:.4g} (p({X}) = {px[x]:.4g})")
        return lines

    def people_note(self) -> str:
        p = self.people
        if p is None:
            return ""
        best = max(range(self.model.n), key=lambda i: p.counts_back_x[i])
        return (f"After the return trip state {self.labels[best]} holds {int(p.counts_back_x[best]):,} people "
                f"(p(x) × N = {round(self.model.p_x[best] * p.n_people):,}), but only {p.share_same[best]:.1%} "
                "of them started there: the distribution is back to p(x), the people in it are not the same people.")

    # ---- the command line's JSON ------------------------------------------------------------------
    def as_json(self) -> dict[str, Any]:
        m, r = self.model, self.result
        out: dict[str, Any] = {
            "p_x": list(m.p_x), "p_y_given_x": [list(row) for row in m.p_y_given_x],
            "p_xy": r.p_xy, "p_y": r.p_y, "p_x_given_y": r.p_x_given_y, "roundtrip_p_x": r.roundtrip_p_x,
        }
        if self.people is not None:
            p = self.people
            out["people"] = {
                "n": p.n_people, "seed": p.seed, "counts_x": p.counts_x, "counts_xy": p.counts_xy,
                "counts_y": p.counts_y, "counts_back": p.counts_back, "counts_back_x": p.counts_back_x,
                "same_back_x": p.same_back_x, "share_same": p.share_same,
            }
        return out


def _undefined_note(r: DiscreteResult, labels: list[str]) -> str:
    states = ", ".join(labels[j] for j in r.undefined_y)
    return f"p(x|y) is undefined for y = {states}: nobody arrives there (p̃(y) = 0)."


def solve_p1(settings: P1Settings, *, people: bool = True) -> P1Result:
    """Apply the chain rule, marginalization, conditioning and the round trip to the model, and
    (with ``people``) move ``settings.people`` people exactly (:func:`engine.discrete.move_people`)."""
    moved = move_people(settings.model, settings.people, settings.seed) if people else None
    return P1Result(settings, solve(settings.model), moved)
