"""Redo the README's pictures: each problem screen at 80×24 (or --size), defaults, a fresh data
directory, as SVG in docs/.

    python scripts/screenshots.py [--size 80x24] [--out docs]

Screens 3–5 first compute their exact-score frames in the background; the script waits until the
screen is idle (no worker running) before it takes the picture.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def shoot(problem: int, size: tuple[int, int], out: Path, data: Path) -> Path:
    from tui.app import Hw7App
    from tui.state import StateStore

    app = Hw7App(problem=problem, state=StateStore(data / f"p{problem}"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.5)
        for _ in range(600):  # up to a minute for the exact-score frames
            if not any(w.is_running for w in app.workers if w.group != "warm-up"):
                break
            await pilot.pause(0.1)
        await pilot.pause(0.5)
        path = out / f"screenshot-p{problem}.svg"
        path.write_text(app.export_screenshot(title=f"hw7-tui — Problem {problem}"))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HW7_TUI_DATA_DIR"] = tmp
        os.environ["HW7_TUI_EXPORT_DIR"] = tmp
        for problem in range(1, 6):
            print(asyncio.run(shoot(problem, (cols, rows), out, Path(tmp))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
