"""Report sections for Problems 3 and 4 (see tui.report): train what is needed, or reuse a saved
model whose settings match exactly, then the workflow's tables, explanations and text plots."""

from __future__ import annotations

import numpy as np

from engine.problems import p3_walk
from engine.problems.p3_walk import WalkResult, WalkSettings
from engine.score_net import LOG_UNIFORM_SHARE
from tui.explain import explain_p3, explain_p4
from tui.export import nice_ticks
from tui.render import markdown
from tui.report_base import ReportContext, reuse_or_train, text_plot

N_FULL, N_QUICK = 20_000, 3_000


def report_settings(ctx: ReportContext) -> WalkSettings:
    """The report's settings: the defaults (300 training steps and 3000 particles with --quick)."""
    return WalkSettings(seed=ctx.seed, particles=N_QUICK if ctx.quick else N_FULL,
                        **({"steps": 300} if ctx.quick else {}))


def trained_score(ctx: ReportContext, target: str):
    """The default model of a target, reused from ctx.models_dir when its settings match:
    (trained, True when reused)."""
    from engine.score_net import CHECKPOINT_KIND, load_trained, train_score

    settings = report_settings(ctx).train_settings(target)
    kind = CHECKPOINT_KIND[target]
    trained, outcome = reuse_or_train(ctx, kind, settings, f"Problem {target[1]} ({target.upper()} target)",
                                      f"report-{kind}-seed{ctx.seed}", load_trained, train_score)
    return trained, outcome is None


def _result(ctx: ReportContext, target: str) -> tuple[WalkResult, bool]:
    trained, reused = trained_score(ctx, target)
    ctx.cache[target] = trained  # Problem 4 compares against Problem 3's model (same budget)
    ctx.progress(-1, f"Problem {target[1]}: sampling and measuring…")
    # the exact side (exact-score samplers, prior floors) depends on the walk, not on the model: Problem 3
    # measures it, Problem 4 reuses it (evaluate_trained checks that it matches)
    result = p3_walk.evaluate_trained(report_settings(ctx), trained, threads=ctx.threads,
                                      exact=ctx.cache.get("walk-exact"))
    ctx.cache["walk-exact"] = result.exact
    ctx.cache[f"{target}-result"] = result
    return result, reused


def _comparison(ctx: ReportContext, p3, p4: WalkResult) -> p3_walk.Comparison:
    """Problem 3's model against Problem 4's, both measured against the oracle: the score errors each
    section measured already (the same call compare_targets makes: same model, same seed), else anew."""
    p3_result = ctx.cache.get("p3-result")
    if p3_result is not None and p3_result.trained is p3 and p4.score_errors is not None:
        return p3_walk.Comparison(p3_result.score_errors, p4.score_errors, p3.outcome, p4.trained.outcome)
    return p3_walk.compare_targets(report_settings(ctx), trained={"p3": p3, "p4": p4.trained})


def _samples_plot(setup, samples: np.ndarray, title: str) -> str:
    lo, hi = setup.p0.support(4.0)
    edges = np.linspace(lo, hi, 61)
    counts = np.histogram(samples, edges)[0]
    dens = counts / (len(samples) * np.diff(edges))
    centers = np.round(0.5 * (edges[1:] + edges[:-1]), 3)
    xs = np.linspace(lo, hi, 161)
    return text_plot(lambda plt: (plt.bar(centers.tolist(), dens.tolist(), width=1, label="samples"),
                                  plt.plot(xs.tolist(), setup.p0.pdf(xs).tolist(), label="p0"),
                                  plt.xticks(nice_ticks(lo, hi)),
                                  plt.title(title)))


def _training_line(trained, reused: bool) -> str:
    s = trained.settings
    balanced = (f"each t weighted by Var(pt)/c², {LOG_UNIFORM_SHARE:.0%} of the t log-uniform; same minimiser as "
                "the homework’s L(θ)")
    loss = f"{s.loss} loss ({'the homework’s L(θ): t uniform, no weights' if s.loss == 'homework' else balanced})"
    if reused:
        return (f"Settings: T = {s.T}, σ² = {s.sigma2:g}, {s.steps:,} steps of {s.batch:,}, lr {s.lr:g}, {loss}, "
                f"seed {s.seed} (saved model reused).")
    o = trained.outcome
    return (f"Settings: T = {s.T}, σ² = {s.sigma2:g}, {s.steps:,} steps of {s.batch:,}, lr {s.lr:g}, {loss}, seed "
            f"{s.seed}; trained in {o.seconds:.1f} s on {trained.device}, final loss {o.final_loss:.4g} "
            f"(in the homework’s units: L(θ) ≈ {trained.final_homework_loss:.4g}).")


def section_p3(ctx: ReportContext) -> str:
    from engine.walk import exact_score_fn

    result, reused = _result(ctx, "p3")
    setup = result.setup
    # the crossings are counted as the screen counts them: the same function, paths and frames
    paths = p3_walk.record_frames(setup, exact_score_fn(setup), report_settings(ctx).particles, ctx.seed, "prior",
                                  kind="exact")
    return f"""## Problem 3 — learning the score of a random walk and reversing it

{_training_line(result.trained, reused)} p0 = {setup.p0.format()} (weight:mean:std), the same mixture as Problem 2.

{explain_p3(setup, paths.crossings, result.learned_evaluation, result.budget, paths.stochastic.trajectories.shape)}

{markdown(result.tables())}
{_samples_plot(setup, result.evaluation.samples["deterministic"], "deterministic samples of x0 (learned score) vs p0")}
"""


def section_p4(ctx: ReportContext) -> str:
    result, reused = _result(ctx, "p4")
    setup = result.setup
    ctx.progress(-1, "Problem 4: comparing the targets…")
    p3 = ctx.cache.get("p3") or trained_score(ctx, "p3")[0]
    comparison = _comparison(ctx, p3, result)
    result = result.with_comparison(comparison)
    return f"""## Problem 4 — predicting x0 (the ε target)

{_training_line(result.trained, reused)}

{explain_p4(setup, result.learned_evaluation, comparison, result.eps_forms)}

{markdown([t for t in (result.comparison_table(), result.quality_table(), result.budget_table(),
                       result.eps_table()) if t is not None])}
{_samples_plot(setup, result.evaluation.samples["stochastic"], "stochastic samples of x0 (P4 model) vs p0")}
"""


SECTIONS = [(3, "Problem 3", section_p3), (4, "Problem 4", section_p4)]
