import json
import math
import os

import numpy as np
import pytest
import torch

from core.cli import main
from core.data.dataset import R2N2Dataset
from core.data.splits import load_splits
from core.errors import Cancelled, DataError
from core.evaluate import MEAN_SHAPE, EvalReport, IouAccumulator, evaluate
from core.io.binvox import read_binvox
from core.predict import Predictor
from core.progress import CancelToken
from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET


@pytest.fixture(scope="module")
def proposed_report(data_root, proposed_ckpt):
    events = []
    rep = evaluate(proposed_ckpt, data_root, views=2, progress=events.append)
    return rep, events


def _iou(pred: np.ndarray, gt: np.ndarray, t: float) -> float:
    p, g = pred > t, gt > 0.5
    union = (p | g).sum()
    return float((p & g).sum() / union) if union else 1.0


def test_report_structure_and_averages(proposed_report):
    rep, events = proposed_report
    assert rep.classes == list(ALL_CLASSES) and rep.split == "test" and rep.views == 2
    assert [r.name for r in rep.rows] == ["proposed", MEAN_SHAPE]
    m = rep.model_row
    n_images = sum(rep.images_per_class.values())
    assert n_images == 2 * sum(rep.objects_per_class.values()) > 0
    for t in ("0.3", "0.4", "0.5"):
        per = [m.per_class[c][t] for c in rep.classes]
        assert m.class_mean[t] == pytest.approx(np.mean(per))
        weights = [rep.images_per_class[c] for c in rep.classes]
        assert m.instance_mean[t] == pytest.approx(np.average(per, weights=weights))
    conf = np.array(rep.confusion)
    assert conf.shape == (13, 13) and conf.sum() == n_images
    assert m.accuracy == pytest.approx(np.trace(conf) / n_images)
    assert rep.mean_shape_row.accuracy is None
    assert events[-1].done == events[-1].total == n_images
    table = rep.format_table()
    assert "mean (class-averaged)" in table and "mean (instance-averaged)" in table and "mean-shape@0.4" in table


def test_mean_shape_row_is_the_train_split_class_mean(data_root, proposed_ckpt, proposed_report):
    """Recomputed by hand from the binvox files: mean of the TRAIN objects of the true class."""
    rep, _ = proposed_report
    splits = load_splits(proposed_ckpt.parent / "splits.json")
    root = data_root / "ShapeNetVox32"
    for name in ("chair", "airplane", "table"):
        syn = NAME_TO_SYNSET[name]
        train = [k for k in splits.train if k.startswith(syn)]
        test = [k for k in splits.test if k.startswith(syn)]
        mean = np.mean([read_binvox(root / k / "model.binvox").data for k in train], axis=0)
        expected = np.mean([_iou(mean, read_binvox(root / k / "model.binvox").data, 0.4) for k in test])
        assert rep.mean_shape_row.per_class[name]["0.4"] == pytest.approx(expected, abs=1e-6)


def test_model_row_agrees_with_the_predictor(data_root, proposed_ckpt, proposed_report):
    """Per-class IoU from the evaluator = IoU of Predictor.predict on the same PNG files."""
    rep, _ = proposed_report
    splits = load_splits(proposed_ckpt.parent / "splits.json")
    ds = R2N2Dataset(data_root, "13", "test", splits, views=2)
    predictor = Predictor.load(proposed_ckpt)
    per_class: dict[str, list[float]] = {}
    for i in range(len(ds)):
        obj, view = ds.locate(i)
        rec = ds.records[obj]
        if rec.class_name not in ("chair", "lamp", "rifle"):
            continue  # three classes keep the test quick
        occ = predictor.predict(rec.png_path(view)).occupancy
        per_class.setdefault(rec.class_name, []).append(_iou(occ, ds.voxel_grid(obj), 0.4))
    for c, values in per_class.items():
        assert rep.model_row.per_class[c]["0.4"] == pytest.approx(np.mean(values), abs=1e-6)


