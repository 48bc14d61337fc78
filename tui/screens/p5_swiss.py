"""Problem 5 screen: the toy-diffusion swiss roll. Arranges and reacts only: boxes and keys set
``config`` (a reactive P5Settings; its watcher saves, shows and re-previews); workers run the
workflow (engine.problems.p5_swiss) and post typed messages (tui.messages); ``result`` is
reactive too, and its watcher draws every view."""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Markdown, Static
from textual.worker import get_current_worker

from engine.eps_net import check_fits
from engine.errors import InvalidInput
from engine.problems.p5_swiss import FRAME_POINTS, P5Result, P5Settings
from engine.settings import spec_of
from tui.explain import explain_p5_code
from engine.vp import SAMPLERS
from tui.messages import (
    Cancelled, Failed, PhaseProgress, RunMessage, TrainingEnded, TrainingProgress, next_run_id, on_current,
)
from tui.render import export_files
from tui.screens.base import EXPORT_KEYS, View, compose_views
from tui.screens.trainable import PLAYBACK_KEYS, TRAIN_GROUP, TRAIN_KEYS, TrainableScreen
from tui.plots import swiss as plots
from tui.widgets.player import FramePlot, Playback
from tui.widgets.plot import Plot
from tui.widgets.setting_input import MessageLine, SettingInput
from tui.widgets.table_view import TableView
from tui.widgets.training import TrainingPanel

BOXES = ("T", "steps", "epochs", "lr", "batch", "seed")
PREVIEW_INPUTS = ("dataset", "T", "schedule", "seed")
"""What the exact-score preview depends on (the recipe does not change the exact score)."""


@dataclass
class SwissReady(RunMessage):
    """A run's result: the exact-score preview, a trained and measured model, or a reloaded one."""

    result: P5Result
    checkpoint: str | None = None
    save_error: str | None = None


