"""Rich tables for the headless commands (imported only when printing tables, not for --json)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from engine.discrete import DiscreteResult, PeopleResult
from tui.export import p1_tables, people_rows


def _table(title: str, header, rows) -> Table:
    t = Table(title=title, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(h, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*r)
    return t


def print_p1(result: DiscreteResult, people: PeopleResult | None) -> None:
    console = Console()
    for caption, header, rows in p1_tables(result):
        console.print(_table(caption, header, rows))
    n = result.model.n
    console.print(_table("Marginal and round trip", ["state", "p̃(y) (marginal)", "Σy p̃(y)p(x|y) (round trip)"],
                         [[str(i + 1), f"{result.p_y[i]:.4f}", f"{result.roundtrip_p_x[i]:.4f}"] for i in range(n)]))
    if people is not None:
        console.print(_table(f"People: N = {people.n_people:,}, seed {people.seed}",
                             ["state", "start", "after moving", "after return", "same people"], people_rows(people)))


def print_p2(prior, c, rates, check) -> None:
    console = Console()
    console.print(f"p(x) = {prior.format()}   σ² = {c.sigma2:g}   y = {c.y:g}")
    console.print(_table("Backward conditional p(x|y)", ["", "mean", "variance"], [
        ["exact (mixture)", f"{c.exact_mean:.6g}", f"{c.exact_variance:.6g}"],
        ["approx N(y + σ²∇log p(y), σ²)", f"{c.approx.mean:.6g}", f"{c.approx.variance:.6g}"],
    ]))
    console.print(_table("Exact posterior components", ["k", "weight", "mean", "std"], [
        [str(k + 1), f"{w:.4g}", f"{m:.6g}", f"{s:.4g}"] for k, (w, m, s) in
        enumerate(zip(c.exact.weights, c.exact.means, c.exact.stds))]))
    rows = [[f"{r.sigma2:g}", f"{r.mean_error:.3e}", f"{r.variance_error:.3e}", f"{r.tv:.3e}", f"{r.kl:.3e}"]
            for r in rates.rows]
    rows.append(["fitted rate (σ²)^k", f"{rates.rate_mean:.2f}", f"{rates.rate_variance:.2f}",
                 f"{rates.rate_tv:.2f}", f"{rates.rate_kl:.2f}"])
    console.print(_table(f"Approximation error vs σ² at y = {c.y:g}", ["σ²", "|mean err|", "|var err|", "TV", "KL"], rows))
    from tui.explain import explain_p2_rates

    console.print(explain_p2_rates(rates), style="dim")
    if check is not None:
        console.print(f"particles: {check.n_selected:,} of {check.n_particles:,} landed within ±{check.window:.3g} of y;"
                      + (f" their origins: mean {check.origins.mean():.4g}, variance {check.origins.var():.4g}"
                         if check.n_selected > 1 else ""))
