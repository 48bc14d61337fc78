"""The saved-models list: shows checkpoints, refuses bad files, deletes on a second press."""

import torch

from engine.checkpoint import save_checkpoint
from tests.tui.helpers import make_app, static_text
from tui.screens.models import ModelsScreen, models_dir


async def test_list_refuse_and_delete(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    folder = models_dir()
    save_checkpoint(folder, "walk-a", "p3-score", torch.nn.Linear(2, 1).state_dict(), {"T": 100, "sigma2": 0.05})
    (folder / "broken.pt").write_bytes(b"garbage")
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        assert [c.name for c in screen.checkpoints] == ["walk-a"]
        message = static_text(screen.query_one("#models-message"))
        assert "1 file(s) refused" in message and "broken.pt" in message
        await pilot.press("d")
        await pilot.pause()
        assert (folder / "walk-a.npz").exists()  # the first press only asks
        await pilot.press("d")
        await pilot.pause()
        assert not (folder / "walk-a.npz").exists() and screen.checkpoints == []
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ModelsScreen)


async def test_load_switches_to_the_owning_screen(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    save_checkpoint(models_dir(), "walk-b", "p3-score", torch.nn.Linear(2, 1).state_dict(), {"T": 10})
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "p3"


async def test_a_checkpoint_that_does_not_fit_changes_nothing_on_the_screen(tmp_path, monkeypatch):
    """Issue 13: weights that do not fit their (valid) settings are refused in one line before the
    parameter row changes; so are stored settings holding an overflowing mixture."""
    from engine.checkpoint import load_checkpoint
    from engine.mixture import DEFAULT_MIXTURE

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    settings = {"mixture": DEFAULT_MIXTURE.format(), "T": 37, "sigma2": 0.5, "target": "p3", "steps": 123,
                "lr": 0.002, "batch": 512, "hidden": 64, "seed": 9}
    save_checkpoint(models_dir(), "misfit", "p3-score", torch.nn.Linear(2, 1).state_dict(), settings)
    save_checkpoint(models_dir(), "overflow", "p3-score", torch.nn.Linear(2, 1).state_dict(),
                    {**settings, "mixture": "1e308:0:1,1e308:1:1"})
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        before = screen.params  # the settings in force (a frozen WalkSettings)
        for name, words in (("misfit", "do not fit"), ("overflow", "weight must be from 0 to 1000000")):
            screen.load_checkpoint(load_checkpoint(models_dir() / f"{name}.npz"))
            await pilot.pause()
            message = static_text(screen.query_one("#walk-message"))
            assert words in message and "\n" not in message.strip() and "\x1b" not in message
            assert screen.params == before


async def test_reading_the_models_never_blocks_the_keys(tmp_path, monkeypatch):
    """A slow read (a 600 MB checkpoint froze the list for 1.9 s) happens in a worker: the list says
    it is reading, Escape closes it at once, and nothing waits for the read."""
    import time

    import tui.screens.models as models

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))

    def slow_list(directory):
        time.sleep(1.5)
        return [], []

    monkeypatch.setattr(models, "list_checkpoints", slow_list)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        start = time.perf_counter()
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ModelsScreen) and "reading" in static_text(screen.query_one("#models-message"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ModelsScreen) and time.perf_counter() - start < 1.0
