"""Problem 3 screen: learn the score of a random walk from xt−1 and reverse the walk."""

from __future__ import annotations

from tui.explain import explain_p3
from tui.screens.walk_base import KEYS_HELP, WalkScreen

INTRO = """
**Parameters** (Tab to reach them, Enter to set, Escape to leave): T steps of noise variance σ²
(the walk adds Tσ² in all), N particles, the seed, the training steps and the learning rate. p₀ is
Problem 2's mixture (edit it on screen 2; this screen follows it).

**t** trains sθ(x, t) in the background with the Problem 3 target — xt−1 regressed on
xt + σ²sθ(xt, t) — with one progress bar for training and the sampling after it; **x** cancels.
Keys answer while it trains. Until it has trained, the animations use the exact score ∇log pt
(the 1-billion-particle limit). Each trained model is saved (see **m**, saved models).
"""


class P3Screen(WalkScreen):
    PROBLEM = 3
    TOPIC = "Learning the score of a random walk"
    TARGET = "p3"
    HELP = INTRO + KEYS_HELP

    def explain_markdown(self) -> str:
        r = self.result
        crossings = self.frames.crossings if self.frames is not None else (0, 0)
        tracked = self.frames.stochastic.trajectories.shape if self.frames is not None else None
        return explain_p3(r.setup, crossings, r.learned_evaluation, r.budget if r.trained else None, tracked)
