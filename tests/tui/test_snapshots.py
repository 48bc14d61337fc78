"""Layout snapshots of the Problem 1 and 2 screens at 80×24 (the SSH minimum) and 120×40.

Numbers are checked elsewhere; these catch layout regressions (something cut off, moved, lost).
Update deliberately with: .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

import pytest

from tests.tui.helpers import make_app, small_walk_app

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_p1_screen(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path, problem=1, fresh=True), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_p2_screen(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path, problem=2, fresh=True), terminal_size=size)


def test_p1_people_view(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, problem=1, fresh=True), terminal_size=(80, 24), press=["v", "v"])


def test_p1_invalid_row_message(snap_compare, tmp_path):
    keys = ["down", "right", "enter", "ctrl+u", "0", ".", "9", "enter"]
    assert snap_compare(make_app(tmp_path, problem=1, fresh=True), terminal_size=(80, 24), press=keys)


def test_p2_error_table(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, problem=2, fresh=True), terminal_size=(80, 24), press=["v", "v"])


async def _wait_for_frames(pilot):
    while pilot.app.screen.result is None:
        await pilot.pause(0.05)
    await pilot.pause(0.2)


@pytest.mark.parametrize("problem", [3, 4])
def test_walk_screen_paused_animation(snap_compare, tmp_path, problem):
    app = small_walk_app(tmp_path, problem)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_wait_for_frames)


def test_walk_screen_forward_view_frame_5(snap_compare, tmp_path):
    app = small_walk_app(tmp_path, 3)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_wait_for_frames,
                        press=["v", "right", "right", "right", "right", "right"])


async def _wait_for_swiss(pilot):
    while pilot.app.screen.result is None:
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def test_swiss_screen_last_frame(snap_compare, tmp_path):
    app = make_app(tmp_path, problem=5, fresh=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_wait_for_swiss)


def test_p3_reverse_at_t0(snap_compare, tmp_path):
    """The result of Problem 3 at 80×24: the last frame (t = 0), each panel zoomed to p₀, with its formula."""
    app = small_walk_app(tmp_path, 3)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_wait_for_frames, press=["left"])


async def _compare_both_targets(pilot):
    await _wait_for_frames(pilot)
    screen = pilot.app.screen
    screen.query_one("#walk-tabs").active = "tab-compare"
    await pilot.press("b")
    while screen.comparison is None:
        await pilot.pause(0.05)
    await pilot.pause(0.3)


def test_p4_p3_vs_p4(snap_compare, tmp_path):
    """P4's comparison at 80×24: the plot at least 8 rows tall, with its legend, above the table."""
    app = small_walk_app(tmp_path, 4, steps=150)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_compare_both_targets)


def test_p1_people_view_refused_n(snap_compare, tmp_path):
    """P1 *People* at 80×24 with N = 1e16 typed into the N box: refused, the message on screen, the box
    keeps the text; the people table (Problem 1 (3)'s answer) and the bars stay in view."""
    keys = ["v", "v", "tab", "tab", "tab", "ctrl+u", "1", "e", "1", "6", "enter"]  # table → tabs → pane → N
    assert snap_compare(make_app(tmp_path, problem=1, fresh=True), terminal_size=(80, 24), press=keys)


async def _two_moons_data_view(pilot):
    await _wait_for_swiss(pilot)
    await pilot.press("d", "v", "v")  # two moons, the Data view
    while pilot.app.screen.result.settings.dataset != "two_moons":
        await pilot.pause(0.05)
    await pilot.pause(0.3)


def test_swiss_data_two_moons(snap_compare, tmp_path):
    app = make_app(tmp_path, problem=5, fresh=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_two_moons_data_view)
