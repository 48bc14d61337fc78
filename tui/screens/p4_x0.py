"""Problem 4 screen: learn the score by predicting x0 (the ε target), reverse it, and compare the
two targets with the same training budget against the oracle."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.binding import Binding
from textual.worker import get_current_worker

from engine.problems import p3_walk
from engine.problems.p3_walk import Comparison
from tui.explain import explain_p4
from tui.render import export_files
from tui.messages import Cancelled, Note, RunMessage, TrainingProgress, next_run_id, on_current
from tui.screens.base import View
from tui.screens.trainable import TRAIN_GROUP
from tui.screens.walk_base import KEYS_HELP, WalkScreen
from tui.widgets import walk_plots
from tui.widgets.plot import Plot
from tui.widgets.table_view import TableView
from tui.widgets.training import TrainingPanel

INTRO = """
**Parameters** (Tab to reach them, Enter to set, Escape to leave): T steps of noise variance σ²,
N particles, the seed, the training steps and the learning rate; p₀ is Problem 2's mixture.

**t** trains with the Problem 4 target — x0 regressed on xt + tσ²sθ(xt, t), i.e. the network
predicts the noise εθ = −tσ²sθ — and samples with xt−1 = xt − εθ/t + σz (stochastic) and
xt−1 = xt − εθ/(2t) (deterministic); **x** cancels. Until it has trained, the animations use the
exact score.

**b** trains the Problem 3 target with the same budget (steps, batch, rate, seed) — and the
Problem 4 one first if it is not trained yet — and the *P3 vs P4* view plots each one's score error
against the exact score per t, with the table under it.
"""


@dataclass
class CompareReady(RunMessage):
    comparison: Comparison


class P4Screen(WalkScreen):
    PROBLEM = 4
    TARGET = "p4"
    HELP = INTRO + KEYS_HELP
    # p (the start) leaves the footer here so that `^q Quit` and `? Help` fit in 80 columns; the help lists it
    BINDINGS = [Binding("b", "compare", "P3 vs P4"), Binding("p", "cycle_start", "Start", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.comparison: Comparison | None = None

    EXTRA_VIEWS = (View("P3 vs P4", "tab-compare", lambda: (
        Plot(id="compare-plot", title="press b: train both targets with the same budget"),
        TableView(id="compare-table", empty="press b to train both targets with the same budget")), scroll=True),)

    def action_compare(self) -> None:
        run_id = self.run_id = next_run_id()
        self.training, self._confirm_until = True, 0.0
        self.query_one(TrainingPanel).start(run_id, self.params.steps, "comparison")
        trained = {"p4": self.trained} if self.trained is not None else {}
        self.show_message(f"comparison: training the {'P3' if trained else 'P4 then the P3'} target, "
                          f"{self.params.steps:,} steps — x cancels")
        self._compare_worker(run_id, self.params, trained)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _compare_worker(self, run_id: int, params, trained) -> None:
        worker = get_current_worker()
        try:
            comparison = p3_walk.compare_targets(
                params, trained=trained, should_stop=lambda: worker.is_cancelled,
                on_target=lambda t: self.post_message(Note(run_id, f"training the {t.upper()} target…")),
                on_progress=lambda p: self.post_message(TrainingProgress(run_id, p)))
        except InterruptedError:  # Stopped, or the engine's own cancellation
            self.post_message(Cancelled(run_id))
            return
        self.post_message(CompareReady(run_id, comparison))

    @on_current(CompareReady)
    def _compare_done(self, m: CompareReady) -> None:
        self.training = False
        self.comparison = c = m.comparison
        self.query_one(TrainingPanel).stop(m.run_id, "compared", complete=True)
        if self.result is not None:
            self.query_one("#compare-table", TableView).show(self.result.with_comparison(c).comparison_table())
            self.show_explain()
        marker = self.app.plot_marker
        self.query_one("#compare-plot", Plot).draw(lambda plt: walk_plots.draw_comparison(plt, c, marker))
        self.show_message(f"✓ compared: mean score error P3 {c.p3.mean:.2e}, P4 {c.p4.mean:.2e}")

    def watch_params(self, old, new) -> None:
        super().watch_params(old, new)
        if self.comparison is not None and old.train_settings("p3") != new.train_settings("p3"):
            self.comparison = None  # it was measured for other settings: say so rather than show it
            self.query_one("#compare-table", TableView).show(None)
            self.query_one("#compare-plot", Plot).draw(lambda plt: plt.title("settings changed: press b to compare again"))

    def export_files(self) -> dict[str, str]:
        if self.result is None:
            return {}
        result = self.result.with_comparison(self.comparison) if self.comparison else self.result
        return export_files(f"hw7-p{self.PROBLEM}-tables", result.tables())

    def explain_markdown(self) -> str:
        r = self.result
        return explain_p4(r.setup, r.learned_evaluation, self.comparison, r.eps_forms)
