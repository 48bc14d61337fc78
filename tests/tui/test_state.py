"""Issue 13, state that never blocks the app and never loses work (tui.state.StateStore)."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

import tui.state as state_module
from tui.app import Hw7App
from tui.state import MAX_STATE_BYTES, StateStore


def write_state(directory, sections, **extra):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "state.json").write_text(json.dumps({"format": 1, "sections": sections, **extra}))


def store_in_subprocess(directory, timeout=20):
    """Open a store in a fresh process (a hang or a runaway read fails the test, not the run)."""
    code = textwrap.dedent(f"""
        import json, resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))  # 2 GiB: /dev/zero must not eat more
        from tui.state import StateStore
        s = StateStore({str(directory)!r})
        print(json.dumps({{"problems": s.problems, "read_only": s.read_only, "saved": s.update("p1", a=1),
                           "error": s.save_error}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ---- files that are not files --------------------------------------------------------------------
def test_a_fifo_in_place_of_the_state_does_not_hang_and_is_not_replaced(tmp_path):
    os.mkfifo(tmp_path / "state.json")
    out = store_in_subprocess(tmp_path)
    assert "not a regular file" in out["problems"][0] and out["read_only"]
    assert out["saved"] is False and "not saved" in out["error"]
    assert stat.S_ISFIFO(os.lstat(tmp_path / "state.json").st_mode)


def test_a_link_to_dev_zero_does_not_eat_memory(tmp_path):
    (tmp_path / "state.json").symlink_to("/dev/zero")
    out = store_in_subprocess(tmp_path)
    assert "not a regular file" in out["problems"][0] and out["saved"] is False
    assert os.readlink(tmp_path / "state.json") == "/dev/zero"


def test_a_huge_file_is_set_aside_without_reading_it_whole(tmp_path):
    with open(tmp_path / "state.json", "wb") as f:
        f.truncate(MAX_STATE_BYTES + 1)
    store = StateStore(tmp_path)
    assert "more than" in store.problems[0] and store.sections == {}
    aside = list(tmp_path.glob("state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].stat().st_size == MAX_STATE_BYTES + 1
    assert store.update("p1", a=1)


# ---- contents that parse badly: set aside, never overwritten -----------------------------------
@pytest.mark.parametrize("content, fragment", [
    (b'{"format": 1, "sections": {"p1": {"a": "\xff\xfe"}}}', "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": 1, "sections": {"p1": 5}}', "not a table"),
    (b'{"format": "one", "sections": {}}', "not a version number"),
    (b'{"sections": []}', "not a hw7-tui state file"),
])
def test_unparseable_state_is_set_aside_and_reported(tmp_path, content, fragment):
    (tmp_path / "state.json").write_bytes(content)
    store = StateStore(tmp_path)
    assert len(store.problems) == 1 and fragment in store.problems[0] and "set aside" in store.problems[0]
    aside = list(tmp_path.glob("state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert store.read_only is None and store.update("p1", a=1)


def test_setting_aside_never_overwrites_an_earlier_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(state_module, "_stamp", lambda: "20260101-000000")
    earlier = tmp_path / "state.json.corrupt-20260101-000000"
    earlier.write_text("the first bad file")
    (tmp_path / "state.json").write_text("{second bad file")
    StateStore(tmp_path)
    assert earlier.read_text() == "the first bad file"
    assert (tmp_path / "state.json.corrupt-20260101-000000-1").read_text() == "{second bad file"


# ---- files that must not be written over -------------------------------------------------------
def test_an_unreadable_state_is_reported_and_never_written_over(tmp_path, monkeypatch):
    write_state(tmp_path, {"p1": {"precious": True}})
    before = (tmp_path / "state.json").read_bytes()
    real_open = os.open

    def deny(path, *args, **kwargs):
        if os.fspath(path) == str(tmp_path / "state.json"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(state_module.os, "open", deny)
    store = StateStore(tmp_path)
    monkeypatch.setattr(state_module.os, "open", real_open)
    assert "Permission denied" in store.problems[0] and store.read_only
    assert store.update("p1", a=1) is False and "not saved" in store.save_error
    assert store.section("p1") == {"a": 1}  # kept in memory
    assert (tmp_path / "state.json").read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_state_by_its_mode_is_never_written_over(tmp_path):
    write_state(tmp_path, {"p1": {"precious": True}})
    (tmp_path / "state.json").chmod(0)
    try:
        store = StateStore(tmp_path)
        assert store.read_only and not store.update("p1", a=1)
    finally:
        (tmp_path / "state.json").chmod(0o600)
    assert json.loads((tmp_path / "state.json").read_text())["sections"] == {"p1": {"precious": True}}


def test_a_newer_format_is_read_only_and_never_rewritten(tmp_path):
    write_state(tmp_path, {"p1": {"a": 2}, "p9": {"new": "thing"}}, format=2, extra="from the future")
    before = (tmp_path / "state.json").read_bytes()
    store = StateStore(tmp_path)
    assert store.section("p1") == {"a": 2}  # used as far as it is understood
    assert "newer" in store.problems[0] and store.read_only
    assert store.update("p1", a=3) is False and "not saved" in store.save_error
    assert (tmp_path / "state.json").read_bytes() == before


def test_a_symlinked_state_file_stays_a_link(tmp_path):
    real = tmp_path / "dotfiles" / "hw7-state.json"
    write_state(real.parent, {})
    (real.parent / "state.json").rename(real)
    data = tmp_path / "data"
    data.mkdir()
    (data / "state.json").symlink_to(real)
    assert StateStore(data).update("p1", a=1)
    assert (data / "state.json").is_symlink()
    assert json.loads(real.read_text())["sections"]["p1"] == {"a": 1}


# ---- two instances on one directory ------------------------------------------------------------
def test_two_stores_on_one_directory_lose_neither_edit(tmp_path):
    write_state(tmp_path, {"p1": {"px": [0.5, 0.5]}, "app": {"problem": 1}})
    a, b = StateStore(tmp_path), StateStore(tmp_path)
    assert a.update("p1", px=[0.2, 0.8])
    assert b.update("app", problem=3)        # b never saw a's edit…
    assert b.update("p2", sigma2=0.1)
    assert a.update("p2", y=1.5)             # …and a never saw b's
    fresh = StateStore(tmp_path)
    assert fresh.section("p1") == {"px": [0.2, 0.8]}
    assert fresh.section("app") == {"problem": 3}
    assert fresh.section("p2") == {"sigma2": 0.1, "y": 1.5}


def test_two_processes_saving_at_once_lose_no_edit(tmp_path):
    code = textwrap.dedent("""
        import sys
        from tui.state import StateStore
        store = StateStore(sys.argv[1])
        for i in range(40):
            assert store.update("p1", **{f"{sys.argv[2]}{i}": i}), store.save_error
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), who]) for who in ("a", "b")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    section = StateStore(tmp_path).section("p1")
    assert section == {f"{who}{i}": i for who in ("a", "b") for i in range(40)}


def test_a_held_lock_makes_a_save_fail_with_a_message_not_a_hang(tmp_path, monkeypatch):
    import fcntl

    monkeypatch.setattr(state_module, "LOCK_WAIT_S", 0.2)
    store = StateStore(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / "state.lock", "w") as held:
        code = f"import fcntl, os, time; f = open({str(tmp_path / 'state.lock')!r}, 'w'); fcntl.flock(f, fcntl.LOCK_EX); print('ok', flush=True); time.sleep(5)"
        holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "ok"
            assert store.update("p1", a=1) is False and "lock" in store.save_error
        finally:
            holder.kill()
            holder.wait()
    assert fcntl and store.save() and StateStore(tmp_path).section("p1") == {"a": 1}  # saved once free


# ---- validators ----------------------------------------------------------------------------------
def positive_x(section):
    out, refused = dict(section), []
    if "x" in out and not (isinstance(out["x"], (int, float)) and out["x"] > 0):
        refused.append(f"x = {out.get('x')!r} must be > 0")
        out.pop("x", None)
    return out, refused


def test_refused_values_are_replaced_reported_and_the_original_kept_aside(tmp_path):
    write_state(tmp_path, {"s": {"x": -1, "keep": "me"}, "other": {"y": 1}})
    original = (tmp_path / "state.json").read_bytes()
    store = StateStore(tmp_path, validators={"s": positive_x})
    assert store.section("s") == {"keep": "me"}
    assert "x = -1 must be > 0" in store.problems[0]
    kept = list(tmp_path.glob("state.json.refused-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == original
    assert (tmp_path / "state.json").read_bytes() == original  # nothing written until a change
    assert store.update("other", y=2)
    again = StateStore(tmp_path, validators={"s": positive_x})  # the refused value is gone for good
    assert again.problems == [] and again.section("s") == {"keep": "me"} and again.section("other") == {"y": 2}


async def test_a_float_screen_number_does_not_crash_the_app(tmp_path):
    write_state(tmp_path, {"app": {"problem": 3.0, "marker": "hd"}})
    app = Hw7App(state=StateStore(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.current_mode == "p1"
        assert any("screen number" in n.message for n in app._notifications)
    write_state(tmp_path, {"app": {"problem": True}})
    assert Hw7App(state=StateStore(tmp_path)).start_problem == 1


async def test_poison_p2_values_fall_back_to_defaults_with_a_message(tmp_path):
    from engine.mixture import DEFAULT_MIXTURE
    from engine.posterior import DEFAULT_SIGMA2, DEFAULT_Y

    write_state(tmp_path, {"p2": {"mixture": "1e308:0:1,1e308:1:1", "sigma2": 5e-324, "y": 1e308, "seed": 3}})
    app = Hw7App(problem=2, state=StateStore(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.mixture == DEFAULT_MIXTURE and screen.sigma2 == DEFAULT_SIGMA2 and screen.y == DEFAULT_Y
        assert screen.seed == 3  # what was sound is kept
        message = " ".join(n.message for n in app._notifications)
        assert "p(x)" in message and "σ²" in message and "y must be" in message
    for text in ("1:0:1e-300", "1:1e308:1", 7):
        write_state(tmp_path, {"p2": {"mixture": text}})
        assert StateStore(tmp_path, validators={"p2": state_module_p2()}).section("p2") == {}


def state_module_p2():
    from tui.app import STATE_VALIDATORS

    return STATE_VALIDATORS["p2"]


async def test_screenshot_on_a_full_disk_leaves_no_empty_svg(tmp_path, monkeypatch):
    from tests.engine.test_atomic import small_tmpfs

    with small_tmpfs(tmp_path / "shots") as shots:
        fd = os.open(shots / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk
        try:
            while True:
                os.write(fd, b"x" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        monkeypatch.setenv("HW7_TUI_EXPORT_DIR", str(shots))
        app = Hw7App(problem=1, state=StateStore(tmp_path / "data"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert any("could not save the screenshot" in n.message and "No space left" in n.message
                       for n in app._notifications)
        assert sorted(p.name for p in shots.iterdir()) == ["filler"]  # no 0-byte SVG, no temporary file


@pytest.mark.parametrize("name, key, bad, words", [
    ("app", "problem", 9, "app: saved screen number refused (screen number must be a whole number from 1 to 5, got 9)"),
    ("app", "marker", "braille", "app: saved plot marker refused (plot marker must be one of hd, dot, got 'braille')"),
    ("app", "theme", 7, "app: saved theme refused (theme must be text, got 7)"),
    ("p1", "people", 10**16, "p1: saved N refused"),
    ("p1", "seed", -1, "p1: saved seed refused (seed must be a whole number from 0 to 2147483647, got -1)"),
    ("p2", "sigma2", 1e300, "p2: saved σ² refused (σ² must be from 1e-06 to 100, got 1e+300); using the default 0.05"),
    ("p2", "mixture", "1:0:0", "p2: saved p(x) refused (component 1: std must be from 1e-06"),
    ("p3", "T", 0, "p3: saved T refused (T must be a whole number from"),
    ("p3", "start", "nowhere", "p3: saved start refused"),
    ("p4", "lr", "fast", "p4: saved lr refused (lr must be a number, got 'fast'); using the default 0.02"),
    ("p5", "particles", 20_001, "p5: saved quality points refused (quality points must be a whole number from 100 to 20000"),
    ("p5", "recipe", "slow", "p5: saved recipe refused (recipe must be one of fast, faithful, got 'slow')"),
])
def test_every_saved_section_refuses_a_bad_value_by_its_spec_and_keeps_the_default(tmp_path, name, key, bad, words):
    """Each section of the state file is checked by the same Specs as the screens and the command
    line (tui.app.STATE_VALIDATORS): the bad value is dropped with a message naming the section and
    the setting, the sound value beside it is kept, and the settings built from it have the default."""
    from engine.problems.p1_discrete import P1Settings
    from engine.problems.p2_continuous import P2Settings
    from engine.problems.p3_walk import WalkSettings
    from engine.problems.p5_swiss import P5Settings
    from engine.settings import from_saved
    from tui.app import STATE_VALIDATORS, AppSettings

    classes = {"app": AppSettings, "p1": P1Settings, "p2": P2Settings, "p3": WalkSettings, "p4": WalkSettings,
               "p5": P5Settings}
    assert set(STATE_VALIDATORS) == set(classes)  # every section the app saves is checked
    candidates = {"app": {"marker": "dot", "problem": 2}, "p1": {"people": 1000, "seed": 5}, "p2": {"y": 0.5}}
    sound = dict([next(kv for kv in candidates.get(name, {"batch": 64}).items() if kv[0] != key)])
    write_state(tmp_path, {name: {key: bad, **sound}})
    store = StateStore(tmp_path, validators=STATE_VALIDATORS)
    section = store.section(name)
    assert key not in section and section == sound
    assert len(store.problems) == 1 and words in store.problems[0], store.problems
    cls = classes[name]
    default = getattr(cls(), "prior" if key == "mixture" else key)
    settings, notes = from_saved(cls, section)
    assert getattr(settings, "prior" if key == "mixture" else key) == default and notes == []
    for k, v in sound.items():
        assert getattr(settings, k) == v
