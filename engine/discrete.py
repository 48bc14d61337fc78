"""Problem 1: people moving between discrete states — chain rule, marginalization, conditioning.

Inputs: p(x), a probability vector over n states, and the forward conditional
P[x, y] = p(y|x), each row a probability vector.

    joint                 p(x, y) = p(x) p(y|x)                          (chain rule)
    marginal              p̃(y)    = Σx p(x, y) = Σx p(x) p(y|x)           (marginalization /
                                                                          total probability)
    backward_conditional  p(x|y)  = p(x, y) / p̃(y)                       (conditioning / Bayes)
    round_trip            Σy p̃(y) p(x|y) = Σy p(x, y) = p(x)             (sending people back)

The billion people are moved exactly, not one by one: the N(x) people in x split over the
destinations as Multinomial(N(x), p(·|x)), so N = 10⁹ costs as little as N = 10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import InvalidInput
from engine.numbers import parse_number, shown
from engine.settings import Spec

SUM_TOLERANCE = 1e-9
MIN_STATES, MAX_STATES = 2, 8


# ---- reading numbers ---------------------------------------------------------------------
def parse_probability(text: str, where: str = "value") -> float:
    """A probability typed by a person: a decimal ("0.25", ".5", "1e-3") or a fraction ("1/3").

    Raises InvalidInput naming ``where`` for anything that is not a finite number in [0, 1].
    """
    raw = str(text).strip()
    if not raw:
        raise InvalidInput(f"{where} is empty: type a number such as 0.25 or 1/3")
    # engine.numbers bounds digits and exponent before any Fraction arithmetic: "1e999999999/1"
    # is refused at once instead of building a billion-digit integer.
    value = float(parse_number(raw, kind=float, allow_fraction=True, name=where))
    if value < 0:
        raise InvalidInput(f"{where}: {shown(raw)} is negative; probabilities are ≥ 0")
    if value > 1:
        raise InvalidInput(f"{where}: {shown(raw)} is more than 1; probabilities are ≤ 1")
    return value


def parse_vector(text: str, where: str = "p(x)") -> tuple[float, ...]:
    """ "0.5,0.3,0.2" → (0.5, 0.3, 0.2); entries may be fractions."""
    parts = [p for p in str(text).split(",")]
    return tuple(parse_probability(p, f"{where} entry {i}") for i, p in enumerate(parts, start=1))


def parse_matrix(text: str, where: str = "p(y|x)") -> tuple[tuple[float, ...], ...]:
    """ "a,b;c,d" → rows separated by ';', entries by ','."""
    rows = [r for r in str(text).split(";")]
    return tuple(parse_vector(r, f"{where} row x={i}") for i, r in enumerate(rows, start=1))


def state_label(i: int) -> str:
    """States are numbered from 1, as in the homework."""
    return str(i + 1)


# ---- the model -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DiscreteModel:
    """p(x) and the forward conditional p(y|x) (rows x, columns y), validated."""

    p_x: tuple[float, ...]
    p_y_given_x: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        n = len(self.p_x)
        if not MIN_STATES <= n <= MAX_STATES:
            raise InvalidInput(f"need {MIN_STATES} to {MAX_STATES} states, got {n}")
        if len(self.p_y_given_x) != n or any(len(r) != n for r in self.p_y_given_x):
            raise InvalidInput(f"p(y|x) must be {n}×{n} to match p(x)'s {n} states")
        for i, v in enumerate(self.p_x):
            _check_entry(v, f"p(x={state_label(i)})", ("p_x", i))
        for i, row in enumerate(self.p_y_given_x):
            for j, v in enumerate(row):
                _check_entry(v, f"p(y={state_label(j)}|x={state_label(i)})", ("p_y_given_x", i, j))
        total = math.fsum(self.p_x)
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise InvalidInput(f"p(x) sums to {total:.10g}, not 1 (press n to normalize)", ("p_x",))
        for i, row in enumerate(self.p_y_given_x):
            total = math.fsum(row)
            if abs(total - 1.0) > SUM_TOLERANCE:
                raise InvalidInput(
                    f"row x={state_label(i)} of p(y|x) sums to {total:.10g}, not 1 (press n to normalize)",
                    ("p_y_given_x", i),
                )

    @classmethod
    def from_arrays(cls, p_x, p_y_given_x) -> "DiscreteModel":
        return cls(tuple(float(v) for v in p_x), tuple(tuple(float(v) for v in r) for r in p_y_given_x))

    @property
    def n(self) -> int:
        return len(self.p_x)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.p_x, dtype=float), np.asarray(self.p_y_given_x, dtype=float)


def _check_entry(v: float, name: str, where: tuple) -> None:
    if not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InvalidInput(f"{name} = {v!r} is not a finite number", where)
    if v < 0:
        raise InvalidInput(f"{name} = {v:g} is negative; probabilities are ≥ 0", where)


DEFAULT_MODEL = DiscreteModel(
    p_x=(0.5, 0.3, 0.2),
    p_y_given_x=((0.8, 0.1, 0.1), (0.2, 0.6, 0.2), (0.1, 0.3, 0.6)),
)
"""The homework's three states with concrete numbers (the defaults of the screen and CLI)."""