def test_class_and_instance_averages_differ_when_classes_are_unbalanced():
    acc = IouAccumulator("m", [0.5], num_classes=2, with_accuracy=True)
    gt = torch.zeros(4, 8, 8, 8)
    gt[:, :4] = 1.0
    pred = gt.clone()
    pred[3] = 0.0  # the single class-1 image is entirely wrong: IoU 0
    labels = torch.tensor([0, 0, 0, 1])
    logits = torch.tensor([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    acc.add(pred, gt, labels, logits)
    row = acc.row(["chair", "table"])
    assert row.per_class == {"chair": {"0.5": 1.0}, "table": {"0.5": 0.0}}
    assert row.class_mean["0.5"] == 0.5 and row.instance_mean["0.5"] == 0.75
    assert row.accuracy == 0.5 and row.class_accuracy == {"chair": 2 / 3, "table": 0.0}


def test_baseline_evaluation_and_json_round_trip(tmp_path, capsys, data_root, baseline_ckpt):
    out = tmp_path / "report.json"
    rc = main(["eval", "--checkpoint", str(baseline_ckpt), "--data", str(data_root), "--views", "1", "--out", str(out), "--json"])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed == saved
    rep = EvalReport.from_dict(saved)
    assert rep.model["name"] == "baseline" and rep.model_row.accuracy is None
    assert set(rep.model_row.per_class) == set(ALL_CLASSES)
    assert all(0.0 <= v <= 1.0 for v in rep.model_row.class_mean.values())
    assert saved["averaging"]["class_mean"].startswith("mean over classes")


def test_cancel_stops_the_evaluation(data_root, proposed_ckpt):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        evaluate(proposed_ckpt, data_root, views=1, cancel=token)


def _partial_copy(data_root, dest, names=("chair", "table")):
    for sub in ("ShapeNetRendering", "ShapeNetVox32"):
        (dest / sub).mkdir(parents=True)
        for name in names:
            os.symlink(data_root / sub / NAME_TO_SYNSET[name], dest / sub / NAME_TO_SYNSET[name])
    return dest


def test_partial_data_set_evaluates_the_classes_present(tmp_path, capsys, data_root, proposed_ckpt):
    """A 13-class checkpoint on a data set holding only chairs and tables (a partial download)."""
    partial = _partial_copy(data_root, tmp_path / "partial")
    rep = evaluate(proposed_ckpt, partial, views=1)
    assert set(rep.missing_classes) == set(ALL_CLASSES) - {"chair", "table"}
    assert {c for c, n in rep.objects_per_class.items() if n} == {"chair", "table"}
    assert any("11 of the model's 13 classes" in w for w in rep.warnings)
    assert all(math.isfinite(v) for v in rep.model_row.class_mean.values())
    # the class average covers exactly the classes present
    for t, v in rep.model_row.class_mean.items():
        assert v == pytest.approx((rep.model_row.per_class["chair"][t] + rep.model_row.per_class["table"][t]) / 2)
    rc = main(["eval", "--checkpoint", str(proposed_ckpt), "--data", str(partial), "--views", "1", "-q"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "cabinet" in captured.err and str(partial) in captured.err and "Traceback" not in captured.err
    table_rows = [ln.split()[0] for ln in captured.out.splitlines()]
    assert "chair" in table_rows and "cabinet" not in table_rows


def test_data_set_with_none_of_the_models_classes_is_a_one_line_error(tmp_path, capsys, data_root, proposed_ckpt):
    empty = tmp_path / "empty"
    for sub in ("ShapeNetRendering", "ShapeNetVox32"):
        (empty / sub).mkdir(parents=True)
    with pytest.raises(DataError):
        evaluate(proposed_ckpt, empty, views=1)
    rc = main(["eval", "--checkpoint", str(proposed_ckpt), "--data", str(empty), "--views", "1", "-q"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and err.startswith("recon eval: error: ") and str(empty) in err


def test_split_all_evaluates_every_object_of_a_foreign_data_set(tmp_path, capsys, data_root, proposed_ckpt, baseline_ckpt):
    """--split all needs no split file: every object of the folder is evaluated."""
    from core.io.r2n2 import discover

    n_objects = len(discover(data_root).objects)
    rep = evaluate(proposed_ckpt, data_root, split="all", views=1)
    assert rep.split == "all" and sum(rep.objects_per_class.values()) == n_objects
    assert rep.mean_shape_row is not None and all(math.isfinite(v) for v in rep.mean_shape_row.class_mean.values())
    # a copy of two classes under another name: still no split file needed
    partial = _partial_copy(data_root, tmp_path / "foreign", ("sofa", "lamp"))
    rep2 = evaluate(baseline_ckpt, partial, split="all", views=1)
    assert {c for c, n in rep2.objects_per_class.items() if n} == {"sofa", "lamp"}
    out = tmp_path / "rep.json"
    rc = main(["eval", "-c", str(proposed_ckpt), "--data", str(partial), "--split", "all", "--views", "1", "-q", "--out", str(out)])
    assert rc == 0 and json.loads(out.read_text())["split"] == "all"
    assert json.loads(out.read_text())["missing_classes"]


def test_truncated_checkpoint_and_bad_views(tmp_path, capsys, data_root, proposed_ckpt):
    cut = tmp_path / "cut.pt"
    cut.write_bytes(proposed_ckpt.read_bytes()[:4000])
    rc = main(["eval", "--checkpoint", str(cut), "--data", str(data_root), "-q"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and str(cut) in err and len(err.splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--checkpoint", str(proposed_ckpt), "--data", str(data_root), "--views", "30"])
    assert exc.value.code == 2


def test_nan_free_report_even_for_perfect_classes(proposed_report):
    rep, _ = proposed_report
    for row in rep.rows:
        assert not any(math.isnan(v) for v in row.class_mean.values())
