"""Problem 3 screen: learn the score of a random walk from xt−1 and reverse the walk."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.widgets import TabbedContent

from tui.explain import explain_p3
from tui.screens.base import View
from tui.screens.walk_base import KEYS_HELP, WalkScreen
from tui.widgets.plot import Plot
from tui.widgets.table_view import TableView

INTRO = """
**Parameters** (Tab to reach them, Enter to set, Escape to leave): T steps of noise variance σ²
(the walk adds Tσ² in all), N particles, the seed, the training steps and the learning rate. p₀ is
Problem 2's mixture (edit it on screen 2; this screen follows it).

**t** trains sθ(x, t) in the background with the Problem 3 target — xt−1 regressed on
xt + σ²sθ(xt, t) — with one progress bar for training and the sampling after it; **x** cancels.
Keys answer while it trains. Until it has trained, the animations use the exact score ∇log pt
(the 1-billion-particle limit). Each trained model is saved (see **m**, saved models).
"""


class P3Screen(WalkScreen):
    PROBLEM = 3
    TARGET = "p3"
    HELP = INTRO + KEYS_HELP + """
**Orders** (`o`, or open the view): W1 to p₀ against T at this Tσ² with the exact score, for the
stochastic sampler, the ½-step flow, the homework's two-step form (4), Heun and the flow without
the ½, from the exact p_T and from N(0, Tσ²) — a log–log plot with the fitted slopes (≈ 1, 1, 1, 2
and no convergence without the ½). No training; a few seconds.
"""
    BINDINGS = [Binding("o", "orders", "Orders", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.orders = None

    EXTRA_VIEWS = (View("Orders", "tab-orders", lambda: (
        Plot(id="orders-plot", title="press o: W1 against T for every sampler (exact score)"),
        TableView(id="orders-table", empty="press o to measure the samplers' orders (a few seconds)")), scroll=True),)

    @on(TabbedContent.TabActivated, pane="#tab-orders")
    def _orders_shown(self) -> None:
        if self.orders is None:
            self.action_orders()

    def action_orders(self) -> None:
        p = self.params
        self.show_message(f"measuring the samplers' orders at Tσ² = {p.T * p.sigma2:g} (exact score) …")
        self._orders_worker(p.setup().p0, p.T * p.sigma2)

    @work(thread=True, exclusive=True, group="orders")
    def _orders_worker(self, p0, total_variance: float) -> None:
        from engine.orders import sampler_orders

        orders = sampler_orders(p0, total_variance=total_variance)
        self.app.call_from_thread(self._show_orders, orders)

    def _show_orders(self, orders) -> None:
        from engine.orders import orders_plot_data

        self.orders = orders
        data = orders_plot_data(orders, None)
        marker = self.app.plot_marker

        def draw(plt) -> None:
            for s in data.series:
                if s.start == "exact":
                    plt.plot(list(s.log10_T), list(s.log10_w1), label=s.label.replace(" (exact)", ""), marker=marker)
            for s in data.references:
                plt.plot(list(s.log10_T), list(s.log10_w1), label=s.label, marker="dot")
            plt.xlabel(data.x_label)
            plt.title("log10 W1 to p₀ vs log10 T, from the exact p_T (guides: T^-1, T^-2)")

        self.query_one("#orders-plot", Plot).draw(draw)
        self.query_one("#orders-table", TableView).show(orders.table())
        self.show_message("✓ orders measured: " + ", ".join(
            f"{r.label} {r.order:.2f}" for r in orders.rows if r.start == "exact"))

    def explain_markdown(self) -> str:
        r = self.result
        crossings = self.frames.crossings if self.frames is not None else (0, 0)
        tracked = self.frames.stochastic.trajectories.shape if self.frames is not None else None
        return explain_p3(r.setup, crossings, r.learned_evaluation, r.budget if r.trained else None, tracked)
