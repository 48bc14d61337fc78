"""What screens 3 and 4 share: parameters, background training, playback of precomputed frames,
the learned-vs-exact score, the quality table, trajectories and the explanation.

Everything heavy (training, sampling with recording, W1) runs in thread workers; the screen only
draws precomputed histograms. Before any training the reverse animations use the exact score,
so there is something to watch from the first second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Markdown, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from engine.errors import InvalidInput
from tui.export import nice_ticks
from tui.screens.trainable import TRAIN_GROUP, Param, TrainableScreen
from tui.widgets.player import FramePlot, Playback
from tui.widgets.plot import Plot
from tui.widgets.training import TrainingDone, TrainingPanel, TrainingUpdate, next_run_id

PARAMS: tuple[Param, ...] = (
    ("T", "T", int, 2, 2000),
    ("sigma2", "σ²", float, 1e-4, 100.0),
    ("particles", "N", int, 100, 1_000_000),
    ("seed", "seed", int, 0, 2**31 - 1),
    ("steps", "steps", int, 1, 200_000),
    ("lr", "lr", float, 1e-6, 1.0),
)
DEFAULTS: dict[str, Any] = {"T": 100, "sigma2": 0.25, "particles": 20_000, "seed": 0, "steps": 1000, "lr": 2e-2}
FRAMES = 61
STARTS = ("prior", "exact", "matched")


@dataclass(frozen=True)
class Movie:
    """Precomputed frames: per frame a histogram density and the exact pt density on a grid."""

    steps: np.ndarray
    centers: np.ndarray
    densities: np.ndarray  # (frames, bins)
    xs: np.ndarray
    exact: np.ndarray  # (frames, len(xs))
    trajectories: np.ndarray  # (frames, k)


def make_movie(setup, run) -> Movie:
    """Turn a recorded engine run into drawable frames (the exact pt of each frame's step t)."""
    from engine.walk import marginal_at

    h = run.histograms
    xs = np.linspace(h.edges[0], h.edges[-1], 121)
    exact = np.array([marginal_at(setup, int(t)).pdf(xs) for t in h.steps])
    dens = np.array([h.density(i) for i in range(len(h.steps))])
    return Movie(h.steps, np.round(h.centers, 3), dens, xs, exact, run.trajectories)


@dataclass(frozen=True)
class WalkResult:
    """What a worker hands back to the screen."""

    kind: str  # "exact" (before training) or "learned"
    setup: Any
    forward: Movie | None
    stochastic: Movie
    deterministic: Movie
    crossings: tuple[int, int]  # (deterministic, stochastic)
    evaluation: Any = None
    budget: dict | None = None
    score_errors: Any = None
    trained: Any = None
    checkpoint: str | None = None
    save_error: str | None = None


class WalkScreen(TrainableScreen):
    """Base of screens 3 and 4: ``TARGET`` is "p3" or "p4"."""

    TARGET: ClassVar[str] = "p3"
    PARAMS = PARAMS
    MESSAGE_ID = "walk-message"
    TABS_ID = "walk-tabs"
    CSS_PATH = "walk.tcss"
    AUTO_FOCUS = ""  # no auto focus: keys go to the screen (t, space, arrows …) until Tab reaches a parameter box

    BINDINGS = [
        Binding("t", "train", "Train"),
        Binding("x", "cancel", "Cancel"),
        Binding("space", "toggle_play", "Play"),
        Binding("left", "step(-1)", "◀", show=False),
        Binding("right", "step(1)", "▶", show=False),
        Binding("plus,equals_sign", "faster", "Faster", show=False, key_display="+"),
        Binding("minus", "slower", "Slower", show=False, key_display="-"),
        Binding("left_square_bracket", "score_t(-1)", "t−", show=False, key_display="["),
        Binding("right_square_bracket", "score_t(1)", "t+", show=False, key_display="]"),
        Binding("p", "cycle_start", "Start", show=False),
        Binding("l", "cycle_loss", "Loss", show=False),
        Binding("v", "next_view", "View"),
        Binding("e", "export", "Export", show=False),
        Binding("c", "copy", "Copy", show=False),
        Binding("escape", "blur", "Leave box", show=False),
    ]

    VIEWS: ClassVar[tuple[str, ...]] = ("tab-reverse", "tab-forward", "tab-score", "tab-quality", "tab-paths",
                                        "tab-loss", "tab-explain")

    def __init__(self) -> None:
        super().__init__(id=f"p{self.PROBLEM}")
        self.values: dict[str, Any] = dict(DEFAULTS)
        self.start = "prior"
        self.loss = "balanced"  # the training loss: "balanced" (default) or "homework" (engine.score_net.LOSSES)
        self.result: WalkResult | None = None
        self.trained: Any = None
        self.score_t = 1
        self.run_id: int | None = None
        self.playback = Playback(self, self._show_frame, fps=15)

    # ---- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="walk-top"):
            with Horizontal(id="walk-params"):
                yield from self.compose_params()
            yield TrainingPanel(id="walk-train", curve_id="walk-loss")
            yield Static("", id="walk-message", classes="message")
        with TabbedContent(id="walk-tabs"):
            with TabPane("Reverse", id="tab-reverse"):
                yield Static("", id="reverse-caption", classes="caption")
                with Horizontal(classes="pair"):
                    yield FramePlot(id="movie-stochastic")
                    yield FramePlot(id="movie-deterministic")
            with TabPane("Forward", id="tab-forward"):
                yield Static("", id="forward-caption", classes="caption")
                yield FramePlot(id="movie-forward")
            with TabPane("Score", id="tab-score"):
                yield Plot(id="score-plot")
            with TabPane("Quality", id="tab-quality"):
                with VerticalScroll():
                    yield DataTable(id="quality-table", cursor_type="none", zebra_stripes=True)
                    yield DataTable(id="budget-table", cursor_type="none", zebra_stripes=True)
                    yield Static("", id="quality-note", classes="rules")
            with TabPane("Paths", id="tab-paths"):
                with Horizontal(classes="pair"):
                    yield Plot(id="paths-deterministic")
                    yield Plot(id="paths-stochastic")
            with TabPane("Loss", id="tab-loss"):
                yield Plot(id="walk-loss", title="training loss in the homework's units, L(θ) per batch (log10)")
            yield from self.compose_extra_tabs()
            with TabPane("Explain", id="tab-explain"):
                with VerticalScroll():
                    yield Markdown("", id="explain")

    def compose_extra_tabs(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        super().on_mount()
        saved = self.settings()
        self.restore_params(saved)
        if saved.get("start") in STARTS:
            self.start = saved["start"]
        if saved.get("loss") in ("homework", "balanced"):
            self.loss = saved["loss"]
        self.show_params()
        tabs = self.query_one("#walk-tabs Tabs")
        tabs.can_focus = False  # arrows step the animation; Tab reaches the parameter boxes
        self.show_message(f"p₀ = {self.shared_mixture().format()} (edit it on screen 2). Press t to train; "
                          "until then the animations use the exact score.")
        self._compute_exact()

    # ---- parameters ------------------------------------------------------------------------------
    @on(Input.Submitted, ".param-input")
    def _param_submitted(self, event: Input.Submitted) -> None:
        parsed = self.parse_param(event)
        if parsed is None:
            return
        key, label, value = parsed
        self.show_message(f"✓ {label} = {value:g}" + (" — press t to retrain" if self.trained else ""))
        if key in ("T", "sigma2", "particles", "seed"):
            self.trained = None
            self._compute_exact()

    def _setup(self):
        from engine.walk import WalkSetup

        return WalkSetup(self.shared_mixture(), int(self.values["T"]), float(self.values["sigma2"]))

    def _train_settings(self, target: str | None = None):
        from engine.score_net import TrainSettings

        v = self.values
        return TrainSettings(mixture=self.shared_mixture().format(), T=int(v["T"]), sigma2=float(v["sigma2"]),
                             target=target or self.TARGET, steps=int(v["steps"]), lr=float(v["lr"]), seed=int(v["seed"]),
                             loss=self.loss)

    # ---- workers ---------------------------------------------------------------------------------
    def _compute_exact(self) -> None:
        self.run_id = next_run_id()
        self._exact_worker(self.run_id, self._setup(), int(self.values["particles"]), int(self.values["seed"]), self.start)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _exact_worker(self, run_id: int, setup, n: int, seed: int, start: str) -> None:
        from engine.walk import exact_score_fn

        worker = get_current_worker()
        result = self._sample_movies(setup, exact_score_fn(setup), n, seed, start, worker, kind="exact")
        if result is not None:
            self.post_message(TrainingDone(run_id, None, result))

    def _sample_movies(self, setup, score, n, seed, start, worker, kind, **extra) -> WalkResult | None:
        from engine.walk import crossings, forward_walk, sample

        stop = lambda: worker.is_cancelled  # noqa: E731
        try:
            fwd = forward_walk(setup, n, seed=seed, max_frames=FRAMES) if kind == "exact" else None
            sto = sample(setup, score, n, method="stochastic", start=start, seed=seed, max_frames=FRAMES,
                         should_stop=stop)
            det = sample(setup, score, n, method="deterministic", start=start, seed=seed, max_frames=FRAMES,
                         should_stop=stop)
        except InterruptedError:
            return None
        if worker.is_cancelled:
            return None
        return WalkResult(kind, setup, make_movie(setup, fwd) if fwd is not None else None,
                          make_movie(setup, sto), make_movie(setup, det),
                          (crossings(det.trajectories), crossings(sto.trajectories)), **extra)

    def action_train(self) -> None:
        try:
            settings = self._train_settings()
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}", error=True)
            return
        self.run_id = next_run_id()
        self.query_one(TrainingPanel).start(self.run_id, settings.steps)
        self.show_message(f"training run {self.run_id}: {settings.steps:,} steps, lr {settings.lr:g}, seed {settings.seed}, "
                          f"{settings.loss} loss — keys stay live; x cancels")
        self._train_worker(self.run_id, settings, int(self.values["particles"]), self.start)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _train_worker(self, run_id: int, settings, n: int, start: str) -> None:
        from engine.score_net import CHECKPOINT_KIND, evaluate, score_errors, train_score

        worker = get_current_worker()
        try:
            trained = train_score(settings, on_progress=lambda p: self.post_message(TrainingUpdate(run_id, p)),
                                  should_stop=lambda: worker.is_cancelled)
        except InvalidInput as exc:
            self.post_message(TrainingDone(run_id, None, None, error=str(exc)))
            return
        outcome = trained.outcome
        if outcome.status == "cancelled" or worker.is_cancelled:
            self.post_message(TrainingDone(run_id, outcome, None))
            return
        self.post_message(TrainingUpdate(run_id, _Note(outcome, "sampling with the learned score…")))
        setup = settings.setup()
        stop = lambda: worker.is_cancelled  # noqa: E731  (x or ctrl+q while sampling: stop, save nothing)
        try:
            evaluation = evaluate(trained, n=n, seed=settings.seed, start=start, should_stop=stop)  # with the budget
            budget = evaluation.budget
            errors = score_errors(trained, seed=settings.seed, should_stop=stop)
        except InterruptedError:
            self.post_message(TrainingDone(run_id, replace(outcome, status="cancelled"), None))
            return
        checkpoint, save_error = self._save_checkpoint(trained, CHECKPOINT_KIND[settings.target], evaluation, errors)
        result = self._sample_movies(setup, trained.grid_score_fn(), n, settings.seed, start, worker, "learned",
                                     evaluation=evaluation, budget=budget, score_errors=errors, trained=trained,
                                     checkpoint=checkpoint, save_error=save_error)
        self.post_message(TrainingDone(run_id, outcome, result))

    def _save_checkpoint(self, trained, kind: str, evaluation, errors=None) -> tuple[str | None, str | None]:
        from engine.score_net import evaluation_metrics

        s = trained.settings
        name = f"{kind}-T{s.T}-s{s.sigma2:g}-n{s.steps}-seed{s.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
        metrics = {"final_loss": trained.outcome.final_loss, "train_seconds": trained.outcome.seconds,
                   "w1_stochastic": evaluation.row("learned", "stochastic").w1,
                   "w1_deterministic": evaluation.row("learned", "deterministic").w1,
                   **evaluation_metrics(evaluation, errors)}  # a loaded model shows these without re-measuring
        return self.save_model(trained, kind, name, metrics)

    def load_checkpoint(self, checkpoint) -> None:
        """Use a saved model (from the models list): rebuild it and evaluate it in a worker."""
        from engine.score_net import TrainSettings, check_fits

        try:
            settings = TrainSettings.from_saved(checkpoint.settings)
            check_fits(settings, checkpoint.state_dict)  # before the parameter row changes
        except (InvalidInput, TypeError) as exc:
            self.show_message(f"✗ {checkpoint.name}: its settings are not usable here ({exc})", error=True)
            return
        self.values.update(T=settings.T, sigma2=settings.sigma2, steps=settings.steps, lr=settings.lr, seed=settings.seed)
        self.loss = settings.loss
        self.show_params()
        self.run_id = next_run_id()
        self.show_message(f"loading {checkpoint.name} (trained on p₀ = {settings.mixture}) …")
        self._load_worker(self.run_id, settings, checkpoint.state_dict, int(self.values["particles"]), self.start,
                          checkpoint.metrics)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _load_worker(self, run_id: int, settings, state_dict, n: int, start: str, metrics=None) -> None:
        from engine.score_net import evaluate, evaluation_from_metrics, load_trained, score_errors

        worker = get_current_worker()
        try:
            trained = load_trained(settings, state_dict)
        except (RuntimeError, InvalidInput) as exc:
            self.post_message(TrainingDone(run_id, None, None, error=f"the saved weights do not fit: {exc}"))
            return
        stored = evaluation_from_metrics(metrics or {})
        if stored is not None and (stored[0].n, stored[0].start, stored[0].seed) == (n, start, settings.seed) \
                and stored[0].budget is not None and stored[1] is not None:
            evaluation, errors = stored  # measured when it was trained, with these particles, start and seed
        else:
            try:
                evaluation = evaluate(trained, n=n, seed=settings.seed, start=start,
                                      should_stop=lambda: worker.is_cancelled)
                errors = score_errors(trained, seed=settings.seed, should_stop=lambda: worker.is_cancelled)
            except InterruptedError:
                return
        result = self._sample_movies(settings.setup(), trained.grid_score_fn(), n, settings.seed, start, worker,
                                     "learned", evaluation=evaluation, budget=evaluation.budget,
                                     score_errors=errors, trained=trained)
        self.post_message(TrainingDone(run_id, None, result))

    # ---- messages from workers --------------------------------------------------------------------
    @on(TrainingUpdate)
    def _on_update(self, message: TrainingUpdate) -> None:
        if isinstance(message.progress, _Note):
            if message.run_id == self.run_id:
                self.show_message(message.progress.text)
            return
        if hasattr(message.progress, "step"):  # a TrainProgress (subclasses may post notes of their own)
            self.query_one(TrainingPanel).progress(message.run_id, message.progress)

    @on(TrainingDone)
    def _on_done(self, message: TrainingDone) -> None:
        if message.run_id != self.run_id or not (message.result is None or isinstance(message.result, WalkResult)):
            return  # a stale run (cancelled or superseded), or a result a subclass handles
        panel = self.query_one(TrainingPanel)
        if message.outcome is not None:
            panel.finish(message.run_id, message.outcome)
        if message.error:
            self.show_message(f"✗ {message.error}", error=True)
            return
        result = message.result
        if result is None:
            if message.outcome is not None and message.outcome.status == "cancelled":
                self.show_message(f"training cancelled after {message.outcome.steps_done:,} steps; the last model is kept")
            return
        self.result = result
        if result.kind == "learned":
            self.trained = result.trained
            saved = self.saved_note(result.checkpoint, result.save_error)
            diverged = message.outcome is not None and message.outcome.status == "diverged"
            self.show_message(("✗ training diverged: " + message.outcome.message if diverged else
                               "✓ trained: the animations now use the learned score") + saved, error=diverged)
        self._refresh_result()

    # ---- drawing ------------------------------------------------------------------------------------
    def _refresh_result(self) -> None:
        r = self.result
        if r is None:
            return
        who = "learned sθ" if r.kind == "learned" else "exact ∇log pt"
        self.query_one("#reverse-caption", Static).update(
            f"{who} · start {self.start} · line: exact pt")
        if r.forward is not None:
            self._forward = r.forward
            self.query_one("#forward-caption", Static).update(
                "forward noising xt = xt−1 + et from p₀ to p_T; line: exact pt = p₀ ∗ N(0, tσ²)")
            self.query_one("#movie-forward", FramePlot).set_frames(range(len(r.forward.steps)), self._draw_forward)
        self.query_one("#movie-stochastic", FramePlot).set_frames(range(len(r.stochastic.steps)),
                                                                  self._drawer(r.stochastic, "stochastic"))
        self.query_one("#movie-deterministic", FramePlot).set_frames(range(len(r.deterministic.steps)),
                                                                     self._drawer(r.deterministic, "deterministic"))
        self.playback.reset(len(r.stochastic.steps), self.playback.index)
        self._draw_paths()
        self._draw_score()
        self._fill_quality()
        self.query_one("#explain", Markdown).update(self.explain_markdown())

    def _drawer(self, movie: Movie, name: str):
        def draw(plt, _frame, i: int) -> None:
            plot_marker = self.app.plot_marker
            plt.bar(movie.centers.tolist(), movie.densities[i].tolist(), marker=plot_marker, width=1)
            plt.plot(movie.xs.tolist(), movie.exact[i].tolist(), marker=plot_marker, color="red")
            plt.title(f"{name} · t = {int(movie.steps[i])}")
            plt.xlim(float(movie.xs[0]), float(movie.xs[-1]))
            plt.xticks(nice_ticks(float(movie.xs[0]), float(movie.xs[-1])))
            plt.ylim(0, float(max(movie.exact[-1].max(), movie.exact[0].max())) * 1.3)

        return draw

    def _draw_forward(self, plt, _frame, i: int) -> None:
        self._drawer(self._forward, "forward")(plt, _frame, i)

    def _show_frame(self, i: int) -> None:
        for plot_id in ("#movie-stochastic", "#movie-deterministic", "#movie-forward"):
            plot = self.query_one(plot_id, FramePlot)
            if plot.frames:
                plot.show(min(i, len(plot.frames) - 1))

    def _draw_paths(self) -> None:
        r = self.result
        marker = self.app.plot_marker
        for movie, plot_id, name, n_cross in ((r.deterministic, "#paths-deterministic", "deterministic", r.crossings[0]),
                                              (r.stochastic, "#paths-stochastic", "stochastic", r.crossings[1])):
            steps = movie.steps.tolist()

            def draw(plt, movie=movie, name=name, n_cross=n_cross, steps=steps) -> None:
                for j in range(movie.trajectories.shape[1]):
                    plt.plot(steps, movie.trajectories[:, j].tolist(), marker=marker)
                plt.title(f"{name}: paths cross {n_cross}×")
                plt.xlabel("t (T → 0)")

            self.query_one(plot_id, Plot).draw(draw)

    def _draw_score(self) -> None:
        from engine.walk import exact_score

        r = self.result
        setup = r.setup
        t = max(1, min(self.score_t, setup.T))
        lo, hi = setup.p0.support(3.5)
        xs = np.linspace(lo, hi, 161)
        exact = exact_score(setup, xs, t)
        learned = self.trained.score_fn()(xs, t) if self.trained is not None else None
        marker = self.app.plot_marker

        def draw(plt) -> None:
            plt.plot(xs.tolist(), exact.tolist(), label="exact ∇log pt", marker=marker)
            if learned is not None:
                plt.plot(xs.tolist(), learned.tolist(), label="learned sθ", marker=marker)
            plt.title(f"score at t = {t} ([ / ] change t)" + ("" if learned is not None else " — train to compare"))

        self.query_one("#score-plot", Plot).draw(draw)

    def _fill_quality(self) -> None:
        r = self.result
        table = self.query_one("#quality-table", DataTable)
        table.clear(columns=True)
        table.add_columns("W1 / TV to p₀", "stochastic", "deterministic")
        if r.evaluation is not None:
            ev = r.evaluation
            for score in ("learned", "exact"):
                table.add_row(score, *(f"{ev.row(score, m).w1:.4f} / {ev.row(score, m).tv:.3f}"
                                       for m in ("stochastic", "deterministic")))
        budget = self.query_one("#budget-table", DataTable)
        budget.clear(columns=True)
        budget.add_columns("error budget (W1)", "discretization", "+prior", "+learned", "total", "prior T→∞")
        if r.budget:
            for m, b in r.budget.items():
                budget.add_row(m, f"{b.discretization:.4f}", f"{b.prior_mismatch:+.4f}",
                               f"{b.learned_score:+.4f}", f"{b.with_learned:.4f}", _fmt(b.prior_limit))
        note = ("Train (t) to fill the table: W1 = ∫|Fₙ − F₀| against the exact CDF of p₀, same particles and seed "
                "for the learned and the exact score." if r.evaluation is None else
                f"{r.evaluation.n:,} particles, start {r.evaluation.start}, seed {r.evaluation.seed}. "
                "Budget: exact score from the exact p_T (steps only), then from N(0, Tσ²) (+prior), "
                "then the learned score (+learned). prior T→∞: the exact W1 the N(0, Tσ²) start alone leaves "
                "with infinitely fine steps (parts need not add up: W1 is not additive).")
        self.query_one("#quality-note", Static).update(note)

    def explain_markdown(self) -> str:  # pragma: no cover - each screen writes its own
        return ""

    # ---- keys ---------------------------------------------------------------------------------------
    def action_score_t(self, delta: int) -> None:
        if self.result is None:
            return
        T = self.result.setup.T
        step = max(1, T // 20)
        target = step if (self.score_t == 1 and delta > 0) else self.score_t + delta * step
        self.score_t = max(1, min(T, target))
        self._draw_score()

    def action_cycle_start(self) -> None:
        self.start = STARTS[(STARTS.index(self.start) + 1) % len(STARTS)]
        self.save_settings(start=self.start)
        self.show_message(f"reverse processes now start from: {self.start}"
                          + (" — press t to retrain and re-evaluate" if self.trained else ""))
        if self.trained is None:
            self._compute_exact()

    def action_cycle_loss(self) -> None:
        """l: the homework's L(θ) (t uniform, no weights) or the balanced loss (each t weighted by
        Var(pt)/c², half the t log-uniform) — the same minimiser; the loss curve is in the homework's units."""
        self.loss = "homework" if self.loss == "balanced" else "balanced"
        self.save_settings(loss=self.loss)
        words = ("the homework's L(θ): t uniform, no weights" if self.loss == "homework" else
                 "balanced: each t weighted by Var(pt)/c², half the t log-uniform (same minimiser)")
        self.show_message(f"training loss now {words} — press t to train")

    def export_files(self) -> dict[str, str]:
        from tui.export import tables_csv, tables_markdown

        r = self.result
        if r is None or r.evaluation is None:
            return {}
        ev = r.evaluation
        tables = [(f"Problem {self.PROBLEM}: W1 / TV to p0 ({ev.n:,} particles, start {ev.start}, seed {ev.seed})",
                   ["score", "stochastic W1", "deterministic W1", "stochastic TV", "deterministic TV"],
                   [[s, f"{ev.row(s, 'stochastic').w1:.4f}", f"{ev.row(s, 'deterministic').w1:.4f}",
                     f"{ev.row(s, 'stochastic').tv:.4f}", f"{ev.row(s, 'deterministic').tv:.4f}"]
                    for s in ("learned", "exact")])]
        if r.budget:
            tables.append(("Error budget (W1)", ["sampler", "discretization", "prior mismatch", "learned score", "total",
                                                 "prior mismatch, T→∞ (exact)"],
                           [[m, f"{b.discretization:.4f}", f"{b.prior_mismatch:+.4f}", f"{b.learned_score:+.4f}",
                             f"{b.with_learned:.4f}", _fmt(b.prior_limit)] for m, b in r.budget.items()]))
        return {f"hw7-p{self.PROBLEM}-tables.md": tables_markdown(tables),
                f"hw7-p{self.PROBLEM}-tables.csv": tables_csv(tables)}


@dataclass(frozen=True)
class _Note:
    """A progress message that is text, not a training step."""

    outcome: Any
    text: str


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
