"""Crafted, foreign and damaged checkpoints: one line naming the file and what is wrong, from
``load_checkpoint`` (prediction, evaluation, the GUI) and through ``recon predict`` (exit 2,
one stderr line, no traceback, no library warning, no code run); a full disk while writing a
checkpoint leaves no temp file and names the checkpoint."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
import torch

from core.cli import main as cli_main
from core.errors import CheckpointError
from core.io.atomic import OutputError
from core.models.registry import ModelConfig, build_model
from core.taxonomy import ALL_CLASSES
from core.train.checkpoint import load_checkpoint, read_checkpoint_dict, save_checkpoint

torch.set_num_threads(1)
CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
IMAGE = CASES / "images" / "chair_render_137.png"
CLASSES = list(ALL_CLASSES)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A proposed and a baseline checkpoint of 13 classes (untrained, small width)."""
    folder = tmp_path_factory.mktemp("ckpts")
    torch.manual_seed(0)
    out = {}
    for name in ("proposed", "baseline"):
        model = build_model(ModelConfig(name=name, classes=CLASSES, width_scale=0.25))
        priors = np.random.default_rng(0).random((13, 32, 32, 32), dtype=np.float32) if name == "baseline" else None
        out[name] = save_checkpoint(folder / f"{name}.pt", model, model.config, priors=priors, half=True)
    return out


def _edit(src: Path, dst: Path, change) -> Path:
    c = torch.load(src, weights_only=True)
    change(c)
    torch.save(c, dst)
    return dst


def _predict_error(path: Path, tmp_path: Path, capsys, *extra: str) -> str:
    rc = cli_main(["predict", str(IMAGE), "-c", str(path), "--out", str(tmp_path / "OUT"), *extra])
    captured = capsys.readouterr()
    assert rc == 2, captured
    lines = [ln for ln in captured.err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, captured.err  # one clean line: no warning, no traceback
    assert path.name in lines[0]
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob("*.part"))
    return lines[0]


def test_good_half_checkpoints_load(saved):
    for name, path in saved.items():
        ck = load_checkpoint(path)
        assert ck.model_config.name == name and ck.classes == CLASSES


def test_c13_fewer_class_names_than_outputs(saved, tmp_path, capsys):
    bad = _edit(saved["proposed"], tmp_path / "c13.pt", lambda c: c.__setitem__("classes", c["classes"][:7]))
    with pytest.raises(CheckpointError, match=r"c13\.pt: 7 class names for a model with 13 outputs"):
        load_checkpoint(bad)
    assert "7 class names" in _predict_error(bad, tmp_path, capsys)


def test_class_names_changed_in_both_places_still_refused_by_the_classifier(saved, tmp_path):
    def change(c):
        c["classes"] = c["classes"][:7]
        c["model_config"]["classes"] = c["classes"]

    bad = _edit(saved["proposed"], tmp_path / "c13b.pt", change)
    with pytest.raises(CheckpointError, match=r"c13b\.pt: (7 class names for a model with 13 outputs|weights do not fit)"):
        load_checkpoint(bad)


def test_c16_no_weights(saved, tmp_path, capsys):
    bad = _edit(saved["proposed"], tmp_path / "c16.pt", lambda c: c.pop("model_state"))
    with pytest.raises(CheckpointError, match=r"c16\.pt: holds no weights"):
        load_checkpoint(bad)
    assert "no weights" in _predict_error(bad, tmp_path, capsys)


def test_c26_priors_of_the_wrong_shape(saved, tmp_path, capsys):
    bad = _edit(saved["baseline"], tmp_path / "c26.pt", lambda c: c.__setitem__("priors", c["priors"][:, :16]))
    with pytest.raises(CheckpointError, match=r"c26\.pt: priors have shape \(13, 16, 32, 32\)"):
        load_checkpoint(bad)
    line = _predict_error(bad, tmp_path, capsys, "--prior-class", "chair")
    assert "priors" in line and "(13, 16, 32, 32)" in line


def test_c03_a_folder_named_like_a_checkpoint(tmp_path, capsys):
    folder = tmp_path / "dir.pt"
    folder.mkdir()
    with pytest.raises(CheckpointError, match=r"dir\.pt: is a folder, not a checkpoint file"):
        read_checkpoint_dict(folder)
    assert "is a folder" in _predict_error(folder, tmp_path, capsys)


