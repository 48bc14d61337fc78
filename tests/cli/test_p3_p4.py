"""``hw7-tui p3`` / ``p4``: JSON contract, samples file, exit status 2 for bad input."""

import json

import numpy as np
import pytest

from tui.cli import main

QUICK = ["--T", "20", "--sigma2", "1.25", "--steps", "200", "--particles", "2000"]


def test_p3_json_and_samples(tmp_path, capsys):
    path = tmp_path / "s.npz"
    assert main(["p3", *QUICK, "--samples", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "done" and out["steps_done"] == 200 and out["train_seconds"] > 0
    assert np.isfinite(out["final_loss"])
    for score in ("learned", "exact"):
        for method in ("stochastic", "deterministic"):
            assert 0 <= out["quality"][score][method]["w1"] < 5
    budget = out["error_budget"]["deterministic"]
    assert budget["total"] == pytest.approx(budget["discretization"] + budget["prior_mismatch"] + budget["learned_score"])
    assert 0 < budget["prior_mismatch_limit"] < 1  # the exact T→∞ prior floor rides along
    with np.load(path) as data:
        assert set(data.files) == {"stochastic", "deterministic"} and data["stochastic"].shape == (2000,)
    assert out["settings"]["target"] == "p3"


def test_p4_compare_reports_both_targets(capsys):
    assert main(["p4", *QUICK, "--compare", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    c = out["comparison"]
    assert len(c["t"]) == len(c["p3"]) == len(c["p4"]) and c["t"][0] == 1 and c["t"][-1] == 20
    assert out["settings"]["target"] == "p4"


def test_p3_tables_without_json(capsys):
    assert main(["p3", *QUICK]) == 0
    text = capsys.readouterr().out
    assert "Error budget" in text and "learned" in text


@pytest.mark.parametrize("argv, words", [
    (["p3", "--lr", "nan"], "not a finite number"),
    (["p3", "--lr", "0"], "must be >"),
    (["p3", "--T", "0"], "--T"),
    (["p4", "--sigma2", "-1"], "σ² must be from 1e-12 to 100"),
    (["p3", "--mixture", "1:0:-1"], "std must be from 1e-06 to 1000000"),
    (["p3", "--device", "cuda", "--steps", "1"], "cuda"),
    (["p3", "--samples", "/nonexistent-dir/s.npz"], "does not exist"),
    (["p4", "--samples", "out.txt"], ".npz"),
    (["p3", "--threads", "0"], "--threads"),
])
def test_bad_arguments_exit_2(argv, words, capsys):
    pytest.importorskip("torch")
    import torch

    if "cuda" in argv and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_p3_orders_json_gives_the_samplers_orders(capsys):
    assert main(["p3", "--orders", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_variance"] == 25.0 and out["T"] == sorted(out["T"])
    rows = {(r["method"], r["start"]): r for r in out["rows"]}
    for method, order in (("stochastic", 1), ("deterministic", 1), ("two_step", 1), ("heun", 2)):
        assert abs(rows[method, "exact"]["order"] - order) < 0.15, rows[method, "exact"]
    no_half = rows["no_half", "exact"]["w1"]
    assert no_half[-1] >= no_half[0] > 0.3  # the flow without the ½ does not converge
    assert rows["deterministic", "prior"]["prior_floor"] > 0.05  # N(0, Tσ²) leaves a floor


def test_p3_orders_table_and_bad_T(capsys):
    assert main(["p3", "--orders", "--orders-T", "40,80"]) == 0
    text = capsys.readouterr().out
    assert "order" in text and "Heun" in text and "T=80" in text
    assert main(["p3", "--orders", "--orders-T", "40"]) == 2
    assert "two or more" in capsys.readouterr().err


def test_p4_samples_with_the_eps_forms_too(capsys):
    assert main(["p4", *QUICK, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for method in ("stochastic", "deterministic"):
        e = out["eps_forms"][method]
        assert e["max_abs_difference"] < 1e-9  # xt − εθ/t + σz is xt + σ²sθ + σz, particle by particle
        assert e["w1"] == pytest.approx(e["w1_score_form"], abs=1e-9)
        assert e["w1_score_form"] == pytest.approx(out["quality"]["learned"][method]["w1"], abs=1e-9)
