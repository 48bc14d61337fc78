"""Problem 4 screen: learn the score by predicting x0 (the ε target), reverse it, and compare the
two targets with the same training budget against the oracle."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TabPane
from textual.worker import get_current_worker

from tui.explain import explain_p4
from tui.screens.p3_walk import HELP as P3_HELP
from tui.screens.trainable import TRAIN_GROUP
from tui.screens.walk_base import WalkScreen
from tui.widgets.plot import Plot
from tui.widgets.training import TrainingDone, TrainingUpdate, next_run_id

HELP = P3_HELP.replace("Problem 3 target — xt−1 regressed on\nxt + σ²sθ(xt, t)",
                       "Problem 4 target — x0 regressed on\nxt + tσ²sθ(xt, t), i.e. εθ = −tσ²sθ") + """
**b** trains the Problem 3 target with the same budget (steps, batch, rate, seed) after the
Problem 4 one, and the *P3 vs P4* view shows each one's score error against the exact score, per t.
"""


class P4Screen(WalkScreen):
    PROBLEM = 4
    TOPIC = "Predicting x₀: the ε target"
    TARGET = "p4"
    HELP = HELP
    BINDINGS = [Binding("b", "compare", "P3 vs P4")]
    VIEWS = WalkScreen.VIEWS[:-1] + ("tab-compare", "tab-explain")

    def __init__(self) -> None:
        super().__init__()
        self.comparison = None

    def compose_extra_tabs(self) -> ComposeResult:
        with TabPane("P3 vs P4", id="tab-compare"):
            with VerticalScroll():
                yield Plot(id="compare-plot")
                yield DataTable(id="compare-table", cursor_type="none", zebra_stripes=True)
                yield Static("press b to train both targets with the same budget and compare them", id="compare-note",
                             classes="rules")

    def action_compare(self) -> None:
        self.run_id = next_run_id()
        settings = [self._train_settings("p4"), self._train_settings("p3")]
        self.show_message(f"comparison run {self.run_id}: training the P4 then the P3 target, "
                          f"{settings[0].steps:,} steps each …")
        self._compare_worker(self.run_id, settings)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _compare_worker(self, run_id: int, settings) -> None:
        from engine.score_net import score_errors, train_score

        worker = get_current_worker()
        errors = {}
        for s in settings:
            self.post_message(TrainingUpdate(run_id, _CompareNote(f"training the {s.target.upper()} target…")))
            trained = train_score(s, should_stop=lambda: worker.is_cancelled)
            if worker.is_cancelled or trained.outcome.status == "cancelled":
                return
            try:
                errors[s.target] = (score_errors(trained, seed=s.seed, should_stop=lambda: worker.is_cancelled),
                                    trained.outcome)
            except InterruptedError:
                return
        self.post_message(TrainingDone(run_id, None, _Comparison(errors)))

    @on(TrainingUpdate)
    def _compare_note(self, message: TrainingUpdate) -> None:
        if isinstance(message.progress, _CompareNote) and message.run_id == self.run_id:
            self.show_message(message.progress.text)
            message.stop()

    @on(TrainingDone)
    def _compare_done(self, message: TrainingDone) -> None:
        if not isinstance(message.result, _Comparison):
            return
        message.stop()
        if message.run_id != self.run_id:
            return
        self.comparison = message.result.errors
        e3, o3 = self.comparison["p3"]
        e4, o4 = self.comparison["p4"]
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_columns("t", "P3 target (xt−1)", "P4 target (x0 / ε)", "P4 better by")
        for t, a, b in zip(e3.t, e3.error, e4.error):
            table.add_row(str(t), f"{a:.2e}", f"{b:.2e}", f"{a / b:.1f}×" if b > 0 else "—")
        table.add_row("mean", f"{e3.mean:.2e}", f"{e4.mean:.2e}", f"{e3.mean / e4.mean:.1f}×" if e4.mean > 0 else "—")
        marker = self.app.plot_marker
        import math

        def draw(plt) -> None:
            plt.plot(e3.t.tolist(), [math.log10(max(v, 1e-12)) for v in e3.error], label="P3 target", marker=marker)
            plt.plot(e4.t.tolist(), [math.log10(max(v, 1e-12)) for v in e4.error], label="P4 target", marker=marker)
            plt.title("log10 relative score error vs t, same budget")
            plt.xlabel("t")

        self.query_one("#compare-plot", Plot).draw(draw)
        self.query_one("#compare-note", Static).update(
            f"Same budget ({o3.steps_done:,} steps each; {o3.seconds:.1f} s and {o4.seconds:.1f} s). Error = "
            "Var(pt)·E(sθ − ∇log pt)² on fresh samples of pt. Both losses weight the score error alike, so the "
            "difference is the noise of the target: xt−1 given xt varies by σ² around its mean whatever t is, "
            "while x0 given xt is pinned down far better relative to the signal when t is large.")
        self.show_message(f"✓ compared: mean score error P3 {e3.mean:.2e}, P4 {e4.mean:.2e}")
        self.query_one("#explain").update(self.explain_markdown())

    def explain_markdown(self) -> str:
        return explain_p4(self.result.setup, self.result.evaluation, self.comparison)


class _CompareNote:
    def __init__(self, text: str) -> None:
        self.text = text


class _Comparison:
    def __init__(self, errors) -> None:
        self.errors = errors
