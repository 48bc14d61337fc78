"""Trained models on disk: the weights plus the settings that made them.

A checkpoint is one file ``<name>.pt`` written by ``torch.save`` of a plain dict

    {"format": "hw7-tui-checkpoint", "version": 1, "kind": "p3-score" | …,
     "settings": {…plain JSON-like values…}, "metrics": {…}, "created": "2026-…Z",
     "state_dict": {name: tensor}}

written atomically (temporary file in the same directory, fsync, rename), and read back with
``torch.load(weights_only=True)``, which unpickles only tensors and plain containers: a file
that would run code, a corrupt file and a file of another kind are all refused with
:class:`InvalidInput` naming the file and the reason.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.atomic import write_atomic
from engine.errors import InvalidInput

FORMAT = "hw7-tui-checkpoint"
VERSION = 1
SUFFIX = ".pt"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read from disk (``state_dict`` is empty when only the header was wanted)."""

    path: Path
    kind: str
    settings: dict[str, Any]
    metrics: dict[str, Any]
    created: str
    state_dict: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem


def _plain(value: Any, where: str) -> Any:
    """Settings/metrics must be plain values (what weights-only loading accepts)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, where) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy / torch scalars
        return _plain(value.item(), where)
    raise InvalidInput(f"{where}: {type(value).__name__} values cannot be stored in a checkpoint")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(f"checkpoint name {name!r} must be letters, digits, '.', '_' or '-' (at most 81)")
    return name


def save_checkpoint(directory: Path, name: str, kind: str, state_dict: dict[str, Any],
                    settings: dict[str, Any], metrics: dict[str, Any] | None = None) -> Path:
    """Write ``directory/name.pt`` atomically; returns its path. Tensors are moved to the CPU."""
    import torch

    directory = Path(directory)
    path = directory / f"{check_name(name)}{SUFFIX}"
    payload = {
        "format": FORMAT, "version": VERSION, "kind": str(kind),
        "settings": _plain(dict(settings), "settings"), "metrics": _plain(dict(metrics or {}), "metrics"),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "state_dict": {k: v.detach().to("cpu").clone() for k, v in state_dict.items()},
    }
    # WriteError (an InvalidInput) names the path and the reason, whatever torch raised while
    # writing (a full disk is a RuntimeError from torch.save, not an OSError)
    write_atomic(path, lambda f: torch.save(payload, f), make_parent=True)
    return path


def load_checkpoint(path: Path, kind: str | None = None) -> Checkpoint:
    """Read a checkpoint with ``torch.load(weights_only=True)``; refuse anything else."""
    import pickle

    import torch

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no checkpoint at {path}")
    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning: we refuse it anyway
            warnings.simplefilter("ignore", UserWarning)
            data = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError, AttributeError,
            TypeError, KeyError, IndexError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInput(f"{path.name} is not a readable checkpoint (corrupt, or not saved by hw7-tui): {first[:160]}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{path.name} is not a hw7-tui checkpoint")
    if data.get("version") != VERSION:
        raise InvalidInput(f"{path.name} has checkpoint version {data.get('version')!r}; this hw7-tui reads {VERSION}")
    if kind is not None and data.get("kind") != kind:
        raise InvalidInput(f"{path.name} holds a {data.get('kind')!r} model, not a {kind!r} one")
    state = data.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise InvalidInput(f"{path.name} has no weights")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise InvalidInput(f"{path.name} has non-finite weights")
    settings, metrics = data.get("settings"), data.get("metrics", {})
    if not isinstance(settings, dict) or not isinstance(metrics, dict):
        raise InvalidInput(f"{path.name} has no settings")
    return Checkpoint(path, str(data["kind"]), settings, metrics, str(data.get("created", "")), state)


def list_checkpoints(directory: Path, kind: str | None = None) -> tuple[list[Checkpoint], list[str]]:
    """Readable checkpoints in a directory (newest first) and one message per unreadable file."""
    directory = Path(directory)
    found: list[Checkpoint] = []
    problems: list[str] = []
    if not directory.is_dir():
        return found, problems
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            ckpt = load_checkpoint(path)
        except InvalidInput as exc:
            problems.append(str(exc))
            continue
        if kind is None or ckpt.kind == kind:
            found.append(ckpt)
    found.sort(key=lambda c: (c.created, c.name), reverse=True)
    return found, problems


def find_matching(directory: Path, kind: str, settings: dict[str, Any]) -> Checkpoint | None:
    """The newest checkpoint of this kind made with exactly these settings (for reuse)."""
    wanted = _plain(dict(settings), "settings")
    for ckpt in list_checkpoints(directory, kind)[0]:
        if ckpt.settings == wanted:
            return ckpt
    return None


def delete_checkpoint(path: Path) -> None:
    path = Path(path)
    if path.suffix != SUFFIX:
        raise InvalidInput(f"{path.name} is not a checkpoint file")
    try:
        path.unlink()
    except FileNotFoundError:
        raise InvalidInput(f"no checkpoint at {path}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot delete {path.name}: {exc.strerror or exc}") from None
