"""Checkpoints: atomic save as npz, load without pickles (and without torch), the older torch files
still read weights-only, and refusal of corrupt, foreign or malicious files."""

import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

from engine.checkpoint import (
    FORMAT, VERSION, as_tensors, delete_checkpoint, find_matching, list_checkpoints, load_checkpoint, save_checkpoint,
)
from engine.errors import InvalidInput
from tests.helpers import run_python


def small_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))


def test_round_trip_restores_the_same_function(tmp_path):
    model = small_model()
    settings = {"T": 100, "sigma2": 0.05, "mixture": "0.5:0:1,0.5:2:1", "seed": 3}
    path = save_checkpoint(tmp_path, "p3-run", "p3-score", model.state_dict(), settings, {"loss": 0.25})
    assert path.name == "p3-run.npz" and zipfile.is_zipfile(path)
    ckpt = load_checkpoint(path, kind="p3-score")
    assert ckpt.settings == settings and ckpt.metrics == {"loss": 0.25} and ckpt.name == "p3-run"
    assert all(isinstance(v, np.ndarray) for v in ckpt.state_dict.values())
    other = small_model(seed=1)
    other.load_state_dict(as_tensors(ckpt.state_dict))
    x = torch.randn(16, 2)
    assert torch.equal(other(x), model(x))
    assert find_matching(tmp_path, "p3-score", settings).path == path
    assert find_matching(tmp_path, "p3-score", {**settings, "seed": 4}) is None
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary left behind


def test_numpy_weights_are_saved_and_read_without_importing_torch(tmp_path):
    out = run_python(f"""
        import sys, numpy as np
        from engine.checkpoint import save_checkpoint, load_checkpoint, list_checkpoints
        w = {{"f.0.weight": np.arange(6, dtype=np.float32).reshape(3, 2), "T": np.array(100.0, dtype=np.float32)}}
        path = save_checkpoint({str(tmp_path)!r}, "np", "p3-score", w, {{"T": 100}}, {{"w1": 0.1}})
        back = load_checkpoint(path, "p3-score").state_dict
        assert np.array_equal(back["f.0.weight"], w["f.0.weight"]) and back["T"].shape == () and float(back["T"]) == 100.0
        assert [c.name for c in list_checkpoints({str(tmp_path)!r})[0]] == ["np"]
        print("torch" in sys.modules)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_an_older_torch_checkpoint_is_still_read(tmp_path):
    model = small_model()
    torch.save({"format": FORMAT, "version": VERSION, "kind": "p3-score", "settings": {"a": 1}, "metrics": {},
                "created": "2026-01-01T00:00:00Z", "state_dict": model.state_dict()}, tmp_path / "old.pt")
    save_checkpoint(tmp_path, "new", "p3-score", small_model(1).state_dict(), {"a": 2})
    ckpt = load_checkpoint(tmp_path / "old.pt", kind="p3-score")
    assert np.array_equal(ckpt.state_dict["0.weight"], model[0].weight.detach().numpy())
    assert sorted(c.name for c in list_checkpoints(tmp_path)[0]) == ["new", "old"]
    assert find_matching(tmp_path, "p3-score", {"a": 1}).name == "old"


def test_corrupt_foreign_and_malicious_files_are_refused(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"\x00not a torch file")
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not a zip at all")
    torch.save({"hello": torch.zeros(2)}, tmp_path / "foreign.pt")
    np.savez(tmp_path / "foreign.npz", hello=np.zeros(2))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump(Evil(), f)
    header = np.array('{"format": "%s", "version": %d, "kind": "p3-score", "settings": {}}' % (FORMAT, VERSION))
    np.savez(tmp_path / "evil.npz", header=header, **{"state_dict/w": np.array([Evil()], dtype=object)})
    for name, words in (("junk.pt", "not a readable checkpoint"), ("foreign.pt", "not a hw7-tui checkpoint"),
                        ("evil.pt", "not a readable checkpoint"), ("junk.npz", "not a readable checkpoint"),
                        ("foreign.npz", "not a hw7-tui checkpoint"), ("evil.npz", "not a readable checkpoint")):
        with pytest.raises(InvalidInput, match=words):
            load_checkpoint(tmp_path / name)
    assert not (tmp_path / "pwned").exists()
    save_checkpoint(tmp_path, "good", "p5-eps", small_model().state_dict(), {"a": 1})
    with pytest.raises(InvalidInput, match="holds a 'p5-eps' model"):
        load_checkpoint(tmp_path / "good.npz", kind="p3-score")
    found, problems = list_checkpoints(tmp_path)
    assert [c.name for c in found] == ["good"] and len(problems) == 6


def test_non_finite_weights_names_and_delete(tmp_path):
    model = small_model()
    with torch.no_grad():
        model[0].weight[0, 0] = float("nan")
    save_checkpoint(tmp_path, "nan", "p3-score", model.state_dict(), {})
    with pytest.raises(InvalidInput, match="non-finite"):
        load_checkpoint(tmp_path / "nan.npz")
    with pytest.raises(InvalidInput, match="checkpoint name"):
        save_checkpoint(tmp_path, "../escape", "p3-score", model.state_dict(), {})
    delete_checkpoint(tmp_path / "nan.npz")
    assert not (tmp_path / "nan.npz").exists()
    with pytest.raises(InvalidInput, match="no checkpoint"):
        delete_checkpoint(tmp_path / "nan.npz")
    with pytest.raises(InvalidInput, match="not a checkpoint file"):
        delete_checkpoint(tmp_path / "notes.txt")
    assert list_checkpoints(tmp_path / "missing") == ([], [])
