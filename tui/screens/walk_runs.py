"""Screens 3–4's background runs: the workers that call engine.problems.p3_walk, and the handlers
of the typed messages they post (tui.messages). Mixed into WalkScreen, which owns the state:
``params`` (WalkSettings), ``trained``, ``run_id``, ``training``, ``frames`` and ``result``.

    _recompute → _exact_worker: exact part (frames, exact quality, budget) → WalkReady,
                 then the model in use, a given checkpoint or a matching saved one, evaluated → WalkReady
    action_train → _train_worker: TrainingProgress … TrainingEnded → PhaseProgress … → WalkReady
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from textual import work
from textual.worker import get_current_worker

from engine.errors import InvalidInput
from engine.problems import p3_walk
from engine.problems.p3_walk import WalkFrames, WalkResult, WalkSettings
from engine.settings import as_saved
from tui.messages import (
    Cancelled, Failed, Note, PhaseProgress, RunMessage, TrainingEnded, TrainingProgress, current_run, next_run_id,
)
from tui.screens.trainable import TRAIN_GROUP
from tui.widgets.training import TrainingPanel

@dataclass
class WalkReady(RunMessage):
    """A run's frames (None: keep the current ones) and result, with where the model was saved."""

    result: WalkResult
    frames: WalkFrames | None = None
    note: str = ""
    error: bool = False
    losses: tuple[float, ...] = ()



@dataclass
class LossFloor(RunMessage):
    """The least value L(θ) can take on these settings (engine.posterior.homework_loss_minimum)."""

    value: float


@dataclass
class LossesCompared(RunMessage):
    """The homework's loss against the balanced one, measured (engine.loss_study)."""

    comparison: object


