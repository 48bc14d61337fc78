"""What screens 3 and 4 share: the layout, the keys, and the workers that run the workflow of
engine.problems.p3_walk. State lives in reactive attributes whose watchers redraw:

    params  (WalkSettings)   a box, screen 2's mixture or a loaded model changes it → recompute
    frames  (WalkFrames)     the animations and the paths
    result  (WalkResult)     the quality and budget tables, the score plot, the explanation
    fit     (bool)           histograms zoomed to each frame (z), or one axis for all frames

Workers post typed messages (tui.messages) tagged with the run id; stale ones are dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Markdown, Static, TabbedContent, TabPane, Tabs
from textual.worker import get_current_worker

from engine.errors import InvalidInput
from engine.problems import p3_walk
from engine.problems.p3_walk import Stopped, WalkFrames, WalkResult, WalkSettings
from engine.settings import as_saved, from_saved, spec_of
from tui.messages import Cancelled, Failed, Note, PhaseProgress, RunMessage, TrainingEnded, TrainingProgress, next_run_id
from tui.render import export_files
from tui.screens.trainable import TRAIN_GROUP, TrainableScreen
from tui.widgets.player import FramePlot, Playback
from tui.widgets.plot import Plot
from tui.widgets.setting_input import MessageLine, SettingInput
from tui.widgets.table_view import TableView
from tui.widgets.training import TrainingPanel
from tui.widgets import walk_plots

BOXES = ("T", "sigma2", "particles", "seed", "steps", "lr")
MODEL_FIELDS = ("mixture", "T", "sigma2", "seed", "steps", "lr")
"""A change to one of these means the trained model no longer fits the settings."""
SAMPLE_FIELDS = ("mixture", "T", "sigma2", "particles", "seed", "start")
"""A change to one of these means the frames and the quality table must be recomputed."""

KEYS_HELP = """
**Views** (`v` cycles): *Reverse* — stochastic (left) and deterministic (right) histograms with the
exact pt over them, each panel titled with its update; *Forward* — the noising from p₀ to p_T;
*Score* — learned against exact score at one t (`[` `]`); *Quality* — W1 and TV to p₀ and the
error budget (filled from the exact score before training); *Paths* — particle paths, which never
cross for the deterministic flow; *Loss* (raw and smoothed); *Explain*.

**Playback:** space plays/pauses (the result at t = 0 is held 2 s), ←/→ step, +/- speed, **z**
zooms each frame to its own range (p₀ fills the plot at t = 0) or shows one axis for all.
**p** cycles where the reverse starts: N(0, Tσ²) (the homework), the exact p_T, or N(mean, var + Tσ²).
**e** exports the tables (Markdown, CSV, with the error budget) and the plots in view; **c** copies the tables.
A saved model whose settings match is reloaded on start; **m** lists saved models.
"""


@dataclass
class WalkReady(RunMessage):
    """A run's frames (None: keep the current ones) and result, with where the model was saved."""

    result: WalkResult
    frames: WalkFrames | None = None
    note: str = ""
    error: bool = False
    losses: tuple[float, ...] = ()


