import json
from dataclasses import replace

import pytest
from PIL import Image

from core.cli import main
from core.errors import DataError
from core.experiment import PRESETS, RUN_BY_KEY, RUNS, TABLES, run_experiment
from core.train.checkpoint import load_checkpoint
from core.train.events import read_metrics

@pytest.fixture(scope="module")
def smoke(data_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("experiment")
    events = []
    result = run_experiment("smoke", data_root, out, progress=events.append)
    return result, out, events


def test_smoke_experiment_writes_three_tables_with_mean_shape_rows(smoke):
    result, out, events = smoke
    assert set(result.runs) == {r.key for r in RUNS}
    assert not any(o.skipped for o in result.runs.values())
    text = result.report_path.read_text()
    for table in TABLES:
        assert f"## Table {table.number}. {table.title}" in text
    section = lambda n: text.split(f"## Table {n}.")[1].split("## ")[0]
    assert section(1).count("| mean shape (") == 2 and section(3).count("| mean shape (") == 2 and section(2).count("| mean shape (") == 1
    assert len({spec.label for spec in RUNS}) == len(RUNS)  # every run is told apart in the tables
    for spec in RUNS:
        assert spec.label in text
    # table 3 reuses the numbers of tables 1 and 2
    b13 = result.runs["baseline-13"].report.model_row.class_mean["0.4"]
    assert f"| {RUN_BY_KEY['baseline-13'].label} | " in section(3) and f"{b13:.3f}" in section(3)
    # the 7-class runs are evaluated on the 7 classes only, with the paper's a
    assert result.runs["baseline-7"].report.classes == ["airplane", "car", "chair", "display", "speaker", "table", "telephone"]
    assert load_checkpoint(result.runs["proposed-7-128-concat"].checkpoint).train_config["ce_weight"] == 0.001
    assert load_checkpoint(result.runs["proposed-13-256-concat"].checkpoint).train_config["ce_weight"] == 0.05
    assert load_checkpoint(result.runs["proposed-13-256-concat"].checkpoint).model_config.embed_dim == 256
    assert load_checkpoint(result.runs["proposed-13-128-sum"].checkpoint).model_config.fusion == "sum"
    for plot in result.plots:
        assert plot.suffix == ".png" and Image.open(plot).size[0] > 500
        assert f"]({plot.relative_to(out).as_posix()})" in text
    doc = json.loads(result.results_path.read_text())
    assert set(doc["runs"]) == set(result.runs)
    assert events[-1].done == events[-1].total


def test_interrupted_experiment_continues_without_retraining(smoke, data_root):
    result, out, _ = smoke
    key = "proposed-7-128-concat"
    run_dir = out / "runs" / key
    (run_dir / "eval.json").unlink()  # as if stopped after training, before evaluation
    steps_before = load_checkpoint(run_dir / "last.pt").global_step
    again = run_experiment("smoke", data_root, out)
    assert [k for k, o in again.runs.items() if not o.skipped] == [key]
    assert load_checkpoint(run_dir / "last.pt").global_step == steps_before  # resumed, nothing left to train
    assert any(r.get("kind") == "resume" for r in read_metrics(run_dir / "metrics.jsonl"))
    assert (run_dir / "eval.json").is_file()


def test_changed_settings_in_the_same_folder_are_refused(smoke, data_root):
    _, out, _ = smoke
    other = replace(PRESETS["smoke"], train={**PRESETS["smoke"].train, "epochs": 2})
    with pytest.raises(DataError, match="spec.json: this run folder was made with other settings"):
        run_experiment(other, data_root, out, runs=["baseline-7"])


def test_cli_reuses_finished_runs(smoke, data_root, capsys):
    _, out, _ = smoke
    rc = main(["experiment", "--preset", "smoke", "--data", str(data_root), "--out", str(out), "-q"])
    text = capsys.readouterr().out
    assert rc == 0 and "report:" in text and "mean shape" in text
    assert text.count("vs mean shape") == len(RUNS)


def test_x11_output_path_that_is_a_file_fails_before_any_work(tmp_path, capsys):
    target = tmp_path / "existing_file.txt"
    target.write_text("keep me")
    data = tmp_path / "empty_data"  # would be generated into if the run started
    rc = main(["experiment", "--preset", "cpu-small", "--data", str(data), "--out", str(target), "-q"])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "existing_file.txt" in lines[0] and "not a folder" in lines[0]
    assert target.read_text() == "keep me"
    assert not data.exists()  # no data generated, nothing trained


def test_gpu_preset_fits_ten_minutes_and_the_report_names_the_preset(smoke):
    gpu = PRESETS["gpu"]
    from core.train.config import build_train_config

    cfg = build_train_config(**gpu.train)
    # six runs, each capped, with room for data loading and test evaluation
    assert 0 < cfg.time_limit * len(RUNS) <= 8.0
    assert cfg.views == "all" and cfg.lr_schedule == "cosine" and gpu.objects_per_class == PRESETS["cpu-small"].objects_per_class
    result, _, _ = smoke
    assert "Preset run: **`smoke`**" in result.report_path.read_text()
    assert "`paper`" in result.report_path.read_text() and "`gpu`" in result.report_path.read_text()


def test_run_labels_come_from_the_model_registry():
    from core.experiment import RunSpec
    from core.models.proposed import ProposedModel
    from core.models.registry import get_descriptor, register_model, unregister_model

    register_model("plain-toy", ProposedModel, label="Plain toy", options={"encoder": ("fast",)})
    try:
        assert RunSpec("t", "plain-toy", "7").label == "Plain toy, 7 classes"  # no fusion option: none shown
    finally:
        unregister_model("plain-toy")
    proposed = RUN_BY_KEY["proposed-13-128-sum"].label
    assert proposed.startswith(get_descriptor("proposed").label) and "128 sum" in proposed and "13 classes" in proposed