def test_c07_raw_pickle_is_refused_without_running_it_or_printing_warnings(tmp_path, capsys, recwarn):
    marker_dir = Path("/tmp/qa")
    marker_dir.mkdir(parents=True, exist_ok=True)
    before = set(marker_dir.iterdir())
    evil = CASES / "checkpoints" / "evil_raw_pickle.pt"
    with pytest.raises(CheckpointError, match=r"evil_raw_pickle\.pt: not a recon-gui checkpoint"):
        read_checkpoint_dict(evil)
    line = _predict_error(evil, tmp_path, capsys)
    assert "nothing run" in line
    assert set(marker_dir.iterdir()) == before  # no code ran
    assert not [w for w in recwarn.list if "weights_only" in str(w.message)]


@pytest.mark.parametrize("change,needle", [
    (lambda c: c.__setitem__("model_config", "proposed"), "model_config must be a table"),
    (lambda c: c["model_config"].__setitem__("embed_dim", "big"), "invalid model config|cannot make"),
    (lambda c: c.__setitem__("classes", ["chair"] * 13), "names chair more than once"),
    (lambda c: c.__setitem__("classes", [1, 2, 3]), "class list must be a list of names"),
    (lambda c: c.__setitem__("model_state", [1, 2]), "not a table of named weight tensors"),
    (lambda c: c.__setitem__("priors", torch.full((13, 32, 32, 32), float("nan"))), "priors hold NaN"),
], ids=["config-not-a-table", "config-wrong-type", "duplicate-classes", "classes-not-strings", "state-not-a-dict", "nan-priors"])
def test_crafted_entries_fail_in_one_line_naming_the_file(saved, tmp_path, change, needle):
    src = saved["baseline"] if "priors" in needle else saved["proposed"]
    bad = _edit(src, tmp_path / "crafted.pt", change)
    with pytest.raises(CheckpointError, match=needle) as info:
        load_checkpoint(bad)
    assert str(info.value).startswith(str(bad)) and "\n" not in str(info.value)


# ----------------------------------------------------------------------------- K03: full disk
def test_k03_a_checkpoint_that_does_not_fit_on_disk(tiny_synth_root, tmp_path, monkeypatch, capsys):
    """The first checkpoint write fails with ENOSPC (half the bytes written first, as a full disk
    does): one line naming the checkpoint and 'no space left', no temp file in the run folder."""
    real_save = torch.save

    def full_disk(obj, f, *a, **kw):
        if isinstance(f, (str, Path)) and Path(f).name.startswith(".recon-") and ".pt." in Path(f).name:
            Path(f).write_bytes(b"\0" * 1024)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(obj, f, *a, **kw)

    monkeypatch.setattr(torch, "save", full_disk)
    run = tmp_path / "EMPTY3" / "run"
    rc = cli_main(["train", "--data", str(tiny_synth_root), "--preset", "smoke", "--classes", "chair,table", "--out", str(run), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err
    line = [ln for ln in err.strip().splitlines() if ln.strip()][-1]
    assert "last.pt" in line and "no space left" in line.lower()
    leftovers = [p.name for p in run.iterdir() if p.name.startswith(".") or p.suffix in (".tmp", ".part")]
    assert leftovers == []
    assert not (run / "last.pt").exists() and not (run / "best.pt").exists()


def test_save_checkpoint_reports_a_full_disk_as_an_output_error(tmp_path, monkeypatch):
    model = build_model(ModelConfig(name="proposed", classes=["chair"], width_scale=0.25))
    monkeypatch.setattr(torch, "save", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OutputError, match=r"best\.pt: cannot write: no space left on device"):
        save_checkpoint(tmp_path / "best.pt", model, model.config)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["empty", "cut", "text", "random", "picture"])
def test_unreadable_checkpoint_is_named_in_plain_words(saved, tmp_path, capsys, kind):
    """No loader exception names (EOFError, KeyError, ...) reach the person: a plain reason."""
    bad = tmp_path / f"{kind}.pt"
    random_bytes = bytes([0x37]) + np.random.default_rng(5).bytes(4095)  # not 'P' nor 0x80: no torch format
    data = {"empty": b"", "cut": saved["proposed"].read_bytes()[:4000], "text": b"hello\n",
            "random": random_bytes, "picture": IMAGE.read_bytes()}[kind]
    bad.write_bytes(data)
    capsys.readouterr()
    rc = cli_main(["predict", str(IMAGE), "-c", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert str(bad) in lines[0]
    assert "Error" not in lines[0].split("error:", 1)[1] and "Errno" not in lines[0], lines[0]
    expected = {"empty": "is empty (0 bytes), not a checkpoint", "cut": "cut short or damaged",
                "text": "not a PyTorch checkpoint file", "random": "not a PyTorch checkpoint file",
                "picture": "not a PyTorch checkpoint file"}[kind]
    assert expected in lines[0], lines[0]
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
