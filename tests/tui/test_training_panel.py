"""The progress display's arithmetic: ETA from the rate so far, and the smoothed loss."""

from tui.widgets.training import eta_text, smooth


def test_eta_from_the_rate_so_far():
    assert eta_text(25, 100, 10.0) == "ETA 0:30"  # 2.5 per second, 75 left
    assert eta_text(1, 1000, 1.0) == "ETA 16:39"
    assert eta_text(0, 100, 5.0) == "" and eta_text(100, 100, 5.0) == ""  # no rate yet / nothing left


def test_smooth_is_a_centred_running_mean():
    assert smooth([0, 0, 3, 0, 0], window=3) == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert smooth([1.0, 2.0], window=25) == [1.5, 1.5]
    assert smooth([]) == []
