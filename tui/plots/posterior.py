"""Problem 2's plots: p(x) and the noisy marginal, the exact posterior against the approximation,
and where the particles that landed at y came from. The curves come from the engine's result."""

from __future__ import annotations

from engine.problems.p2_continuous import P2Result
from tui.export import nice_ticks


def draw_densities(plt, result: P2Result, marker: str) -> None:
    xs, px, py = result.density_curves()
    y = result.settings.y
    plt.plot(xs.tolist(), px.tolist(), label="p(x)", marker=marker)
    plt.plot(xs.tolist(), py.tolist(), label="p̃(y) = p ∗ N(0,σ²)", marker=marker)
    if xs[0] <= y <= xs[-1]:
        plt.vline(y, "red")
    plt.title(f"p(x) and the noisy marginal p̃(y); y = {y:g} in red")


def draw_posterior(plt, result: P2Result, marker: str) -> None:
    c = result.comparison
    xs, exact, approx = result.posterior_curves()
    plt.plot(xs.tolist(), exact.tolist(), label="exact p(x|y)", marker=marker)
    plt.plot(xs.tolist(), approx.tolist(), label="N(y+σ²∇log p(y), σ²)", marker=marker)
    plt.title(f"backward conditional at y = {c.y:g}, σ² = {c.sigma2:g}  (TV {c.tv:.3g})")


def draw_particles(plt, result: P2Result, marker: str) -> None:
    p = result.particles
    histogram = result.particle_histogram()
    if p is None or histogram is None:
        n = p.n_particles if p is not None else 0
        plt.title(f"fewer than 2 of {n:,} particles landed near y: raise N or move y")
        return
    centers, density, xs, exact, approx = histogram
    plt.bar(centers.round(4).tolist(), density.tolist(), label=f"origins of {p.n_selected:,} particles", width=1,
            marker=marker)
    plt.plot(xs.tolist(), exact.tolist(), label="exact p(x|y)", marker=marker)
    plt.plot(xs.tolist(), approx.tolist(), label="approximation", marker=marker)
    plt.xticks(nice_ticks(float(xs[0]), float(xs[-1])))
    plt.title(f"where particles landing at y ± {p.window:.2g} came from (N {p.n_particles:,}, seed {p.seed})")
