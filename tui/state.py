"""The app's saved state: one JSON file in the data directory, one section per problem.

* Where: ``$HW7_TUI_DATA_DIR`` if set, else platformdirs' user data dir for "hw7-tui".
* How: every change is written through :func:`engine.atomic.write_atomic` (temporary file, fsync,
  rename; a symlinked state file stays a link), so a crash or a kill during a save leaves either
  the old file or the new one, never half of one.
* Never blocks, never eats memory: only a regular file of at most ``MAX_STATE_BYTES`` is read
  (checked with ``os.stat`` before opening, opened non-blocking, at most the limit + 1 bytes read):
  a FIFO, a link to ``/dev/zero`` or a huge file is refused with a message.
* Never loses work:
  - a file that cannot be parsed (not UTF-8, not JSON, nested too deeply, wrong shape, too big) is
    renamed aside to ``state.json.corrupt-<time>`` (never over an existing file) and reported;
  - a file that exists but cannot be read (permissions, not a regular file) is reported and the
    store goes read-only for this run: it is never written over;
  - a file of a newer format is read-only too (never rewritten as format 1, dropping what this
    version does not know);
  - per-section ``validators`` replace refused values by their defaults with a message naming
    each; the original file is then copied aside (``state.json.refused-<time>``) first;
  - two instances on one data directory: a save takes a lock (``state.lock``), re-reads the file
    and applies only the keys this instance changed since it loaded or last saved, so neither
    loses the other's edits.

No Textual here: the store is plain Python so the command line and tests can use it too.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.atomic import write_atomic
from engine.errors import WriteError

STATE_FILE = "state.json"
LOCK_FILE = "state.lock"
FORMAT_VERSION = 1
ENV_DATA_DIR = "HW7_TUI_DATA_DIR"
MAX_STATE_BYTES = 1 << 20
"""1 MiB: the app's own state is a few kilobytes; anything bigger is not ours."""
LOCK_WAIT_S = 2.0

Validator = Callable[[dict], tuple[dict, list[str]]]
"""A section's check: (section) → (the cleaned section, one message per refused value)."""

_MISSING = object()


def data_dir() -> Path:
    """The data directory (created on first save, not here)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("hw7-tui", appauthor=False))


class _Unreadable(Exception):
    """The file exists but cannot be read: never write over it."""


class _Corrupt(Exception):
    """The file was read but is not a state file we can use: set it aside."""


class _Newer(Exception):
    """The file was written by a newer hw7-tui: read what we can, never rewrite it."""

    def __init__(self, message: str, sections: dict) -> None:
        super().__init__(message)
        self.sections = sections


def _os_call(call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)`` on the state file: None when it is not there, _Unreadable for any other OSError."""
    try:
        return call(*args)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _Unreadable(exc.strerror or str(exc)) from None


