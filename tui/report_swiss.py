"""Report section for Problem 5 (see tui.report): the faithful and the fast recipe side by side,
the exact-score sampler as the sampling-error reference, and the code explained. The numbers and
their table come from the workflow (engine.problems.p5_swiss); nothing is laid out here."""

from __future__ import annotations

from tui.render import markdown
from tui.report_base import ReportContext, reuse_or_train, text_plot, train_ahead

N_FULL, N_QUICK = 4000, 800


def p5_result(ctx: ReportContext, settings, oracle: bool = False):
    """A saved model with exactly these settings, or a freshly trained one, measured by the workflow."""
    from engine.eps_net import CHECKPOINT_KIND, load_trained, train_eps
    from engine.problems.p5_swiss import evaluate_trained

    trained, _ = reuse_or_train(ctx, CHECKPOINT_KIND, settings.recipe_settings(),
                                f"Problem 5, {settings.recipe} recipe",
                                model_name(settings), load_trained, train_eps)
    ctx.progress(-1, f"Problem 5, {settings.recipe}: measuring the samplers…")
    return evaluate_trained(settings, trained, oracle=oracle, threads=ctx.threads)


def report_settings(ctx: ReportContext):
    """The report's two recipes: (faithful, fast) P5Settings (tiny budgets with --quick)."""
    from engine.problems.p5_swiss import P5Settings

    n = N_QUICK if ctx.quick else N_FULL
    faithful = P5Settings.for_recipe("faithful", seed=ctx.seed, particles=n, epochs=1 if ctx.quick else None)
    fast = P5Settings.for_recipe("fast", seed=ctx.seed, particles=n, steps=100 if ctx.quick else None)
    return faithful, fast


def model_name(settings) -> str:
    return f"report-p5-{settings.recipe}-seed{settings.seed}"


def start_ahead(ctx: ReportContext) -> None:
    """The faithful recipe's training (the report's longest) in a second process from the start
    (ctx.jobs = 2), so that it runs beside Problems 1–4 and the fast recipe."""
    from engine.eps_net import CHECKPOINT_KIND, train_eps

    faithful, _ = report_settings(ctx)
    train_ahead(ctx, CHECKPOINT_KIND, faithful.recipe_settings(), model_name(faithful), train_eps)


def section_p5(ctx: ReportContext) -> str:
    from engine.problems.p5_swiss import quality_table
    from tui.explain import explain_p5_code

    n = N_QUICK if ctx.quick else N_FULL
    faithful, fast = report_settings(ctx)
    # the fast recipe first: the faithful one may still be training in the second process (ctx.jobs = 2)
    fast_result = p5_result(ctx, fast, oracle=True)
    results = [p5_result(ctx, faithful), fast_result]
    ev = fast_result.evaluation
    pts = ev.runs["ddpm"].x0[:2500]
    plot = text_plot(lambda plt: (plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist()), plt.xlim(-2.5, 2.5),
                                  plt.ylim(-2.5, 2.5), plt.title("DDPM samples, fast recipe (standardized units)")),
                     width=60, height=26)
    code = explain_p5_code(fast_result.schedule, fast_result.trained.standardizer).replace("## ", "### ", 1)
    best = min(ev.samplers, key=lambda q: q.energy)
    budget = ("(a *quick* preview: tiny training budgets — run without --quick for the real numbers)\n\n"
              if ctx.quick else "")
    return f"""## Problem 5 — the toy-diffusion swiss roll

{budget}The toy-diffusion notebook's model, trained two ways — the *faithful* recipe (the notebook's
training settings) and a *fast* one — and its three samplers measured against fresh data. First the
code, part by part; then the results.

{code}
### Results

Energy distance (V-statistic) and MMD² (Gaussian kernel, bandwidths 0.1 and 0.5, standardized
units) of {n:,} samples against {n:,} fresh data points; the floor is fresh data against fresh data,
averaged over three pairs. One torch thread.

{markdown([quality_table(results)])}

The faithful recipe keeps the notebook's training settings, quirks included (4,900 steps of batches of 2048 in order, constant
rate); the fast recipe draws random minibatches, decays its rate, embeds t with sinusoids and
samples with an average of the weights. The exact score shows what is left when learning is
perfect: the 40-step sampler's own error. The fast recipe's best sampler ({best.sampler}) is
{best.energy / ev.floor.energy:.1f}× the floor.

{plot}
"""


SECTIONS = [(5, "Problem 5", section_p5)]
START_AHEAD = [start_ahead]
"""What to start in a second process at the beginning of the report (ctx.jobs = 2)."""
