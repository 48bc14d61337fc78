"""Problem 3 screen: learn the score of a random walk from xt−1 and reverse the walk."""

from __future__ import annotations

from tui.explain import explain_p3
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
        return explain_p3(r.setup, r.crossings, r.evaluation, r.budget, r.stochastic.trajectories.shape)
