"""Issue 11, every row in one run: what a person waits for, as seconds and as a ratio to the faithful
Problem 5 recipe's training time measured first in the same run (one torch thread: the baseline).

Rows (quality beside each time):
  faithful P5 training (the baseline, 1×)
  hw7-tui p3 --json / p4 --json at defaults, end to end (a subprocess: process start to JSON)
      goal ≤ 0.10×, learned W1 ≤ 1.5 × exact W1 + 0.03 for both samplers
  hw7-tui p5 --json (fast recipe), end to end          goal ≤ 0.20×, DDPM energy ≤ 2 × floor
  P5 quality evaluation of the three samplers           goal ≤ 1 s (first call with the data side, then warm)
  loading a saved P3 model + its stored evaluation, and + evaluating it again   goal ≤ 1 s
  hw7-tui report, end to end (--report: long)            goal ≤ 1.6×
  screens (Textual's Pilot, headless, the app's own event loop): the worst wait of a key on screen 3
      at 80×24 while it trains (bench_p3.key_latency)      goal ≤ 50 ms
  distinct frames/s of screen 3's animation at 80×24 and 120×40 (15 asked)   goal ≥ 15
  screen 3: t → the trained animation on screen, beside `hw7-tui p3 --json`'s time   goal: the same
Not a test: nothing asserts a speed. Run:
    .venv/bin/python bench/bench_speed.py [--report] [--no-screens]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _timing import LoopGaps, table  # noqa: E402



def cli(*argv: str, env: dict | None = None) -> tuple[float, dict | None, str]:
    """Run `python -m tui.cli ARGV` in a fresh process; (seconds from start to exit, JSON or None, stderr)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    try:
        out = json.loads(proc.stdout) if "--json" in argv else None
    except json.JSONDecodeError:
        out = None
    return seconds, out, proc.stderr.strip()[-300:]


def walk_quality(out: dict) -> str:
    q = out["quality"]
    parts, ok = [], True
    for m in ("stochastic", "deterministic"):
        learned, exact = q["learned"][m]["w1"], q["exact"][m]["w1"]
        ok &= learned <= 1.5 * exact + 0.03
        parts.append(f"{m[:3]} W1 {learned:.3f} (exact {exact:.3f})")
    return ", ".join(parts) + f"; {'within' if ok else 'NOT within'} 1.5×exact+0.03; {out['steps_done']} steps"


# ---- screens: what a person waits for at the keyboard (Textual's Pilot, headless) --------------------
async def animation_fps(size: tuple[int, int], seconds: float = 3.0, *, built: bool = True,
                        problem: int = 3) -> tuple[float, float]:
    """Screen 3's reverse animation (or screen 5's Denoise one) playing at the default rate asked:
    distinct frames drawn per second — renders of the stochastic plot whose frame differs from the one
    drawn before it — and the asked rate.
    ``built``: space is pressed once the frames' pictures are built (what a person who looks at the
    screen for a few seconds gets); otherwise 0.3 s after the frames arrive, while they are still built."""
    from tui.app import Hw7App
    from tui.state import StateStore
    from tui.widgets.player import FramePlot

    os.environ["HW7_TUI_DATA_DIR"] = tempfile.mkdtemp(prefix="hw7-bench-screen-")  # no saved model to reload
    app = Hw7App(problem=problem, state=StateStore(Path(tempfile.mkdtemp())))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        plot = screen.query_one("#movie-stochastic" if problem != 5 else "#swiss-movie", FramePlot)
        start = time.monotonic()
        while screen.result is None or not plot.frames:
            assert time.monotonic() - start < 120, "the exact frames never arrived"
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        while built and min(p.pictures_built - len(p.frames) for p in screen.query(FramePlot) if p.size.area) < 0:
            assert time.monotonic() - start < 120, "the frames' pictures were never built"
            await pilot.pause(0.05)
        drawn: list[tuple[float, int]] = []
        real_render = plot.render

        def render():
            drawn.append((time.perf_counter(), plot.index))
            return real_render()

        plot.render = render
        playback = screen.playback
        playback.reset(playback.n_frames, 0)
        window = min(seconds, (playback.n_frames - 2) / playback.fps)  # before the last frame's 2-s hold
        await pilot.press("space")
        t0 = time.perf_counter()
        await asyncio.sleep(window)
        await pilot.press("space")
        inside = [i for t, i in drawn if t0 <= t <= t0 + window]
        distinct = sum(1 for a, b in zip([None, *inside], inside) if a != b)
        return distinct / window, playback.fps


