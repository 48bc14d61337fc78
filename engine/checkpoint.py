"""Trained models on disk: the weights plus the settings that made them.

A checkpoint is one file ``<name>.npz`` (numpy's zip of arrays), written atomically (temporary file
in the same directory, fsync, rename):

    "header"              a JSON string: {"format": "hw7-tui-checkpoint", "version": 1,
                          "kind": "p3-score" | …, "settings": {…}, "metrics": {…}, "created": "2026-…Z"}
    "state_dict/<name>"   one array per weight or buffer, under the torch module's names

and read back with ``numpy.load(allow_pickle=False)``, which reads only plain arrays: a file that
would run code, a corrupt file and a file of another kind are all refused with
:class:`InvalidInput` naming the file and the reason. Neither saving nor reading imports torch, so
Problems 3–4 (trained in numpy) never pay ``import torch`` — a second of a fresh process, and about
150 ms in which an importing thread holds the GIL and the interface stops.

Older checkpoints were ``<name>.pt`` files written by ``torch.save`` of the same dict with the
weights inside (``"state_dict": {name: tensor}``); they are still read, with
``torch.load(weights_only=True)``, which unpickles only tensors and plain containers.
"""

from __future__ import annotations

import json
import math
import re
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.atomic import write_atomic
from engine.errors import InvalidInput

import numpy as np

FORMAT = "hw7-tui-checkpoint"
VERSION = 1
SUFFIX = ".npz"
LEGACY_SUFFIX = ".pt"
"""torch.save files written before checkpoints were npz: read (with torch), never written."""
SUFFIXES = (SUFFIX, LEGACY_SUFFIX)
_WEIGHT = "state_dict/"
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


def as_array(value: Any) -> np.ndarray:
    """A weight as a numpy array on the CPU (numpy arrays as they are; torch tensors detached and copied)."""
    if hasattr(value, "detach"):
        value = value.detach().to("cpu").numpy()
    return np.array(value, copy=True)


