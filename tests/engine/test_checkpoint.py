"""Checkpoints: atomic save, weights-only load, and refusal of corrupt or foreign files."""

import os
import pickle

import pytest
import torch

from engine.checkpoint import (
    delete_checkpoint, find_matching, list_checkpoints, load_checkpoint, save_checkpoint,
)
from engine.errors import InvalidInput


def small_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))


def test_round_trip_restores_the_same_function(tmp_path):
    model = small_model()
    settings = {"T": 100, "sigma2": 0.05, "mixture": "0.5:0:1,0.5:2:1", "seed": 3}
    path = save_checkpoint(tmp_path, "p3-run", "p3-score", model.state_dict(), settings, {"loss": 0.25})
    ckpt = load_checkpoint(path, kind="p3-score")
    assert ckpt.settings == settings and ckpt.metrics == {"loss": 0.25} and ckpt.name == "p3-run"
    other = small_model(seed=1)
    other.load_state_dict(ckpt.state_dict)
    x = torch.randn(16, 2)
    assert torch.equal(other(x), model(x))
    assert find_matching(tmp_path, "p3-score", settings).path == path
    assert find_matching(tmp_path, "p3-score", {**settings, "seed": 4}) is None
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary left behind


def test_corrupt_foreign_and_malicious_files_are_refused(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"\x00not a torch file")
    torch.save({"hello": torch.zeros(2)}, tmp_path / "foreign.pt")

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump(Evil(), f)
    for name, words in (("junk.pt", "not a readable checkpoint"), ("foreign.pt", "not a hw7-tui checkpoint"),
                        ("evil.pt", "not a readable checkpoint")):
        with pytest.raises(InvalidInput, match=words):
            load_checkpoint(tmp_path / name)
    assert not (tmp_path / "pwned").exists()
    save_checkpoint(tmp_path, "good", "p5-eps", small_model().state_dict(), {"a": 1})
    with pytest.raises(InvalidInput, match="holds a 'p5-eps' model"):
        load_checkpoint(tmp_path / "good.pt", kind="p3-score")
    found, problems = list_checkpoints(tmp_path)
    assert [c.name for c in found] == ["good"] and len(problems) == 3


def test_non_finite_weights_names_and_delete(tmp_path):
    model = small_model()
    with torch.no_grad():
        model[0].weight[0, 0] = float("nan")
    save_checkpoint(tmp_path, "nan", "p3-score", model.state_dict(), {})
    with pytest.raises(InvalidInput, match="non-finite"):
        load_checkpoint(tmp_path / "nan.pt")
    with pytest.raises(InvalidInput, match="checkpoint name"):
        save_checkpoint(tmp_path, "../escape", "p3-score", model.state_dict(), {})
    delete_checkpoint(tmp_path / "nan.pt")
    assert not (tmp_path / "nan.pt").exists()
    with pytest.raises(InvalidInput, match="no checkpoint"):
        delete_checkpoint(tmp_path / "nan.pt")
    assert list_checkpoints(tmp_path / "missing") == ([], [])
