"""Issue 13, sane numbers: one parser (engine.numbers) and the declared limits of mixtures, σ², y,
particles — each bad value gets one line (exit 2 on the command line), never a warning flood,
a hang, or a wrong 'diverged'."""

import math
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np
import pytest

from engine.errors import InvalidInput
from engine.mixture import MAX_COMPONENTS, GaussianMixture
from engine.numbers import MAX_DIGITS, parse_number
from engine.posterior import check_sigma2, compare


@pytest.mark.parametrize("text, kw, expected", [
    ("0.25", {}, 0.25), (" .5 ", {}, 0.5), ("-2.5e-3", {}, -0.0025), ("1e300", {}, 1e300),
    ("5e-324", {}, 5e-324), ("42", {"kind": int}, 42), ("1e3", {"kind": int}, 1000), ("2.5e3", {"kind": int}, 2500), ("-7", {"kind": int}, -7),
    ("1/3", {"allow_fraction": True}, 1 / 3), ("0.5/2", {"allow_fraction": True}, 0.25),
    ("1/3", {"allow_fraction": True, "kind": Fraction}, Fraction(1, 3)),
    ("6/3", {"allow_fraction": True, "kind": int}, 2),
])
def test_parse_number_accepts_plain_ascii_numbers(text, kw, expected):
    value = parse_number(text, **kw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["0.1", "1.7976931348623157e308", "4.9406564584124654e-324", "123456.789e-5",
                                  "3.141592653589793238462643383"])
def test_floats_are_correctly_rounded_like_python(text):
    assert parse_number(text) == float(text)


@pytest.mark.parametrize("text, kw, fragment", [
    ("abc", {}, "σ²: 'abc' is not a number"),
    ("", {}, "σ² is empty"),
    ("١٢٣", {}, "ASCII digits only"),          # float('١٢٣') == 123.0 in Python
    ("1_000", {"kind": int}, "no underscores"),  # int('1_000') == 1000 in Python
    ("1_000.5", {}, "no underscores"),
    ("inf", {}, "not a finite number"), ("-Infinity", {}, "not a finite number"), ("nan", {}, "not a finite"),
    ("1e309", {}, "too large"),
    ("1e-401", {}, "beyond ±400"), ("1e-400", {}, "rounds to 0"), ("1e-330", {}, "rounds to 0"),
    ("1/0", {"allow_fraction": True}, "divides by zero"),
    ("1/3", {}, "is not a number"),              # fractions only where allowed
    ("1.5", {"kind": int}, "not an integer"), ("1.5e0", {"kind": int}, "not an integer"),
    ("0x10", {}, "not a number"), ("1,5", {}, "not a number"), ("--1", {}, "not a number"),
])
def test_parse_number_refuses_with_one_line_naming_the_value(text, kw, fragment):
    with pytest.raises(InvalidInput) as err:
        parse_number(text, name="σ²", **kw)
    message = str(err.value)
    assert fragment in message and "\n" not in message and message.startswith("σ²")


def test_huge_exponent_in_a_fraction_is_refused_at_once():
    """Fraction('1e999999999') would build a billion-digit integer (minutes); refused before."""
    start = time.perf_counter()
    for text in ("1e999999999/1", "1/1e999999999", "1e401/1e401"):
        with pytest.raises(InvalidInput, match="exponent beyond"):
            parse_number(text, allow_fraction=True, kind=Fraction)
    assert time.perf_counter() - start < 1.0  # generous: today it takes microseconds, unbounded before


def test_a_5000_digit_value_is_not_echoed_whole():
    text = "1" * 5000
    with pytest.raises(InvalidInput) as err:
        parse_number(text)
    message = str(err.value)
    assert "too many digits" in message and len(message) < 120 and "5000 characters" in message
    with pytest.raises(InvalidInput, match="too many digits"):
        parse_number("1" * (MAX_DIGITS + 1), kind=int)
    assert parse_number("1" * MAX_DIGITS, kind=int) == int("1" * MAX_DIGITS)


def test_p1_probability_cells_use_the_bounded_parser():
    from engine.discrete import parse_probability

    with pytest.raises(InvalidInput, match="exponent beyond"):
        parse_probability("1e999999999/1", "p(x=1)")
    with pytest.raises(InvalidInput, match="ASCII"):
        parse_probability("٣/4", "p(x=1)")
    assert parse_probability("1/3") == pytest.approx(1 / 3)


