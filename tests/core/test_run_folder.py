"""Run folders: a new run never overwrites an earlier one by accident, a resumed run keeps its
settings (a conflicting option is one line naming it), stale temp files go, one split rule."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch

from core.cli import main as cli_main
from core.data.splits import make_splits, save_splits
from core.errors import CheckpointError
from core.io.r2n2 import discover
from core.train.config import TrainConfig
from core.train.run_folder import (
    RunFolder,
    RunFolderError,
    merge_resume,
    read_resume_checkpoint,
    resolve_splits,
    validation_gap,
)

torch.set_num_threads(1)
SMOKE = ["--preset", "smoke", "--classes", "chair,table", "--quiet"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _one_error_line(err: str, *needles: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def run_b(tiny_synth_root, tmp_path_factory) -> Path:
    """A finished 1-epoch baseline run (2 steps) made through the CLI."""
    out = tmp_path_factory.mktemp("runs") / "RUNB"
    assert cli_main(["train", "--data", str(tiny_synth_root), "--model", "baseline", "--out", str(out), "--save-every", "1", *SMOKE]) == 0
    return out


def test_folder_paths_and_what_it_holds(tmp_path):
    folder = RunFolder(tmp_path / "r")
    assert folder.last == tmp_path / "r" / "last.pt" and folder.metrics.name == "metrics.jsonl"
    assert not folder.holds_run() and folder.checkpoint() is None and folder.next_free() == folder
    folder.path.mkdir()
    (folder.path / "splits.json").write_text("{}")
    assert not folder.holds_run()  # a split file alone may be an input, not a run
    folder.last.write_bytes(b"x")
    folder.config.write_text(json.dumps({"model": "baseline"}))
    assert folder.holds_run() and folder.stored_model() == "baseline"
    assert folder.checkpoint() == folder.last and folder.checkpoint(prefer_last=True) == folder.last
    folder.best.write_bytes(b"y")
    assert folder.checkpoint() == folder.best and folder.checkpoint(prefer_last=True) == folder.last
    (tmp_path / "r-2").mkdir()
    (tmp_path / "r-2" / "metrics.jsonl").write_text("")
    assert folder.next_free().path == tmp_path / "r-3"
    with pytest.raises(RunFolderError, match="already holds a run .*--overwrite"):
        folder.check_new_run()
    folder.check_new_run(overwrite=True)
    assert sorted(p.name for p in folder.clear_run()) == ["best.pt", "config.json", "last.pt"]
    assert (folder.path / "splits.json").is_file() and not folder.holds_run()
    (tmp_path / "file").write_text("")
    with pytest.raises(RunFolderError, match="not a folder"):
        RunFolder(tmp_path / "file").check_new_run()


def test_new_run_refuses_a_folder_holding_a_run(run_b, tiny_synth_root, capsys):
    before = _digest(run_b)
    capsys.readouterr()
    code = cli_main(["train", "--data", str(tiny_synth_root), "--model", "proposed", "--out", str(run_b), *SMOKE])
    assert code == 2
    _one_error_line(capsys.readouterr().err, str(run_b), "already holds a run", "--overwrite")
    assert _digest(run_b) == before


def test_refusal_advice_names_only_what_works(tmp_path):
    """A run that died before its first checkpoint has no last.pt: --resume is never advised."""
    unfinished = RunFolder(tmp_path / "u")
    unfinished.path.mkdir()
    for f in (unfinished.config, unfinished.splits, unfinished.metrics):
        f.write_text("{}")
    assert unfinished.holds_run() and unfinished.is_unfinished() and not unfinished.is_resumable()
    with pytest.raises(RunFolderError) as info:
        unfinished.check_new_run()
    msg = str(info.value)
    assert "unfinished run with no checkpoint" in msg and "--overwrite" in msg and "--fresh-name" in msg
    assert "--resume" not in msg and "last.pt" not in msg
    resumable = RunFolder(tmp_path / "r")
    resumable.path.mkdir()
    resumable.metrics.write_text("")
    resumable.last.write_bytes(b"x")
    assert resumable.is_resumable() and not resumable.is_unfinished()
    with pytest.raises(RunFolderError, match=f"--resume {resumable.last}"):
        resumable.check_new_run()
    best_only = RunFolder(tmp_path / "b")
    best_only.path.mkdir()
    best_only.best.write_bytes(b"x")
    with pytest.raises(RunFolderError) as info:
        best_only.check_new_run()
    assert "--resume" not in str(info.value) and "cannot be resumed" in str(info.value)


def test_cli_refuses_an_unfinished_run_with_working_advice(tiny_synth_root, tmp_path, capsys):
    out = tmp_path / "DIED"
    out.mkdir()
    (out / "config.json").write_text("{}")
    (out / "metrics.jsonl").write_text("")
    capsys.readouterr()
    assert cli_main(["train", "--data", str(tiny_synth_root), "--out", str(out), *SMOKE]) == 2
    line = _one_error_line(capsys.readouterr().err, str(out), "unfinished run with no checkpoint", "--fresh-name")
    assert "--resume" not in line
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "metrics.jsonl"]


def test_overwrite_and_fresh_name(run_b, tiny_synth_root, tmp_path, capsys):
    import shutil

    copy = tmp_path / "R"
    shutil.copytree(run_b, copy)
    assert cli_main(["train", "--data", str(tiny_synth_root), "--model", "proposed", "--out", str(copy), "--fresh-name", *SMOKE]) == 0
    assert RunFolder(tmp_path / "R-2").stored_model() == "proposed" and RunFolder(copy).stored_model() == "baseline"
    assert cli_main(["train", "--data", str(tiny_synth_root), "--model", "proposed", "--out", str(copy), "--overwrite", *SMOKE]) == 0
    assert RunFolder(copy).stored_model() == "proposed"
    records = [json.loads(ln) for ln in (copy / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records].count("epoch") == 1  # the old run's log is gone, not appended to
    capsys.readouterr()


@pytest.mark.parametrize("extra,flag", [
    (["--model", "proposed"], "--model"),  # C28a: the run is a baseline; a resumed run keeps its model
    (["--out", "{tmp}/elsewhere"], "--out"),
    (["--embed-dim", "256"], "--embed-dim"),
    (["--classes", "13"], "--classes"),
    (["--preset", "cpu-small"], "--preset cpu-small"),
])
def test_resume_refuses_conflicting_options(run_b, tmp_path, capsys, extra, flag):
    before = _digest(run_b)
    capsys.readouterr()
    extra = [e.replace("{tmp}", str(tmp_path)) for e in extra]
    code = cli_main(["train", "--resume", str(run_b / "last.pt"), *extra, "--epochs", "2", "--quiet"])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err, flag)
    assert len(line) < 200 + len(str(run_b)) + len(str(tmp_path))
    assert _digest(run_b) == before and not (tmp_path / "elsewhere").exists()


def test_resume_allows_equal_values_and_run_control(run_b, tmp_path):
    stored = torch.load(run_b / "last.pt", weights_only=True)["train_config"]
    cfg = merge_resume(stored, run_b / "last.pt", {"model": "baseline", "classes": "chair,table", "epochs": 5, "device": "cpu",
                                                 "out_dir": str(run_b.parent), "name": run_b.name, "data_root": str(tmp_path)})
    assert (cfg.model, cfg.epochs, cfg.device, cfg.data_root) == ("baseline", 5, "cpu", str(tmp_path))
    assert cfg.run_dir == run_b.resolve() and cfg.resume == str(run_b / "last.pt")
    with pytest.raises(RunFolderError, match="--lr 0.5 conflicts"):
        merge_resume(stored, run_b / "last.pt", {"lr": 0.5})
    with pytest.raises(RunFolderError, match="Learning rate 0.5 conflicts"):
        merge_resume(stored, run_b / "last.pt", {"lr": 0.5}, {"lr": "Learning rate"})
    with pytest.raises(CheckpointError, match="stored training config is invalid"):
        merge_resume({"epochs": "x", "bogus": 1}, run_b / "last.pt", {})
    with pytest.raises(CheckpointError, match="weights only"):
        read_resume_checkpoint(run_b / "best.pt")


def test_resumed_run_removes_stale_temp_files(run_b, tmp_path, capsys):
    """K02: a checkpoint write killed mid-way leaves its temp file; the resumed run's end removes it."""
    import shutil

    run = tmp_path / "K"
    shutil.copytree(run_b, run)
    reference = {p.name for p in run.iterdir()}
    stale = [run / ".last.pt.4242.tmp", run / ".recon-last.pt.abc123.part", run / ".splits.json.tmp"]
    for p in stale:
        p.write_bytes(b"half a checkpoint")
    assert cli_main(["train", "--resume", str(run / "last.pt"), "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "trained baseline for 2 epoch(s)" in out
    assert {p.name for p in run.iterdir()} == reference
    assert torch.load(run / "last.pt", weights_only=True)["epoch"] == 2


def test_one_split_rule(tiny_synth_root, tmp_path):
    discovery = discover(tiny_synth_root)
    made = resolve_splits(discovery, train_config={"split_seed": 5, "split_ratios": [0.5, 0.25, 0.25]})
    assert made == make_splits(discovery, ratios=(0.5, 0.25, 0.25), seed=5)
    other = make_splits(discovery, seed=9)
    save_splits(other, tmp_path / "explicit.json")
    save_splits(made, tmp_path / "run" / "splits.json")
    # 1. an explicit file wins
    assert resolve_splits(discovery, tmp_path / "explicit.json", train_config={"split_seed": 5}) == other
    # 2. the config's file when it exists
    assert resolve_splits(discovery, train_config=TrainConfig(split_file=str(tmp_path / "explicit.json"))) == other
    # 3. the run folder's splits.json (a moved run: the config's file is gone)
    moved = {"split_file": str(tmp_path / "gone.json"), "split_seed": 9}
    assert resolve_splits(discovery, train_config=moved, run_dir=tmp_path / "run") == made
    # 4. made from seed/ratios, saved where asked
    assert RunFolder(tmp_path / "new").resolve_splits(discovery, train_config=moved, save=True) == other
    assert (tmp_path / "new" / "splits.json").is_file()
    from core.errors import DataError

    with pytest.raises(DataError, match="split file not found"):
        resolve_splits(discovery, tmp_path / "gone.json")


def test_typed_progress_and_the_metrics_reader_agree(tiny_synth_root, tmp_path):
    from core.train.events import EpochEvent, StepEvent
    from core.train.metrics_log import read_metrics_log, read_records
    from core.train.trainer import train

    cfg = TrainConfig(data_root=str(tiny_synth_root), out_dir=str(tmp_path), name="t", classes=["chair", "table"], epochs=2,
                      batch_size=2, views=2, val_views=1, max_steps_per_epoch=2, log_every_steps=1, tensorboard=False,
                      split_ratios=(0.34, 0.33, 0.33))
    seen = []
    train(cfg, progress=seen.append)
    typed = [e.event for e in seen]
    assert all(isinstance(t, (StepEvent, EpochEvent)) for t in typed)
    steps = [t for t in typed if isinstance(t, StepEvent)]
    epochs = [t for t in typed if isinstance(t, EpochEvent)]
    assert [s.step for s in steps] == [1, 2, 3, 4] and [e.epoch for e in epochs] == [0, 1]
    assert all(e.done == e.event.step and e.total == e.event.total_steps for e in seen)

    log = read_metrics_log(tmp_path / "t")  # a run folder or its metrics.jsonl
    assert log.steps == tuple(steps) and log.epochs == tuple(epochs)
    assert log.loss_curve == ([1, 2, 3, 4], [s.loss for s in steps])
    assert log.val_iou_curve[0] == [1, 2] and log.val_iou_curve[1] == [e.val_iou for e in epochs]

    # a killed writer's torn line and a resumed run's re-logged step: skipped / the later one wins
    path = tmp_path / "t" / "metrics.jsonl"
    again = dict(steps[-1].as_metrics(), loss=0.125)
    with open(path, "a") as f:
        f.write('{"kind": "step", "epo\n' + json.dumps({"kind": "resume", "epoch": 1}) + "\n" + json.dumps(again) + "\n")
    log = read_metrics_log(path)
    assert len(log.steps) == 4 and log.steps[-1].loss == 0.125 and len(log.resumes) == 1
    assert not read_metrics_log(tmp_path / "absent.jsonl")
    with pytest.raises(Exception, match="absent.jsonl: metrics file not found"):
        read_records(tmp_path / "absent.jsonl")


def test_validation_gap_tells_an_empty_split_from_one_of_other_classes():
    chair, table = "03001627", "04379243"
    assert validation_gap([], [chair]) == "the validation split is empty"
    assert validation_gap([f"{table}/a"], [chair]) == "the validation split has no objects of these classes"
    assert validation_gap([f"{table}/a", f"{chair}/b"], [chair]) is None


def test_training_with_no_validation_object_says_the_split_is_empty(tiny_synth_root, tmp_path, capsys):
    """3 objects per class and a 5 % validation share: no validation object at all."""
    ratios = tmp_path / "ratios.toml"
    ratios.write_text("split_ratios = [0.9, 0.05, 0.05]\n")
    capsys.readouterr()
    assert cli_main(["train", "--data", str(tiny_synth_root), "--out", str(tmp_path / "R"), "--config", str(ratios),
                     "--max-steps-per-epoch", "1", *SMOKE]) == 0
    text = capsys.readouterr().err
    assert "the validation split is empty" in text and "no objects of these classes" not in text
