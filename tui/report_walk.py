"""Report sections for Problems 3 and 4 (see tui.report): train what is needed, or reuse a saved
model whose settings match exactly, then tables, explanations and text plots."""

from __future__ import annotations

import numpy as np

from engine.mixture import DEFAULT_MIXTURE
from tui.explain import explain_p3, explain_p4
from tui.export import markdown_table, nice_ticks
from tui.report_base import ReportContext, reuse_or_train, text_plot

N_FULL, N_QUICK = 20_000, 3_000


def n_particles(ctx: ReportContext) -> int:
    return N_QUICK if ctx.quick else N_FULL


def trained_score(ctx: ReportContext, target: str):
    """The default model of a target, reused from ctx.models_dir when its settings match:
    (trained, True when reused)."""
    from engine.score_net import CHECKPOINT_KIND, TrainSettings, load_trained, train_score

    settings = TrainSettings(mixture=DEFAULT_MIXTURE.format(), target=target, seed=ctx.seed,
                             **({"steps": 300} if ctx.quick else {}))
    kind = CHECKPOINT_KIND[target]
    trained, outcome = reuse_or_train(ctx, kind, settings, f"Problem {target[1]} ({target.upper()} target)",
                                      f"report-{kind}-seed{ctx.seed}", load_trained, train_score)
    return trained, outcome is None


def _quality_table(ev) -> str:
    return markdown_table(["W1 / TV to p0", "stochastic", "deterministic"],
                          [[s] + [f"{ev.row(s, m).w1:.4f} / {ev.row(s, m).tv:.3f}" for m in ("stochastic", "deterministic")]
                           for s in ("learned", "exact")])


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
    loss = (f"{s.loss} loss ({'the homework’s L(θ): t uniform, no weights' if s.loss == 'homework' else 'each t weighted by Var(pt)/c², half the t log-uniform; same minimiser as the homework’s L(θ)'})")
    if reused:
        return (f"Settings: T = {s.T}, σ² = {s.sigma2:g}, {s.steps:,} steps of {s.batch:,}, lr {s.lr:g}, {loss}, "
                f"seed {s.seed} (saved model reused).")
    o = trained.outcome
    return (f"Settings: T = {s.T}, σ² = {s.sigma2:g}, {s.steps:,} steps of {s.batch:,}, lr {s.lr:g}, {loss}, seed "
            f"{s.seed}; trained in {o.seconds:.1f} s on {trained.device}, final loss {o.final_loss:.4g} "
            f"(in the homework’s units: L(θ) ≈ {trained.final_homework_loss:.4g}).")


def section_p3(ctx: ReportContext) -> str:
    from engine.score_net import evaluate
    from engine.walk import PATH_FRAMES, TRACKED_PATHS, crossings, exact_score_fn, sample

    trained, reused = trained_score(ctx, "p3")
    ctx.cache["p3"] = trained  # Problem 4 compares against it (same budget)
    setup = trained.settings.setup()
    ctx.progress(-1, "Problem 3: sampling and measuring…")
    ev = evaluate(trained, n=n_particles(ctx), seed=ctx.seed)  # with each sampler's error budget
    budget = ev.budget
    # the crossings are counted as the screen counts them: the same function, paths and frames
    det, sto = (sample(setup, exact_score_fn(setup), n_particles(ctx), method=m, seed=ctx.seed,
                       n_trajectories=TRACKED_PATHS, max_frames=PATH_FRAMES) for m in ("deterministic", "stochastic"))
    budget_rows = [[m, f"{b.discretization:.4f}", f"{b.prior_mismatch:+.4f}", f"{b.learned_score:+.4f}",
                    f"{b.with_learned:.4f}"] for m, b in budget.items()]
    return f"""## Problem 3 — learning the score of a random walk and reversing it

{_training_line(trained, reused)} p0 = {setup.p0.format()} (weight:mean:std), the same mixture as Problem 2.

{explain_p3(setup, (crossings(det.trajectories), crossings(sto.trajectories)), ev, budget, sto.trajectories.shape)}

**Quality** ({n_particles(ctx):,} particles, seed {ctx.seed}, start N(0, Tσ²)):

{_quality_table(ev)}

**Error budget** (W1; one ingredient swapped for its exact version at a time):

{markdown_table(["sampler", "discretization", "+ prior mismatch", "+ learned score", "total"], budget_rows)}

{_samples_plot(setup, ev.samples["deterministic"], "deterministic samples of x0 (learned score) vs p0")}
"""


def section_p4(ctx: ReportContext) -> str:
    from engine.score_net import evaluate, score_errors

    trained, reused = trained_score(ctx, "p4")
    setup = trained.settings.setup()
    ctx.progress(-1, "Problem 4: sampling and comparing the targets…")
    ev = evaluate(trained, n=n_particles(ctx), seed=ctx.seed)
    p3 = ctx.cache.get("p3") or trained_score(ctx, "p3")[0]
    e3, e4 = score_errors(p3, seed=ctx.seed), score_errors(trained, seed=ctx.seed)
    comparison = {"p3": (e3, None), "p4": (e4, None)}
    rows = [[str(t), f"{a:.2e}", f"{b:.2e}", f"{a / b:.1f}×"] for t, a, b in zip(e3.t, e3.error, e4.error)]
    rows.append(["mean", f"{e3.mean:.2e}", f"{e4.mean:.2e}", f"{e3.mean / e4.mean:.1f}×"])
    return f"""## Problem 4 — predicting x0 (the ε target)

{_training_line(trained, reused)}

{explain_p4(setup, ev, comparison)}

**Score error against the oracle, same budget** (Var(pt)·E(sθ − ∇log pt)² on fresh samples of pt):

{markdown_table(["t", "P3 target (xt−1)", "P4 target (x0)", "P4 better by"], rows)}

**Quality of the P4 model** ({n_particles(ctx):,} particles):

{_quality_table(ev)}

{_samples_plot(setup, ev.samples["stochastic"], "stochastic samples of x0 (P4 model) vs p0")}
"""


SECTIONS = [(3, "Problem 3", section_p3), (4, "Problem 4", section_p4)]
