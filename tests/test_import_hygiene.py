"""House rules that keep the app fast and the engine reusable, checked in fresh interpreters."""

import json

import pytest

from tests.helpers import run_python


def test_engine_never_imports_textual_or_rich():
    proc = run_python("""
        import importlib, pkgutil, sys
        import engine
        for m in pkgutil.walk_packages(engine.__path__, "engine."):
            importlib.import_module(m.name)
        bad = sorted(n for n in sys.modules if n.split(".")[0] in ("textual", "rich", "textual_plotext", "plotext"))
        print(len(list(pkgutil.walk_packages(engine.__path__))), bad)
        assert not bad, bad
    """)
    assert proc.returncode == 0, proc.stderr
    n_modules = int(proc.stdout.split()[0])
    assert n_modules >= 5  # the walk really imported the engine's modules


def test_app_start_and_every_screen_do_not_import_torch(tmp_path):
    proc = run_python(f"""
        import asyncio, sys
        from tui.app import Hw7App
        from tui.state import StateStore

        async def main():
            app = Hw7App(state=StateStore({str(tmp_path)!r}))
            async with app.run_test(size=(80, 24)) as pilot:
                for key in "12345":
                    await pilot.press(key)
                    await pilot.pause()
                    assert app.screen.title.startswith(f"Problem {{key}}"), app.screen.title
        asyncio.run(main())
        print("torch" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False", "opening the app imported torch"


def test_screen_3_trains_saves_and_reloads_a_model_without_importing_torch(tmp_path):
    """Problems 3–4 train in numpy and checkpoints are npz: importing torch would cost a second and
    stop the interface for ~150 ms (torch._C's initialisation holds the GIL), so no step of this
    imports it — training, saving, and a restart that reloads the saved model with its evaluation."""
    proc = run_python(f"""
        import asyncio, os, sys
        os.environ["HW7_TUI_DATA_DIR"] = {str(tmp_path)!r}
        from pathlib import Path
        from tests.tui.helpers import make_app, small_walk_app, static_text, wait_for

        async def main():
            app = small_walk_app(Path({str(tmp_path)!r}))
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.screen.result is not None)
                await pilot.press("t")
                await wait_for(pilot, lambda: "saved as" in static_text(app.screen.query_one("#walk-message")))
            app = make_app(Path({str(tmp_path)!r}), problem=3)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: "reloaded the saved model" in static_text(app.screen.query_one("#walk-message")))
                assert app.screen.trained is not None
        asyncio.run(main())
        print(sorted(p.name for p in Path({str(tmp_path)!r}, "models").iterdir()), "torch" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    files, imported = proc.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert ".npz" in files and imported == "False", proc.stdout


def test_screen_5_fast_recipe_trains_saves_and_reloads_without_importing_torch(tmp_path):
    """The fast recipe trains and samples in numpy (engine.eps_mlp): screen 5 trains it, saves it and
    a restart reloads it — and loading it from the models list checks its weights — with no torch."""
    proc = run_python(f"""
        import asyncio, os, sys
        os.environ["HW7_TUI_DATA_DIR"] = {str(tmp_path)!r}
        from pathlib import Path
        from tests.tui.helpers import make_app, static_text, wait_for
        from tui.state import StateStore

        async def main():
            StateStore(Path({str(tmp_path)!r})).update("p5", steps=40, particles=300)
            app = make_app(Path({str(tmp_path)!r}), problem=5)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: app.screen.result is not None)
                await pilot.press("t")
                await wait_for(pilot, lambda: app.screen.result.score == "learned")
            app = make_app(Path({str(tmp_path)!r}), problem=5)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: "reloaded the saved model" in static_text(app.screen.query_one("#swiss-message")))
                await pilot.press("m")
                await wait_for(pilot, lambda: getattr(app.screen, "checkpoints", None))
                await pilot.press("enter")  # load it from the list: its weights are checked, then shown
                await pilot.pause(0.3)
                await wait_for(pilot, lambda: app.screen.query("#swiss-message") and not any(w.is_running for w in app.workers))
                assert "reloaded the saved model" in static_text(app.screen.query_one("#swiss-message"))
        asyncio.run(main())
        print(sorted(p.suffix for p in Path({str(tmp_path)!r}, "models").iterdir()), "torch" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    files, imported = proc.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert ".npz" in files and imported == "False", proc.stdout


@pytest.mark.parametrize("argv, check", [
    (["p3", "--json", "--steps", "3", "--particles", "200", "--T", "10"],
     lambda r: r["steps_done"] == 3),
    (["p5", "--json", "--steps", "30", "--particles", "300", "--T", "10"],
     lambda r: r["steps_done"] == 30 and r["settings"]["recipe"] == "fast" and set(r["quality"]) == {"ddpm", "x0", "ddim"}),
], ids=["p3", "p5-fast"])
def test_headless_commands_train_without_importing_torch(argv, check):
    """Problems 3–4 and Problem 5's fast recipe train in numpy (engine.walk_net, engine.eps_mlp):
    their commands never pay `import torch` (about a second of a fresh process)."""
    proc = run_python(f"""
        import runpy, sys
        sys.argv = ["hw7-tui", *{argv!r}]
        try:
            runpy.run_module("tui.cli", run_name="__main__")
        except SystemExit as e:
            assert not e.code, e.code
        print("TORCH" if "torch" in sys.modules else "NO TORCH", file=sys.stderr)
    """)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert check(json.loads(proc.stdout))
    assert proc.stderr.strip().endswith("NO TORCH"), proc.stderr[-300:]


def test_headless_json_does_not_import_textual():
    proc = run_python("""
        import sys
        from tui.cli import main
        main(["p1", "--json"])
        main(["p2", "--json"])
        assert "textual" not in sys.modules and "torch" not in sys.modules, sorted(sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr


def test_command_line_and_renderers_never_import_textual():
    proc = run_python("""
        import importlib, pkgutil, sys
        import tui.cli
        for m in pkgutil.walk_packages(tui.cli.__path__, "tui.cli."):
            if m.name != "tui.cli.__main__":  # that one runs the app
                importlib.import_module(m.name)
        import tui.render, tui.report
        bad = sorted(n for n in sys.modules if n.split(".")[0] in ("textual", "textual_plotext"))
        assert not bad, bad
        print(len(list(pkgutil.walk_packages(tui.cli.__path__))))
    """)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[-1]) >= 7  # the walk really imported the subcommands
