"""Problem 5 screen: the toy-diffusion swiss roll — schedule, training, the 40-frame denoising,
three samplers side by side with their numbers, knobs for ablations, and the code explained."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Markdown, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from engine.errors import InvalidInput
from tui.explain import explain_p5_code
from tui.screens.trainable import TRAIN_GROUP, Param, TrainableScreen
from tui.widgets.player import FramePlot, Playback
from tui.widgets.plot import Plot
from tui.widgets.training import TrainingDone, TrainingPanel, TrainingUpdate, next_run_id

RECIPES = ("fast", "faithful")
DATASETS = ("swiss_roll", "two_moons", "eight_gaussians", "checkerboard")
EMBEDDINGS = ("sinusoidal", "raw")
KNOBS: tuple[Param, ...] = (
    ("T", "T", int, 2, 1000),
    ("steps", "steps", int, 1, 10**6),
    ("epochs", "epochs", int, 1, 10_000),
    ("lr", "lr", float, 1e-6, 1.0),
    ("batch", "batch", int, 1, 100_000),
    ("seed", "seed", int, 0, 2**31 - 1),
)
FRAME_POINTS = 1500
AXIS = 2.5

HELP = """
**Knobs** (Tab to reach the boxes, Enter to set): T diffusion steps, training steps (fast recipe)
or epochs (faithful), learning rate, batch and seed. Keys: **r** switches the recipe
(*fast*: random minibatches, decaying rate, sinusoidal t, EMA — or *faithful*: the notebook's
training settings and its 10,000 samples), **d** the data set, **k** the time embedding (sinusoidal or raw t). Changing the recipe
resets the knobs to its defaults.

**t** trains in the background (progress bar, live loss, steps/s); **x** cancels. Until a model is
trained, the animation and samplers use the *exact* score of the swiss roll (a mixture along its
curve) — the sampling error alone.

