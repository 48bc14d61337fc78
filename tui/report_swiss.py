"""Report section for Problem 5 (see tui.report): the faithful and the fast recipe side by side,
the exact-score sampler as the sampling-error reference, and the code explained."""

from __future__ import annotations

from tui.export import markdown_table
from tui.report_base import ReportContext, reuse_or_train, text_plot

N_FULL, N_QUICK = 4000, 800


def trained_eps(ctx: ReportContext, settings):
    from engine.eps_net import CHECKPOINT_KIND, load_trained, train_eps

    return reuse_or_train(ctx, CHECKPOINT_KIND, settings, f"Problem 5, {settings.recipe} recipe",
                          f"report-p5-{settings.recipe}-seed{settings.seed}", load_trained, train_eps)


def section_p5(ctx: ReportContext) -> str:
    from engine.eps_net import evaluate, faithful, fast, oracle_eps_fn, sample_count
    from tui.explain import explain_p5_code

    N = N_QUICK if ctx.quick else N_FULL
    quick = {"epochs": 1} if ctx.quick else {}
    rows, fast_ev, fast_model = [], None, None
    for settings in (faithful(seed=ctx.seed, **quick), fast(seed=ctx.seed, **({"steps": 100} if ctx.quick else {}))):
        trained, outcome = trained_eps(ctx, settings)
        ctx.progress(-1, f"Problem 5, {settings.recipe}: measuring the samplers…")
        n = N if ctx.quick else sample_count(settings, N)  # faithful: the notebook's 10,000
        ev = evaluate(trained, n=n, seed=ctx.seed, frame_points=1)
        seconds = "reused" if outcome is None else f"{outcome.seconds:.1f} s"
        rows += [[f"{settings.recipe} ({n:,} samples)", q.sampler, seconds, f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}"]
                 for q in ev.samplers]
        if settings.recipe == "fast":
            fast_ev, fast_model = ev, trained
    ctx.progress(-1, "Problem 5: the exact-score sampler…")
    oracle = evaluate(fast_model, n=N, seed=ctx.seed, frame_points=1, eps_fn=oracle_eps_fn(fast_model, 500 if ctx.quick else 2000))
    rows += [["exact score", q.sampler, "—", f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}"]
             for q in oracle.samplers]
    for q in (fast_ev.floor, fast_ev.gaussian):
        rows.append(["reference", q.sampler, "—", f"{q.energy:.5f}", f"{q.mmd2[0.1]:.5f}", f"{q.mmd2[0.5]:.5f}"])
    pts = fast_ev.runs["ddpm"].x0[:2500]
    plot = text_plot(lambda plt: (plt.scatter(pts[:, 0].tolist(), pts[:, 1].tolist()), plt.xlim(-2.5, 2.5),
                                  plt.ylim(-2.5, 2.5), plt.title("DDPM samples, fast recipe (standardized units)")),
                     width=60, height=26)
    code = explain_p5_code(fast_model.schedule, fast_model.standardizer).replace("## ", "### ", 1)
    best = min(fast_ev.samplers, key=lambda q: q.energy)
    budget = ("(a *quick* preview: tiny training budgets — run without --quick for the real numbers)\n\n"
              if ctx.quick else "")
    return f"""## Problem 5 — the toy-diffusion swiss roll

{budget}

{code}
### Results

Energy distance (V-statistic) and MMD² (Gaussian kernel, bandwidths 0.1 and 0.5, standardized
units) of each recipe's samples (the count beside it) against as many fresh data points; the floor is
fresh data against fresh data ({N:,} points), averaged over three pairs. One torch thread.

{markdown_table(["recipe", "sampler", "training", "energy distance", "MMD² h=0.1", "MMD² h=0.5"], rows)}

The faithful recipe trains with the notebook's settings (4,900 steps of batches of 2048 in order,
constant rate, raw t, no activation after the first layer) and draws its 10,000 samples; the data
draw and the random numbers are ours, and DDIM is our addition (the notebook has DDPM and the x0
sampler only). The fast recipe draws random minibatches, decays its rate, embeds t with sinusoids and
samples with an average of the weights. The exact score shows what is left when learning is
perfect: the 40-step sampler's own error. The fast recipe's best sampler ({best.sampler}) is
{best.energy / fast_ev.floor.energy:.1f}× the floor.

{plot}
"""


SECTIONS = [(5, "Problem 5", section_p5)]
