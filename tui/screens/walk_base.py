"""What screens 3 and 4 share: the layout, the keys, and the workers that run the workflow of
engine.problems.p3_walk. State lives in reactive attributes whose watchers redraw:

    params  (WalkSettings)   a box, screen 2's mixture or a loaded model changes it → recompute
    frames  (WalkFrames)     the animations and the paths
    result  (WalkResult)     the quality and budget tables, the score plot, the explanation
    fit     (bool)           histograms zoomed to each frame (z), or one axis for all frames

The workers and the handlers of their typed messages (tui.messages, tagged with the run id; stale
ones are dropped) are in tui.screens.walk_runs; the drawing in tui.widgets.walk_plots.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Markdown, TabbedContent, Tabs

from engine.errors import InvalidInput
from engine.problems.p3_walk import WalkFrames, WalkResult, WalkSettings
from engine.score_net import LOG_UNIFORM_SHARE
from engine.settings import as_saved, from_saved, spec_of
from tui.render import export_files
from tui.screens.base import View, compose_views
from tui.screens.trainable import PLAYBACK_KEYS, TRAIN_KEYS, TrainableScreen
from tui.screens.walk_runs import WalkRuns
from tui.widgets import walk_plots
from tui.widgets.player import FramePlot, Playback
from tui.widgets.plot import Plot
from tui.widgets.setting_input import MessageLine, SettingInput
from tui.widgets.table_view import TableView
from tui.widgets.training import TrainingPanel

BOXES = ("T", "sigma2", "particles", "seed", "steps", "lr")
MODEL_FIELDS = ("mixture", "T", "sigma2", "seed", "steps", "lr", "loss", "batch", "hidden")
"""A change to one of these means the trained model no longer fits the settings."""
SAMPLE_FIELDS = ("mixture", "T", "sigma2", "particles", "seed", "start")
"""A change to one of these means the frames and the quality table must be recomputed."""

KEYS_HELP = """
**Views** (`v` cycles): *Reverse* — stochastic (left) and deterministic (right) histograms with the
exact pt over them, each panel titled with its update; *Forward* — the noising from p₀ to p_T;
*Score* — learned against exact score at one t (`[` `]`); *Quality* — W1 and TV to p₀ and the
error budget (filled from the exact score before training); *Paths* — particle paths, which never
cross for the deterministic flow; *Loss* (raw and smoothed, over the least possible L(θ): the exact score's); *Explain*.

**Playback:** space plays/pauses (the result at t = 0 is held 2 s), ←/→ step, +/- speed, **z**
zooms each frame to its own range (p₀ fills the plot at t = 0) or shows one axis for all.
**p** cycles where the reverse starts: N(0, Tσ²) (the homework), the exact p_T, or N(mean, var + Tσ²).
**l** switches the training loss: the homework's L(θ) exactly, or balanced (same minimiser, the default).
**e** exports the tables (Markdown, CSV, with the error budget) and the plots in view; **c** copies the tables.
A saved model whose settings match is reloaded on start; **m** lists saved models.
"""


class WalkScreen(WalkRuns, TrainableScreen):
    """Base of screens 3 and 4: ``TARGET`` is "p3" or "p4"."""

    TARGET: ClassVar[str] = "p3"
    CSS_PATH = "walk.tcss"
    AUTO_FOCUS = ""  # keys go to the screen (t, space, arrows …) until Tab reaches a box

    BINDINGS = [
        *TRAIN_KEYS,
        Binding("v", "next_view", "View"), Binding("z", "zoom", "Zoom"), Binding("p", "cycle_start", "Start"),
        *PLAYBACK_KEYS,
        Binding("left_square_bracket", "score_t(-1)", "t−", show=False, key_display="["),
        Binding("right_square_bracket", "score_t(1)", "t+", show=False, key_display="]"),
        Binding("e", "export", "Export", show=False), Binding("c", "copy", "Copy", show=False),
        Binding("l", "cycle_loss", "Loss", show=False),
        Binding("L", "compare_losses", "Compare losses", show=False),
        Binding("R", "reset", "Reset", show=False), Binding("u", "undo", "Undo", show=False),
        Binding("escape", "blur", "Leave box", show=False),
    ]

    VIEWS = (
        View("Reverse", "tab-reverse", lambda: (FramePlot(id="movie-stochastic"), FramePlot(id="movie-deterministic")),
             pair=True),
        View("Forward", "tab-forward", lambda: (FramePlot(id="movie-forward"),)),
        View("Score", "tab-score", lambda: (Plot(id="score-plot"),)),
        View("Quality", "tab-quality", lambda: (TableView(id="quality-table", empty="computing the exact score's quality…"),
                                                TableView(id="budget-table")), scroll=True),
        View("Paths", "tab-paths", lambda: (Plot(id="paths-deterministic"), Plot(id="paths-stochastic")), pair=True),
        View("Loss", "tab-loss", lambda: (
            Plot(id="walk-loss", title="training loss in the homework's units, L(θ) per batch (log10)"),)),
    )
    EXTRA_VIEWS: ClassVar[tuple[View, ...]] = ()
    """A screen's own views, between Loss and Explain (screen 3: Orders; screen 4: P3 vs P4)."""
    EXPLAIN = View("Explain", "tab-explain", lambda: (Markdown("", id="explain"),), scroll=True)

    params: reactive[WalkSettings] = reactive(WalkSettings(), init=False)
    frames: reactive[WalkFrames | None] = reactive(None, init=False, always_update=True)  # arrays: no ==
    result: reactive[WalkResult | None] = reactive(None, init=False, always_update=True)
    fit: reactive[bool] = reactive(True, init=False)
    score_t: reactive[int] = reactive(1, init=False)

    def __init__(self) -> None:
        super().__init__(id=f"p{self.PROBLEM}")
        self.trained = None
        self.run_id: int | None = None
        self.training = False
        self._confirm_until = 0.0
        self.loss_comparison = None  # the homework-vs-balanced measurement (L), shown in Explain
        self._before_reset: WalkSettings | None = None  # what u puts back
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
        yield from compose_views("walk-tabs", (*self.VIEWS, *self.EXTRA_VIEWS, self.EXPLAIN))

    def on_mount(self) -> None:
        super().on_mount()
        self._p2_mixture = self.shared_mixture().format()
        params, problems = from_saved(WalkSettings, self.settings(), mixture=self._p2_mixture)
        self.set_reactive(WalkScreen.params, params)
        self.show_settings(as_saved(params))
        self.query_one(TabbedContent).query_one(Tabs).can_focus = False  # arrows step frames
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
    @on(SettingInput.Set)
    def _setting_changed(self, event: SettingInput.Set) -> None:
        self.set_focus(None)  # back to the screen's keys
        try:
            self.params = replace(self.params, **{event.name: event.value})
        except InvalidInput as exc:
            self.show_message(f"✗ {exc}", error=True)
            return
        spec = event.box.spec
        self.show_message(f"✓ {spec.label} = {spec.format(event.value)}"
                          + (" — press t to train with it" if event.name in ("steps", "lr", "loss") else ""))

    def watch_params(self, old: WalkSettings, new: WalkSettings) -> None:
        self.save_settings(**as_saved(new))
        self.show_settings(as_saved(new))
        if any(getattr(old, f) != getattr(new, f) for f in MODEL_FIELDS if f not in ("steps", "lr", "loss")):
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
        self.show_explain()

    def show_explain(self) -> None:
        """The Explain view: the screen's explanation, then the measured loss comparison (L) if any."""
        from tui.render import markdown

        text = self.explain_markdown()
        c = self.loss_comparison
        if c is not None and c.target == self.TARGET:
            text += f"\n\n## Which loss? Measured on these settings\n\n{markdown([c.table()])}\n{c.sentence()}\n"
        else:
            text += "\n\n*Press L to measure the homework's loss against the balanced one on these settings.*\n"
        self.query_one("#explain", Markdown).update(text)

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

    # ---- keys ---------------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.training = False
        super().action_cancel()

    def action_score_t(self, delta: int) -> None:
        T = self.params.T
        step = max(1, T // 20)
        target = step if (self.score_t == 1 and delta > 0) else self.score_t + delta * step
        self.score_t = max(1, min(T, target))

    @property
    def loss(self) -> str:
        """The training loss in force: "balanced" or "homework" (engine.score_net.LOSSES)."""
        return self.params.loss

    def action_cycle_loss(self) -> None:
        """l: the homework's L(θ) (t uniform, no weights) or the balanced loss (each t weighted by
        Var(pt)/c², most of the t log-uniform) — the same minimiser; the loss curve is in the homework's units."""
        self.params = replace(self.params, loss="homework" if self.loss == "balanced" else "balanced")
        words = ("the homework's L(θ): t uniform, no weights" if self.loss == "homework" else
                 f"balanced: each t weighted by Var(pt)/c², {LOG_UNIFORM_SHARE:.0%} of the t log-uniform (same minimiser)")
        self.show_message(f"training loss now {words} — press t to train")

    def action_reset(self) -> None:
        """R: every setting back to its declared default (p₀ stays screen 2's); u undoes."""
        self._before_reset = self.params
        self.params = WalkSettings(mixture=self.params.mixture)
        self.show_message("settings reset to their defaults (u undoes)")

    def action_undo(self) -> None:
        if self._before_reset is None:
            self.show_message("nothing to undo")
            return
        self.params, self._before_reset = replace(self._before_reset, mixture=self.params.mixture), None
        self.show_message("✓ settings put back as they were before the reset")

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

