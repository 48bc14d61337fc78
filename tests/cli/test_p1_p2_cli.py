"""The headless twins: JSON contract, numbers against independent computations, exit status 2."""

import json
import subprocess
import sys
from fractions import Fraction as F

import pytest

from engine.mixture import GaussianMixture
from tui.cli import main


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_p1_json_contract_and_values(capsys):
    out = run_json(capsys, "p1", "--px", "1/2,1/4,1/4", "--pyx", "1/2,1/2,0;0,1,0;0,0,1", "--json")
    assert set(out) >= {"p_x", "p_y_given_x", "p_xy", "p_y", "p_x_given_y", "roundtrip_p_x"}
    px = [F(1, 2), F(1, 4), F(1, 4)]
    pyx = [[F(1, 2), F(1, 2), F(0)], [F(0), F(1), F(0)], [F(0), F(0), F(1)]]
    pxy = [[px[x] * pyx[x][y] for y in range(3)] for x in range(3)]
    py = [sum(pxy[x][y] for x in range(3)) for y in range(3)]
    for got, want in zip(out["p_xy"], pxy):
        assert got == pytest.approx([float(v) for v in want])
    assert out["p_y"] == pytest.approx([float(v) for v in py])
    for y in range(3):  # rows y, columns x
        assert out["p_x_given_y"][y] == pytest.approx([float(pxy[x][y] / py[y]) for x in range(3)])
    assert out["roundtrip_p_x"] == pytest.approx([0.5, 0.25, 0.25])
    assert "people" not in out


def test_p1_undefined_backward_is_null(capsys):
    out = run_json(capsys, "p1", "--px", "0.5,0.5", "--pyx", "1,0;1,0", "--json")
    assert out["p_x_given_y"][1] == [None, None]
    assert out["p_x_given_y"][0] == pytest.approx([0.5, 0.5])


def test_p1_people_are_integers_and_consistent(capsys):
    out = run_json(capsys, "p1", "--people", "1000000000", "--seed", "3", "--json")
    people = out["people"]
    assert people["counts_x"] == [500_000_000, 300_000_000, 200_000_000]
    assert all(isinstance(v, int) for row in people["counts_xy"] for v in row)
    assert [sum(r) for r in people["counts_xy"]] == people["counts_x"]
    assert people["counts_y"] == [sum(r[j] for r in people["counts_xy"]) for j in range(3)]
    assert sum(people["counts_back_x"]) == 10**9
    again = run_json(capsys, "p1", "--people", "1000000000", "--seed", "3", "--json")
    assert again["people"] == people


def test_p1_markdown_and_latex_tables(capsys):
    assert main(["p1", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "Table 3: Inverse transition probabilities" in md and "| y = 1 | 0.8333 |" in md
    assert main(["p1", "--format", "latex"]) == 0
    tex = capsys.readouterr().out
    assert tex.count(r"\begin{tabular}") == 3


def test_p2_json_matches_closed_form(capsys):
    # one component: p(x|y) = N((mσ² + y s²)/(s² + σ²), s²σ²/(s² + σ²)); approx mean y + σ²(m − y)/s²
    out = run_json(capsys, "p2", "--mixture", "1:1:2", "--sigma2", "0.5", "--y", "3", "--json")
    assert out["exact"]["mean"] == pytest.approx((1 * 0.5 + 3 * 4) / 4.5)
    assert out["exact"]["variance"] == pytest.approx(4 * 0.5 / 4.5)
    assert out["approx"]["mean"] == pytest.approx(3 + 0.5 * (1 - 3) / 4)
    assert out["approx"]["variance"] == 0.5
    assert out["errors"]["mean"] == pytest.approx(abs(out["exact"]["mean"] - out["approx"]["mean"]))
    assert set(out["rates"]) >= {"sigma2", "tv", "rate_tv", "rate_mean"}


def test_p2_defaults_and_particles(capsys):
    out = run_json(capsys, "p2", "--particles", "200000", "--seed", "1", "--json")
    prior = GaussianMixture.parse("0.3:-2:0.5,0.5:0.5:0.7,0.2:3:0.4")
    assert out["mixture"]["weights"] == pytest.approx(list(prior.weights))
    assert out["particles"]["selected"] > 100
    assert out["particles"]["mean"] == pytest.approx(out["exact"]["mean"], abs=0.05)


@pytest.mark.parametrize("argv, fragment", [
    (["p1", "--px", "abc"], "'abc' is not a number"),
    (["p1", "--px", "0.6,0.5,0.2"], "p(x) sums to"),
    (["p1", "--pyx", "0.8,0.1,0.2;0.2,0.6,0.2;0.1,0.3,0.6"], "row x=1"),
    (["p1", "--px", "0.5,0.5"], "must be 2×2"),
    (["p1", "--people", "0"], "--people"),
    (["p1", "--seed", "-1"], "--seed"),
    (["p2", "--sigma2", "0"], "σ² must be from 1e-06 to 100, got 0"),  # one range: the Spec's
    (["p2", "--sigma2", "nan"], "'nan' is not a finite number"),
    (["p2", "--mixture", "1:0:0"], "component 1: std must be from 1e-06 to 1000000, got 0"),
    (["p2", "--mixture", "banana"], "mixture"),
    (["p2", "--y", "x"], "--y"),
    (["--problem", "7"], "--problem must be 1–5"),
    (["p9"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_console_script_exit_status_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "tui.cli", "p1", "--pyx", "1;2"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("hw7-tui: error:") and "Traceback" not in proc.stderr


def test_p2_json_gives_asymptotic_rates_and_leading_terms(capsys):
    """One Gaussian N(1, 4) at y = 3: ℓ′ = −1/2, ℓ″ = −1/4, ℓ‴ = 0, so the mean error is σ⁴/8 and the
    variance error −σ⁴/4 to leading order (closed forms −(m−y)a²/(1+a), −σ⁴/(s²+σ²) with a = σ²/s²)."""
    out = run_json(capsys, "p2", "--mixture", "1:1:2", "--y", "3", "--json")
    r = out["rates"]
    assert r["fit_max_sigma2"] == 0.01
    lead = r["leading_terms"]
    assert (lead["dlogp"], lead["d2logp"], lead["d3logp"]) == pytest.approx((-0.5, -0.25, 0.0), abs=1e-12)
    assert lead["mean_coefficient"] == pytest.approx(0.125) and lead["kl_coefficient"] == pytest.approx(1 / 64)
    assert lead["curvature_vanishes"] is False
    i = r["sigma2"].index(1e-4)
    s2 = 1e-4
    assert r["predicted"][i]["mean"] == pytest.approx(s2**2 / 8)
    assert r["mean_error"][i] == pytest.approx(2 * (s2 / 4) ** 2 / (1 + s2 / 4), rel=1e-6)
    assert r["variance_error"][i] == pytest.approx(r["predicted"][i]["variance"], rel=1e-3)
    for key in ("rate_mean", "rate_variance", "rate_kl"):
        assert r[key] == pytest.approx(2.0, abs=0.01)
    assert r["rate_tv"] == pytest.approx(1.0, abs=0.01)