async def train_to_animation(size: tuple[int, int]) -> tuple[float, str, float]:
    """Screen 3 at its defaults: seconds from t to the trained model's animation and tables on screen,
    and the event loop's worst gap (a 5 ms timer) from t until 1.5 s after that answer — the longest any
    key pressed meanwhile could have waited, the result landing and its pictures being built included."""
    from tui.app import Hw7App
    from tui.state import StateStore

    os.environ["HW7_TUI_DATA_DIR"] = tempfile.mkdtemp(prefix="hw7-bench-screen-")  # no saved model to reload
    app = Hw7App(problem=3, state=StateStore(Path(tempfile.mkdtemp())))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        start = time.monotonic()
        while screen.result is None or any(w.is_running for w in app.workers):
            assert time.monotonic() - start < 120, "the exact part never finished"
            await pilot.pause(0.05)
        from textual import events

        before = screen.trained
        key = events.Key("t", "t")
        key.set_sender(app)
        gaps = LoopGaps(0.005).start(app)
        await asyncio.sleep(0.05)
        gaps.reset()
        t0 = time.perf_counter()
        app._driver.send_message(key)  # what Pilot.press does, without waiting for the CPU to go idle
        while (screen.trained is None or screen.trained is before or screen.training or screen.result is None
               or screen.result.trained is not screen.trained):
            assert time.perf_counter() - t0 < 300, "training never finished"
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - t0
        await asyncio.sleep(1.5)
        worst = gaps.stop()
        ev = screen.result.learned_evaluation
        w1 = "; learned W1 " + " / ".join(f"{ev.row('learned', m).w1:.3f}" for m in ("stochastic", "deterministic")) if ev else ""
        return seconds, f"{screen.trained.outcome.steps_done} steps{w1}", worst


