import json

import numpy as np
import pytest
import torch
from PIL import Image

from core.cli import main
from core.data.dataset import R2N2Dataset
from core.data.splits import load_splits
from core.errors import CheckpointError, DataError, ReconError
from core.io.binvox import read_binvox
from core.predict import Predictor
from core.taxonomy import ALL_CLASSES


@pytest.fixture(scope="module")
def test_item(data_root, proposed_ckpt):
    """One test-split item (as the evaluator sees it) and the PNG it came from."""
    splits = load_splits(proposed_ckpt.parent / "splits.json")
    ds = R2N2Dataset(data_root, "13", "test", splits, views=1)
    item = ds[0]
    obj, view = ds.locate(0)
    return item, ds.records[obj].png_path(view)


def test_proposed_prediction_matches_the_evaluation_path(proposed_ckpt, test_item):
    item, png = test_item
    pred_model = Predictor.load(proposed_ckpt)
    pred = pred_model.predict(png)
    assert pred.model_name == "proposed" and pred.prior_class is None
    assert set(pred.probabilities) == set(ALL_CLASSES)
    assert sum(pred.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert pred.predicted_class == max(pred.probabilities, key=pred.probabilities.get)
    assert pred.occupancy.dtype == np.float32 and pred.occupancy.shape == (32, 32, 32)
    assert 0.0 <= pred.occupancy.min() and pred.occupancy.max() <= 1.0
    assert pred.input_preview.shape == (127, 127, 3) and pred.input_preview.dtype == np.uint8
    assert "render" in pred.background_note
    # the picture path gives exactly what the model computes on the evaluator's tensor
    with torch.inference_mode():
        out = pred_model.model(item["image"].unsqueeze(0), None)
    np.testing.assert_allclose(pred.occupancy, torch.sigmoid(out.occupancy_logits)[0, 0].numpy(), atol=1e-6)
    probs = torch.softmax(out.class_logits, 1)[0].numpy()
    np.testing.assert_allclose([pred.probabilities[c] for c in ALL_CLASSES], probs, atol=1e-6)
    verts, faces = pred.mesh(threshold=float(np.median(pred.occupancy)))
    assert len(faces) > 0 and np.abs(verts).max() <= 0.5 + 1e-6


def test_baseline_prior_comes_from_a_name_a_classifier_or_probabilities(baseline_ckpt, proposed_ckpt, test_item):
    _, png = test_item
    baseline = Predictor.load(baseline_ckpt)
    proposed = Predictor.load(proposed_ckpt)
    assert baseline.needs_prior and not baseline.has_classifier
    with pytest.raises(ReconError, match="needs a prior class"):
        baseline.predict(png)
    chair = baseline.predict(png, prior_class="chair")
    assert chair.prior_class == "chair" and chair.prior_source == "given" and chair.probabilities is None
    plane = baseline.predict(png, prior_class="plane")  # aliases resolve
    assert plane.prior_class == "airplane"
    assert not np.allclose(chair.occupancy, plane.occupancy)  # the prior really conditions the output
    paired = baseline.predict(png, classifier=proposed)
    top = proposed.classify(png)
    assert paired.prior_source == "classifier"
    assert paired.prior_class == max(top, key=top.get) == paired.predicted_class
    assert paired.probabilities == pytest.approx(top)
    # probabilities computed earlier: the best class the baseline has a prior for wins
    given = baseline.predict(png, probabilities={"spoon": 0.7, "sofa": 0.2, "chair": 0.1})
    assert given.prior_class == "sofa" and given.prior_source == "probabilities"
    with pytest.raises(DataError, match="not one of this model's classes|none of the classifier's classes"):
        baseline.predict(png, probabilities={"spoon": 1.0})
    with pytest.raises(DataError, match="unknown class 'spoon'"):
        baseline.predict(png, prior_class="spoon")


def test_checkpoint_problems_are_one_line_errors(tmp_path, proposed_ckpt, baseline_ckpt):
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(proposed_ckpt.read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="truncated.pt"):
        Predictor.load(truncated)
    with pytest.raises(CheckpointError, match="is a 'baseline' checkpoint, not 'proposed'"):
        Predictor.load(baseline_ckpt, expect_model="proposed")
    with pytest.raises(CheckpointError, match="was trained on classes"):
        Predictor.load(proposed_ckpt, expect_classes=["chair", "table"])


def test_cli_predict_json_and_files(tmp_path, capsys, proposed_ckpt, baseline_ckpt, test_item, real_r2n2_root):
    _, png = test_item
    photo = tmp_path / "chair photo.jpg"
    chair = Image.open(next((real_r2n2_root / "ShapeNetRendering").rglob("05.png")))
    backdrop = Image.new("RGB", (640, 480), (238, 235, 230))
    backdrop.paste(chair.resize((360, 360)), (140, 60), chair.resize((360, 360)))
    backdrop.save(photo, quality=85)
    out = tmp_path / "out"
    rc = main(["predict", str(png), str(photo), "--checkpoint", str(proposed_ckpt), "--out", str(out), "--json", "--formats", "obj,ply,stl,glb", "--threshold", "0.3"])
    assert rc == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(docs) == 2
    for doc in docs:
        assert doc["predicted_class"] == max(doc["probabilities"], key=doc["probabilities"].get)
        assert set(doc["files"]) == {"binvox", "npy", "input_preview", "obj", "ply", "stl", "glb"}
        grid = np.load(doc["files"]["npy"])
        assert grid.shape == (32, 32, 32)
        np.testing.assert_array_equal(read_binvox(doc["files"]["binvox"], expect_dim=32).data, grid >= 0.3)
        assert doc["occupied_voxels"] == int((grid >= 0.3).sum())
    assert "removed a plain backdrop" in docs[1]["background_note"]
    # baseline paired with the proposed classifier, text output
    rc = main(["predict", str(png), "--checkpoint", str(baseline_ckpt), "--classifier", str(proposed_ckpt), "--out", str(out / "b"), "--render"])
    text = capsys.readouterr().out
    assert rc == 0 and "prior:" in text and "(classifier)" in text
    assert Image.open(out / "b" / f"{png.stem}_shape.png").size == (512, 512)


@pytest.mark.parametrize("case", ["not-an-image", "truncated-checkpoint", "baseline-without-prior", "unknown-prior"])
def test_cli_predict_bad_inputs_exit_2_with_one_line(tmp_path, capsys, case, proposed_ckpt, baseline_ckpt, test_item):
    _, png = test_item
    ckpt, image, extra = proposed_ckpt, png, []
    if case == "not-an-image":
        image = tmp_path / "notes.jpg"
        image.write_text("hello")
    elif case == "truncated-checkpoint":
        ckpt = tmp_path / "cut.pt"
        ckpt.write_bytes(proposed_ckpt.read_bytes()[:3000])
    elif case == "baseline-without-prior":
        ckpt = baseline_ckpt
    else:
        ckpt, extra = baseline_ckpt, ["--prior-class", "spoon"]
    try:
        rc = main(["predict", str(image), "--checkpoint", str(ckpt), "--out", str(tmp_path / "o"), *extra])
    except SystemExit as exc:  # an option value refused by argparse
        rc = exc.code
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1 and err.startswith("recon predict: error: ")
    assert (("--prior-class" in err and "spoon" in err) if case == "unknown-prior" else str(image if case == "not-an-image" else ckpt) in err)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_cli_rejects_unknown_mesh_format(tmp_path, proposed_ckpt, test_item):
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(test_item[1]), "--checkpoint", str(proposed_ckpt), "--out", str(tmp_path), "--formats", "fbx"])
    assert exc.value.code == 2


