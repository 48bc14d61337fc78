"""The app's saved state: one JSON file in the data directory, one section per problem.

* Where: ``$HW7_TUI_DATA_DIR`` if set, else platformdirs' user data dir for "hw7-tui".
* How: every change is written atomically (write a temporary file, fsync, rename), so a crash or
  a kill during a save leaves either the old file or the new one, never half of one.
* A file that cannot be read (corrupt JSON, wrong shape) is renamed aside to
  ``state.json.corrupt-<time>`` and reported; the app starts from the defaults.

No Textual here: the store is plain Python so the command line and tests can use it too.
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

from engine.atomic import write_atomic
from engine.errors import WriteError

STATE_FILE = "state.json"
FORMAT_VERSION = 1
ENV_DATA_DIR = "HW7_TUI_DATA_DIR"


def data_dir() -> Path:
    """The data directory (created on first save, not here)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("hw7-tui", appauthor=False))


class StateStore:
    """Sections of plain JSON values (dicts), loaded once and saved on every change."""

    def __init__(self, directory: Path | None = None, *, fresh: bool = False) -> None:
        self.directory = Path(directory) if directory is not None else data_dir()
        self.path = self.directory / STATE_FILE
        self.sections: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []  # messages for the user (corrupt file set aside, …)
        self.save_error: str | None = None
        if not fresh:
            self._load()

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            self.problems.append(f"could not read {self.path}: {exc.strerror or exc}; starting from defaults")
            return
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("sections"), dict):
                raise ValueError("not a hw7-tui state file")
            sections = {k: v for k, v in data["sections"].items() if isinstance(v, dict)}
        except ValueError as exc:
            aside = self.path.with_name(f"{STATE_FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(self.path, aside)
                where = f"set aside as {aside.name}"
            except OSError:
                where = "left in place"
            self.problems.append(f"the saved state was unreadable ({exc}); it was {where} and the defaults are used")
            return
        self.sections = sections

    def section(self, name: str) -> dict[str, Any]:
        """A copy of one section (empty if never saved)."""
        return copy.deepcopy(self.sections.get(name, {}))

    def update(self, name: str, **values: Any) -> bool:
        """Merge values into a section and save. Returns False (and records why) if saving failed;
        the values stay in memory either way."""
        self.sections.setdefault(name, {}).update(copy.deepcopy(values))
        return self.save()

    def save(self) -> bool:
        payload = json.dumps({"format": FORMAT_VERSION, "sections": self.sections}, indent=1, sort_keys=True)
        try:
            write_atomic(self.path, payload + "\n", make_parent=True)
        except WriteError as exc:
            self.save_error = f"could not save state: {exc}"
            return False
        self.save_error = None
        return True


ENV_EXPORT_DIR = "HW7_TUI_EXPORT_DIR"


def export_dir() -> Path:
    """Where exports and screenshots go: ``$HW7_TUI_EXPORT_DIR`` if set, else the current directory."""
    return Path(os.environ.get(ENV_EXPORT_DIR) or os.getcwd()).expanduser()
