"""The write-up: every problem's tables, explanations with the live numbers, and text plots, as
one Markdown document (``hw7-tui report``).

Each problem contributes a *section*: a function ``(ctx) -> str`` listed by :func:`sections`
(Problems 1–2 here, 3–4 in ``tui.report_walk``, 5 in ``tui.report_swiss``). Sections that train report progress through ``ctx.progress(fraction, text)`` and can reuse saved
checkpoints (``ctx.models_dir``). Everything is seeded from ``ctx.seed``: the same seed gives
the same document.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.discrete import expected_share_same
from engine.problems.p1_discrete import P1Settings, solve_p1
from engine.problems.p2_continuous import P2Settings, compare_p2
from tui import report_swiss, report_walk
from tui.render import markdown
from tui.report_base import ReportContext, reuse_or_train, text_plot  # noqa: F401  (re-exported)


# ---- Problem 1 ------------------------------------------------------------------------------------
def section_p1(ctx: ReportContext) -> str:
    out = solve_p1(P1Settings(seed=ctx.seed))
    r, people, lines = out.result, out.people, out.rule_lines(0, 1)
    share = people.share_same
    expected = expected_share_same(out.model)
    bars = text_plot(lambda plt: (
        plt.multiple_bar(out.labels, [(people.counts_x / 1e9).tolist(), (people.counts_y / 1e9).tolist(),
                                      (people.counts_back_x / 1e9).tolist()],
                         labels=["start", "after moving", "after return"], marker=["█", "▒", "░"]),
        plt.ylim(0, 1.4 * max(people.counts_x.max(), people.counts_y.max(), people.counts_back_x.max()) / 1e9),
        plt.title("billions of people per state"), plt.xlabel("state")))  # head room: the legend covers no bar
    return f"""## Problem 1 — people moving between states

**(1) The three rules.** Sampling a person first by where they are (p(x)) and then by where they
move (p(y|x)) gives the joint **p(x,y) = p(x)p(y|x)** (chain rule). The people who end in y are
all those who moved there from any x: **p̃(y) = Σx p(x,y)** (marginalization, total probability).
Among the p̃(y) billion in y, the share who came from x is **p(x|y) = p(x,y)/p̃(y)**
(conditioning, Bayes). With the numbers below:

- {lines['joint']}
- {lines['marginal']}
- {lines['backward']}

**(2)** In the homework's words, these three rules underlie all the probability calculations in
machine learning: a joint factors by the chain rule, a marginal sums the joint, a conditional divides it.

**(3) The return trip.** Sending p(x|y) of the p̃(y) people in y back to x gives
Σy p̃(y)p(x|y) = Σy p(x,y) = p(x): the distribution is restored exactly. With the numbers below:

- {lines['round_trip']}

The people, however, are not the same: with 10⁹ people moved with exact multinomial counts (seed {people.seed}), of the people in state 1 after the return only
{share[0]:.1%} started there (expected Σy p(1,y)p(1|y)/p(1) = {expected[0]:.1%}).

**(4) Concrete numbers.**

{markdown(out.tables())}
Marginal p̃(y) = {", ".join(f"{v:.4f}" for v in r.p_y)}; round trip = {", ".join(f"{v:.4f}" for v in r.roundtrip_p_x)}.

{bars}
"""


# ---- Problem 2 ------------------------------------------------------------------------------------
def section_p2(ctx: ReportContext) -> str:
    out = compare_p2(P2Settings(particles=2_000_000, seed=ctx.seed))
    c, check, prior = out.comparison, out.particles, out.prior
    sigma2, y = c.sigma2, c.y
    xs, exact, approx = out.posterior_curves(161)
    plot = text_plot(lambda plt: (
        plt.plot(xs.tolist(), approx.tolist(), label="N(y + σ²∇log p(y), σ²)", marker="x"),  # told apart without colour,
        plt.plot(xs.tolist(), exact.tolist(), label="exact p(x|y)", marker="•"),  # the exact one drawn on top
        plt.title(f"p(x|y) at y = {y:g}, σ² = {sigma2:g}")))
    score = float(prior.score(np.array([y]))[0])
    return f"""## Problem 2 — the backward conditional for small noise

**(1)** For densities, probability = density × size, so the three rules of Problem 1 hold with
sums replaced by integrals: p(x,y) = p(x)p(y|x), p̃(y) = ∫p(x,y)dx, and
p(x|y) = p(x,y)/p̃(y) ∝ p(x)p(y|x) as a function of x for fixed y.

**(2)** With y = x + e, e ~ N(0, σ²): p(x|y) ∝ p(x) exp(−(y−x)²/(2σ²)). For small σ² only x near y
matter, so log p(x) ≈ log p(y) + (x−y)∇log p(y); then
log p(x|y) = const + (x−y)∇log p(y) − (x−y)²/(2σ²) = const − (x − y − σ²∇log p(y))²/(2σ²),
i.e. **p(x|y) ≈ N(y + σ²∇log p(y), σ²)**.

Checked exactly with p(x) = {prior.format()} (weight:mean:std), y = {y:g}, σ² = {sigma2:g}:
∇log p(y) = {score:.5g}, so the approximation is N({c.approx.mean:.5g}, {c.approx.variance:g}); the exact
posterior (itself a Gaussian mixture) has mean {c.exact_mean:.5g} and variance {c.exact_variance:.5g}.
Of {check.n_particles:,} particles (seed {check.seed}), {check.n_selected:,} landed within ±{check.window:.3g} of y;
where they came from has mean {check.origins.mean():.5g} and variance {check.origins.var():.5g}.

{markdown(out.tables())}

{plot}
"""


def sections() -> list[tuple[int, str, Callable[[ReportContext], str]]]:
    """All sections, in problem order: (problem, title, section)."""
    found = [(1, "Problem 1", section_p1), (2, "Problem 2", section_p2)]
    return sorted(found + list(report_walk.SECTIONS) + list(report_swiss.SECTIONS), key=lambda s: s[0])


def build_report(ctx: ReportContext) -> str:
    """The whole write-up as Markdown."""
    parts = ["# HW7 — diffusion models from first principles: write-up", "",
             f"Generated by `hw7-tui report --seed {ctx.seed}{' --quick' if ctx.quick else ''}` (hw7-tui 0.1.0). "
             "Every number below is "
             "computed, not typed: the same seed gives the same document.", ""]
    if ctx.jobs > 1:
        for start in report_swiss.START_AHEAD:  # the longest training, beside everything else
            start(ctx)
    todo = sections()
    try:
        for i, (problem, title, section) in enumerate(todo):
            ctx.progress(i / len(todo), f"{title}…")
            parts.append(section(ctx))
    finally:  # an error or ctrl+c: no second process left behind
        for ahead in ctx.ahead.values():
            ahead.stop()
    ctx.progress(1.0, "done")
    if ctx.notes:
        parts += ["## Notes", ""] + [f"- {n}" for n in ctx.notes] + [""]
    return "\n".join(parts)
