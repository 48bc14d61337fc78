"""Screens 3–4's saved models: find the one whose settings match, load it, save a new one (with its
loss history and quality numbers in the checkpoint's metrics)."""

from __future__ import annotations

import time

from engine.checkpoint import Checkpoint, find_matching, load_checkpoint
from engine.problems.p3_walk import WalkResult
from engine.score_net import CHECKPOINT_KIND, TrainedScore, TrainSettings, load_trained
from tui.screens.models import models_dir

MAX_LOSSES = 400
"""Loss values kept in a checkpoint (thinned evenly): enough for the Loss view after a reload."""


def find_saved(settings: TrainSettings) -> Checkpoint | None:
    """The newest saved model of this target made with exactly these settings."""
    return find_matching(models_dir(), CHECKPOINT_KIND[settings.target], settings.as_dict())


def load_saved(checkpoint: Checkpoint, settings: TrainSettings | None = None) -> tuple[TrainedScore, tuple[float, ...]]:
    """Rebuild a saved model (with its own settings unless given) and its stored loss history in the
    homework's units (the Loss view's): "homework_losses", or "losses" when the homework's loss was
    the one trained; a history in another loss's units is not drawn under that title."""
    settings = settings or TrainSettings.from_saved(checkpoint.settings)
    state = checkpoint.state_dict or load_checkpoint(checkpoint.path, checkpoint.kind).state_dict
    losses = checkpoint.metrics.get("homework_losses")
    if losses is None and settings.loss == "homework":
        losses = checkpoint.metrics.get("losses")
    if not isinstance(losses, list):
        losses = []
    return load_trained(settings, state), tuple(float(v) for v in losses if isinstance(v, (int, float)))


def save_trained(screen, trained: TrainedScore, result: WalkResult) -> tuple[str | None, str | None]:
    """Save through the screen's save_model: (file name, None) or (None, why not)."""
    s, o = trained.settings, trained.outcome
    kind = CHECKPOINT_KIND[s.target]
    name = f"{kind}-T{s.T}-s{s.sigma2:g}-n{s.steps}-seed{s.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    stride = max(1, len(o.losses) // MAX_LOSSES)
    homework_stride = max(1, len(trained.homework_losses) // MAX_LOSSES)
    ev = result.evaluation
    metrics = {"final_loss": o.final_loss, "train_seconds": o.seconds,
               "w1_stochastic": ev.row("learned", "stochastic").w1,
               "w1_deterministic": ev.row("learned", "deterministic").w1,
               "losses": list(o.losses[::stride]), "homework_losses": list(trained.homework_losses[::homework_stride]),
               **result.summary()}
    return screen.save_model(trained, kind, name, metrics)