# ---- the three rules -------------------------------------------------------------------------
def joint(p_x: np.ndarray, p_y_given_x: np.ndarray) -> np.ndarray:
    """Chain rule: p(x, y) = p(x) p(y|x). Rows x, columns y."""
    return np.asarray(p_x, dtype=float)[:, None] * np.asarray(p_y_given_x, dtype=float)


def marginal(p_xy: np.ndarray) -> np.ndarray:
    """Marginalization (total probability): p̃(y) = Σx p(x, y)."""
    return np.asarray(p_xy, dtype=float).sum(axis=0)


def backward_conditional(p_xy: np.ndarray, p_y: np.ndarray) -> np.ndarray:
    """Conditioning (Bayes): p(x|y) = p(x, y) / p̃(y). Rows y, columns x.

    Where p̃(y) = 0 nobody arrives in y, so p(·|y) is undefined: that row is NaN (never a
    division by zero).
    """
    p_xy = np.asarray(p_xy, dtype=float)
    p_y = np.asarray(p_y, dtype=float)
    out = np.full((p_xy.shape[1], p_xy.shape[0]), np.nan)
    defined = p_y > 0
    out[defined] = (p_xy[:, defined] / p_y[defined]).T
    return out


def round_trip(p_y: np.ndarray, p_x_given_y: np.ndarray) -> np.ndarray:
    """Send p(x|y) of the p̃(y) people in y back to x: Σy p̃(y) p(x|y) (= p(x)).

    Undefined rows (p̃(y) = 0) hold nobody and contribute nothing.
    """
    p_y = np.asarray(p_y, dtype=float)
    back = np.nan_to_num(np.asarray(p_x_given_y, dtype=float), nan=0.0)
    return p_y @ back


@dataclass(frozen=True)
class DiscreteResult:
    """Everything Problem 1 computes from a model."""

    model: DiscreteModel
    p_xy: np.ndarray
    p_y: np.ndarray
    p_x_given_y: np.ndarray
    roundtrip_p_x: np.ndarray

    @property
    def undefined_y(self) -> tuple[int, ...]:
        """States y nobody moves to: p(x|y) is undefined there."""
        return tuple(int(i) for i in np.flatnonzero(~(self.p_y > 0)))


def solve(model: DiscreteModel) -> DiscreteResult:
    """Apply the chain rule, marginalization, conditioning and the round trip."""
    p_x, p_y_given_x = model.arrays()
    p_xy = joint(p_x, p_y_given_x)
    p_y = marginal(p_xy)
    back = backward_conditional(p_xy, p_y)
    return DiscreteResult(model, p_xy, p_y, back, round_trip(p_y, back))


# ---- editing the model ------------------------------------------------------------------------
def normalize(values) -> tuple[float, ...]:
    """v / Σv; an all-zero vector cannot be normalized."""
    v = [float(x) for x in values]
    total = math.fsum(v)
    if not total > 0:
        raise InvalidInput("cannot normalize: all entries are 0")
    return tuple(x / total for x in v)


def add_state(p_x, p_y_given_x) -> tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]:
    """A new last state with nobody in it (p = 0) whose people would stay put (p(y=new|new) = 1).

    Every row keeps summing to 1, so a valid model stays valid.
    """
    n = len(p_x)
    if n >= MAX_STATES:
        raise InvalidInput(f"at most {MAX_STATES} states")
    new_px = tuple(p_x) + (0.0,)
    rows = tuple(tuple(r) + (0.0,) for r in p_y_given_x) + (tuple([0.0] * n + [1.0]),)
    return new_px, rows


def remove_state(p_x, p_y_given_x, k: int) -> tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]:
    """Remove state k (0-based): its row and column go; p(x) and each row are renormalized.

    A row whose only destination was k becomes "stay put".
    """
    n = len(p_x)
    if n <= MIN_STATES:
        raise InvalidInput(f"at least {MIN_STATES} states")
    if not 0 <= k < n:
        raise InvalidInput(f"no state {k + 1}")
    keep = [i for i in range(n) if i != k]
    px = [float(p_x[i]) for i in keep]
    px = list(normalize(px)) if math.fsum(px) > 0 else [1.0 / len(keep)] * len(keep)
    rows = []
    for new_i, i in enumerate(keep):
        row = [float(p_y_given_x[i][j]) for j in keep]
        if math.fsum(row) > 0:
            rows.append(normalize(row))
        else:
            rows.append(tuple(1.0 if j == new_i else 0.0 for j in range(len(keep))))
    return tuple(px), tuple(rows)


# ---- the billion people -------------------------------------------------------------------------
PEOPLE = Spec("people", "N", int, 10**9, 1, 10**15, help="how many people move (exact multinomial counts)",
              reason="Counts are exact 64-bit integers and stay exact as doubles (10^15 < 2^53) in plots and JSON; "
                     "the cost does not grow with N.")
"""The number of people: the one declaration the engine, the command line and the screen use."""

