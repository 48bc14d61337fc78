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


def check_weights(model: Any, state_dict: dict[str, Any], what: str = "the checkpoint", *,
                  finite: bool = True) -> None:
    """Refuse, in one line and before anything is changed, weights that do not fit ``model`` (a
    freshly built one): the same names, the same shapes, floating values all finite, and buffers
    that are functions of the settings (σ², T, …) equal to the fresh model's — a checkpoint whose
    settings were edited no longer matches its weights. ``finite=False`` skips the pass over every
    value (:func:`load_checkpoint` made it already), leaving a check of milliseconds."""
    import torch

    if not isinstance(state_dict, dict):
        raise InvalidInput(f"{what} has no weights")
    expected = model.state_dict()
    buffers = {name for name, _ in model.named_buffers()}
    missing = sorted(set(expected) - set(state_dict))
    extra = sorted(set(state_dict) - set(expected))
    if missing or extra:
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + \
                ([f"unexpected {', '.join(str(k)[:40] for k in extra[:3])}"] if extra else [])
        raise InvalidInput(f"{what}'s weights do not fit this model ({'; '.join(parts)})")
    for name, want in expected.items():
        got = state_dict[name]
        if not isinstance(got, torch.Tensor):
            raise InvalidInput(f"{what}'s weights do not fit this model ({name} is not a tensor)")
        if tuple(got.shape) != tuple(want.shape):
            raise InvalidInput(f"{what}'s weights do not fit this model ({name} has shape {tuple(got.shape)}, "
                               f"the model needs {tuple(want.shape)}: were the settings edited?)")
        if want.is_floating_point():
            if not got.is_floating_point():
                raise InvalidInput(f"{what}'s weights do not fit this model ({name} is not floating point)")
            if finite and not bool(torch.isfinite(got).all()):
                raise InvalidInput(f"{what} has non-finite weights ({name})")
            if name in buffers and not torch.allclose(got.to(want.dtype), want, rtol=1e-6, atol=0.0):
                raise InvalidInput(f"{what}'s {name} does not match its settings (were the settings edited?)")


def load_weights(model: Any, state_dict: dict[str, Any], what: str = "the checkpoint") -> None:
    """:func:`check_weights`, then ``model.load_state_dict``; whatever torch still raises becomes one
    line without its advice text or colour codes."""
    check_weights(model, state_dict, what)
    try:
        model.load_state_dict(state_dict)
    except (RuntimeError, ValueError, TypeError) as exc:
        text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc)).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        raise InvalidInput(f"{what}'s weights do not fit this model: {first[:160]}") from None


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
