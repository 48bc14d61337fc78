"""The homework's "explain" items for Problems 3 and 4, answered with the live numbers.

Plain text building (no Textual): the screens show it, the report prints it.
"""

from __future__ import annotations

def crossings_sentence(n_crossings: int, tracked: tuple[int, int] | None) -> str:
    """What a crossing count counts (engine.walk.crossings), said the same way on screen and in the report."""
    if tracked is None:
        return f"{n_crossings} crossings among the plotted paths"
    frames, paths = tracked
    return (f"{n_crossings} crossings among {paths} tracked paths — the particles at {paths} evenly spaced ranks "
            f"of x_T — counted as pairs that swap order between consecutive recorded frames ({frames} frames, T to 0)")


def w1_sentence(evaluation) -> str:
    """The four W1 to p₀ of an engine.score_net.Evaluation (learned and exact score × stochastic and
    deterministic sampler), said the same way in both explanations."""
    w1 = {(score, method): evaluation.row(score, method).w1
          for score in ("learned", "exact") for method in ("stochastic", "deterministic")}
    return (f"learned stochastic {w1['learned', 'stochastic']:.4f}, deterministic {w1['learned', 'deterministic']:.4f}; "
            f"exact score {w1['exact', 'stochastic']:.4f} and {w1['exact', 'deterministic']:.4f}")


def explain_p3(setup, crossings, evaluation=None, budget=None, tracked: tuple[int, int] | None = None) -> str:
    """Problem 3's (1)–(5) answered with the live numbers (Markdown).

    crossings: (deterministic, stochastic) counts from engine.walk.crossings; tracked: the shape
    (frames, paths) of the trajectories they were counted on; budget: {method: ErrorBudget}."""
    s = setup
    det_cross, sto_cross = crossings
    lines = [
        "### With these numbers",
        "",
        f"T = {s.T}, σ² = {s.sigma2:g} (Tσ² = {s.total_variance:g}), p₀ = {s.p0.format()}",
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
        "checks they are the same map). Without the ½ the flow overshoots and the spread collapses "
        "(the *Orders* measurement: its W1 does not fall with T).",
        "",
        f"**(5) A billion particles.** In the stochastic process each particle jiggles and paths cross "
        f"({crossings_sentence(sto_cross, tracked)}); in the deterministic one every particle "
        f"moves up the density's slope by a fixed rule, so paths never cross ({det_cross} crossings, counted the "
        "same way) and order is kept. In continuous time and started from the exact p_T, the histogram of "
        "all particles follows pt exactly as for the random walk run backwards, because only the marginal "
        "matters; with T finite steps it follows it up to the step error, and started from N(0, Tσ²) the "
        "flow carries the whole start error to the end.",
    ]
    if budget and "deterministic" in budget and "stochastic" in budget:
        d, st = budget["deterministic"], budget["stochastic"]
        lines[-1] += (f" Here, with the exact score from N(0, Tσ²), the flow ends at W1 {d.with_prior:.3f} and the "
                      f"stochastic sampler at {st.with_prior:.3f}")
        if d.prior_limit is not None and st.prior_limit is not None:
            lines[-1] += (f" (with infinitely fine steps {d.prior_limit:.3f} and {st.prior_limit:.3f}: the "
                          "stochastic sampler's noise forgets part of the start error; the flow is a fixed map and carries it "
                              "through whole)")
        lines[-1] += "."
    if evaluation is not None:
        lines += ["", f"**Measured** (W1 to p₀, {evaluation.n:,} particles): {w1_sentence(evaluation)}."]
    if budget:
        b = budget["deterministic"]
        lines += ["", f"**Where the error comes from** (deterministic): the steps {b.discretization:.4f}, "
                  f"starting from N(0, Tσ²) instead of p_T {b.prior_mismatch:+.4f}, the learned score "
                  f"{b.learned_score:+.4f}."]
    return "\n".join(lines)


