"""What every section of the write-up gets (``hw7-tui report``): the context, reuse-or-train of
saved models, and text plots. Sections live in ``tui.report`` (Problems 1–2), ``tui.report_walk``
(3–4) and ``tui.report_swiss`` (5); ``tui.report`` puts them together."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.settings import Spec

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

JOBS = Spec("jobs", "jobs", int, 2, 1, 2,
            help="processes: 2 trains the faithful Problem 5 recipe in a second process beside the other "
                 "sections (the same numbers), 1 does everything in one process, in order",
            reason="The report has one long training to put beside the rest; a third process would have nothing to do")


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
    jobs: int = 1
    """Processes: 2 lets a section start a long training in a second process (train_ahead) at the start."""
    ahead: dict = field(default_factory=dict)  # name → Ahead: trainings running in a second process


def _ahead_child() -> None:
    """The second process (``python -c``, see Ahead): read (train, settings, threads, device) from
    stdin, make the same training call as the first process would (same settings, seed and threads:
    the same weights) and write to stdout, pickled: progress every 0.25 s, then the weights (on the
    CPU) and the outcome — or the error."""
    import os
    import pickle
    import sys

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else printed goes where stderr goes, not into the messages

    def send(message) -> None:
        pickle.dump(message, out)
        out.flush()

    try:
        train, settings, threads, device = pickle.load(sys.stdin.buffer)
        last = [0.0]

        def progress(p) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.25:
                last[0] = now
                send(("progress", p.step, p.total))

        trained = train(settings, threads=threads, device=device, on_progress=progress)
        from engine.checkpoint import as_array

        send(("done", {k: as_array(v) for k, v in trained.state_dict().items()}, trained.outcome))
    except BaseException as exc:  # noqa: BLE001 - reported to the first process, which then trains itself
        send(("error", f"{type(exc).__name__}: {exc}"))


class Ahead:
    """A training started in a second Python process while this one writes the other sections;
    :meth:`wait` gives its weights and outcome, reporting its progress meanwhile. A plain
    subprocess (not multiprocessing), so that no caller's main module is imported again."""

    def __init__(self, train: Callable, settings, threads: int, device: str) -> None:
        import os
        import pickle
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tui.report_base import _ahead_child; _ahead_child()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.process.stdin.write(pickle.dumps((train, settings, threads, device)))
        self.process.stdin.close()

    def wait(self, progress: Callable[[int, int], None]) -> tuple[dict, Any]:
        """(weights, outcome); RuntimeError when the second process failed or ended without them."""
        import pickle

        try:
            while True:
                message = pickle.load(self.process.stdout)
                if message[0] == "progress":
                    progress(message[1], message[2])
                elif message[0] == "done":
                    return message[1], message[2]
                else:
                    raise RuntimeError(message[1])
        except (EOFError, pickle.UnpicklingError):
            raise RuntimeError(f"the second process ended (exit {self.process.wait()}) without a model") from None
        finally:
            self.process.stdout.close()
            self.process.wait()

    def stop(self) -> None:
        """End the second process (a report that stops early)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def train_ahead(ctx: ReportContext, kind: str, settings, name: str, train: Callable) -> None:
    """With ctx.jobs > 1: start training ``settings`` in a second process now, unless a saved model
    will be reused; reuse_or_train(…, name, …) then takes its result instead of training."""
    if ctx.jobs < 2 or name in ctx.ahead:
        return
    if ctx.models_dir is not None:
        from engine.checkpoint import find_matching

        if find_matching(ctx.models_dir, kind, settings.as_dict()) is not None:
            return
    ctx.ahead[name] = Ahead(train, settings, ctx.threads, ctx.device)


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
    trained = None
    ahead = getattr(ctx, "ahead", {}).pop(name, None)
    if ahead is not None:  # started by train_ahead: the same call in a second process
        try:
            weights, outcome = ahead.wait(
                lambda step, total: ctx.progress(-1, f"{label}: training {step:,}/{total:,} (second process)"))
            trained = replace(load(settings, weights), outcome=outcome)
        except RuntimeError as exc:
            ctx.notes.append(f"{label}: the second process failed ({exc}); trained here instead")
    if trained is None:
        trained = train(settings, threads=ctx.threads, device=ctx.device,
                        on_progress=lambda p: ctx.progress(-1, f"{label}: training {p.step:,}/{p.total:,}"))
    if ctx.models_dir is not None and trained.outcome.status == "done":
        try:
            save_checkpoint(ctx.models_dir, name, kind, trained.state_dict(), settings.as_dict(),
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
