"""Playback: the result (last frame) is held before the loop starts again; the fps shown is measured."""

import pytest

from tests.tui.helpers import wait_for
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


def test_the_hold_does_not_count_against_the_measured_fps(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(player.time, "perf_counter", lambda: now[0])
    pb = Playback(_Owner(), lambda i: None, fps=10)
    pb.reset(4)
    pb.play()

    def tick() -> None:
        now[0] += 0.1  # the timer fires every 100 ms: 10 frames a second while frames move
        pb._tick()

    for _ in range(3):  # frames 1→4
        tick()
    for _ in range(int(Playback.HOLD_S * pb.fps)):  # two seconds on the result, then frame 1 again
        tick()
    for _ in range(3):
        tick()
    assert pb.index == 3
    assert pb.measured_fps() == pytest.approx(10.0)  # counting the hold in the window gave 4 frames in 2.4 s


async def test_frame_pictures_are_built_once_and_exports_read_the_frame_shown():
    """Playback picks kept pictures (a plotext build per frame held two panels under 15 fps at
    120×40); whatever a frame plot shows, its figure — what exports read — holds that frame."""
    from plotext import uncolorize
    from textual.app import App, ComposeResult

    from tui.widgets.player import FramePlot

    class One(App):
        def compose(self) -> ComposeResult:
            yield FramePlot(title="frames", id="movie")

    def draw(plt, frame, i):
        plt.plot([0, 1, 2], [0, frame, 0])
        plt.title(f"frame {i} of height {frame}")

    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        plot = app.query_one(FramePlot)
        plot.set_frames([1, 2, 3, 4], draw)
        await pilot.pause()
        await wait_for(pilot, lambda: plot.pictures_built == 4, 5.0)  # built ahead in the event loop's idle turns
        assert len(plot._pictures) == 4  # every frame's picture
        built = []
        monkey = type(plot._plot).build
        type(plot._plot).build = lambda self: built.append(1) or monkey(self)
        try:
            for i in (2, 0, 3):
                plot.show(i)
                await pilot.pause()
                assert f"frame {i} of height {i + 1}" in "".join(s.text for s in plot.render_lines(plot.region))
            assert built == []  # nothing was built again while playing
            plot.show(1)
            assert "frame 1 of height 2" in uncolorize(plot.plt.build())  # the export's frame is the one shown
        finally:
            type(plot._plot).build = monkey
        plot.draw(lambda plt: plt.title("a note, not a frame"))
        await pilot.pause()
        assert plot._pictures == {} and "a note" in uncolorize(plot.plt.build())


async def test_frame_pictures_wait_while_other_work_runs():
    """Building pictures holds the GIL (plotext is pure Python): beside the evaluation after training
    it made that evaluation 6× slower, so the builder waits while any other worker of the app runs."""
    import threading

    from textual.app import App, ComposeResult

    from tui.widgets.player import FramePlot

    release = threading.Event()

    class One(App):
        def compose(self) -> ComposeResult:
            yield FramePlot(title="frames", id="movie")

    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        app.run_worker(lambda: release.wait(10), thread=True, group="training")  # "training"
        await pilot.pause()
        plot = app.query_one(FramePlot)
        plot.set_frames([1, 2, 3, 4], lambda plt, frame, i: plt.plot([0, 1], [0, frame]))
        await pilot.pause(0.4)
        assert plot.pictures_built <= 1  # at most the frame shown, drawn by the screen itself
        release.set()
        await wait_for(pilot, lambda: plot.pictures_built == 4, 5.0)  # once the other work has ended
        assert plot.pictures_built == 4


async def test_kept_pictures_are_shown_without_building_or_converting_and_match_the_export():
    """Once built ahead, showing a frame neither builds its picture nor converts it into Textual's lines
    again (that conversion cost 3–8 ms per panel at 120×40, every frame); what is on screen is the
    picture plotext builds of the same frame at the same size — the one an export writes."""
    from plotext import uncolorize
    from textual.app import App, ComposeResult
    from textual.content import Content

    from tui.widgets.player import FramePlot

    class One(App):
        def compose(self) -> ComposeResult:
            yield FramePlot(title="frames", id="movie")

    def draw(plt, frame, i):
        plt.bar([0.0, 1.0, 2.0, 3.0], [frame, 2.0, 0.0, 1.0], marker="hd", width=1)
        plt.plot([0.0, 1.5, 3.0], [0.0, frame, 0.5], marker="hd", color="red", label="line")
        plt.xlim(-0.5, 3.5)
        plt.ylim(0, 5)
        plt.title(f"frame {i}")

    app = One()
    async with app.run_test(size=(70, 24)) as pilot:
        plot = app.query_one(FramePlot)
        plot.set_frames([1.0, 2.0, 3.0, 4.0], draw)
        await wait_for(pilot, lambda: plot.pictures_built == 4, 5.0)
        built, converted = [], []
        real_build, real_from = FramePlot._build_picture, Content.from_rich_text
        FramePlot._build_picture = lambda self, *a: built.append(a) or real_build(self, *a)
        Content.from_rich_text = classmethod(lambda cls, *a, **k: converted.append(1) or real_from(*a, **k))
        try:
            for i in (2, 0, 3, 1):
                plot.show(i)
                await pilot.pause()
                shown = [strip.text.rstrip() for strip in plot.render_lines(plot.region)]
                exported = [line.rstrip() for line in uncolorize(plot.plt.build()).splitlines()]
                assert shown == exported and f"frame {i}" in "".join(shown)
        finally:
            FramePlot._build_picture, Content.from_rich_text = real_build, real_from
        assert built == [] and converted == []