class P5Screen(TrainableScreen):
    PROBLEM = 5
    HELP = resources.files("tui.screens").joinpath("p5_help.md").read_text("utf-8")
    CSS_PATH = "p5_swiss.tcss"
    AUTO_FOCUS = ""
    PALETTE = (("Train", "train ε̂θ in the background, then sample and measure (t)", "train"),
               ("Cancel", "stop training or sampling (x)", "cancel"),
               ("Export tables and plots", "the quality table and the plots in view (e)", "export"),
               ("Copy tables", "the quality table as Markdown, to the clipboard (c)", "copy"),
               ("Play / pause", "the denoising animation (space)", "toggle_play"),
               ("Reset settings", "every setting back to its default (R; u undoes)", "reset"),
               ("Undo reset", "the settings before the last reset (u)", "undo"))

    BINDINGS = [
        *TRAIN_KEYS,
        # r, d, k: named on the line showing their values, so `^q Quit` and `? Help` fit the 80-column footer
        Binding("r", "cycle('recipe')", "Recipe", show=False), Binding("d", "cycle('dataset')", "Data", show=False),
        Binding("k", "cycle('embedding')", "t-in", show=False), Binding("R", "reset", "Reset", show=False),
        Binding("u", "undo", "Undo", show=False),
        *PLAYBACK_KEYS,
        Binding("v", "next_view", "View"), *EXPORT_KEYS,
    ]
    VIEWS = (
        View("Denoise", "tab-denoise", lambda: (FramePlot(id="swiss-movie"),)),
        View("Samplers", "tab-samplers", lambda: (Plot(id=f"sampler-{name}") for name in SAMPLERS), pair=True),
        View("Data", "tab-data", lambda: (Plot(id="swiss-data"),)),
        View("Schedule", "tab-schedule", lambda: (Plot(id="swiss-schedule"),)),
        View("Quality", "tab-quality", lambda: (TableView(id="swiss-quality", empty="train (t) to measure the samplers"),),
             scroll=True),
        View("Loss", "tab-loss", lambda: (Plot(id="swiss-loss", title="training loss (log10)"),)),
        View("Code", "tab-code", lambda: (Markdown(explain_p5_code(), id="swiss-code"),),  # the notebook's numbers
             scroll=True),
    )
    config: reactive[P5Settings] = reactive(P5Settings, init=False)
    result: reactive[P5Result | None] = reactive(None, init=False, always_update=True)  # arrays: no ==

    def __init__(self) -> None:
        super().__init__(id="p5")
        self.run_id: int | None = None
        self.restart_asked, self.before_reset = False, None
        self.playback = Playback(self, lambda i: self.query_one("#swiss-movie", FramePlot).show(i), fps=8)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="swiss-top"):
            with Horizontal(id="swiss-knobs"):
                for name in BOXES:
                    yield Label(name, classes="param-label")
                    yield SettingInput(spec_of(P5Settings, name), id=f"knob-{name}", classes="param-input")
            yield Static("", id="swiss-choices", classes="caption")
            yield TrainingPanel(id="swiss-train", curve_id="swiss-loss")
            yield MessageLine("", id="swiss-message", classes="message")
        yield from compose_views("swiss-tabs", self.VIEWS)

    def on_mount(self) -> None:
        super().on_mount()
        self.message_line = self.query_one("#swiss-message", MessageLine)
        settings, notes = P5Settings.from_saved(self.settings())
        self._set_quietly(settings)
        self.message_line.show("; ".join(notes) or "Press t to train. Until then the animation uses the exact score "
                               "of the swiss roll.", error=bool(notes))
        self.run_id = next_run_id()
        self._start_worker(self.run_id, self.config)

    # ---- settings: boxes and keys set `config`; its watcher saves, shows and recomputes -----------
    def watch_config(self, old: P5Settings, new: P5Settings) -> None:
        self.save_settings(**new.as_saved())
        self._show_config(new)
        learned = self.result is not None and self.result.score == "learned"
        if not learned and any(getattr(old, k) != getattr(new, k) for k in PREVIEW_INPUTS):
            self.run_id = next_run_id()
            self._start_worker(self.run_id, new, look=False)

    def _set_quietly(self, c: P5Settings) -> None:  # by code that starts its own work: no preview
        self.set_reactive(P5Screen.config, c)
        self.save_settings(**c.as_saved())
        self._show_config(c)

    def _show_config(self, c: P5Settings) -> None:
        self.show_settings(c.as_saved())
        self.query_one("#swiss-choices", Static).update(
            f"recipe [b]{c.recipe}[/] (r) · [b]{c.dataset}[/] (d) · t [b]{c.embedding}[/] (k) · trains by {c.budget}")

    @on(SettingInput.Set)
    def _box_changed(self, event: SettingInput.Set) -> None:
        self.set_focus(None)  # back to the screen's keys
        self.config = replace(self.config, **{event.name: event.value})
        self.message_line.show(f"✓ {event.box.spec.label} = {event.box.spec.format(event.value)} — press t to train with it")

    def action_cycle(self, what: str) -> None:
        options = spec_of(P5Settings, what).choices
        value = options[(options.index(getattr(self.config, what)) + 1) % len(options)]
        self.config = self.config.with_recipe(value) if what == "recipe" else replace(self.config, **{what: value})
        self.message_line.show(f"{spec_of(P5Settings, what).label}: {value} — press t to train")

    def action_reset(self) -> None:
        self.before_reset, self.config = self.config, P5Settings()
        self.message_line.show("every setting back to its default — u undoes")

    def action_undo(self) -> None:
        undone, self.before_reset = self.before_reset, None
        if undone is not None:
            self.config = undone
        self.message_line.show("reset undone: the settings before it are back" if undone else "nothing to undo")

    # ---- workers: the workflow's phases, reported with typed messages ----------------------------
    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _start_worker(self, run_id: int, settings: P5Settings, checkpoint=None, look: bool = True) -> None:
        """A saved model (given, or on start one of these settings), else the exact-score preview."""
        from engine.problems.p5_swiss import find_saved, preview, reload
        from tui.screens.models import models_dir

        worker = get_current_worker()
        stop = lambda: worker.is_cancelled  # noqa: E731
        checkpoint = checkpoint or (find_saved(settings, models_dir()) if look else None)
        try:
            result = preview(settings, stop) if checkpoint is None else reload(settings, checkpoint, stop, lambda p: (
                self.post_message(PhaseProgress(run_id, f"loading: {p.phase}", p.step, p.total, p.elapsed))))
        except InvalidInput as exc:
            self.post_message(Failed(run_id, str(exc)))
            return
        except InterruptedError:
            return
        self.post_message(SwissReady(run_id, result))

    def action_train(self) -> None:
        if self.query_one(TrainingPanel).running and not self.restart_asked:
            self.restart_asked = True  # ask first: a second t discards the running model
            self.message_line.show("a run is going: t again starts over and discards it; x cancels", error=True)
            return
        self.restart_asked, settings, self.run_id = False, self.config, next_run_id()
        self.query_one(TrainingPanel).start(self.run_id, settings.recipe_settings().total_steps)
        self.message_line.show(f"training ({settings.recipe} recipe) — x cancels")
        self._train_worker(self.run_id, settings)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _train_worker(self, run_id: int, settings: P5Settings) -> None:
        from engine.eps_net import CHECKPOINT_KIND
        from engine.problems.p5_swiss import checkpoint_name, run

        worker, post = get_current_worker(), self.post_message
        try:
            result = run(settings, frame_points=FRAME_POINTS, should_stop=lambda: worker.is_cancelled,
                         on_progress=lambda p: post(TrainingProgress(run_id, p)),
                         on_trained=lambda o: post(TrainingEnded(run_id, o)),
                         on_phase=lambda p: post(PhaseProgress(run_id, p.phase, p.step, p.total, p.elapsed)))
        except InvalidInput as exc:
            post(Failed(run_id, str(exc)))
            return
        if result.evaluation is None:
            post(Cancelled(run_id, result.outcome.steps_done))
            return
        trained = result.trained
        saved = self.save_model(trained, CHECKPOINT_KIND, checkpoint_name(trained.settings), result.metrics())
        post(SwissReady(run_id, result, *saved))

    def load_checkpoint(self, checkpoint) -> None:
        """From the models screen: this model's settings (if its weights fit), then its numbers."""
        try:
            check_fits((settings := P5Settings.of_checkpoint(checkpoint.settings)).recipe_settings(),
                       checkpoint.state_dict)  # before the knobs change
            self._set_quietly(settings)
        except InvalidInput as exc:
            self.message_line.show(f"✗ {checkpoint.name}: its settings are not usable here ({exc})", error=True)
            return
        self.run_id = next_run_id()
        self.message_line.show(f"loading {checkpoint.name} …")
        self._start_worker(self.run_id, self.config, checkpoint)

    # ---- what the workers report -----------------------------------------------------------------
    @on_current(TrainingProgress)
    def _on_progress(self, m: TrainingProgress) -> None:
        self.query_one(TrainingPanel).progress(m.run_id, m.progress)

    @on_current(PhaseProgress)
    def _on_phase(self, m: PhaseProgress) -> None:
        panel = self.query_one(TrainingPanel)
        if panel.run_id != m.run_id:  # a run that did not train (loading): followed from its first report
            panel.follow(m.run_id)
        panel.phase(m.run_id, m.phase, m.done, m.total, m.elapsed)

    @on_current(TrainingEnded)
    def _on_trained(self, m: TrainingEnded) -> None:
        self.query_one(TrainingPanel).finish(m.run_id, m.outcome)
        if m.outcome.status != "cancelled":
            self.message_line.show("sampling with the learned ε̂θ and measuring the samplers…")

    @on_current(Cancelled)
    def _on_cancelled(self, m: Cancelled) -> None:
        self._run_ended(m, f"cancelled after {m.steps_done:,} training steps",
                        f"training cancelled after {m.steps_done:,} steps")

    @on_current(Failed)
    def _on_failed(self, m: Failed) -> None:
        self._run_ended(m, "failed", f"✗ {m.error}", error=True)

    def _run_ended(self, m: RunMessage, panel_text: str, message: str, *, error: bool = False) -> None:
        """A run that ends without a result: the panel says how, the message line what it means."""
        self.query_one(TrainingPanel).stop(m.run_id, panel_text)
        self.message_line.show(message, error=error)

    @on_current(SwissReady)
    def _on_ready(self, m: SwissReady) -> None:
        self.result = r = m.result
        panel, o = self.query_one(TrainingPanel), r.outcome
        if r.score == "exact":
            return
        panel.follow(m.run_id)
        panel.stop(m.run_id, f"saved model {r.source}" if o is None else f"{o.status} · {o.steps_done:,} steps in "
                   f"{o.seconds:.1f} s · final loss {o.final_loss:.4g} · sampled and measured", complete=True)
        panel.show_losses(r.losses)  # drawn against steps now that the run is over
        diverged = o is not None and o.status == "diverged"
        self.message_line.show("✓ reloaded the saved model of these settings (named above), numbers as stored"
                               if o is None else ("✗ diverged: " + o.message if diverged else "✓ trained: animation "
                               "and samplers use the learned ε̂θ") + self.saved_note(m.checkpoint, m.save_error),
                               error=diverged)

    def watch_result(self, r: P5Result | None) -> None:  # draws every view
        if r is None:
            return
        marker, lim = self.app.plot_marker, plots.limit(r.data)
        self.query_one("#swiss-schedule", Plot).draw(plots.schedule_drawer(r.schedule, marker))
        ev = r.evaluation
        self.query_one(TableView).show(next(iter(r.tables()), None))
        if ev is None:
            self.query_one("#swiss-movie", FramePlot).draw(
                plots.note_drawer("the exact score is known for the swiss roll only: press t to train"))
            self.query_one("#swiss-data", Plot).draw(plots.data_drawer(r.data, None, marker, lim))
            return
        run, who = ev.runs["ddpm"], "learned ε̂θ" if r.score == "learned" else "exact score"
        self.query_one("#swiss-movie", FramePlot).set_frames(range(len(run.frame_steps)),
                                                             plots.frame_drawer(run, who, marker, lim))
        self.playback.reset(len(run.frame_steps), len(run.frame_steps) - 1)
        for name in SAMPLERS:
            self.query_one(f"#sampler-{name}", Plot).draw(
                plots.samples_drawer(ev.runs[name].x0[:FRAME_POINTS], name, ev.get(name).energy, marker, lim))
        self.query_one("#swiss-data", Plot).draw(plots.data_drawer(r.data, run.x0[:FRAME_POINTS], marker, lim))

    def export_files(self) -> dict[str, str]:  # the same table the Quality view shows
        return export_files("hw7-p5-tables", self.result.tables() if self.result else [])

