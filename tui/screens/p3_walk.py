"""Problem 3 screen: learn the score of a random walk from xt−1 and reverse the walk."""

from __future__ import annotations

from tui.screens.walk_base import WalkScreen

HELP = """
**Parameters** (Tab to reach them, Enter to set): T steps of noise variance σ² (the walk adds
Tσ² in all), N particles, the seed, the training steps and the learning rate. p₀ is Problem 2's
mixture (edit it on screen 2).

**t** trains sθ(x, t) in the background with the Problem 3 target — xt−1 regressed on
xt + σ²sθ(xt, t) — with a progress bar, steps/s and the loss; **x** cancels. Keys answer while it
trains. Until it has trained, the animations use the exact score ∇log pt (the 1-billion-particle
limit). Each trained model is saved (see **m**, saved models).

**Views** (`v` cycles): *Reverse* — stochastic xt−1 = xt + σ²s + σz (left) and deterministic
xt−1 = xt + ½σ²s (right), histograms with the exact pt drawn over them; *Forward* — the noising
from p₀ to p_T; *Score* — learned against exact score at one t (`[` `]`); *Quality* — W1 and TV to
p₀ for learned/exact × stochastic/deterministic and the error budget; *Paths* — particle paths,
which never cross for the deterministic flow; *Loss*; *Explain* — the homework's questions
answered with these numbers.

**Playback:** space plays/pauses, ←/→ step, +/- change speed. **p** cycles where the reverse
starts: N(0, Tσ²) (the homework), the exact p_T, or N(mean, var + Tσ²).
**e** exports the tables (Markdown, CSV) and the visible plot; **c** copies the tables.
"""


class P3Screen(WalkScreen):
    PROBLEM = 3
    TOPIC = "Learning the score of a random walk"
    TARGET = "p3"
    HELP = HELP

    def explain_markdown(self) -> str:
        r = self.result
        s = r.setup
        det_cross, sto_cross = r.crossings
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
        if r.evaluation is not None:
            ev = r.evaluation
            lines += ["", f"**Measured** (W1 to p₀, {ev.n:,} particles): learned stochastic "
                      f"{ev.row('learned', 'stochastic').w1:.4f}, deterministic {ev.row('learned', 'deterministic').w1:.4f}; "
                      f"exact score {ev.row('exact', 'stochastic').w1:.4f} and {ev.row('exact', 'deterministic').w1:.4f}."]
        if r.budget:
            b = r.budget["deterministic"]
            lines += ["", f"**Where the error comes from** (deterministic): the steps {b.discretization:.4f}, "
                      f"starting from N(0, Tσ²) instead of p_T {b.prior_mismatch:+.4f}, the learned score "
                      f"{b.learned_score:+.4f}."]
        return "\n".join(lines)