@dataclass(frozen=True)
class PeopleResult:
    """N people moved forward by p(y|x) and sent back by p(x|y), as exact counts.

    counts_xy[x, y]    people who were in x and moved to y
    counts_back[y, x]  people in y sent back to x
    same_back_x[x]     of the people now in x, how many were in x at the start
    """

    counts_x: np.ndarray
    counts_xy: np.ndarray
    counts_y: np.ndarray
    counts_back: np.ndarray
    counts_back_x: np.ndarray
    same_back_x: np.ndarray
    seed: int

    @property
    def n_people(self) -> int:
        return int(self.counts_x.sum())

    @property
    def share_same(self) -> np.ndarray:
        """Share of each state's people (after the return) who were there at the start."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.counts_back_x > 0, self.same_back_x / np.maximum(self.counts_back_x, 1), np.nan)


def allocate(n_people: int, p: np.ndarray) -> np.ndarray:
    """Integer counts summing to n_people, as close as possible to n·p (largest remainder)."""
    p = np.asarray(p, dtype=float)
    raw = n_people * p / p.sum()
    counts = np.floor(raw).astype(np.int64)
    short = n_people - int(counts.sum())
    if short > 0:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def move_people(model: DiscreteModel, n_people: int = 10**9, seed: int = 0) -> PeopleResult:
    """Move N people exactly: N(x) = allocate(N, p(x)); N(x, ·) ~ Multinomial(N(x), p(·|x)).

    Return trip: the N(y) people in y are sent back as Multinomial(N(y), p(·|y)); *which* of
    them go to each x is a uniformly random split of the people in y by where they came from
    (a multivariate hypergeometric draw), so we know how many people in x after the return
    are the same people who started there.
    """
    n_people = PEOPLE.check(int(n_people) if isinstance(n_people, np.integer) else n_people)
    rng = np.random.default_rng(seed)
    p_x, p_y_given_x = model.arrays()
    n = model.n
    result = solve(model)
    counts_x = allocate(int(n_people), p_x)
    counts_xy = np.zeros((n, n), dtype=np.int64)
    for x in range(n):
        if counts_x[x] > 0:
            counts_xy[x] = rng.multinomial(counts_x[x], p_y_given_x[x] / p_y_given_x[x].sum())
    counts_y = counts_xy.sum(axis=0)
    counts_back = np.zeros((n, n), dtype=np.int64)
    same_back_x = np.zeros(n, dtype=np.int64)
    for y in range(n):
        if counts_y[y] == 0:
            continue
        back = np.nan_to_num(result.p_x_given_y[y], nan=0.0)
        counts_back[y] = rng.multinomial(counts_y[y], back / back.sum())
        origins = counts_xy[:, y].copy()  # the people in y, by where they started
        for x in range(n):
            if counts_back[y, x] == 0:
                continue
            chosen = split_without_replacement(rng, origins, int(counts_back[y, x]))
            origins -= chosen
            same_back_x[x] += chosen[x]
    return PeopleResult(counts_x, counts_xy, counts_y, counts_back, counts_back.sum(axis=0), same_back_x, int(seed))


_HYPERGEOMETRIC_LIMIT = 10**9  # numpy's exact hypergeometric samplers need populations below this


def split_without_replacement(rng: np.random.Generator, colors: np.ndarray, k: int) -> np.ndarray:
    """Draw k of the Σ colors[i] people without replacement: how many of each colour.

    Exact (a multivariate hypergeometric draw, colour by colour: chosen[i] ~
    Hypergeometric(colors[i], rest, k_left)) while the populations are below 10⁹, numpy's limit;
    above it, each step uses the normal approximation with the finite-population correction,
    rounded and clipped to the feasible range, so counts always stay consistent.
    """
    colors = np.asarray(colors, dtype=np.int64)
    chosen = np.zeros_like(colors)
    left, rest = int(k), int(colors.sum())
    for i, good in enumerate(colors.tolist()):
        rest -= good
        if left == 0:
            break
        if rest == 0:
            chosen[i] = left
            break
        if good == 0:
            continue
        if good < _HYPERGEOMETRIC_LIMIT and rest < _HYPERGEOMETRIC_LIMIT:
            draw = int(rng.hypergeometric(good, rest, left))
        else:
            total = good + rest
            p = good / total
            var = left * p * (1 - p) * (total - left) / max(total - 1, 1)
            draw = int(round(left * p + math.sqrt(var) * rng.standard_normal()))
        chosen[i] = min(max(draw, left - rest, 0), good, left)
        left -= int(chosen[i])
    return chosen


def expected_share_same(model: DiscreteModel) -> np.ndarray:
    """E[share of x's people after the return who started in x] = Σy p(x,y) p(x|y) / p(x)."""
    r = solve(model)
    back = np.nan_to_num(r.p_x_given_y, nan=0.0)  # rows y, columns x
    p_x = np.asarray(model.p_x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p_x > 0, np.einsum("xy,yx->x", r.p_xy, back) / np.where(p_x > 0, p_x, 1), np.nan)
