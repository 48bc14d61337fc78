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
  screens: key latency, frames/s — measured in bench_p3.py / the screens' own benches (see SCREEN_ROWS)
Not a test: nothing asserts a speed. Run:
    .venv/bin/python bench/bench_speed.py [--report]
"""

from __future__ import annotations

import argparse
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

from _timing import table  # noqa: E402

SCREEN_ROWS: list[tuple[str, str, str]] = []
"""Screen-side rows (key latency, distinct frames/s at 80×24 and 120×40, t → trained animation) are
added here by the screens' benchmarks: (what, seconds, quality/goal)."""


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


def main() -> None:
    import numpy as np
    import torch

    from engine.eps_net import evaluate as evaluate_2d
    from engine.eps_net import faithful, fast, train_eps

    ap = argparse.ArgumentParser()
    ap.add_argument("--report", action="store_true", help="also time `hw7-tui report` end to end (minutes)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    train_eps(fast(steps=30), threads=1)  # warm-up: torch's first-call costs are not the baseline's
    print("issue 11 speed, one torch thread; baseline = the faithful P5 recipe's training time", flush=True)
    base_model = train_eps(faithful(), threads=1)
    base = base_model.outcome.seconds
    rows = [("faithful P5 training (baseline)", f"{base:.2f} s", "1.00×", f"{base_model.outcome.steps_done} steps")]

    def add(what: str, seconds: float, quality: str, goal: str) -> None:
        rows.append((what, f"{seconds:.2f} s", f"{seconds / base:.3f}×", f"{quality} [goal {goal}]"))
        print(f"  {what}: {seconds:.2f} s", flush=True)

    for target in ("p3", "p4"):
        seconds, out, err = cli(target, "--json")
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

    trained = train_eps(fast(), threads=1)
    for label in ("first call: with the data side", "again: data side kept"):
        start = time.perf_counter()
        ev = evaluate_2d(trained, n=4000, seed=0, frame_points=1)
        add(f"P5 quality of 3 samplers ({label})", time.perf_counter() - start,
            ", ".join(f"{q.sampler} {q.energy / ev.floor.energy:.2f}× floor" for q in ev.samplers), "≤ 1 s")

    from engine.checkpoint import load_checkpoint, save_checkpoint
    from engine.score_net import (CHECKPOINT_KIND, TrainSettings, evaluate, evaluation_from_metrics,
                                  evaluation_metrics, load_trained, score_errors, train_score)
    from engine.mixture import DEFAULT_MIXTURE

    settings = TrainSettings(mixture=DEFAULT_MIXTURE.format())
    p3 = train_score(settings, threads=1)
    with tempfile.TemporaryDirectory() as tmp:
        stored = evaluation_metrics(evaluate(p3, n=20_000, seed=0), score_errors(p3, seed=0))
        path = save_checkpoint(Path(tmp), "stored", CHECKPOINT_KIND["p3"], p3.model.state_dict(), settings.as_dict(),
                               stored)
        start = time.perf_counter()
        ck = load_checkpoint(path, CHECKPOINT_KIND["p3"])
        model = load_trained(TrainSettings.from_saved(ck.settings), ck.state_dict)
        ev, _ = evaluation_from_metrics(ck.metrics)
        add("load a saved P3 model + its stored evaluation", time.perf_counter() - start,
            f"learned W1 sto {ev.row('learned', 'stochastic').w1:.3f} det {ev.row('learned', 'deterministic').w1:.3f}",
            "≤ 1 s")
        path = save_checkpoint(Path(tmp), "bench", CHECKPOINT_KIND["p3"], p3.model.state_dict(), settings.as_dict())
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
    rows += [(what, secs, "", q) for what, secs, q in SCREEN_ROWS] or [
        ("screens: key latency, frames/s", "—", "", "measured by the screens' benchmarks (bench_p3.py)")]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print()
    for r in [("what", "time", "× faithful", "quality"), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3])
    _ = np, table


if __name__ == "__main__":
    main()
