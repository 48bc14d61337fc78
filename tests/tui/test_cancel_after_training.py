"""Issue 13, work that stops: after training, the sampling/evaluation phase listens to x (and so to
ctrl+q, which cancels the workers): it stops at the next sampling step and saves nothing."""

import threading
import time

from tests.tui.helpers import SMALL_WALK, make_app, static_text, wait_for
from tui.screens.models import models_dir
from tui.state import StateStore

SMALL = {**SMALL_WALK, "steps": 30}


async def test_x_during_the_evaluation_after_training_stops_it_and_saves_nothing(tmp_path, monkeypatch):
    import engine.score_net

    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path))
    real_evaluate = engine.score_net.evaluate
    entered, stopped_after = threading.Event(), []

    def slow_evaluate(*args, should_stop=None, **kwargs):
        """The real evaluation, but it first waits (as a large N would) asking should_stop."""
        entered.set()
        start = time.monotonic()
        while time.monotonic() - start < 30:
            if should_stop is not None and should_stop():
                stopped_after.append(time.monotonic() - start)
                raise InterruptedError("evaluation cancelled")
            time.sleep(0.01)
        return real_evaluate(*args, should_stop=should_stop, **kwargs)

    monkeypatch.setattr(engine.score_net, "evaluate", slow_evaluate)
    StateStore(tmp_path).update("p3", **SMALL)
    app = make_app(tmp_path, problem=3)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None)  # the exact frames first
        await pilot.press("t")
        await wait_for(pilot, entered.is_set)
        await pilot.press("x")
        await wait_for(pilot, lambda: bool(stopped_after))
        await pilot.pause(0.3)
        assert stopped_after[0] < 5  # stopped at once, not after the whole phase
        assert "cancelled" in static_text(screen.query_one("#walk-message"))
        assert screen.trained is None
    assert not models_dir().exists() or list(models_dir().glob("*.npz")) == []  # nothing saved
