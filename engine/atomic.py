"""The one writer for every file the app writes: state, checkpoints, samples, reports, exports,
screenshots.

    write_atomic(path, data)   data: text (UTF-8), bytes, or a function writing into a binary file

* **Atomic**: the data goes to a temporary file beside the target, is fsynced, then renamed over
  it — a crash or a kill -9 leaves the old file or the new one, never half of one. A temporary file
  left by a kill -9 is removed by the next write to the same target once it is an hour old.
* **Checked first** (:func:`check_target`, also for callers that want to know before long work):
  the target is a regular file or a new path; a directory (or a name ending in ``/``), a device
  node, a FIFO or a socket is refused — renaming over ``/dev/null`` would replace the node with a
  file. Its directory must exist (unless ``make_parent``), be a directory, and be writable.
* **Links preserved**: a symlinked target is followed and the file it points to is replaced; the
  link stays a link.
* **One exception**: whatever the writing raises — OSError (full disk, read-only file system),
  and the RuntimeError/ValueError that torch and numpy raise from inside their writers — becomes
  :class:`engine.errors.WriteError` with one line naming the path and the reason, and the temporary
  file is always removed. (KeyboardInterrupt and SystemExit pass through, after the clean-up.)
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from engine.errors import WriteError

_TMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 3600
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _reason(exc: BaseException) -> str:
    """One short line for an exception: strerror for OS errors, else its first line."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = _ANSI.sub("", str(exc)).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:160]


def check_target(path: str | os.PathLike, *, make_parent: bool = False) -> Path:
    """The file a write to ``path`` would replace (a symlink followed), or WriteError saying why it
    cannot be written. Creates the parent directory only if ``make_parent``."""
    shown = os.fspath(path)
    if shown.endswith(("/", os.sep)):
        raise WriteError(shown, "it names a directory; give a file name")
    path = Path(shown).expanduser()
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(shown, _reason(exc)) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise WriteError(shown, "it is a directory; give a file name inside it")
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(shown, "it is not a regular file (a device, FIFO or socket); refusing to replace it")
    parent = target.parent
    if make_parent and not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(shown, f"cannot create directory {parent}: {_reason(exc)}") from None
    if not parent.exists():
        raise WriteError(shown, f"directory {parent} does not exist")
    if not parent.is_dir():
        raise WriteError(shown, f"{parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WriteError(shown, f"directory {parent} is not writable")
    if st is not None and not os.access(target, os.W_OK):
        raise WriteError(shown, "the file is read-only")
    return target


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _remove_stale_temps(target: Path) -> None:
    """Temporary files of earlier writes to ``target`` killed mid-way (kill -9), an hour old."""
    now = time.time()
    try:
        for tmp in target.parent.glob(f".{glob_escape(target.name)}.*{_TMP_SUFFIX}"):
            try:
                if now - tmp.lstat().st_mtime > STALE_TEMP_SECONDS and tmp.is_file():
                    tmp.unlink()
            except OSError:
                pass
    except OSError:
        pass


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def write_atomic(path: str | os.PathLike, data: str | bytes | Callable[[BinaryIO], None], *,
                 make_parent: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); returns ``path``.

    Raises :class:`WriteError` (one line: path and reason) when the target is not writable or the
    writing fails; the old file, if any, is then untouched and no temporary file is left.
    """
    target = check_target(path, make_parent=make_parent)
    _remove_stale_temps(target)
    try:
        old_mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        old_mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise WriteError(os.fspath(path), _reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, old_mode)
        os.replace(tmp, target)
    except Exception as exc:  # OSError, and torch's/numpy's RuntimeError, ValueError, …
        reason = _reason(exc) if isinstance(exc, OSError) or not _disk_full(target.parent) else \
            "No space left on device"  # torch says "[enforce fail at inline_container.cc:672] …"
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(os.fspath(path), reason) from None
    except BaseException:  # KeyboardInterrupt, SystemExit: clean up, then let them through
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return Path(os.fspath(path)).expanduser()


def _disk_full(directory: Path) -> bool:
    """Whether the file system under ``directory`` has (almost) no room left — asked before the
    temporary file is removed, to name the cause when a writer (torch) hides it in its own words."""
    try:
        st = os.statvfs(directory)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
