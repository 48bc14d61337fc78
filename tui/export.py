"""Tables as text a student pastes into a write-up: Markdown and LaTeX.

Pure formatting (no Textual, no Rich): the screens, the command line and the report all use it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.atomic import write_atomic  # noqa: F401  (re-exported: screens and CLI use it)
from engine.discrete import DiscreteResult, PeopleResult, state_label

UNDEFINED = "undefined"


def fmt(v: float, digits: int = 4) -> str:
    """A probability for a table: 4 decimals, 'undefined' for NaN."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return UNDEFINED
    return f"{v:.{digits}f}"


def fmt_count(v: int) -> str:
    return f"{int(v):,}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table; a "|" inside a cell (as in p(y|x)) is escaped so it stays in its cell."""
    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [row(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [row(r) for r in rows]
    return "\n".join(lines)


def csv_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """RFC-4180 CSV (quotes where needed)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def latex_table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    cols = "c" * len(header)
    body = [" & ".join(header) + r" \\ \hline"] + [" & ".join(r) + r" \\" for r in rows]
    return "\n".join([
        r"\begin{table}[h]", r"\centering", rf"\begin{{tabular}}{{{cols}}}", r"\hline",
        *body, r"\hline", r"\end{tabular}", rf"\caption{{{caption}}}", r"\end{table}",
    ])


def p1_tables(result: DiscreteResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """The homework's Tables 1–3 filled in: (caption, header, rows) each."""
    n = result.model.n
    labels = [state_label(i) for i in range(n)]
    t1 = ("Table 1: Initial distribution", ["State (x)", "p(x)", "Interpretation"],
          [[labels[i], fmt(result.model.p_x[i]), f"{result.model.p_x[i]:.4g} billion people"]
           for i in range(n)])
    t2 = ("Table 2: Transition probabilities p(y|x)", ["p(y|x)"] + [f"y = {l}" for l in labels],
          [[f"x = {labels[i]}"] + [fmt(v) for v in result.model.p_y_given_x[i]] for i in range(n)])
    t3 = ("Table 3: Inverse transition probabilities p(x|y)", ["p(x|y)"] + [f"x = {l}" for l in labels],
          [[f"y = {labels[j]}"] + [fmt(float(v)) for v in result.p_x_given_y[j]] for j in range(n)])
    return [t1, t2, t3]


def p1_markdown(result: DiscreteResult, people: PeopleResult | None = None) -> str:
    parts = []
    for caption, header, rows in p1_tables(result):
        parts += [f"**{caption}**", "", markdown_table(header, rows), ""]
    parts += ["Marginal p̃(y) = " + ", ".join(fmt(v) for v in result.p_y),
              "", "Round trip Σy p̃(y) p(x|y) = " + ", ".join(fmt(v) for v in result.roundtrip_p_x), ""]
    if people is not None:
        parts += [f"**People** (N = {fmt_count(people.n_people)}, seed {people.seed})", "",
                  markdown_table(["state", "start", "after moving", "after return", "same people"],
                                 people_rows(people)), ""]
    return "\n".join(parts)


def p1_latex(result: DiscreteResult) -> str:
    def tex(s: str) -> str:
        return s.replace("p(y|x)", r"$p(y|x)$").replace("p(x|y)", r"$p(x|y)$").replace("p(x)", r"$p(x)$")
    return "\n\n".join(latex_table([tex(h) for h in header], rows, tex(caption))
                       for caption, header, rows in p1_tables(result)) + "\n"


def people_rows(people: PeopleResult) -> list[list[str]]:
    share = people.share_same
    return [[state_label(i), fmt_count(people.counts_x[i]), fmt_count(people.counts_y[i]),
             fmt_count(people.counts_back_x[i]), "—" if np.isnan(share[i]) else f"{share[i]:.1%}"]
            for i in range(len(people.counts_x))]


def p1_rule_lines(result: DiscreteResult, x: int, y: int) -> dict[str, str]:
    """Each rule of Problem 1 with its name and one worked line using the actual numbers,
    for the pair (x, y) (0-based). Keys: joint, marginal, backward, round_trip."""
    m = result.model
    n = m.n
    X, Y = state_label(x), state_label(y)
    px, pyx = m.p_x, m.p_y_given_x
    col = [result.p_xy[i, y] for i in range(n)]
    lines = {
        "joint": f"chain rule  p(x,y) = p(x)·p(y|x):  p({X},{Y}) = {px[x]:.4g} × {pyx[x][y]:.4g} = {result.p_xy[x, y]:.4g}",
        "marginal": f"marginalization (total probability)  p̃(y) = Σx p(x,y):  p̃({Y}) = "
                    + " + ".join(f"{v:.4g}" for v in col) + f" = {result.p_y[y]:.4g}",
    }
    if result.p_y[y] > 0:
        lines["backward"] = (f"conditioning (Bayes)  p(x|y) = p(x,y)/p̃(y):  p({X}|{Y}) = "
                             f"{result.p_xy[x, y]:.4g} / {result.p_y[y]:.4g} = {result.p_x_given_y[y, x]:.4g}")
    else:
        lines["backward"] = (f"conditioning (Bayes)  p(x|y) = p(x,y)/p̃(y):  p({X}|{Y}) is {UNDEFINED}: "
                             f"p̃({Y}) = 0, nobody is in {Y} to send back")
    terms = [f"{result.p_y[j]:.4g}×{result.p_x_given_y[j, x]:.4g}" for j in range(n) if result.p_y[j] > 0]
    lines["round_trip"] = (f"round trip  Σy p̃(y)p(x|y) = Σy p(x,y) = p(x):  for x={X}: " + " + ".join(terms)
                           + f" = {result.roundtrip_p_x[x]:.4g} (p({X}) = {px[x]:.4g})")
    return lines


def p1_csv(result: DiscreteResult) -> str:
    """Tables 1–3 and the marginal as one CSV, full precision: table,row,column,value."""
    n = result.model.n
    rows = [["p(x)", state_label(x), "", repr(float(result.model.p_x[x]))] for x in range(n)]
    rows += [["p(y|x)", state_label(x), state_label(y), repr(float(result.model.p_y_given_x[x][y]))]
             for x in range(n) for y in range(n)]
    rows += [["p(x,y)", state_label(x), state_label(y), repr(float(result.p_xy[x, y]))] for x in range(n) for y in range(n)]
    rows += [["p~(y)", "", state_label(y), repr(float(result.p_y[y]))] for y in range(n)]
    rows += [["p(x|y)", state_label(y), state_label(x),
              UNDEFINED if math.isnan(result.p_x_given_y[y, x]) else repr(float(result.p_x_given_y[y, x]))]
             for y in range(n) for x in range(n)]
    rows += [["round trip", state_label(x), "", repr(float(result.roundtrip_p_x[x]))] for x in range(n)]
    return csv_table(["table", "row", "column", "value"], rows)


def p2_tables(prior, comparison, rates) -> list[tuple[str, list[str], list[list[str]]]]:
    """Problem 2's numbers as (caption, header, rows): the posterior comparison and the error rates."""
    c = comparison
    t1 = (f"Backward conditional at y = {c.y:g}, σ² = {c.sigma2:g}, p(x) = {prior.format()}",
          ["", "mean", "variance"],
          [["exact p(x|y)", f"{c.exact_mean:.6g}", f"{c.exact_variance:.6g}"],
           ["N(y + σ²∇log p(y), σ²)", f"{c.approx.mean:.6g}", f"{c.approx.variance:.6g}"],
           ["error", f"{c.mean_error:.3e}", f"{c.variance_error:.3e}"]])
    t2 = (f"Approximation error against σ² at y = {rates.y:g} (TV and KL between the two densities)",
          ["σ²", "|Δmean|", "|Δvar|", "TV", "KL"],
          [[f"{r.sigma2:g}", f"{r.mean_error:.3e}", f"{r.variance_error:.3e}", f"{r.tv:.3e}", f"{r.kl:.3e}"]
           for r in rates.rows]
          + [["fitted rate", f"{rates.rate_mean:.2f}", f"{rates.rate_variance:.2f}", f"{rates.rate_tv:.2f}",
              f"{rates.rate_kl:.2f}"]])
    return [t1, t2]


def tables_markdown(tables) -> str:
    parts = []
    for caption, header, rows in tables:
        parts += [f"**{caption}**", "", markdown_table(header, rows), ""]
    return "\n".join(parts)


def tables_csv(tables) -> str:
    """Several tables in one CSV, each preceded by its caption on a line of its own."""
    return "\n".join(f"# {caption}\n" + csv_table(header, rows) for caption, header, rows in tables)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick positions (1, 2, 5 × 10^k apart) inside [lo, hi], for readable axis labels."""
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = min((m * mag for m in (1, 2, 5, 10)), key=lambda v: abs(np.log(v / raw)))  # nearest 1-2-5 step
    first = np.ceil(lo / step) * step
    return [float(round(v, 10)) for v in np.arange(first, hi + 1e-9, step)]