# ---- mixtures, σ², y ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, fragment", [
    ("1e308:0:1,1e308:1:1", "weight must be from 0 to 1000000"),   # the sum overflows
    ("1:1e308:1", "mean must be from -1000000 to 1000000"),
    ("1:1e300:1", "mean must be from -1000000 to 1000000"),
    ("1:0:1e-160", "std must be from 1e-06 to 1000000"),         # squares to a subnormal
    ("1:0:1e-300", "std must be from 1e-06 to 1000000"),
    ("1:0:1e300", "std must be from 1e-06 to 1000000"),
    (",".join(["1:0:1"] * (MAX_COMPONENTS + 1)), f"1 to {MAX_COMPONENTS} components"),
    ("1:0:١", "ASCII"),
])
def test_mixture_outside_the_declared_limits_is_refused(text, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        GaussianMixture.parse(text)


def test_mixture_at_the_declared_limits_keeps_every_number_finite():
    """The limits' reason, checked: at the edges, densities and scores stay finite and warn-free."""
    mix = GaussianMixture.parse("1e6:1e6:1e-6,1e-6:-1e6:1e6,1:0:1")
    x = np.array([-1e6, -1.0, 0.0, 1e6, 1e6 + 1e-6])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        for values in (mix.logpdf(x), mix.score(x), mix.responsibilities(x)):
            assert np.all(np.isfinite(values))
        for s2 in (1e-12, 1e6):
            c = compare(mix, s2, 1e6)
            assert math.isfinite(c.exact.mean()) and math.isfinite(c.approx.mean)


@pytest.mark.parametrize("sigma2", [5e-324, 1e-300, 1e-13, 1e7, math.inf, 0.0, -1.0])
def test_sigma2_outside_its_range_is_refused(sigma2):
    with pytest.raises(InvalidInput, match="σ²"):
        check_sigma2(sigma2)


def test_walk_sigma2_outside_its_range_is_refused():
    from engine.mixture import DEFAULT_MIXTURE
    from engine.walk import WalkSetup

    for s2 in (5e-324, 1e5):
        with pytest.raises(InvalidInput, match="σ²"):
            WalkSetup(DEFAULT_MIXTURE, 10, s2)


def test_p5_quality_points_are_capped():
    from engine.eps_net import MAX_QUALITY_POINTS, evaluate

    with pytest.raises(InvalidInput, match="quality points"):
        evaluate(None, n=MAX_QUALITY_POINTS + 1)


def test_posterior_particles_are_capped():
    from engine.mixture import DEFAULT_MIXTURE
    from engine.posterior import MAX_PARTICLES, particles_near

    with pytest.raises(InvalidInput, match="particles"):
        particles_near(DEFAULT_MIXTURE, 0.1, 0.0, n=MAX_PARTICLES + 1)


# ---- the command line: one line, exit 2, no RuntimeWarning -------------------------------------
@pytest.mark.parametrize("args, fragment", [
    (["p2", "--mixture", "1e308:0:1,1e308:1:1"], "weight must be from 0 to 1000000"),  # the spec's words
    (["p3", "--mixture", "1e308:0:1,1e308:1:1"], "weight must be from 0 to 1000000"),  # one parser: the same words
    (["p4", "--mixture", "1e308:0:1,1e308:1:1"], "weight must be from 0 to 1000000"),
    (["p2", "--mixture", "1:1e308:1"], "mean must be from -1000000 to 1000000"),
    (["p2", "--mixture", "1:0:1e-160"], "std must be from 1e-06 to 1000000"),
    (["p2", "--sigma2", "5e-324"], "σ² must be from 1e-06 to 100"),
    (["p3", "--mixture", "1:1e300:1"], "mean must be from -1000000 to 1000000"),  # exited 0 "diverged" with W1 = 0
    (["p1", "--px", "1e999999999/1,0"], "exponent beyond"),
    (["p2", "--sigma2", "١٢٣"], "ASCII"),
    (["p2", "--particles", "1_000"], "underscores"),
    (["p2", "--y", "9" * 5000], "too many digits"),
    (["p5", "--recipe", "faithful", "--steps", "5"], "--steps is for the fast recipe"),
    (["p5", "--epochs", "5"], "--epochs is for the faithful recipe"),
    (["p5", "--particles", "100000"], "must be a whole number from 100 to 20000"),
    (["--problem", "٣"], "must be 1–5"),
])
def test_cli_insane_numbers_get_one_line_and_exit_2_without_warnings(args, fragment):
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "tui.cli", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert len(lines[0]) < 200 and "Traceback" not in proc.stderr and "Warning" not in proc.stderr


def test_p3_at_the_edge_of_the_mixture_limits_reports_honest_numbers_without_warnings():
    """|μ| = 1e6 is allowed: the run must say how far off it is (W1 ≈ 1e6), never 0 or a warning flood."""
    import json

    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "tui.cli", "p3", "--mixture", "1:1e6:1",
                           "--steps", "30", "--T", "20", "--sigma2", "1", "--particles", "1000", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    w1 = out["quality"]["learned"]["stochastic"]["w1"]
    assert w1 is not None and 1e5 < w1 < 1e7
    assert out["error_budget"]["stochastic"]["prior_mismatch_limit"] is None  # not computable: null, not 0/0
