"""Issue 13, writes that fail cleanly: the one atomic writer (engine.atomic.write_atomic) checks its
target first, preserves links, turns whatever the writing raises into one WriteError line, and
never leaves a temporary or truncated file behind."""

import contextlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.atomic import STALE_TEMP_SECONDS, check_target, write_atomic
from engine.errors import InvalidInput, WriteError


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_writes_text_bytes_and_callbacks(tmp_path):
    assert write_atomic(tmp_path / "a.txt", "é\n").read_text(encoding="utf-8") == "é\n"
    assert write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    write_atomic(tmp_path / "c.npz", lambda f: np.savez(f, x=np.arange(3)))
    assert np.load(tmp_path / "c.npz")["x"].tolist() == [0, 1, 2]
    assert leftovers(tmp_path) == []


def test_new_files_get_the_umask_mode_and_replaced_files_keep_theirs(tmp_path):
    old = os.umask(0o022)
    try:
        assert stat.S_IMODE(write_atomic(tmp_path / "new.txt", "x").stat().st_mode) == 0o644
    finally:
        os.umask(old)
    target = tmp_path / "kept.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() == "new"


def test_directory_targets_are_refused(tmp_path):
    (tmp_path / "newdir").mkdir()
    for target in (tmp_path / "newdir", f"{tmp_path}/newdir/", f"{tmp_path}/notyet/"):
        with pytest.raises(WriteError, match="directory") as err:
            write_atomic(target, "x")
        assert "\n" not in str(err.value)
    assert not (tmp_path / "notyet").exists()
    assert list((tmp_path / "newdir").iterdir()) == []


def test_missing_parent_is_refused_unless_asked_to_make_it(tmp_path):
    with pytest.raises(WriteError, match="does not exist"):
        write_atomic(tmp_path / "no" / "such" / "file.txt", "x")
    assert not (tmp_path / "no").exists()
    assert write_atomic(tmp_path / "no" / "such" / "file.txt", "x", make_parent=True).read_text() == "x"


def test_parent_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(WriteError):
        write_atomic(tmp_path / "plain" / "child.txt", "x")


def test_fifo_target_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="not a regular file"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not replaced by a file