def _check_regular(st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise _Unreadable("it is not a regular file (a FIFO, device or directory)")


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


class StateStore:
    """Sections of plain JSON values (dicts), loaded once and saved on every change."""

    def __init__(self, directory: Path | None = None, *, fresh: bool = False,
                 validators: Mapping[str, Validator] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else data_dir()
        self.path = self.directory / STATE_FILE
        self.lock_path = self.directory / LOCK_FILE
        self.sections: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []  # messages for the user (corrupt file set aside, …)
        self.save_error: str | None = None
        self.read_only: str | None = None  # why this store never writes (None: it does)
        self.validators: dict[str, Validator] = {}
        self._changed: dict[str, set[str]] = {}  # section → keys changed since load / last save
        self._raw: bytes | None = None  # the bytes loaded (to keep a copy aside when values are refused)
        if not fresh:
            self._load()
        if validators:
            self.apply_validators(validators)

    # ---- reading ----------------------------------------------------------------------------------
    def _read_bytes(self) -> bytes | None:
        """The file's bytes (None: no file), never blocking and never more than the limit: its
        stat is checked before it is opened (a FIFO, a device, a huge file are never read) and the
        open descriptor checked again (the file may have been swapped in between)."""
        st = _os_call(os.stat, self.path)  # follows a symlink: the file it points to is the state
        if st is None:
            return None
        _check_regular(st)
        if st.st_size > MAX_STATE_BYTES:
            raise _Corrupt(f"it is {st.st_size:,} bytes, more than the {MAX_STATE_BYTES:,} a state file may be")
        fd = _os_call(os.open, self.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        if fd is None:
            return None
        try:
            _check_regular(_os_call(os.fstat, fd))
            chunks, size = [], 0
            while size <= MAX_STATE_BYTES:
                chunk = _os_call(os.read, fd, MAX_STATE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
        if size > MAX_STATE_BYTES:
            raise _Corrupt(f"it is more than the {MAX_STATE_BYTES:,} bytes a state file may be")
        return b"".join(chunks)

    @staticmethod
    def _parse(raw: bytes) -> dict[str, dict[str, Any]]:
        """The sections of a state file's bytes; _Corrupt or _Newer when they cannot be used."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Corrupt("it is not UTF-8 text") from None
        except RecursionError:
            raise _Corrupt("it is nested too deeply") from None
        except ValueError as exc:
            raise _Corrupt(f"it is not JSON: {str(exc)[:80]}") from None
        if not isinstance(data, dict) or not isinstance(data.get("sections"), dict):
            raise _Corrupt("not a hw7-tui state file")
        version = data.get("format", FORMAT_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise _Corrupt(f"its format {str(version)[:20]!r} is not a version number")
        sections = {str(k): v for k, v in data["sections"].items() if isinstance(v, dict)}
        if len(sections) != len(data["sections"]):
            bad = sorted(str(k) for k, v in data["sections"].items() if not isinstance(v, dict))
            raise _Corrupt(f"section {', '.join(bad)[:60]} is not a table of values")
        if version > FORMAT_VERSION:
            raise _Newer(f"it was written by a newer hw7-tui (format {version}; this one reads {FORMAT_VERSION})",
                         sections)
        return sections

    def _load(self) -> None:
        try:
            raw = self._read_bytes()
            if raw is None:
                return
            self.sections = self._parse(raw)
            self._raw = raw
        except _Unreadable as exc:
            self._go_read_only(f"the saved state {self.path} cannot be read ({exc}); the defaults are used "
                               f"and changes will not be saved this time (the file is left as it is)")
        except _Newer as exc:
            self.sections = exc.sections
            self._go_read_only(f"the saved state {self.path.name}: {exc}; it is used as far as it is understood, "
                               f"and changes will not be saved (so nothing in it is lost)")
        except _Corrupt as exc:
            where = self._set_aside()
            self.problems.append(f"the saved state was unreadable ({exc}); it was {where} and the defaults are used")

    def _go_read_only(self, message: str) -> None:
        self.read_only = message
        self.problems.append(message)

    def _real_path(self) -> Path:
        return Path(os.path.realpath(self.path))

    def _aside_names(self, kind: str) -> Iterator[Path]:
        """Where a copy of the file may go: ``state.json.<kind>-<time>``, then ``…-1``, ``…-2`` (100 names
        at most); the caller takes the first that does not exist yet."""
        real = self._real_path()
        base = real.with_name(f"{real.name}.{kind}-{_stamp()}")
        yield base
        yield from (base.with_name(f"{base.name}-{i}") for i in range(1, 100))

    def _set_aside(self) -> str:
        """Rename the (corrupt) file aside, never over an existing file; say where it went."""
        real = self._real_path()
        for aside in self._aside_names("corrupt"):
            try:
                os.link(real, aside)  # fails if aside exists: never overwrites
            except FileExistsError:
                continue
            except OSError:  # no hard links here (FAT, some network file systems): rename if free
                if aside.exists() or aside.is_symlink():
                    continue
                try:
                    os.rename(real, aside)
                except OSError:
                    break
                return f"set aside as {aside.name}"
            try:
                os.unlink(real)
            except OSError:
                pass
            return f"set aside as {aside.name}"
        self._go_read_only(f"the unreadable state {self.path} could not be set aside; changes will not be saved")
        return "left in place"

    def _keep_copy(self, raw: bytes) -> str | None:
        """Write the original bytes to state.json.refused-<time> (a new file, never over one)."""
        for aside in self._aside_names("refused"):
            try:
                fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            except OSError:
                return None
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(raw)
            except OSError:
                return None
            return aside.name
        return None

    def apply_validators(self, validators: Mapping[str, Validator]) -> None:
        """Check the loaded sections: each refused value is replaced by its default (and will be
        saved so on the next save), each message reported; the original file is kept aside."""
        self.validators.update(validators)
        messages: list[str] = []
        for name, check in validators.items():
            if name not in self.sections:
                continue
            before = self.sections[name]
            try:
                cleaned, refused = check(copy.deepcopy(before))
            except Exception as exc:  # a validator must not stop the app from starting
                cleaned, refused = {}, [f"{name}: the saved values could not be checked ({type(exc).__name__}); defaults used"]
            if not refused:
                continue
            messages.extend(refused)
            self.sections[name] = cleaned
            keys = {k for k in set(before) | set(cleaned) if before.get(k, _MISSING) != cleaned.get(k, _MISSING)}
            self._changed.setdefault(name, set()).update(keys)
        if messages:
            kept = self._keep_copy(self._raw) if self._raw is not None else None
            where = f"; the original file was kept as {kept}" if kept else ""
            self.problems.append("saved values replaced by their defaults: " + "; ".join(messages) + where)

    # ---- using ------------------------------------------------------------------------------------
    def section(self, name: str) -> dict[str, Any]:
        """A copy of one section (empty if never saved)."""
        return copy.deepcopy(self.sections.get(name, {}))

    def update(self, name: str, **values: Any) -> bool:
        """Merge values into a section and save. Returns False (and records why) if saving failed;
        the values stay in memory either way (and are saved with the next successful save)."""
        self.sections.setdefault(name, {}).update(copy.deepcopy(values))
        self._changed.setdefault(name, set()).update(values)
        return self.save()

    # ---- writing ----------------------------------------------------------------------------------
    def _lock(self):
        """An exclusive flock on state.lock (a file descriptor), waiting at most LOCK_WAIT_S."""
        import fcntl

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise WriteError(self.path, exc.strerror or str(exc)) from None
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    os.close(fd)
                    raise WriteError(self.path, "another hw7-tui holds the state lock; try again") from None
                time.sleep(0.02)

    def save(self) -> bool:
        """Write this instance's changes: lock, re-read the file, apply only the keys changed here
        since the last load/save, write atomically. False (with ``save_error``) when not saved."""
        if self.read_only is not None:
            self.save_error = f"changes are not saved: {self.read_only}"
            return False
        try:
            fd = self._lock()
        except WriteError as exc:
            self.save_error = f"could not save state: {exc}"
            return False
        try:
            try:
                raw = self._read_bytes()
                on_disk = self._parse(raw) if raw is not None else {}
            except _Unreadable as exc:
                self._go_read_only(f"the saved state {self.path} cannot be read now ({exc}); it is left as it is")
                self.save_error = f"changes are not saved: {self.read_only}"
                return False
            except _Newer as exc:
                self._go_read_only(f"the saved state {self.path.name}: {exc}; changes are not saved")
                self.save_error = self.read_only
                return False
            except _Corrupt as exc:
                where = self._set_aside()
                self.problems.append(f"the saved state became unreadable ({exc}); it was {where}")
                if self.read_only is not None:
                    self.save_error = f"changes are not saved: {self.read_only}"
                    return False
                on_disk = {}
            merged = copy.deepcopy(on_disk)
            for name, keys in self._changed.items():
                mine = self.sections.get(name, {})
                target = merged.setdefault(name, {})
                for key in keys:
                    if key in mine:
                        target[key] = copy.deepcopy(mine[key])
                    else:
                        target.pop(key, None)
            try:
                payload = json.dumps({"format": FORMAT_VERSION, "sections": merged}, indent=1, sort_keys=True)
                write_atomic(self.path, payload + "\n", make_parent=True)
            except WriteError as exc:
                self.save_error = f"could not save state: {exc}"
                return False
            except (TypeError, ValueError) as exc:  # a value JSON cannot hold: a programming error, reported
                self.save_error = f"could not save state: {exc}"
                return False
        finally:
            os.close(fd)  # releases the lock
        # self.sections stays this instance's view (a --fresh start keeps its defaults); the file
        # now holds its edits and every other instance's
        self._raw = (payload + "\n").encode("utf-8")
        self._changed = {}
        self.save_error = None
        return True


ENV_EXPORT_DIR = "HW7_TUI_EXPORT_DIR"


def export_dir() -> Path:
    """Where exports and screenshots go: ``$HW7_TUI_EXPORT_DIR`` if set, else the current directory."""
    return Path(os.environ.get(ENV_EXPORT_DIR) or os.getcwd()).expanduser()
