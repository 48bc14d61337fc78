"""``hw7-tui report``: complete, reproducible, and numbers that match independent computations."""

import re

import pytest

from tui.cli import main
from tui.report import ReportContext, section_p1, section_p2, text_plot


def test_p1_and_p2_sections_hold_the_live_numbers():
    p1 = section_p1(ReportContext(seed=0))
    # p̃(y) for the default model, by hand: 0.5·0.8+0.3·0.2+0.2·0.1 = 0.48, …
    assert "Marginal p̃(y) = 0.4800, 0.2900, 0.2300" in p1
    assert "| y = 1 | 0.8333 | 0.1250 | 0.0417 |" in p1  # 0.4/0.48, 0.06/0.48, 0.02/0.48
    assert "| p(y\\|x) | y = 1 | y = 2 | y = 3 |" in p1
    p2 = section_p2(ReportContext(seed=0))
    assert "p(x|y) ≈ N(y + σ²∇log p(y), σ²)" in p2 and "fitted rate" in p2 and "```text" in p2


def test_report_file_is_reproducible(tmp_path, capsys):
    quick = ["--quick", "--no-reuse"]
    assert main(["report", "-o", str(tmp_path / "a.md"), "--seed", "5", *quick]) == 0
    assert main(["report", "-o", str(tmp_path / "b.md"), "--seed", "5", *quick]) == 0
    a, b = (tmp_path / "a.md").read_text(), (tmp_path / "b.md").read_text()
    assert a.startswith("# HW7") and all(f"## Problem {n}" in a for n in range(1, 6))
    # the same seed gives the same document, except the training times it reports
    strip = lambda text: re.sub(r"\d+\.\d s|trained in [\d.]+ s", "<time>", text)  # noqa: E731
    assert strip(a) == strip(b)
    assert "Explain the code" in a and "Score error against the oracle" in a and "Error budget" in a
    for n in range(1, 6):  # each problem's heading is followed by its own text, not straight by a sub-heading
        after = [line for line in a.split(f"## Problem {n}", 1)[1].splitlines()[1:] if line.strip()]
        assert not after[0].startswith("#"), (n, after[:2])
        if n == 5:  # --quick's note alone is not the section's introduction
            assert not after[1].startswith("#"), after[:2]
    assert main(["report", "-o", str(tmp_path / "c.md"), "--seed", "6", *quick]) == 0
    assert strip((tmp_path / "c.md").read_text()) != strip(a)  # the numbers follow the seed


@pytest.mark.parametrize("argv, words", [
    (["report", "-o", "/nonexistent-dir/x.md"], "does not exist"),
    (["report", "--seed", "-3"], "--seed"),
    (["report", "--device", "tpu"], "invalid choice"),
])
def test_report_bad_arguments(argv, words, capsys):
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_report_into_a_directory_is_refused(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_text_plot_has_no_colour_codes():
    text = text_plot(lambda plt: plt.plot([0, 1, 2], [0, 1, 4]))
    assert text.startswith("```text") and "\x1b" not in text


def test_nice_ticks_are_round_and_inside():
    from tui.export import nice_ticks

    assert nice_ticks(-3.93, 4.1) == [-2.0, 0.0, 2.0, 4.0]
    assert nice_ticks(-20.9, 20.4) == [-20.0, -10.0, 0.0, 10.0, 20.0]
    assert nice_ticks(0, 1) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])


def test_report_is_the_same_in_one_process_or_two(tmp_path, monkeypatch):
    """--jobs 2 trains the faithful Problem 5 recipe in a second process: the same document as --jobs 1
    (all but the measured training times), and the second process really ran."""
    from tui import report_base

    started = []
    real_init = report_base.Ahead.__init__

    def counting_init(self, *args, **kwargs):
        started.append(args[1])
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(report_base.Ahead, "__init__", counting_init)
    quick = ["--quick", "--no-reuse", "--seed", "3"]
    assert main(["report", "-o", str(tmp_path / "one.md"), "--jobs", "1", *quick]) == 0
    assert started == []
    assert main(["report", "-o", str(tmp_path / "two.md"), "--jobs", "2", *quick]) == 0
    assert [s.recipe for s in started] == ["faithful"]
    strip = lambda text: re.sub(r"\d+\.\d s|trained in [\d.]+ s", "<time>", text)  # noqa: E731
    one, two = (tmp_path / "one.md").read_text(), (tmp_path / "two.md").read_text()
    assert "second process" not in two  # no fallback note: its weights were used
    assert strip(one) == strip(two)


def test_report_jobs_out_of_range_is_refused(capsys):
    assert main(["report", "--jobs", "3"]) == 2
    assert "jobs" in capsys.readouterr().err