**Views** (`v` cycles): *Denoise* the 40-frame DDPM animation (space plays/pauses, ←/→ step, +/- speed);
*Samplers* DDPM and the x0 sampler (the notebook's two) and DDIM (ours: the notebook has none) side by
side with their energy distance; *Data*
fresh data against generated; *Schedule* ᾱt and βt; *Quality* energy distance and MMD² for each
sampler beside the fresh-data floor and N(0, I); *Loss*; *Code* the notebook explained part by part
next to the math and Problem 4. **e** exports the quality table and the visible plot.
"""


@dataclass(frozen=True)
class SwissResult:
    kind: str  # "exact" or "learned"
    settings: Any
    evaluation: Any
    data: np.ndarray  # fresh data subsample (standardized)
    schedule: Any
    checkpoint: str | None = None
    save_error: str | None = None


class P5Screen(TrainableScreen):
    PROBLEM = 5
    TOPIC = "The toy-diffusion swiss roll"
    HELP = HELP
    CSS_PATH = "p5_swiss.tcss"
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("t", "train", "Train"),
        Binding("x", "cancel", "Cancel"),
        Binding("space", "toggle_play", "Play"),
        Binding("r", "cycle('recipe')", "Recipe"),
        Binding("d", "cycle('dataset')", "Data", show=False),
        Binding("k", "cycle('embedding')", "Embedding", show=False),
        Binding("left", "step(-1)", "◀", show=False),
        Binding("right", "step(1)", "▶", show=False),
        Binding("plus,equals_sign", "faster", "Faster", show=False, key_display="+"),
        Binding("minus", "slower", "Slower", show=False, key_display="-"),
        Binding("v", "next_view", "View"),
        Binding("e", "export", "Export", show=False),
        Binding("c", "copy", "Copy", show=False),
        Binding("escape", "blur", "Leave box", show=False),
    ]
    QUALITY_N = 4000
    """Samples per sampler (and fresh points) for the quality numbers, as in the benchmark (the faithful
    recipe draws the notebook's 10,000: engine.eps_net.sample_count)."""
    PARAMS = KNOBS
    PARAM_PREFIX = "knob-"
    MESSAGE_ID = "swiss-message"
    TABS_ID = "swiss-tabs"
    VIEWS = ("tab-denoise", "tab-samplers", "tab-data", "tab-schedule", "tab-quality", "tab-loss", "tab-code")

    def __init__(self) -> None:
        super().__init__(id="p5")
        self.choices = {"recipe": "fast", "dataset": "swiss_roll", "embedding": "sinusoidal"}
        self.values: dict[str, Any] = {}
        self.result: SwissResult | None = None
        self.trained: Any = None
        self.run_id: int | None = None
        self.playback = Playback(self, self._show_frame, fps=8)

    # ---- layout --------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="swiss-top"):
            with Horizontal(id="swiss-knobs"):
                yield from self.compose_params()
            yield Static("", id="swiss-choices", classes="caption")
            yield TrainingPanel(id="swiss-train", curve_id="swiss-loss")
            yield Static("", id="swiss-message", classes="message")
        with TabbedContent(id="swiss-tabs"):
            with TabPane("Denoise", id="tab-denoise"):
                yield FramePlot(id="swiss-movie")
            with TabPane("Samplers", id="tab-samplers"):
                with Horizontal(classes="pair"):
                    for name in ("ddpm", "x0", "ddim"):
                        yield Plot(id=f"sampler-{name}")
            with TabPane("Data", id="tab-data"):
                yield Plot(id="swiss-data")
            with TabPane("Schedule", id="tab-schedule"):
                yield Plot(id="swiss-schedule")
            with TabPane("Quality", id="tab-quality"):
                with VerticalScroll():
                    yield DataTable(id="swiss-quality", cursor_type="none", zebra_stripes=True)
                    yield Static("", id="swiss-quality-note", classes="rules")
            with TabPane("Loss", id="tab-loss"):
                yield Plot(id="swiss-loss", title="training loss (log10)")
            with TabPane("Code", id="tab-code"):
                with VerticalScroll():
                    yield Markdown(explain_p5_code(), id="swiss-code")  # numbers from the notebook's schedule and data

    def on_mount(self) -> None:
        super().on_mount()
        saved = self.settings()
        for key, options in (("recipe", RECIPES), ("dataset", DATASETS), ("embedding", EMBEDDINGS)):
            if saved.get(key) in options:
                self.choices[key] = saved[key]
        self._reset_values()
        self.restore_params(saved)
        self.query_one("#swiss-tabs Tabs").can_focus = False
        self._show_knobs()
        self.show_message("Press t to train. Until then the animation uses the exact score of the swiss roll.")
        self._compute_exact()

    def _reset_values(self) -> None:
        from engine.eps_net import recipe

        r = recipe(self.choices["recipe"])
        self.values = {"T": r.T, "steps": r.steps, "epochs": r.epochs, "lr": r.lr, "batch": r.batch, "seed": 0}
        self.choices["embedding"] = r.embedding

    def _show_knobs(self) -> None:
        self.show_params()
        c = self.choices
        used = "epochs" if c["recipe"] == "faithful" else "steps"
        self.query_one("#swiss-choices", Static).update(
            f"recipe [b]{c['recipe']}[/] (r) · data [b]{c['dataset']}[/] (d) · t input [b]{c['embedding']}[/] (k) · "
            f"uses {used}")

    def _recipe_settings(self):
        from engine.eps_net import recipe

        v, c = self.values, self.choices
        return recipe(c["recipe"], dataset=c["dataset"], embedding=c["embedding"], T=int(v["T"]),
                      steps=int(v["steps"]), epochs=int(v["epochs"]), lr=float(v["lr"]), batch=int(v["batch"]),
                      seed=int(v["seed"]))

    # ---- knobs -----------------------------------------------------------------------------------
    @on(Input.Submitted, ".param-input")
    def _knob_submitted(self, event: Input.Submitted) -> None:
        parsed = self.parse_param(event)
        if parsed is None:
            return
        key, label, value = parsed
        self.show_message(f"✓ {label} = {value:g} — press t to train with it")
        if key == "T" and self.trained is None:
            self._compute_exact()

    def action_cycle(self, what: str) -> None:
        options = {"recipe": RECIPES, "dataset": DATASETS, "embedding": EMBEDDINGS}[what]
        self.choices[what] = options[(options.index(self.choices[what]) + 1) % len(options)]
        if what == "recipe":
            self._reset_values()
        self.save_settings(**self.choices, **self.values)
        self._show_knobs()
        self.show_message(f"{what}: {self.choices[what]} — press t to train")
        if what == "dataset" and self.trained is None:
            self._compute_exact()  # the recipe does not change the exact score; the data set does

    # ---- workers ----------------------------------------------------------------------------------
    def _compute_exact(self) -> None:
        try:
            settings = self._recipe_settings()
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}", error=True)
            return
        self.run_id = next_run_id()
        self._exact_worker(self.run_id, settings)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _exact_worker(self, run_id: int, settings) -> None:
        """Before training: the data, the schedule, and (swiss roll) the exact-score samplers."""
        from engine.eps_net import TrainedEps, evaluate, load_data, oracle_eps_fn
        from engine.vp import make_schedule

        worker = get_current_worker()
        data, standardizer = load_data(settings)
        schedule = make_schedule(settings.schedule, settings.T, settings.s)
        evaluation = None
        if settings.dataset == "swiss_roll":
            shell = TrainedEps(settings, None, standardizer, schedule)
            try:
                evaluation = evaluate(shell, n=1500, seed=settings.seed, eps_fn=oracle_eps_fn(shell, 600),
                                      frame_points=FRAME_POINTS, should_stop=lambda: worker.is_cancelled,
                                      floor_pairs=1)
            except InterruptedError:
                return
        if not worker.is_cancelled:
            self.post_message(TrainingDone(run_id, None, SwissResult("exact", settings, evaluation, data[:3000], schedule)))

    def action_train(self) -> None:
        try:
            settings = self._recipe_settings()
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}", error=True)
            return
        self.run_id = next_run_id()
        self.query_one(TrainingPanel).start(self.run_id, settings.total_steps)
        self.show_message(f"training run {self.run_id} ({settings.recipe}): {settings.total_steps:,} steps — x cancels")
        self._train_worker(self.run_id, settings)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _train_worker(self, run_id: int, settings) -> None:
        from engine.eps_net import CHECKPOINT_KIND, evaluate, load_data, sample_count, train_eps

        worker = get_current_worker()
        try:
            trained = train_eps(settings, on_progress=lambda p: self.post_message(TrainingUpdate(run_id, p)),
                                should_stop=lambda: worker.is_cancelled)
        except InvalidInput as exc:
            self.post_message(TrainingDone(run_id, None, None, error=str(exc)))
            return
        if trained.outcome.status == "cancelled" or worker.is_cancelled:
            self.post_message(TrainingDone(run_id, trained.outcome, None))
            return
        try:
            evaluation = evaluate(trained, n=sample_count(settings, self.QUALITY_N), seed=settings.seed, frame_points=FRAME_POINTS,
                                  should_stop=lambda: worker.is_cancelled)
        except InterruptedError:
            return
        checkpoint, save_error = self._save_checkpoint(trained, CHECKPOINT_KIND, evaluation)
        data, _ = load_data(settings)
        self.post_message(TrainingDone(run_id, trained.outcome, SwissResult(
            "learned", settings, evaluation, data[:3000], trained.schedule, checkpoint, save_error)))

    def _save_checkpoint(self, trained, kind, evaluation) -> tuple[str | None, str | None]:
        s = trained.settings
        name = f"{kind}-{s.recipe}-{s.dataset}-n{s.total_steps}-seed{s.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
        metrics = {"final_loss": trained.outcome.final_loss, "train_seconds": trained.outcome.seconds,
                   "energy_ddpm": evaluation.get("ddpm").energy, "floor": evaluation.floor.energy}
        return self.save_model(trained, kind, name, metrics)

    def load_checkpoint(self, checkpoint) -> None:
        from engine.eps_net import RecipeSettings, check_fits

        try:
            settings = RecipeSettings(**checkpoint.settings)
            check_fits(settings, checkpoint.state_dict)  # before the knobs change
        except (InvalidInput, TypeError) as exc:
            self.show_message(f"✗ {checkpoint.name}: its settings are not usable here ({exc})", error=True)
            return
        self.choices.update(recipe=settings.recipe, dataset=settings.dataset, embedding=settings.embedding)
        self.values.update(T=settings.T, steps=settings.steps, epochs=settings.epochs, lr=settings.lr,
                           batch=settings.batch, seed=settings.seed)
        self._show_knobs()
        self.run_id = next_run_id()
        self.show_message(f"loading {checkpoint.name} …")
        self._load_worker(self.run_id, settings, checkpoint.state_dict)

    @work(thread=True, exclusive=True, group=TRAIN_GROUP)
    def _load_worker(self, run_id: int, settings, state_dict) -> None:
        from engine.eps_net import evaluate, load_data, load_trained, sample_count

        try:
            trained = load_trained(settings, state_dict)
        except (RuntimeError, InvalidInput) as exc:
            self.post_message(TrainingDone(run_id, None, None, error=f"the saved weights do not fit: {exc}"))
            return
        evaluation = evaluate(trained, n=sample_count(settings, self.QUALITY_N), seed=settings.seed, frame_points=FRAME_POINTS)
        data, _ = load_data(settings)
        self.post_message(TrainingDone(run_id, None, SwissResult("learned", settings, evaluation, data[:3000],
                                                                 trained.schedule)))

    @on(TrainingUpdate)
    def _on_update(self, message: TrainingUpdate) -> None:
        self.query_one(TrainingPanel).progress(message.run_id, message.progress)

    @on(TrainingDone)
    def _on_done(self, message: TrainingDone) -> None:
        if message.run_id != self.run_id:
            return
        if message.outcome is not None:
            self.query_one(TrainingPanel).finish(message.run_id, message.outcome)
        if message.error:
            self.show_message(f"✗ {message.error}", error=True)
            return
        if message.result is None:
            if message.outcome is not None and message.outcome.status == "cancelled":
                self.show_message(f"training cancelled after {message.outcome.steps_done:,} steps")
            return
        self.result = message.result
        if self.result.kind == "learned":
            self.trained = True
            saved = self.saved_note(self.result.checkpoint, self.result.save_error)
            diverged = message.outcome is not None and message.outcome.status == "diverged"
            self.show_message(("✗ diverged: " + message.outcome.message if diverged else
                               "✓ trained: animation and samplers use the learned ε̂θ") + saved, error=diverged)
        self._draw_all()

    # ---- drawing ----------------------------------------------------------------------------------
    def _draw_all(self) -> None:
        r = self.result
        marker = self.app.plot_marker
        self._draw_schedule(r.schedule)
        data = r.data
        ev = r.evaluation
        if ev is None:
            self.query_one("#swiss-movie", FramePlot).draw(
                lambda plt: plt.title("the exact score is known for the swiss roll only: press t to train"))
            self._draw_data(data, None)
            self._fill_quality()
            return
        run = ev.runs["ddpm"]
        who = "learned ε̂θ" if r.kind == "learned" else "exact score"

        def draw_frame(plt, _frame, i: int) -> None:
            pts = run.frames[i]
            plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker=marker)
            plt.xlim(-AXIS, AXIS)
            plt.ylim(-AXIS, AXIS)
            plt.title(f"DDPM with the {who} · frame {i + 1}/{len(run.frame_steps)} · t = {int(run.frame_steps[i])}")

        self.query_one("#swiss-movie", FramePlot).set_frames(range(len(run.frame_steps)), draw_frame)
        self.playback.reset(len(run.frame_steps), len(run.frame_steps) - 1)
        for name in ("ddpm", "x0", "ddim"):
            pts = ev.runs[name].x0[:FRAME_POINTS]
            q = ev.get(name)

            def draw(plt, pts=pts, name=name, q=q) -> None:
                plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist(), marker=marker)
                plt.xlim(-AXIS, AXIS)
                plt.ylim(-AXIS, AXIS)
                plt.title(f"{name} · ED {q.energy:.4f}")

            self.query_one(f"#sampler-{name}", Plot).draw(draw)
        self._draw_data(data, ev.runs["ddpm"].x0[:FRAME_POINTS])
        self._fill_quality()

    def _draw_schedule(self, schedule) -> None:
        marker = self.app.plot_marker
        t = list(range(schedule.T))

        def draw(plt) -> None:
            plt.plot(t, schedule.alpha_bar.tolist(), label="ᾱt", marker=marker)
            plt.plot(t, schedule.beta.tolist(), label="βt", marker=marker)
            plt.title(f"{schedule.name} schedule, T = {schedule.T}: ᾱ0 = {schedule.alpha_bar[0]:g}, "
                      f"β{schedule.T - 1} = {schedule.beta[-1]:.3f}")
            plt.xlabel("t")

        self.query_one("#swiss-schedule", Plot).draw(draw)

    def _draw_data(self, data, generated) -> None:
        marker = self.app.plot_marker

        def draw(plt) -> None:
            plt.scatter(data[:, 0].tolist(), data[:, 1].tolist(), label="fresh data", marker=marker)
            if generated is not None:
                plt.scatter(generated[:, 0].tolist(), generated[:, 1].tolist(), label="generated (DDPM)", marker=marker)
            plt.xlim(-AXIS, AXIS)
            plt.ylim(-AXIS, AXIS)
            plt.title("data vs generated (standardized units)")

        self.query_one("#swiss-data", Plot).draw(draw)

    def _fill_quality(self) -> None:
        r = self.result
        table = self.query_one("#swiss-quality", DataTable)
        table.clear(columns=True)
        table.add_columns("sampler", "energy dist.", "MMD² h=0.1", "MMD² h=0.5")
        note = self.query_one("#swiss-quality-note", Static)
        if r.evaluation is None:
            note.update("train (t) to measure the samplers")
            return
        ev = r.evaluation
        for q in (*ev.samplers, ev.floor, ev.gaussian):
            table.add_row(q.sampler, f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}")
        who = "the learned ε̂θ" if r.kind == "learned" else "the exact score (sampling error only)"
        best = min(ev.samplers, key=lambda q: q.energy)
        note.update(f"{ev.n:,} samples with {who} against {ev.n:,} fresh points; the floor is fresh data against "
                    f"fresh data (same size). Best: {best.sampler}, {best.energy / max(ev.floor.energy, 1e-12):.1f}× "
                    "the floor. Energy distance is a V-statistic (≥ 0); MMD² is unbiased (can dip below 0).")

    def _show_frame(self, i: int) -> None:
        plot = self.query_one("#swiss-movie", FramePlot)
        if plot.frames:
            plot.show(min(i, len(plot.frames) - 1))

    # ---- exports -----------------------------------------------------------------------------------
    def export_files(self) -> dict[str, str]:
        from tui.export import tables_csv, tables_markdown

        if self.result is None or self.result.evaluation is None:
            return {}
        ev = self.result.evaluation
        s = self.result.settings
        tables = [(f"Problem 5 ({self.result.kind} score, recipe {s.recipe}, {s.dataset}, T = {s.T}): quality against "
                   f"{ev.n:,} fresh points", ["sampler", "energy distance", "MMD² h=0.1", "MMD² h=0.5"],
                   [[q.sampler, f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}"]
                    for q in (*ev.samplers, ev.floor, ev.gaussian)])]
        return {"hw7-p5-tables.md": tables_markdown(tables), "hw7-p5-tables.csv": tables_csv(tables)}