def explain_p4(setup, evaluation=None, comparison=None, eps_forms=None) -> str:
    """Problem 4 answered with the live numbers (Markdown). comparison: engine.problems.p3_walk.Comparison;
    eps_forms: engine.walk.eps_form_check's result for the run shown."""
    s = setup
    lines = [
        "### With these numbers",
        "",
        f"T = {s.T}, σ² = {s.sigma2:g}, p₀ = {s.p0.format()}",
        "",
        "**(1) Predicting x0 learns the same score.** xt = x0 + εt with εt ~ N(0, tσ²), so Problem 2 "
        "with noise tσ² gives E[x0 | xt] = xt + tσ²∇log pt(xt) (Tweedie). Least squares on "
        "(x0 − (xt + tσ²sθ))² therefore learns sθ = ∇log pt, the same function Problem 3 learns.",
        "",
        "**(2) The ε form.** Writing εθ = −tσ²sθ, the loss is (εt − εθ(x0 + εt, t))²: the network "
        "predicts the noise that was added — the form diffusion code (and Problem 5) uses.",
        "",
        "**(3) Sampling with εθ.** σ²sθ = −εθ/t, so the stochastic step is xt−1 = xt − εθ/t + ẽt and the "
        "deterministic one xt−1 = xt − εθ/(2t): the same steps as Problem 3 (a test checks they agree to "
        "float precision).",
        "",
        "**Why x0 is a better target.** Two reasons. Target noise: for the same xt, xt−1 still varies by σ² "
        "around its mean at every t, while x0 given xt is far better determined relative to the signal for "
        "large t, so the regression's gradient is less noisy. Weight sharing: one network serves every t, "
        "so noisy targets at some t also pull its answer at the others.",
    ]
    if eps_forms:
        by = {c.method: c for c in eps_forms}
        if "stochastic" in by and "deterministic" in by:
            gap = max(c.max_abs_difference for c in eps_forms)
            i = next(k for k, line in enumerate(lines) if line.startswith("**(3) Sampling with εθ.**"))
            lines[i] += (f" Measured here with εθ = −tσ²sθ: the ε forms end at W1 {by['stochastic'].w1:.4f} and "
                         f"{by['deterministic'].w1:.4f}, every particle within {gap:.1e} of the score form's.")
    if comparison:
        e3, e4 = comparison.p3, comparison.p4  # an engine.problems.p3_walk.Comparison
        lines += ["", f"**Measured, same budget:** mean relative score error P3 {e3.mean:.2e}, P4 {e4.mean:.2e}."]
        if len(e3.t) and len(e4.t) and int(e3.t[0]) == 1 and int(e4.t[0]) == 1:
            a, b = float(e3.error[0]), float(e4.error[0])
            ratio = f"{a / b:.1f}×" if a >= b else f"{b / a:.1f}× the other way"
            lines[-1] += (f" At t = 1 the two targets are the same (xt−1 = x0) with the same weight, yet the score "
                          f"errors there are {a:.3g} (P3) and {b:.3g} (P4), {ratio}: target noise at t = 1 cannot "
                          "explain that — the network shares its weights across t, and the noisy targets at the "
                          "other t hurt it everywhere.")
    if evaluation is not None:
        lines += ["", f"**Samples** (W1 to p₀): {w1_sentence(evaluation)}."]
    return "\n".join(lines)


def explain_p5_code(schedule=None, standardizer=None, faithful_samples: int | None = None) -> str:
    """The notebook explained part by part (tui/screens/p5_explain.md), its numbers filled in from the
    schedule and data shown (default: the notebook's cosine schedule, T = 40, s = 0.008, and the swiss
    roll's standardizer for seed 0): ᾱ and β at the last steps, the standardized noise variance 0.25/s²."""
    from importlib import resources
    from string import Template

    from engine.eps_net import NOTEBOOK_SAMPLES, faithful, load_data
    from engine.toy2d import SWISS_NOISE
    from engine.vp import make_schedule

    if schedule is None:
        schedule = make_schedule("cosine", 40, 0.008)
    if standardizer is None:
        standardizer = load_data(faithful())[1]
    ab, beta, T = schedule.alpha_bar, schedule.beta, schedule.T
    text = resources.files("tui.screens").joinpath("p5_explain.md").read_text("utf-8")
    return Template(text).substitute(
        T=T, t_last=T - 1, alpha_bar_0=f"{ab[0]:.3g}", beta_0=f"{beta[0]:.3g}", t_prev=T - 2, n_betas=len(beta),
        alpha_bar_last=f"{ab[-1]:.3g}", alpha_bar_prev=f"{ab[-2]:.3g}", beta_last=f"{beta[-1]:.2f}",
        data_std=f"{standardizer.std:.3g}", std_noise_var=f"{SWISS_NOISE ** 2 / standardizer.std ** 2:.2g}",
        faithful_samples=f"{faithful_samples or NOTEBOOK_SAMPLES:,}")
