"""The homework's "explain" items for Problems 3 and 4, answered with the live numbers.

Plain text building (no Textual): the screens show it, the report prints it.
"""

from __future__ import annotations


def explain_p3(setup, crossings, evaluation=None, budget=None) -> str:
    """Problem 3's (1)–(5) answered with the live numbers (Markdown)."""
    s = setup
    det_cross, sto_cross = crossings
    lines = [
        f"### With these numbers: T = {s.T}, σ² = {s.sigma2:g} (Tσ² = {s.total_variance:g}), p₀ = {s.p0.format()}",
        "",
        "**(1) The backward step is Problem 2 again.** xt = xt−1 + et is Problem 2's y = x + e with "
        "p(x) = pt−1, so for small σ², p(xt−1 | xt) ≈ N(xt + σ²∇log pt−1(xt), σ²).",
        "",
        "**(2) Least squares learns the score.** The minimiser of E[(xt−1 − (xt + σ²sθ))²] is "
        "sθ = (E[xt−1 | xt] − xt)/σ², and Tweedie's formula says E[xt−1 | xt] = xt + σ²∇log pt(xt) "
        "exactly — so sθ learns ∇log pt, which equals the homework's ∇log pt−1 up to O(σ²).",
        "",
        "**(3) Stochastic reverse.** Start at xT ~ N(0, Tσ²) and step xt−1 = xt + σ²sθ(xt, t) + ẽt: each "
        "step samples the backward conditional of (1).",
        "",
        "**(4) Deterministic reverse.** The noise spreads mass like the heat equation; the same change "
        "of pt comes from moving every particle with velocity −½σ²∇log pt, so one step is "
        "xt−1 = xt + ½σ²s and the homework's xt−2 = xt + σ²s is two of those steps at once (a test "
        "checks they are the same map). Without the ½ the flow overshoots and the spread collapses.",
        "",
        f"**(5) A billion particles.** In the stochastic process each particle jiggles and paths cross "
        f"({sto_cross} crossings among the plotted paths here); in the deterministic one every particle "
        f"moves up the density's slope by a fixed rule, so paths never cross ({det_cross} crossings) and "
        "order is kept — yet the histogram of all particles follows pt exactly as for the random walk "
        "run backwards, because only the marginal matters.",
    ]
    if evaluation is not None:
        ev = evaluation
        lines += ["", f"**Measured** (W1 to p₀, {ev.n:,} particles): learned stochastic "
                  f"{ev.row('learned', 'stochastic').w1:.4f}, deterministic {ev.row('learned', 'deterministic').w1:.4f}; "
                  f"exact score {ev.row('exact', 'stochastic').w1:.4f} and {ev.row('exact', 'deterministic').w1:.4f}."]
    if budget:
        b = budget["deterministic"]
        lines += ["", f"**Where the error comes from** (deterministic): the steps {b.discretization:.4f}, "
                  f"starting from N(0, Tσ²) instead of p_T {b.prior_mismatch:+.4f}, the learned score "
                  f"{b.learned_score:+.4f}."]
    return "\n".join(lines)


def explain_p4(setup, evaluation=None, comparison=None) -> str:
    """Problem 4 answered with the live numbers (Markdown)."""
    s = setup
    lines = [
        f"### With these numbers: T = {s.T}, σ² = {s.sigma2:g}, p₀ = {s.p0.format()}",
        "",
        "**(1) Predicting x0 learns the same score.** xt = x0 + εt with εt ~ N(0, tσ²), so Problem 2 "
        "with noise tσ² gives E[x0 | xt] = xt + tσ²∇log pt(xt) (Tweedie). Least squares on "
        "(x0 − (xt + tσ²sθ))² therefore learns sθ = ∇log pt, the same function Problem 3 learns.",
        "",
        "**(2) The ε form.** Writing εθ = −tσ²sθ, the loss is (εt − εθ(x0 + εt, t))²: the network "
        "predicts the noise that was added — the form diffusion code (and Problem 5) uses.",
        "",
        "**(3) Sampling with εθ.** σ²sθ = −εθ/t, so the stochastic step is xt−1 = xt − εθ/t + ẽt and the "
        "deterministic one xt−1 = xt − εθ/(2t): the same steps as Problem 3 (a test checks they agree).",
        "",
        "**Why x0 is a better target.** For the same xt, xt−1 still varies by σ² around its mean at every "
        "t, while x0 given xt is far better determined relative to the signal for large t: a "
        "lower-variance regression target gives a less noisy gradient and a better score for the "
        "same budget (press b to measure it).",
    ]
    if comparison:
        e3, e4 = comparison.p3, comparison.p4  # an engine.problems.p3_walk.Comparison
        lines += ["", f"**Measured, same budget:** mean relative score error P3 {e3.mean:.2e}, P4 {e4.mean:.2e}."]
    if evaluation is not None:
        ev = evaluation
        lines += ["", f"**Samples** (W1 to p₀): learned stochastic {ev.row('learned', 'stochastic').w1:.4f}, "
                  f"deterministic {ev.row('learned', 'deterministic').w1:.4f}; exact "
                  f"{ev.row('exact', 'stochastic').w1:.4f} / {ev.row('exact', 'deterministic').w1:.4f}."]
    return "\n".join(lines)
