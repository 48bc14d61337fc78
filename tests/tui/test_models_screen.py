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
        assert (folder / "walk-a.pt").exists()  # the first press only asks
        await pilot.press("d")
        await pilot.pause()
        assert not (folder / "walk-a.pt").exists() and screen.checkpoints == []
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
