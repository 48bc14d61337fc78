"""The write-up: every problem's tables, explanations with the live numbers, and text plots, as
one Markdown document (``hw7-tui report``).

Each problem contributes a *section*: a function ``(ctx) -> str`` registered in :data:`SECTIONS`.
Sections that train report progress through ``ctx.progress(fraction, text)`` and can reuse saved
checkpoints (``ctx.models_dir``). Everything is seeded from ``ctx.seed``: the same seed gives
the same document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.discrete import expected_share_same
from engine.problems.p1_discrete import P1Settings, solve_p1
from engine.problems.p2_continuous import P2Settings, compare_p2
from tui.render import markdown

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class ReportContext:
    """What every section gets: the seed, the torch settings, where models live, progress."""

    seed: int = 0
    threads: int = 1
    device: str = "cpu"
    models_dir: Path | None = None
    quick: bool = False
    progress: Callable[[float, str], None] = lambda fraction, text: None
    """progress(fraction, text); a negative fraction updates the text only."""
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)  # models one section trains and a later one reuses


def reuse_or_train(ctx: ReportContext, kind: str, settings, label: str, name: str,
                   load: Callable, train: Callable):
    """A saved model of this kind whose settings match exactly, or a freshly trained one (then saved
    under ``name`` for the next report): (trained, None) when reused, else (trained, its outcome)."""
    from engine.checkpoint import find_matching, load_checkpoint, save_checkpoint
    from engine.errors import InvalidInput

    if ctx.models_dir is not None:
        found = find_matching(ctx.models_dir, kind, settings.as_dict())
        if found is not None:
            try:  # weights that do not fit their settings are refused in one line: train afresh instead
                reused = load(settings, load_checkpoint(found.path, kind).state_dict)
            except InvalidInput as exc:
                ctx.notes.append(f"{label}: the saved model {found.name} was not usable ({exc}); trained afresh")
            else:
                ctx.notes.append(f"{label}: reused the saved model {found.name}")
                return reused, None
    trained = train(settings, threads=ctx.threads, device=ctx.device,
                    on_progress=lambda p: ctx.progress(-1, f"{label}: training {p.step:,}/{p.total:,}"))
    if ctx.models_dir is not None and trained.outcome.status == "done":
        try:
            save_checkpoint(ctx.models_dir, name, kind, trained.model.state_dict(), settings.as_dict(),
                            {"final_loss": trained.outcome.final_loss})
        except (InvalidInput, OSError) as exc:
            ctx.notes.append(f"{label}: could not save the model: {exc}")
    return trained, trained.outcome


def text_plot(draw: Callable[[object], None], width: int = 76, height: int = 18) -> str:
    """A plotext figure as plain text (no colour codes), for a Markdown code block."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")
    draw(plt)
    text = _ANSI.sub("", plt.build())
    plt.clear_figure()
    return "```text\n" + text.rstrip() + "\n```"


# ---- Problem 1 ------------------------------------------------------------------------------------
def section_p1(ctx: ReportContext) -> str:
    out = solve_p1(P1Settings(seed=ctx.seed))
    r, people, lines = out.result, out.people, out.rule_lines(0, 1)
    share = people.share_same
    expected = expected_share_same(out.model)
    bars = text_plot(lambda plt: (
        plt.multiple_bar(out.labels, [(people.counts_x / 1e9).tolist(), (people.counts_y / 1e9).tolist(),
                                      (people.counts_back_x / 1e9).tolist()],
                         labels=["start", "after moving", "after return"]),
        plt.title("billions of people per state"), plt.xlabel("state")))
    return f"""## Problem 1 — people moving between states

**(1) The three rules.** Sampling a person first by where they are (p(x)) and then by where they
move (p(y|x)) gives the joint **p(x,y) = p(x)p(y|x)** (chain rule). The people who end in y are
all those who moved there from any x: **p̃(y) = Σx p(x,y)** (marginalization, total probability).
Among the p̃(y) billion in y, the share who came from x is **p(x|y) = p(x,y)/p̃(y)**
(conditioning, Bayes). With the numbers below:

- {lines['joint']}
- {lines['marginal']}
- {lines['backward']}

**(2)** These are the only rules behind every probability computation in machine learning:
a joint factors by the chain rule, a marginal sums the joint, a conditional divides it.

**(3) The return trip.** Sending p(x|y) of the p̃(y) people in y back to x gives
Σy p̃(y)p(x|y) = Σy p(x,y) = p(x): the distribution is restored exactly.
{lines['round_trip']}. But the people are not the same: with 10⁹ people moved with exact
multinomial counts (seed {people.seed}), of the people in state 1 after the return only
{share[0]:.1%} started there (expected Σy p(1,y)p(1|y)/p(1) = {expected[0]:.1%}).

**(4) Concrete numbers.**

{markdown(out.tables())}
Marginal p̃(y) = {", ".join(f"{v:.4f}" for v in r.p_y)}; round trip = {", ".join(f"{v:.4f}" for v in r.roundtrip_p_x)}.

{bars}
"""


# ---- Problem 2 ------------------------------------------------------------------------------------
def section_p2(ctx: ReportContext) -> str:
    out = compare_p2(P2Settings(particles=2_000_000, seed=ctx.seed))
    c, rates, check, prior = out.comparison, out.rates, out.particles, out.prior
    sigma2, y = c.sigma2, c.y
    xs, exact, approx = out.posterior_curves(161)
    plot = text_plot(lambda plt: (
        plt.plot(xs.tolist(), exact.tolist(), label="exact p(x|y)"),
        plt.plot(xs.tolist(), approx.tolist(), label="N(y + σ²∇log p(y), σ²)"),
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
The error shrinks like a power of σ²: TV ∝ (σ²)^{rates.rate_tv:.2f}, mean and variance errors and KL
∝ (σ²)^≈{rates.rate_mean:.1f}: the neglected curvature term is O(σ²) relative to the kept ones.

{plot}
"""


SECTIONS: list[tuple[int, str, Callable[[ReportContext], str]]] = [
    (1, "Problem 1", section_p1),
    (2, "Problem 2", section_p2),
]
"""(problem, title, section). Problems 3–5 register theirs in :func:`sections`."""


def sections() -> list[tuple[int, str, Callable[[ReportContext], str]]]:
    """All sections, including those of problems whose modules are installed."""
    found = list(SECTIONS)
    for module_name in ("tui.report_walk", "tui.report_swiss"):
        try:
            module = __import__(module_name, fromlist=["SECTIONS"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found += list(module.SECTIONS)
    return sorted(found, key=lambda s: s[0])


def build_report(ctx: ReportContext) -> str:
    """The whole write-up as Markdown."""
    parts = ["# HW7 — diffusion models from first principles: write-up", "",
             f"Generated by `hw7-tui report --seed {ctx.seed}{' --quick' if ctx.quick else ''}` (hw7-tui 0.1.0). "
             "Every number below is "
             "computed, not typed: the same seed gives the same document.", ""]
    todo = sections()
    for i, (problem, title, section) in enumerate(todo):
        ctx.progress(i / len(todo), f"{title}…")
        parts.append(section(ctx))
    ctx.progress(1.0, "done")
    if ctx.notes:
        parts += ["## Notes", ""] + [f"- {n}" for n in ctx.notes] + [""]
    return "\n".join(parts)