def save_checkpoint(directory: Path, name: str, kind: str, state_dict: dict[str, Any],
                    settings: dict[str, Any], metrics: dict[str, Any] | None = None) -> Path:
    """Write ``directory/name.npz`` atomically; returns its path. The weights may be numpy arrays or
    torch tensors (moved to the CPU); nothing here imports torch."""
    directory = Path(directory)
    path = directory / f"{check_name(name)}{SUFFIX}"
    header = {
        "format": FORMAT, "version": VERSION, "kind": str(kind),
        "settings": _plain(dict(settings), "settings"), "metrics": _plain(dict(metrics or {}), "metrics"),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    arrays = {_WEIGHT + str(k): as_array(v) for k, v in state_dict.items()}
    arrays["header"] = np.array(json.dumps(header))
    # WriteError (an InvalidInput) names the path and the reason, whatever numpy raised while writing
    write_atomic(path, lambda f: np.savez(f, **arrays), make_parent=True)
    return path


def load_checkpoint(path: Path, kind: str | None = None) -> Checkpoint:
    """Read a checkpoint (``numpy.load(allow_pickle=False)``; an older ``.pt`` file with
    ``torch.load(weights_only=True)``); refuse anything else in one line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no checkpoint at {path}")
    data = _read_legacy(path) if path.suffix == LEGACY_SUFFIX else _read_npz(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{path.name} is not a hw7-tui checkpoint")
    if data.get("version") != VERSION:
        raise InvalidInput(f"{path.name} has checkpoint version {data.get('version')!r}; this hw7-tui reads {VERSION}")
    if kind is not None and data.get("kind") != kind:
        raise InvalidInput(f"{path.name} holds a {data.get('kind')!r} model, not a {kind!r} one")
    state = data.get("state_dict")
    if not isinstance(state, dict) or not state:
        raise InvalidInput(f"{path.name} has no weights")
    state = {name: as_array(value) for name, value in state.items()}
    if not all(np.isfinite(v).all() for v in state.values() if np.issubdtype(v.dtype, np.floating)):
        raise InvalidInput(f"{path.name} has non-finite weights")
    settings, metrics = data.get("settings"), data.get("metrics", {})
    if not isinstance(settings, dict) or not isinstance(metrics, dict):
        raise InvalidInput(f"{path.name} has no settings")
    return Checkpoint(path, str(data["kind"]), settings, metrics, str(data.get("created", "")), state)


def _unreadable(path: Path, exc: BaseException) -> InvalidInput:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InvalidInput(f"{path.name} is not a readable checkpoint (corrupt, or not saved by hw7-tui): {first[:160]}")


def _read_npz(path: Path) -> dict[str, Any]:
    """The header's dict with "state_dict" added (numeric arrays only: object arrays are refused)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(str(npz["header"][()])) if "header" in npz.files else None
            weights = {k[len(_WEIGHT):]: npz[k] for k in npz.files if k.startswith(_WEIGHT)}
    except (ValueError, OSError, EOFError, KeyError, TypeError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None  # (json's error is a ValueError)
    if not isinstance(header, dict):
        return {}
    if not all(np.issubdtype(w.dtype, np.number) or w.dtype == np.bool_ for w in weights.values()):
        raise InvalidInput(f"{path.name} has no weights")
    return {**header, "state_dict": weights}


def _read_legacy(path: Path) -> Any:
    """An older checkpoint written by ``torch.save`` (imports torch)."""
    import pickle

    import torch

    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning: we refuse it anyway
            warnings.simplefilter("ignore", UserWarning)
            data = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError, AttributeError,
            TypeError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None
    if isinstance(data, dict) and not all(isinstance(v, torch.Tensor) for v in (data.get("state_dict") or {}).values()):
        raise InvalidInput(f"{path.name} has no weights")
    return data


def check_weights(model: Any, state_dict: dict[str, Any], what: str = "the checkpoint", *,
                  finite: bool = True, buffers: tuple[str, ...] = ()) -> None:
    """Refuse, in one line and before anything is changed, weights that do not fit ``model`` (a
    freshly built torch module, or its weights as a dict of arrays with ``buffers`` naming the
    buffers): the same names, the same shapes, floating values all finite, and buffers that are
    functions of the settings (σ², T, …) equal to the fresh model's — a checkpoint whose settings
    were edited no longer matches its weights. ``finite=False`` skips the pass over every value
    (:func:`load_checkpoint` made it already), leaving a check of milliseconds. Weights may be numpy
    arrays or torch tensors; nothing here imports torch."""
    if not isinstance(state_dict, dict):
        raise InvalidInput(f"{what} has no weights")
    if hasattr(model, "named_buffers"):
        buffers = tuple(name for name, _ in model.named_buffers())
        model = model.state_dict()
    expected = {name: as_array(value) for name, value in model.items()}
    missing = sorted(set(expected) - set(state_dict))
    extra = sorted(set(state_dict) - set(expected))
    if missing or extra:
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + \
                ([f"unexpected {', '.join(str(k)[:40] for k in extra[:3])}"] if extra else [])
        raise InvalidInput(f"{what}'s weights do not fit this model ({'; '.join(parts)})")
    for name, want in expected.items():
        got = state_dict[name]
        if not (isinstance(got, np.ndarray) or hasattr(got, "detach")):
            raise InvalidInput(f"{what}'s weights do not fit this model ({name} is not a tensor or array)")
        got = as_array(got)
        if got.shape != want.shape:
            raise InvalidInput(f"{what}'s weights do not fit this model ({name} has shape {got.shape}, "
                               f"the model needs {want.shape}: were the settings edited?)")
        if np.issubdtype(want.dtype, np.floating):
            if not np.issubdtype(got.dtype, np.floating):
                raise InvalidInput(f"{what}'s weights do not fit this model ({name} is not floating point)")
            if finite and not np.isfinite(got).all():
                raise InvalidInput(f"{what} has non-finite weights ({name})")
            if name in buffers and not np.allclose(got.astype(want.dtype), want, rtol=1e-6, atol=0.0):
                raise InvalidInput(f"{what}'s {name} does not match its settings (were the settings edited?)")


def as_tensors(state_dict: dict[str, Any]) -> dict[str, Any]:
    """The weights as torch tensors (what ``load_state_dict`` takes; imports torch)."""
    import torch

    return {k: v if isinstance(v, torch.Tensor) else torch.from_numpy(as_array(v)) for k, v in state_dict.items()}


def load_weights(model: Any, state_dict: dict[str, Any], what: str = "the checkpoint") -> None:
    """:func:`check_weights`, then ``model.load_state_dict``; whatever torch still raises becomes one
    line without its advice text or colour codes."""
    check_weights(model, state_dict, what)
    try:
        model.load_state_dict(as_tensors(state_dict))
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
    for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".") and p.is_file()):
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
    if path.suffix not in SUFFIXES:
        raise InvalidInput(f"{path.name} is not a checkpoint file")
    try:
        path.unlink()
    except FileNotFoundError:
        raise InvalidInput(f"no checkpoint at {path}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot delete {path.name}: {exc.strerror or exc}") from None