class WalkScreen(TrainableScreen):
    """Base of screens 3 and 4: ``TARGET`` is "p3" or "p4"."""

    TARGET: ClassVar[str] = "p3"
    MESSAGE_ID = "walk-message"
    TABS_ID = "walk-tabs"
    CSS_PATH = "walk.tcss"
    AUTO_FOCUS = ""  # keys go to the screen (t, space, arrows …) until Tab reaches a box

    BINDINGS = [
        Binding("t", "train", "Train"), Binding("x", "cancel", "Cancel"), Binding("space", "toggle_play", "Play"),
        Binding("v", "next_view", "View"), Binding("z", "zoom", "Zoom"), Binding("p", "cycle_start", "Start"),
        Binding("left", "step(-1)", "◀", show=False), Binding("right", "step(1)", "▶", show=False),
        Binding("plus,equals_sign", "faster", "Faster", show=False, key_display="+"),
        Binding("minus", "slower", "Slower", show=False, key_display="-"),
        Binding("left_square_bracket", "score_t(-1)", "t−", show=False, key_display="["),
        Binding("right_square_bracket", "score_t(1)", "t+", show=False, key_display="]"),
        Binding("e", "export", "Export", show=False), Binding("c", "copy", "Copy", show=False),
        Binding("escape", "blur", "Leave box", show=False),
    ]

    params: reactive[WalkSettings] = reactive(WalkSettings(), init=False)
    frames: reactive[WalkFrames | None] = reactive(None, init=False)
    result: reactive[WalkResult | None] = reactive(None, init=False, always_update=True)
    fit: reactive[bool] = reactive(True, init=False)
    score_t: reactive[int] = reactive(1, init=False)

    def __init__(self) -> None:
        super().__init__(id=f"p{self.PROBLEM}")
        self.trained = None
        self.run_id: int | None = None
        self.training = False
        self._confirm_until = 0.0
        self._p2_mixture = ""
        self.playback = Playback(self, self._show_frame, fps=15)

    # ---- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        specs = [spec_of(WalkSettings, name) for name in BOXES]
        with Vertical(id="walk-top"):
            with Horizontal(id="walk-params"):
                yield from self.compose_settings(specs, as_saved(self.params))
            yield TrainingPanel(id="walk-train", curve_id="walk-loss")
            yield MessageLine("", id="walk-message")
        with TabbedContent(id="walk-tabs"):
            with TabPane("Reverse", id="tab-reverse"), Horizontal(classes="pair"):
                yield FramePlot(id="movie-stochastic")
                yield FramePlot(id="movie-deterministic")
            with TabPane("Forward", id="tab-forward"):
                yield FramePlot(id="movie-forward")
            with TabPane("Score", id="tab-score"):
                yield Plot(id="score-plot")
            with TabPane("Quality", id="tab-quality"), VerticalScroll():
                yield TableView(id="quality-table", empty="computing the exact score's quality…")
                yield TableView(id="budget-table")
            with TabPane("Paths", id="tab-paths"), Horizontal(classes="pair"):
                yield Plot(id="paths-deterministic")
                yield Plot(id="paths-stochastic")
            with TabPane("Loss", id="tab-loss"):
                yield Plot(id="walk-loss", title="training loss (log10)")
            yield from self.compose_extra_tabs()
            with TabPane("Explain", id="tab-explain"), VerticalScroll():
                yield Markdown("", id="explain")

    def compose_extra_tabs(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        super().on_mount()
        self._p2_mixture = self.shared_mixture().format()
        params, problems = from_saved(WalkSettings, self.settings(), mixture=self._p2_mixture)
        self.set_reactive(WalkScreen.params, params)
        self.show_settings(as_saved(params))
        self.query_one(f"#{self.TABS_ID}", TabbedContent).query_one(Tabs).can_focus = False  # arrows step frames
        self.show_message("; ".join(problems) or f"p₀ = {params.mixture} (edit it on screen 2). Press t to train; "
                          "until then the animations use the exact score.", error=bool(problems))
        self._recompute(look_for_saved=True)

    def on_screen_resume(self) -> None:
        """Follow screen 2: a changed mixture takes effect as soon as this screen is shown."""
        mixture = self.shared_mixture().format()
        if mixture != self._p2_mixture:
            self._p2_mixture = mixture
            self.show_message(f"p₀ changed on screen 2: now {mixture}; recomputing")
            self.params = replace(self.params, mixture=mixture)

    # ---- state → pictures ---------------------------------------------------------------------------
    @on(SettingInput.Changed)
    def _setting_changed(self, event: SettingInput.Changed) -> None:
        self.set_focus(None)  # back to the screen's keys
        try:
            self.params = replace(self.params, **{event.name: event.value})
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}", error=True)
            return
        spec = event.box.spec
        self.show_message(f"✓ {spec.label} = {spec.format(event.value)}"
                          + (" — press t to train with it" if event.name in ("steps", "lr") else ""))

    def watch_params(self, old: WalkSettings, new: WalkSettings) -> None:
        self.save_settings(**as_saved(new))
        self.show_settings(as_saved(new))
        if any(getattr(old, f) != getattr(new, f) for f in MODEL_FIELDS if f not in ("steps", "lr")):
            self.trained = None
        if any(getattr(old, f) != getattr(new, f) for f in SAMPLE_FIELDS):
            self._recompute(look_for_saved=self.trained is None)

    def watch_frames(self, frames: WalkFrames | None) -> None:
        if frames is None:
            return
        marker = self.app.plot_marker
        panels = [("#movie-stochastic", frames.stochastic, "stochastic"),
                  ("#movie-deterministic", frames.deterministic, "deterministic")]
        if frames.forward is not None:
            panels.append(("#movie-forward", frames.forward, "forward"))
        for plot_id, movie, method in panels:
            formula = walk_plots.FORMULAS[(self.TARGET, method)]
            draw = (lambda plt, _f, i, movie=movie, formula=formula, reverse=method != "forward":
                    walk_plots.draw_frame(plt, movie, i, formula, marker, fit=self.fit, reverse=reverse))
            self.query_one(plot_id, FramePlot).set_frames(range(len(movie.steps)), draw)
        for movie, name, n in ((frames.deterministic, "deterministic", frames.crossings[0]),
                               (frames.stochastic, "stochastic", frames.crossings[1])):
            self.query_one(f"#paths-{name}", Plot).draw(
                lambda plt, movie=movie, name=name, n=n: walk_plots.draw_paths(plt, movie, name, n, marker))
        self.playback.reset(len(frames.stochastic.steps), self.playback.index)

    def watch_result(self, result: WalkResult | None) -> None:
        if result is None:
            return
        self.query_one("#quality-table", TableView).show(result.quality_table())
        self.query_one("#budget-table", TableView).show(result.budget_table())
        self._draw_score()
        self.query_one("#explain", Markdown).update(self.explain_markdown())

    def watch_fit(self) -> None:
        self._show_frame(self.playback.index)

    def watch_score_t(self) -> None:
        self._draw_score()

    def _show_frame(self, i: int) -> None:
        for plot in self.query(FramePlot):
            if plot.frames:
                plot.show(min(i, len(plot.frames) - 1))

    def _draw_score(self) -> None:
        from engine.walk import exact_score

        setup = self.params.setup()
        t = max(1, min(self.score_t, setup.T))
        xs = np.linspace(*setup.p0.support(3.5), 161)
        learned = self.trained.score_fn()(xs, t) if self.trained is not None else None
        marker = self.app.plot_marker
        self.query_one("#score-plot", Plot).draw(
            lambda plt: walk_plots.draw_score(plt, xs, exact_score(setup, xs, t), learned, t, marker))

    def explain_markdown(self) -> str:  # pragma: no cover - each screen writes its own
        return ""

    # ---- workers ------------------------------------------------------------------------------------
    def _new_run(self) -> int:
        self.run_id = next_run_id()
        self.query_one(TrainingPanel).follow(self.run_id)
        return self.run_id

    def _recompute(self, *, look_for_saved: bool, checkpoint=None) -> None:
        """The exact part (frames, exact quality, budget), then the trained model's evaluation: the
        one in use, a given checkpoint, or (look_for_saved) a saved one whose settings match."""
        self.training = False
        self._exact_worker(self._new_run(), self.params, self.trained, look_for_saved, checkpoint)

    def _phases(self, run_id: int):
        start = time.perf_counter()
        return lambda phase, done, total: self.post_message(
            PhaseProgress(run_id, phase, done, total, time.perf_counter() - start))

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _exact_worker(self, run_id: int, params: WalkSettings, trained, look_for_saved: bool, checkpoint) -> None:
        from tui.screens.walk_models import find_saved, load_saved

        worker = get_current_worker()
        stop, on_phase = (lambda: worker.is_cancelled), self._phases(run_id)
        try:
            result, frames = p3_walk.exact_part(params, self.TARGET, on_phase=on_phase, should_stop=stop)
            self.post_message(WalkReady(run_id, result, frames))
            note, losses = "", ()
            if trained is None and (checkpoint is not None or look_for_saved):
                found = checkpoint or find_saved(params.train_settings(self.TARGET))
                if found is None:
                    return
                self.post_message(Note(run_id, f"loading the saved model {found.name} …"))
                trained, losses = load_saved(found, params.train_settings(self.TARGET) if checkpoint is None else None)
                note = f"✓ reloaded the saved model {found.name} (its settings match)"
            if trained is not None:
                self._evaluate(run_id, params, trained, stop, on_phase, save=False, note=note, losses=losses)
        except Stopped:
            self.post_message(Cancelled(run_id))
        except (InvalidInput, RuntimeError) as exc:
            self.post_message(Failed(run_id, f"the saved model could not be used: {exc}"))

    def _evaluate(self, run_id, params, trained, stop, on_phase, *, save: bool, note: str = "", losses=()) -> None:
        from tui.screens.walk_models import save_trained

        self.post_message(Note(run_id, "sampling with the learned score…"))
        result = p3_walk.evaluate_trained(params, trained, on_phase=on_phase, should_stop=stop)
        frames = p3_walk.record_frames(params.setup(), trained.score_fn(), params.particles, params.seed,
                                       params.start, kind="learned", on_phase=on_phase, should_stop=stop)
        error = False
        if save:
            outcome = trained.outcome
            diverged = outcome.status == "diverged"
            note, error = ("✗ training diverged: " + outcome.message if diverged else
                           "✓ trained: the animations now use the learned score"), diverged
            note += self.saved_note(*save_trained(self, trained, result))
        self.post_message(WalkReady(run_id, result, frames, note, error, losses))

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _train_worker(self, run_id: int, params: WalkSettings) -> None:
        worker = get_current_worker()
        stop = lambda: worker.is_cancelled  # noqa: E731
        try:
            trained = p3_walk.train(params, self.TARGET, should_stop=stop,
                                    on_progress=lambda p: self.post_message(TrainingProgress(run_id, p)))
        except InvalidInput as exc:
            self.post_message(Failed(run_id, str(exc)))
            return
        self.post_message(TrainingEnded(run_id, trained.outcome))
        if trained.outcome.status == "cancelled" or worker.is_cancelled:
            self.post_message(Cancelled(run_id, trained.outcome.steps_done))
            return
        try:
            self._evaluate(run_id, params, trained, stop, self._phases(run_id), save=True)
        except Stopped:
            self.post_message(Cancelled(run_id, trained.outcome.steps_done))

    def action_train(self) -> None:
        if self.training and time.monotonic() > self._confirm_until:
            self._confirm_until = time.monotonic() + 5
            self.show_message(f"run {self.run_id} is training: press t again to discard it and start over "
                              "(x cancels and keeps the last model)", error=True)
            return
        run_id = self.run_id = next_run_id()
        self.training, self._confirm_until = True, 0.0
        p = self.params
        self.query_one(TrainingPanel).start(run_id, p.steps)
        self.show_message(f"training run {run_id}: {p.steps:,} steps, lr {p.lr:g}, seed {p.seed} — keys stay live; "
                          "x cancels")
        self._train_worker(run_id, p)

    def load_checkpoint(self, checkpoint) -> None:
        """Use a saved model (from the models list): its settings, then its evaluation."""
        from engine.score_net import TrainSettings

        try:
            s = TrainSettings(**checkpoint.settings)
            params = WalkSettings.from_train_settings(s, particles=self.params.particles, start=self.params.start)
        except (InvalidInput, TypeError) as exc:
            self.show_message(f"✗ {checkpoint.name}: its settings are not usable here ({exc})", error=True)
            return
        self.set_reactive(WalkScreen.params, params)  # no watcher: the model is loaded below, not dropped
        self.save_settings(**as_saved(params))
        self.show_settings(as_saved(params))
        self.trained = None
        self.show_message(f"loading {checkpoint.name} (trained on p₀ = {s.mixture}) …")
        self._recompute(look_for_saved=False, checkpoint=checkpoint)

    # ---- messages from workers ----------------------------------------------------------------------
    @on(TrainingProgress)
    def _on_progress(self, m: TrainingProgress) -> None:
        self.query_one(TrainingPanel).progress(m.run_id, m.progress)

    @on(PhaseProgress)
    def _on_phase(self, m: PhaseProgress) -> None:
        self.query_one(TrainingPanel).phase(m.run_id, m.phase, m.done, m.total, m.elapsed)

    @on(TrainingEnded)
    def _on_training_ended(self, m: TrainingEnded) -> None:
        self.query_one(TrainingPanel).finish(m.run_id, m.outcome)

    @on(Note)
    def _on_note(self, m: Note) -> None:
        if m.is_current(self.run_id):
            self.show_message(m.text)

    @on(Failed)
    def _on_failed(self, m: Failed) -> None:
        if m.is_current(self.run_id):
            self.training = False
            self.query_one(TrainingPanel).stop(m.run_id, f"failed — {m.error}")
            self.show_message(f"✗ {m.error}", error=True)

    @on(Cancelled)
    def _on_cancelled(self, m: Cancelled) -> None:
        if m.is_current(self.run_id):
            self.training = False
            after = f" after {m.steps_done:,} training steps" if m.steps_done else ""
            self.query_one(TrainingPanel).stop(m.run_id, f"cancelled{after}")
            self.show_message(f"cancelled{after}; the last model is kept")

    @on(WalkReady)
    def _on_ready(self, m: WalkReady) -> None:
        if not m.is_current(self.run_id):
            return
        if m.result.trained is not None:
            self.training = False
            self.trained = m.result.trained
            self.query_one(TrainingPanel).stop(m.run_id, "evaluated: the tables and animations use the learned score")
        if m.losses:
            self.query_one(TrainingPanel).show_losses(m.losses)
        if m.frames is not None:
            self.frames = m.frames
        self.result = m.result
        if m.note:
            self.show_message(m.note, error=m.error)

    # ---- keys ---------------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.training = False
        super().action_cancel()

    def action_score_t(self, delta: int) -> None:
        T = self.params.T
        step = max(1, T // 20)
        target = step if (self.score_t == 1 and delta > 0) else self.score_t + delta * step
        self.score_t = max(1, min(T, target))

    def action_zoom(self) -> None:
        self.fit = not self.fit
        self.notify("each frame on its own axis (p₀ fills t = 0)" if self.fit else "one axis for every frame",
                    timeout=1.5)

    def action_cycle_start(self) -> None:
        starts = spec_of(WalkSettings, "start").choices
        self.params = replace(self.params, start=starts[(starts.index(self.params.start) + 1) % len(starts)])
        self.show_message(f"reverse processes now start from: {self.params.start}")

    def export_files(self) -> dict[str, str]:
        return export_files(f"hw7-p{self.PROBLEM}-tables", self.result.tables()) if self.result else {}

