"""What every section of the write-up gets (``hw7-tui report``): the context, reuse-or-train of
saved models, and text plots. Sections live in ``tui.report`` (Problems 1–2), ``tui.report_walk``
(3–4) and ``tui.report_swiss`` (5); ``tui.report`` puts them together."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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
