"""Problem 1 speed: moving 10⁹ people, and a full recompute of the screen after an edit.

Baselines in the same run: moving people one at a time (10⁶ of them, extrapolated per person)
and the engine alone (what the screen adds on top is drawing). Run:
    .venv/bin/python bench/bench_p1.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of, ms, table  # noqa: E402

from engine.discrete import DEFAULT_MODEL, move_people, solve  # noqa: E402


def one_by_one(n: int, seed: int = 0) -> np.ndarray:
    """Baseline: draw each person's destination separately (what a naive simulation does)."""
    rng = np.random.default_rng(seed)
    p_x, p_y_given_x = DEFAULT_MODEL.arrays()
    start = rng.choice(len(p_x), size=n, p=p_x)
    dest = np.empty(n, dtype=np.int64)
    for x in range(len(p_x)):
        idx = np.flatnonzero(start == x)
        dest[idx] = rng.choice(len(p_x), size=idx.size, p=p_y_given_x[x])
    return np.bincount(dest, minlength=len(p_x))


async def screen_recompute_seconds(rounds: int = 20) -> float:
    """Edit → every table, rule line, bar chart and people count redrawn, measured through Pilot."""
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable

    from engine.problems.p1_discrete import P1Draft

    from tui.app import Hw7App
    from tui.state import StateStore

    app = Hw7App(problem=1, state=StateStore(Path(tempfile.mkdtemp())))
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await pilot.pause()
        for i in range(rounds):
            px = [0.5, 0.3, 0.2] if i % 2 else [0.4, 0.4, 0.2]
            start = time.perf_counter()
            screen.set_draft(P1Draft.of(px, DEFAULT_MODEL.p_y_given_x), "bench")  # the watchers do the rest
            await pilot.pause()
            times.append(time.perf_counter() - start)
            assert screen.query_one("#p1-joint").query_one(DataTable).get_cell_at(Coordinate(0, 1))
    return float(np.median(times))


def main() -> None:
    n_naive = 10**6
    naive = best_of(lambda: one_by_one(n_naive), repeat=3)
    exact = best_of(lambda: move_people(DEFAULT_MODEL, 10**9, seed=0), repeat=7)
    per_person_naive = naive / n_naive
    engine = best_of(lambda: solve(DEFAULT_MODEL), repeat=7, number=200)
    screen = asyncio.run(screen_recompute_seconds())
    print("Problem 1")
    print(table([
        ("baseline: 10⁶ people one by one", ms(naive), "1×"),
        ("  … extrapolated to 10⁹ people", f"{per_person_naive * 1e9:.0f} s", ""),
        ("10⁹ people, exact multinomial counts", ms(exact), f"{per_person_naive * 1e9 / exact:,.0f}× faster than 10⁹ one by one"),
        ("engine recompute (joint…round trip)", ms(engine), "baseline for the screen"),
        ("screen recompute after an edit (Pilot)", ms(screen), f"{screen / engine:,.0f}× the engine alone"),
    ]))


if __name__ == "__main__":
    main()