def test_cli_predict_full_disk_writes_no_half_set(tmp_path, capsys, monkeypatch, proposed_ckpt, test_item):
    """numpy reports a full disk as a short write; the message says so, and the picture's set of
    files is all or none: no .binvox without its .npy, an earlier set of the same names kept."""
    _, png = test_item
    out = tmp_path / "o"
    assert main(["predict", str(png), "--checkpoint", str(proposed_ckpt), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert f"{png.stem}.binvox" in before and f"{png.stem}.npy" in before
    capsys.readouterr()

    def short_write(*args, **kwargs):  # what np.save's tofile raises when the disk fills up
        raise OSError("32768 requested and 5088 written")

    monkeypatch.setattr(np, "save", short_write)  # the .binvox is written first, then this fails
    rc = main(["predict", str(png), "--checkpoint", str(proposed_ckpt), "--out", str(out), "--threshold", "0.2"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1, err
    assert "no space left on device" in err and f"{png.stem}.npy" in err and "requested" not in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing half-written, nothing replaced
    fresh = tmp_path / "fresh"
    assert main(["predict", str(png), "--checkpoint", str(proposed_ckpt), "--out", str(fresh)]) == 2
    assert list(fresh.iterdir()) == []  # no lone .binvox, no staging folder left


def test_write_errors_are_named_plainly():
    import errno

    from core.io.atomic import os_reason

    assert os_reason(OSError("32768 requested and 5088 written")) == "no space left on device"
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "no space left on device"
    assert os_reason(RuntimeError("[enforce fail at inline_container.cc:783] . PytorchStreamWriter failed writing file data/0: file write failed")) == "no space left on device"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "permission denied"


@pytest.mark.parametrize("command", ["train", "eval", "predict"])
def test_every_device_option_lists_the_values_it_accepts(command, capsys):
    """One list of devices: each command's --device help says what resolve_device accepts."""
    from core.device import ACCEPTED

    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert ACCEPTED in help_text and "mps" in help_text