class WalkRuns:
    """The workers and message handlers of screens 3–4 (a mixin of WalkScreen)."""

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
            from engine.posterior import homework_loss_minimum

            setup = params.setup()
            self.post_message(LossFloor(run_id, homework_loss_minimum(setup.p0, setup.T, setup.sigma2, self.TARGET)))
            note, losses, stored = "", (), None
            if trained is None and (checkpoint is not None or look_for_saved):
                found = checkpoint or find_saved(params.train_settings(self.TARGET))
                if found is None:
                    return
                self.post_message(Note(run_id, f"loading the saved model {found.name} …"))
                trained, losses = load_saved(found, params.train_settings(self.TARGET) if checkpoint is None else None)
                stored = p3_walk.result_from_summary(params, trained, found.metrics)
                note = (f"✓ reloaded the saved model {found.name}" +
                        (" (its settings match)" if checkpoint is None else "") +
                        (" with its stored evaluation" if stored else ""))
            if stored is not None:  # measured when it was saved: only the learned frames are new
                frames = self._learned_frames(params, trained, on_phase, stop)
                self.post_message(WalkReady(run_id, stored, frames, note, losses=losses))
            elif trained is not None:
                self._evaluate(run_id, params, trained, stop, on_phase, save=False, note=note, losses=losses,
                               exact=result.exact)
        except InterruptedError:  # Stopped, or the engine's own cancellation
            self.post_message(Cancelled(run_id))
        except (InvalidInput, RuntimeError) as exc:
            self.post_message(Failed(run_id, f"the saved model could not be used: {exc}"))

    def _evaluate(self, run_id, params, trained, stop, on_phase, *, save: bool, note: str = "", losses=(),
                  exact=None) -> None:
        from tui.screens.walk_models import save_trained

        self.post_message(Note(run_id, "sampling with the learned score…"))
        result = p3_walk.evaluate_trained(params, trained, exact=exact, on_phase=on_phase, should_stop=stop)
        frames = self._learned_frames(params, trained, on_phase, stop)
        error = False
        if save:
            outcome = trained.outcome
            diverged = outcome.status == "diverged"
            note, error = ("✗ training diverged: " + outcome.message if diverged else
                           "✓ trained: the animations now use the learned score"), diverged
            note += self.saved_note(*save_trained(self, trained, result))
        self.post_message(WalkReady(run_id, result, frames, note, error, losses))

    def _learned_frames(self, params: WalkSettings, trained, on_phase, stop) -> WalkFrames:
        """The animations with the learned score (tabulated), in Problem 4's ε form on screen 4."""
        return p3_walk.record_frames(params.setup(), trained.grid_score_fn(), params.particles, params.seed,
                                     params.start, kind="learned", eps_form=self.TARGET == "p4", on_phase=on_phase,
                                     should_stop=stop)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _train_worker(self, run_id: int, params: WalkSettings, exact) -> None:
        worker = get_current_worker()
        stop = lambda: worker.is_cancelled  # noqa: E731
        try:
            trained = p3_walk.train(params, self.TARGET, should_stop=stop,
                                    on_progress=lambda p: self.post_message(TrainingProgress(run_id, p)))
        except InvalidInput as exc:
            self.post_message(Failed(run_id, str(exc)))
            return
        # the Loss view is in the homework's units (L(θ)), whatever loss was trained: so is the history it ends on
        shown = (replace(trained.outcome, losses=trained.homework_losses, final_loss=trained.final_homework_loss)
                 if trained.homework_losses else trained.outcome)
        self.post_message(TrainingEnded(run_id, shown))
        if trained.outcome.status == "cancelled" or worker.is_cancelled:
            self.post_message(Cancelled(run_id, trained.outcome.steps_done))
            return
        try:  # x (or ctrl+q) while sampling stops at the next step and saves nothing
            self._evaluate(run_id, params, trained, stop, self._phases(run_id), save=True, exact=exact)
        except InterruptedError:
            self.post_message(Cancelled(run_id, trained.outcome.steps_done))

    def action_train(self) -> None:
        if self.training and time.monotonic() > self._confirm_until:
            self._confirm_until = time.monotonic() + 5
            self.show_message("a model is training: press t again to discard it and start over "
                              "(x cancels and keeps the last model)", error=True)
            return
        run_id = self.run_id = next_run_id()
        self.training, self._confirm_until = True, 0.0
        p = self.params
        self.query_one(TrainingPanel).start(run_id, p.steps)
        self.show_message(f"training: {p.steps:,} steps, lr {p.lr:g}, seed {p.seed}, {p.loss} loss — keys stay live; "
                          "x cancels")
        self._train_worker(run_id, p, self.result.exact if self.result is not None else None)

    def action_compare_losses(self) -> None:
        """L: train both losses (homework, balanced) on these settings at 3 seeds and measure them."""
        run_id = self.run_id = next_run_id()
        self.training = False
        self.query_one(TrainingPanel).follow(run_id)
        self.show_message("comparing the homework's loss with the balanced one: 6 trainings (3 seeds) — x cancels")
        self._loss_worker(run_id, self.params.train_settings(self.TARGET))

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _loss_worker(self, run_id: int, settings) -> None:
        from engine.loss_study import compare_losses

        worker, on_phase = get_current_worker(), self._phases(run_id)
        try:
            comparison = compare_losses(settings, on_progress=lambda done, total, _: on_phase("training both losses", done, total),
                                        should_stop=lambda: worker.is_cancelled)
        except InterruptedError:
            self.post_message(Cancelled(run_id))
            return
        self.post_message(LossesCompared(run_id, comparison))

    @current_run
    def on_losses_compared(self, m: LossesCompared) -> None:
        self.loss_comparison = m.comparison
        self.query_one(TrainingPanel).stop(m.run_id, "losses compared (see Explain)")
        self.show_message(f"✓ losses compared: {m.comparison.better()} is the better default here — see Explain")
        self.show_explain()

    def load_checkpoint(self, checkpoint) -> None:
        """Use a saved model (from the models list): its settings, then its evaluation."""
        from engine.score_net import TrainSettings, check_fits

        try:
            s = TrainSettings.from_saved(checkpoint.settings)  # an old checkpoint trained "balanced"
            check_fits(s, checkpoint.state_dict)  # before the parameter row changes
            params = WalkSettings.from_train_settings(s, particles=self.params.particles, start=self.params.start)
        except (InvalidInput, TypeError) as exc:
            self.show_message(f"✗ {checkpoint.name}: its settings are not usable here ({exc})", error=True)
            return
        self.set_reactive(type(self).params, params)  # no watcher: the model is loaded below, not dropped
        self.save_settings(**as_saved(params))
        self.show_settings(as_saved(params))
        self.trained = None
        self.show_message(f"loading {checkpoint.name} (trained on p₀ = {s.mixture}) …")
        self._recompute(look_for_saved=False, checkpoint=checkpoint)

    # ---- messages from workers (on_<message> by name: @on is not collected from a mixin) ----------------------------------------------------------------------
    def on_training_progress(self, m: TrainingProgress) -> None:
        self.query_one(TrainingPanel).progress(m.run_id, m.progress)

    def on_phase_progress(self, m: PhaseProgress) -> None:
        self.query_one(TrainingPanel).phase(m.run_id, m.phase, m.done, m.total, m.elapsed)

    def on_loss_floor(self, m: LossFloor) -> None:
        if m.is_current(self.run_id):
            self.query_one(TrainingPanel).set_reference(m.value, "least possible L(θ)")

    def on_training_ended(self, m: TrainingEnded) -> None:
        self.query_one(TrainingPanel).finish(m.run_id, m.outcome)

    @current_run
    def on_note(self, m: Note) -> None:
        self.show_message(m.text)

    @current_run
    def on_failed(self, m: Failed) -> None:
        self.training = False
        self.query_one(TrainingPanel).stop(m.run_id, f"failed — {m.error}")
        self.show_message(f"✗ {m.error}", error=True)

    @current_run
    def on_cancelled(self, m: Cancelled) -> None:
        self.training = False
        after = f" after {m.steps_done:,} training steps" if m.steps_done else ""
        self.query_one(TrainingPanel).stop(m.run_id, f"cancelled{after}")
        self.show_message(f"cancelled{after}; the last model is kept")

    @current_run
    def on_walk_ready(self, m: WalkReady) -> None:
        panel = self.query_one(TrainingPanel)
        if m.result.trained is not None:
            self.training = False
            self.trained = m.result.trained
            panel.stop(m.run_id, "evaluated: the tables and animations use the learned score", complete=True)
        elif not self.training:
            panel.stop(m.run_id, "exact score: frames, quality and budget ready" +
                       ("" if self.trained else " · press t to train"), complete=True)
        if m.losses:
            trained = m.result.trained or self.trained
            panel.show_losses(m.losses, trained.settings.steps if trained is not None else None)
        if m.frames is not None:
            self.frames = m.frames
        self.result = m.result
        if m.note:
            self.show_message(m.note, error=m.error)

