"""``hw7-tui p5``: JSON contract, the samples file in original units, exit status 2."""

import json

import numpy as np
import pytest

from tui.cli import main


def test_fast_json_and_samples(tmp_path, capsys):
    path = tmp_path / "p5.npz"
    assert main(["p5", "--steps", "60", "--particles", "300", "--samples", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["settings"]["recipe"] == "fast" and out["steps_done"] == 60 and out["train_seconds"] > 0
    assert set(out["quality"]) == {"ddpm", "x0", "ddim"}
    assert out["floor"]["energy"] > 0 and out["gaussian"]["energy"] > out["floor"]["energy"]
    with np.load(path) as data:
        assert set(data.files) == {"ddpm", "x0", "ddim"} and data["ddpm"].shape == (300, 2)
        # original units: the swiss roll spans about ±14, not the ±2 of standardized data
        assert np.abs(data["ddim"]).max() > 5


def test_faithful_one_epoch(capsys):
    assert main(["p5", "--recipe", "faithful", "--epochs", "1", "--particles", "300", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps_done"] == 49 and out["settings"]["batch"] == 2048 and out["settings"]["lr"] == 0.001
    # its per-epoch mean loss (the notebook's printed quantity) beside the notebook's own curve
    curves = out["epoch_losses"]
    assert len(curves["ours"]) == 1 and len(curves["notebook"]) == 100 and "swissRoll.ipynb" in curves["notebook_source"]
    assert abs(curves["ours"][0] - curves["notebook"][0]) < 0.1  # epoch 0: ours ≈ 0.73, the notebook's 0.736


def test_tables_and_oracle(capsys):
    assert main(["p5", "--steps", "30", "--particles", "300", "--oracle"]) == 0
    text = capsys.readouterr().out
    assert "exact score, ddpm" in text and "fresh data (floor)" in text


@pytest.mark.parametrize("argv, words", [
    (["p5", "--recipe", "slow"], "recipe must be one of fast, faithful, got 'slow'"),
    (["p5", "--dataset", "spiral"], "data set must be one of swiss_roll, two_moons"),
    (["p5", "--lr", "nan"], "learning rate: 'nan' is not a finite number"),
    (["p5", "--steps", "0"], "--steps"),
    (["p5", "--dataset", "two_moons", "--oracle", "--steps", "1"], "swiss roll only"),
    (["p5", "--samples", "/nonexistent-dir/x.npz"], "does not exist"),
    (["p5", "--device", "cuda", "--steps", "1"], "cuda"),
    (["p5", "--recipe", "faithful", "--steps", "5"], "--steps is for the fast recipe"),
])
def test_bad_arguments_exit_2(argv, words, capsys):
    import torch

    if "cuda" in argv and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