def test_device_node_is_never_replaced(tmp_path):
    """`report -o /dev/null` replaced the node with a file (as root: /dev/null itself)."""
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    for target in ("/dev/null", link):
        with pytest.raises(WriteError, match="not a regular file"):
            write_atomic(target, "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not any(p.name.startswith(".null.") for p in Path("/dev").iterdir())  # no temporary file left


def test_symlinked_target_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real" / "state.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "state.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


def test_a_dangling_link_creates_the_file_it_points_to(tmp_path):
    link = tmp_path / "out.md"
    link.symlink_to(tmp_path / "target.md")
    write_atomic(link, "hello")
    assert link.is_symlink() and (tmp_path / "target.md").read_text() == "hello"


@pytest.mark.parametrize("error", [RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed"),
                                   ValueError("bad"), OSError(28, "No space left on device"), TypeError("x")])
def test_a_failing_callback_leaves_no_temporary_file_and_the_old_file_intact(tmp_path, error):
    target = tmp_path / "model.pt"
    target.write_text("the old model")

    def write(f):
        f.write(b"half of it")
        raise error

    with pytest.raises(WriteError) as err:
        write_atomic(target, write)
    message = str(err.value)
    assert message.startswith(f"cannot write {target}:") and "\n" not in message
    assert isinstance(err.value, InvalidInput)  # the CLI's one-line, exit-2 path
    assert target.read_text() == "the old model"
    assert leftovers(tmp_path) == []


def test_keyboard_interrupt_passes_through_after_cleaning_up(tmp_path):
    def write(f):
        f.write(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "x.txt", write)
    assert list(tmp_path.iterdir()) == []


def test_torch_error_text_loses_its_ansi_codes_and_extra_lines(tmp_path):
    def write(f):
        raise RuntimeError("\x1b[31mfailed\x1b[0m to write\nsecond line of advice")

    with pytest.raises(WriteError) as err:
        write_atomic(tmp_path / "x.pt", write)
    assert str(err.value).endswith(": failed to write")


def test_stale_temporary_files_of_a_killed_write_are_removed(tmp_path):
    stale = tmp_path / ".state.json.abc123.tmp"
    fresh = tmp_path / ".state.json.def456.tmp"  # maybe another process writing right now
    for p in (stale, fresh):
        p.write_bytes(b"x" * 1000)
    old = time.time() - STALE_TEMP_SECONDS - 10
    os.utime(stale, (old, old))
    write_atomic(tmp_path / "state.json", "{}")
    assert not stale.exists() and fresh.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory (mode bits do not bind it)")
def test_read_only_directory_is_refused_before_writing(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(WriteError, match="not writable"):
            check_target(ro / "x.txt")
    finally:
        ro.chmod(0o700)


# ---- full and read-only file systems: a real small tmpfs (root only) ---------------------------
@contextlib.contextmanager
def small_tmpfs(where: Path, options: str = "size=64k"):
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_full_disk_text_write_fails_cleanly(tmp_path):
    with small_tmpfs(tmp_path / "disk") as disk:
        (disk / "report.md").write_text("old report")
        with pytest.raises(WriteError, match="No space left on device") as err:
            write_atomic(disk / "report.md", "x" * 200_000)
        assert "\n" not in str(err.value)
        assert (disk / "report.md").read_text() == "old report"
        assert sorted(p.name for p in disk.iterdir()) == ["report.md"]


def test_full_disk_numpy_and_torch_writes_fail_cleanly(tmp_path):
    torch = pytest.importorskip("torch")
    with small_tmpfs(tmp_path / "disk") as disk:
        big = np.zeros(100_000)
        with pytest.raises(WriteError):
            write_atomic(disk / "samples.npz", lambda f: np.savez(f, x=big))
        with pytest.raises(WriteError):
            write_atomic(disk / "model.pt", lambda f: torch.save({"w": torch.zeros(100_000)}, f))
        assert list(disk.iterdir()) == []  # no truncated .npz, no temporary file


def test_read_only_file_system_is_refused(tmp_path):
    with small_tmpfs(tmp_path / "disk", "size=64k,ro") as disk:
        with pytest.raises(WriteError, match="not writable"):
            write_atomic(disk / "state.json", "{}")


def test_checkpoint_save_on_a_full_disk_is_one_write_error(tmp_path):
    torch = pytest.importorskip("torch")
    from engine.checkpoint import save_checkpoint

    with small_tmpfs(tmp_path / "disk") as disk:
        with pytest.raises(WriteError, match="No space left on device"):
            save_checkpoint(disk / "models", "big", "p3-score", {"w": torch.zeros(100_000)}, {"a": 1})
        assert list((disk / "models").iterdir()) == []


def test_samples_to_a_full_disk_exit_2_after_training_without_leaving_a_file(tmp_path):
    with small_tmpfs(tmp_path / "disk") as disk:
        out = disk / "s.npz"
        proc = subprocess.run([sys.executable, "-m", "tui.cli", "p3", "--T", "10", "--sigma2", "1", "--steps", "20",
                               "--particles", "20000", "--samples", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert "No space left on device" in proc.stderr and "Traceback" not in proc.stderr
        assert list(disk.iterdir()) == []


def test_samples_to_a_device_or_directory_are_refused_before_training(tmp_path):
    start = time.perf_counter()
    for target in ("/dev/full", f"{tmp_path}/"):
        proc = subprocess.run([sys.executable, "-m", "tui.cli", "p5", "--steps", "100000", "--samples", target],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert time.perf_counter() - start < 50  # refused at once: 100,000 steps would take minutes


def test_report_output_is_checked_before_the_report_is_built(tmp_path):
    (tmp_path / "newdir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for target in ("/dev/null", f"{tmp_path}/newdir/", f"{tmp_path}/fifo", f"{tmp_path}/nodir/r.md"):
        proc = subprocess.run([sys.executable, "-m", "tui.cli", "report", "-o", target],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, (target, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