def fresh_process(name: str, *args, **kwargs):
    """``asyncio.run(module.function(*args, **kwargs))`` (name "module.function", of bench/) in a fresh
    Python, as a person starts the app: not beside this process's torch and earlier apps, whose
    objects the garbage collector would walk too."""
    module, function = name.split(".")
    code = (f"import asyncio, json, sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]; "
            f"import {module}; print(json.dumps(asyncio.run({module}.{function}(*{args!r}, **{kwargs!r}))))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def screen_rows(base: float, p3_cli_seconds: float | None) -> list[tuple[str, str, str, str]]:
    """Measured rows for what a person waits for on the screens (bench_p3.key_latency for the keys)."""
    import statistics

    rows = []
    for size in ((80, 24), (120, 40)):
        lat = fresh_process("bench_p3.key_latency", quick=False, size=size)
        rows.append((f"screen 3 at {size[0]}×{size[1]}: worst key wait while training", f"{max(lat['training']) * 1e3:.0f} ms",
                     "", f"median {statistics.median(lat['training']) * 1e3:.0f} ms, idle worst "
                     f"{max(lat['idle']) * 1e3:.0f} ms; worst event-loop gap {lat['training gap'][0] * 1e3:.0f} ms "
                     f"(idle {lat['idle gap'][0] * 1e3:.0f} ms) [goal ≤ 50 ms]"))
    for size in ((80, 24), (120, 40)):
        for built, when in ((True, "pictures built"), (False, "first play, 0.3 s after the frames arrive")):
            fps, asked = asyncio.run(animation_fps(size, built=built))
            rows.append((f"screen 3 animation at {size[0]}×{size[1]} ({when})", f"{fps:.1f} frames/s", "",
                         f"distinct frames drawn, {asked} asked [goal ≥ 15]"))
        fps, asked = asyncio.run(animation_fps(size, built=False, problem=5))
        rows.append((f"screen 5 animation at {size[0]}×{size[1]} (first play, 0.3 s after the frames arrive)",
                     f"{fps:.1f} frames/s", "", f"distinct frames drawn, {asked} asked [goal ≥ 15]"))
    for size in ((80, 24), (120, 40)):
        seconds, quality, gap = fresh_process("bench_speed.train_to_animation", size)
        vs = f"{seconds / p3_cli_seconds:.2f}× the CLI's {p3_cli_seconds:.1f} s" if p3_cli_seconds else "CLI not measured"
        where = f"{size[0]}×{size[1]}"
        rows.append((f"screen 3: t → trained animation ({where})", f"{seconds:.2f} s", f"{seconds / base:.3f}×",
                     f"{vs}; {quality} [goal: the CLI's time]"))
        rows.append((f"screen 3 ({where}): worst event-loop gap from t to 1.5 s after the answer", f"{gap * 1e3:.0f} ms",
                     "", "training, the result landing, its pictures built [goal ≤ 50 ms]"))
    return rows


def p5_reload(trained) -> tuple[float, str]:
    """Screen 5's `m` → Enter on a saved fast model: read the checkpoint, rebuild the network and show
    its stored evaluation (only the plotted points are sampled again): seconds, and its DDPM quality."""
    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.eps_net import CHECKPOINT_KIND
    from engine.problems.p5_swiss import P5Settings, evaluate_trained, reload

    settings = P5Settings.for_recipe("fast")
    result = evaluate_trained(settings, trained)
    with tempfile.TemporaryDirectory() as tmp:
        path = save_checkpoint(Path(tmp), "p5", CHECKPOINT_KIND, trained.state_dict(),
                               settings.recipe_settings().as_dict(), result.metrics())
        start = time.perf_counter()
        again = reload(settings, load_checkpoint(path, CHECKPOINT_KIND))
        seconds = time.perf_counter() - start
    ratio = again.evaluation.get("ddpm").energy / again.evaluation.floor.energy
    same = ratio == result.evaluation.get("ddpm").energy / result.evaluation.floor.energy
    return seconds, f"stored DDPM {ratio:.2f}× floor ({'the same as' if same else 'NOT the same as'} when saved)"


def main() -> None:
    import numpy as np
    import torch

    from engine.eps_net import evaluate as evaluate_2d
    from engine.eps_net import faithful, fast, train_eps

    ap = argparse.ArgumentParser()
    ap.add_argument("--report", action="store_true", help="also time `hw7-tui report` end to end (minutes)")
    ap.add_argument("--no-screens", action="store_true", help="skip the screens' rows (Pilot, about a minute)")
    args = ap.parse_args()
    os.environ.setdefault("HW7_TUI_DATA_DIR", tempfile.mkdtemp(prefix="hw7-bench-"))  # no saved model or state reused
    torch.set_num_threads(1)
    train_eps(fast(steps=30), threads=1)  # warm-up: torch's first-call costs are not the baseline's
    print("issue 11 speed, one torch thread; baseline = the faithful P5 recipe's training time", flush=True)
    base_model = train_eps(faithful(), threads=1)
    base = base_model.outcome.seconds
    rows = [("faithful P5 training (baseline)", f"{base:.2f} s", "1.00×", f"{base_model.outcome.steps_done} steps")]

    def add(what: str, seconds: float, quality: str, goal: str) -> None:
        rows.append((what, f"{seconds:.2f} s", f"{seconds / base:.3f}×", f"{quality} [goal {goal}]"))
        print(f"  {what}: {seconds:.2f} s", flush=True)

    p3_seconds = None
    for target in ("p3", "p4"):
        seconds, out, err = cli(target, "--json")
        p3_seconds = seconds if target == "p3" and out else p3_seconds
        add(f"hw7-tui {target} --json (end to end)", seconds,
            walk_quality(out) if out else f"failed: {err}", "≤ 0.10×")
    seconds, out, err = cli("p5", "--json")
    if out:
        ratio = out["quality"]["ddpm"]["energy"] / out["floor"]["energy"]
        quality = (f"DDPM ED {out['quality']['ddpm']['energy']:.5f} = {ratio:.2f}× floor {out['floor']['energy']:.5f}; "
                   f"{out['steps_done']} steps")
    else:
        quality = f"failed: {err}"
    add("hw7-tui p5 --json, fast recipe (end to end)", seconds, quality, "≤ 0.20×, DDPM ≤ 2× floor")

    import inspect

    import engine.eps_net
    import engine.quality2d

    trained = train_eps(fast(), threads=1)
    threads_ok = "workers" in inspect.signature(evaluate_2d).parameters  # older code: one thread only
    for how, kw in (("as p5: the floor's expectation, 2 threads", {"floor_pairs": 0, "workers": 2}),
                    ("as screen 5 and the report: 3 fresh pairs, 1 thread", {"floor_pairs": 3})):
        if not threads_ok:
            kw.pop("workers", None)
        engine.eps_net._DATA_SIDE.clear()  # the first call measures the data side too
        engine.quality2d._SELF_CACHE.clear()
        for when in ("first call", "again"):
            start = time.perf_counter()
            ev = evaluate_2d(trained, n=4000, seed=0, frame_points=1, **kw)
            add(f"P5 quality of 3 samplers, {how} ({when})", time.perf_counter() - start,
                ", ".join(f"{q.sampler} {q.energy / ev.floor.energy:.2f}× floor" for q in ev.samplers), "≤ 1 s")

    seconds, quality = p5_reload(trained)
    add("load a saved P5 model + its stored evaluation", seconds, quality, "≤ 1 s")

    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.score_net import (CHECKPOINT_KIND, TrainSettings, evaluate, evaluation_from_metrics,
                                  evaluation_metrics, load_trained, score_errors, train_score)
    from engine.mixture import DEFAULT_MIXTURE

    settings = TrainSettings(mixture=DEFAULT_MIXTURE.format())
    p3 = train_score(settings, threads=1)
    with tempfile.TemporaryDirectory() as tmp:
        stored = evaluation_metrics(evaluate(p3, n=20_000, seed=0), score_errors(p3, seed=0))
        path = save_checkpoint(Path(tmp), "stored", CHECKPOINT_KIND["p3"], p3.state_dict(), settings.as_dict(),
                               stored)
        start = time.perf_counter()
        ck = load_checkpoint(path, CHECKPOINT_KIND["p3"])
        model = load_trained(TrainSettings.from_saved(ck.settings), ck.state_dict)
        ev, _ = evaluation_from_metrics(ck.metrics)
        add("load a saved P3 model + its stored evaluation", time.perf_counter() - start,
            f"learned W1 sto {ev.row('learned', 'stochastic').w1:.3f} det {ev.row('learned', 'deterministic').w1:.3f}",
            "≤ 1 s")
        path = save_checkpoint(Path(tmp), "bench", CHECKPOINT_KIND["p3"], p3.state_dict(), settings.as_dict())
        start = time.perf_counter()
        ck = load_checkpoint(path, CHECKPOINT_KIND["p3"])
        model = load_trained(TrainSettings.from_saved(ck.settings), ck.state_dict)
        ev = evaluate(model, n=20_000, seed=0)
        score_errors(model, seed=0)
        add("load a saved P3 model + evaluating it again", time.perf_counter() - start,
            f"learned W1 sto {ev.row('learned', 'stochastic').w1:.3f} det {ev.row('learned', 'deterministic').w1:.3f}",
            "≤ 1 s")

    if args.report:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, _, err = cli("report", "--no-reuse", "-o", str(Path(tmp) / "r.md"))
        add("hw7-tui report (end to end, trains everything)", seconds, err.splitlines()[-1] if err else "", "≤ 1.6×")
    else:
        rows.append(("hw7-tui report", "—", "", "skipped (run with --report; several minutes)"))
    if args.no_screens:
        rows.append(("screens: key wait, frames/s, t → trained", "—", "", "skipped (--no-screens)"))
    else:
        rows += screen_rows(base, p3_seconds)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print()
    for r in [("what", "time", "× faithful", "quality"), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3])
    _ = np, table


if __name__ == "__main__":
    main()
