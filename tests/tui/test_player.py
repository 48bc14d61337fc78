"""Playback: the result (last frame) is held before the loop starts again; the fps shown is measured."""

from tui.widgets import player
from tui.widgets.player import Playback


class _Owner:
    def set_interval(self, *_args):
        class _Timer:
            def stop(self):
                pass

        return _Timer()


def test_last_frame_is_held_before_looping():
    shown = []
    pb = Playback(_Owner(), shown.append, fps=4)
    pb.reset(3)
    pb.play()
    for _ in range(2):
        pb._tick()
    assert pb.index == 2  # the last frame: t = 0
    held = int(Playback.HOLD_S * pb.fps)
    for _ in range(held - 1):
        pb._tick()
        assert pb.index == 2
    pb._tick()
    assert pb.index == 0


def test_the_fps_shown_is_measured(monkeypatch):
    clock = iter(i * 0.125 for i in range(100))  # frames really drawn every 125 ms: 8 fps
    monkeypatch.setattr(player.time, "perf_counter", lambda: next(clock))
    pb = Playback(_Owner(), lambda i: None, fps=15)
    pb.reset(50)
    pb.play()
    for _ in range(10):
        pb._tick()
    assert pb.measured_fps() == 8.0
    assert "8 fps measured (asked 15)" in pb.describe()
