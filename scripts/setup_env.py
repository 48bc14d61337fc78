"""Create (or refresh) the project's virtual environment in .venv.

* The venv sees the system's site-packages, so a torch that is already installed is used as it
  is instead of being downloaded again (torch is gigabytes).
* Everything else is installed at the versions pinned in constraints.txt; torch too when none
  is usable yet (pinned to 2.13.0).
* It is cheap to run again: the Makefile calls it only when pyproject.toml or
  constraints.txt changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HW7_VENV", ROOT / ".venv"))
MIN_TORCH = (2, 2)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def usable_torch(python: Path) -> str | None:
    """The version of a torch importable by ``python`` if it is new enough, else None."""
    probe = "import torch, sys; sys.stdout.write(torch.__version__)"
    try:
        out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    version = out.stdout.strip()
    try:
        major, minor = (int(p) for p in version.split("+")[0].split(".")[:2])
    except ValueError:
        return None
    return version if (major, minor) >= MIN_TORCH else None


def main() -> int:
    if not venv_python().exists():
        print(f"creating virtual environment {VENV} (with access to system packages)")
        venv.EnvBuilder(with_pip=True, system_site_packages=True).create(VENV)
    python = venv_python()
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    torch_version = usable_torch(python)
    if torch_version:
        print(f"using the torch already installed ({torch_version}); not reinstalling it")
        pins = [p for p in pins if not p.strip().lower().startswith("torch==")]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(pins) + "\n")
        constraints = f.name
    try:
        cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
               "-c", constraints, "-e", f"{ROOT}[test,serve]"]
        print("installing hw7-tui and its pinned dependencies …")
        return subprocess.call(cmd)
    finally:
        os.unlink(constraints)


if __name__ == "__main__":
    sys.exit(main())
