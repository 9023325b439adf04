"""Trainer, checkpoints and `recon train` on the generated tiny data set (seconds each)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from core.cli import main as cli_main
from core.errors import Cancelled, CheckpointError
from core.progress import CancelToken
from core.train.checkpoint import export_checkpoint, load_checkpoint, read_checkpoint_dict, save_checkpoint
from core.train.config import PRESETS, TrainConfig, build_train_config, cpu_small_config, paper_config
from core.train.events import read_metrics
from core.train.trainer import train

torch.set_num_threads(1)
CLASSES = ["chair", "table"]


def tiny_config(root: Path, out: Path, name: str, **kw) -> TrainConfig:
    values = dict(
        data_root=str(root), out_dir=str(out), name=name, classes=CLASSES, epochs=1, batch_size=2, views=2, val_views=1,
        split_ratios=(0.34, 0.33, 0.33), max_steps_per_epoch=2, num_workers=0, seed=3, log_every_steps=1,
    )
    values.update(kw)
    return TrainConfig(**values)


def _weights(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class Recorder:
    def __init__(self):
        self.steps, self.epochs = [], []

    def on_step(self, e):
        self.steps.append(e)

    def on_epoch(self, e):
        self.epochs.append(e)


def test_proposed_end_to_end_files_metrics_and_checkpoint_round_trip(tiny_synth_root, tmp_path):
    rec = Recorder()
    events = []
    result = train(tiny_config(tiny_synth_root, tmp_path, "p", epochs=2), progress=events.append, callbacks=[rec])
    run = tmp_path / "p"
    assert result.run_dir == run and result.last_path.is_file() and result.best_path.is_file()
    assert {p.name for p in run.iterdir()} >= {"last.pt", "best.pt", "metrics.jsonl", "splits.json", "config.json"}
    assert not list(run.glob("*.tmp"))
    assert len(rec.steps) == 4 and [e.epoch for e in rec.epochs] == [0, 1]
    assert all(np.isfinite(e.loss) and e.ce is not None for e in rec.steps)
    assert events[-1].done == events[-1].total == 4 and events[-1].metrics["kind"] == "epoch"
    h = result.history[-1]
    for t in ("0.3", "0.4", "0.5"):
        assert 0.0 <= h[f"val_iou@{t}"] <= 1.0
    assert 0.0 <= h["val_accuracy"] <= 1.0 and set(h["val_iou_per_class"]) <= set(CLASSES)
    lines = read_metrics(run / "metrics.jsonl")
    assert [r["step"] for r in lines if r["kind"] == "step"] == [1, 2, 3, 4]
    assert [r["kind"] for r in lines].count("epoch") == 2

    last = load_checkpoint(result.last_path, expect_model="proposed", expect_classes=CLASSES)
    assert last.epoch == 2 and last.global_step == 4 and last.has_training_state and last.priors is None
    assert last.split_id == json.loads((run / "splits.json").read_text())["split_id"]
    assert last.train_config["lr"] == 1e-3 and last.history == result.history
    import core

    assert last.project_version == core.__version__
    best = load_checkpoint(result.best_path)
    assert not best.has_training_state and not best.model.training
    assert read_checkpoint_dict(result.best_path)["weights_dtype"] == "float16"
    assert result.best_metric == max(r["val_iou"] for r in result.history)
    # fp16 storage changes predictions only slightly
    half = load_checkpoint(export_checkpoint(result.last_path, tmp_path / "half.pt"))
    x = torch.randn(2, 3, 127, 127)
    with torch.no_grad():
        a, b = last.model(x), half.model(x)
    assert (torch.sigmoid(a.occupancy_logits) - torch.sigmoid(b.occupancy_logits)).abs().max() < 2e-2
    assert torch.equal(a.class_logits.argmax(1), b.class_logits.argmax(1))


def test_baseline_checkpoint_carries_train_split_priors(tiny_synth_root, tmp_path):
    from core.data.priors import compute_priors
    from core.data.splits import load_splits

    result = train(tiny_config(tiny_synth_root, tmp_path, "b", model="baseline", max_steps_per_epoch=1))
    ck = load_checkpoint(result.best_path, expect_model="baseline")
    assert ck.model.needs_prior and ck.priors.shape == (2, 32, 32, 32)
    expected = compute_priors(tiny_synth_root, load_splits(tmp_path / "b" / "splits.json"), CLASSES, cache=False)
    np.testing.assert_allclose(ck.priors, expected, atol=1e-3)  # stored as fp16
    with torch.no_grad():
        out = ck.model(torch.zeros(1, 3, 127, 127), torch.from_numpy(ck.priors[:1]).unsqueeze(1))
    assert out.occupancy_logits.shape == (1, 1, 32, 32, 32) and out.class_logits is None


def test_loss_falls_when_fitting_a_few_images(tiny_synth_root, tmp_path):
    cfg = tiny_config(tiny_synth_root, tmp_path, "fit", classes=["chair"], views=2, augment=False, epochs=10, batch_size=8, lr=2e-3, max_steps_per_epoch=0)
    result = train(cfg)
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < 0.6 * losses[0], losses


def test_cancel_then_resume_reproduces_the_uninterrupted_run(tiny_synth_root, tmp_path):
    """Cancel after step 3 (mid-epoch 2), resume from last.pt: the following steps have the
    same losses and the final weights are identical to a run that was never interrupted."""
    kw = dict(epochs=2, max_steps_per_epoch=2, dropout=0.3)
    full = Recorder()
    ref = train(tiny_config(tiny_synth_root, tmp_path, "full", **kw), callbacks=[full])

    token = CancelToken()

    class CancelAfter3(Recorder):
        def on_step(self, e):
            super().on_step(e)
            if e.step == 3:
                token.cancel()

    part = CancelAfter3()
    with pytest.raises(Cancelled):
        train(tiny_config(tiny_synth_root, tmp_path, "cut", **kw), cancel=token, callbacks=[part])
    assert [e.step for e in part.steps] == [1, 2, 3]
    ck = load_checkpoint(tmp_path / "cut" / "last.pt")
    assert (ck.epoch, ck.step_in_epoch, ck.global_step) == (1, 1, 3)

    resumed = Recorder()
    out = train(TrainConfig(resume=str(tmp_path / "cut" / "last.pt"), epochs=2, num_workers=0), callbacks=[resumed])
    assert [e.step for e in resumed.steps] == [4]
    assert resumed.steps[0].loss == full.steps[3].loss
    assert [e.loss for e in part.steps] == [e.loss for e in full.steps[:3]]
    a = load_checkpoint(ref.last_path).model.state_dict()
    b = load_checkpoint(out.last_path).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    lines = read_metrics(tmp_path / "cut" / "metrics.jsonl")
    assert any(r["kind"] == "resume" for r in lines)


def test_pause_event_holds_the_loop_until_cleared(tiny_synth_root, tmp_path):
    pause = threading.Event()
    pause.set()
    rec = Recorder()
    done = {}
    t = threading.Thread(target=lambda: done.setdefault("r", train(tiny_config(tiny_synth_root, tmp_path, "pz", max_steps_per_epoch=1), callbacks=[rec], pause=pause)))
    t.start()
    t.join(timeout=3.0)
    assert t.is_alive() and rec.steps == []  # still waiting before its first step
    pause.clear()
    t.join(timeout=60)
    assert not t.is_alive() and len(rec.steps) == 1 and done["r"].global_step == 1


# ----------------------------------------------------------------------------- bad checkpoints
def test_bad_checkpoints_raise_one_line_errors_naming_the_file(tmp_path):
    from core.models.registry import ModelConfig, build_model

    cfg = ModelConfig(name="proposed", classes=CLASSES)
    good = save_checkpoint(tmp_path / "good.pt", build_model(cfg), cfg, {"lr": 1e-3})
    assert load_checkpoint(good, expect_model="proposed", expect_classes=CLASSES).classes == CLASSES

    cases = {}
    cases["model"] = (good, dict(expect_model="baseline"), "not 'baseline'")
    cases["classes"] = (good, dict(expect_classes=["car"]), "trained on classes")
    trunc = tmp_path / "trunc.pt"
    trunc.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cases["truncated"] = (trunc, {}, "not a readable checkpoint")
    text = tmp_path / "notes.pt"
    text.write_text("hello")
    cases["text"] = (text, {}, "not a readable checkpoint")
    foreign = tmp_path / "foreign.pt"
    torch.save({"state_dict": {}}, foreign)
    cases["foreign"] = (foreign, {}, "not a recon-gui checkpoint")
    cases["missing"] = (tmp_path / "nope.pt", {}, "not found")
    payload = read_checkpoint_dict(good)
    payload["model_state"].pop("decoder.fc.0.weight")
    broken = tmp_path / "broken.pt"
    torch.save(payload, broken)
    cases["weights"] = (broken, {}, "do not fit")
    for name, (path, kw, needle) in cases.items():
        with pytest.raises(CheckpointError) as info:
            load_checkpoint(path, **kw)
        msg = str(info.value)
        assert msg.startswith(str(path)) and needle in msg and "\n" not in msg, (name, msg)

    small = export_checkpoint(good, tmp_path / "demo.pt")
    assert small.stat().st_size < good.stat().st_size * 0.6
    with pytest.raises(CheckpointError, match="weights only"):
        train(TrainConfig(resume=str(small)))


# ----------------------------------------------------------------------------- config
def test_config_presets_toml_and_overrides(tmp_path):
    assert paper_config(13).ce_weight == 0.05 and paper_config(7).ce_weight == 0.001
    # the paper's class-loss weight follows the class set, however it is spelled; explicit wins
    from core.taxonomy import SEVEN_CLASSES

    assert build_train_config(classes=list(SEVEN_CLASSES)).ce_weight == 0.001
    assert build_train_config(classes="7", ce_weight=0.2).ce_weight == 0.2
    assert build_train_config(classes="chair,table").ce_weight == TrainConfig().ce_weight
    assert paper_config(7).classes == sorted(paper_config(7).classes, key=paper_config(13).classes.index)
    assert len(paper_config(7).classes) == 7 and paper_config(13).epochs == 150
    small = cpu_small_config(model="baseline")
    assert small.encoder == "fast" and small.views == PRESETS["cpu-small"]["views"] and small.model == "baseline"
    toml = tmp_path / "run.toml"
    toml.write_text('preset = "cpu-small"\n[train]\nepochs = 3\nlr = 0.0005\nclasses = "chair,table"\nviews = "all"\n')
    # [train] wins over the top level; flags win over the file
    cfg = build_train_config(config_file=toml, lr=0.002)
    assert (cfg.epochs, cfg.lr, cfg.classes, cfg.views) == (3, 0.002, CLASSES, "all")
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    bad = tmp_path / "bad.toml"
    bad.write_text("epochz = 3\n")
    from core.errors import DataError

    with pytest.raises(DataError, match="epochz"):
        build_train_config(config_file=bad)
    for kwargs, needle in [({"views": 30}, "views"), ({"encoder": "vit"}, "encoder"), ({"model": "x"}, "unknown model"), ({"classes": "sofa,unicorn"}, "unicorn")]:
        with pytest.raises(ValueError, match=needle):
            build_train_config(**kwargs)


def test_cli_train_and_resume(tiny_synth_root, tmp_path, capsys):
    out = tmp_path / "runs" / "cli"
    args = ["train", "--model", "proposed", "--data", str(tiny_synth_root), "--classes", "chair", "--epochs", "1", "--batch-size", "4",
            "--views", "1", "--out", str(out), "--max-steps-per-epoch", "1", "--quiet", "--fusion", "sum", "--embed-dim", "256"]
    assert cli_main(args) == 0
    ck = load_checkpoint(out / "last.pt")
    assert ck.model_config.fusion == "sum" and ck.model_config.embed_dim == 256 and ck.classes == ["chair"]
    assert cli_main(["train", "--resume", str(out / "last.pt"), "--epochs", "2", "--quiet"]) == 0
    assert load_checkpoint(out / "last.pt").epoch == 2
    assert "best:" in capsys.readouterr().out
    assert cli_main(["train", "--resume", str(tmp_path / "missing.pt"), "--quiet"]) == 2
    assert "missing.pt" in capsys.readouterr().err
    assert cli_main(["train", "--data", str(tiny_synth_root), "--views", "99", "--quiet"]) == 2
    assert cli_main(["train", "--quiet"]) == 2
    assert "--data" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert cli_main(["train", "--data", str(tiny_synth_root), "--device", "cuda", "--quiet"]) == 2
        assert "CUDA" in capsys.readouterr().err


# ----------------------------------------------------------------------------- time limit, schedule
def test_time_limit_stops_at_a_step_boundary_validates_and_saves(tiny_synth_root, tmp_path):
    cfg = tiny_config(tiny_synth_root, tmp_path, "capped", epochs=50, max_steps_per_epoch=0, batch_size=1, views=4,
                      time_limit=0.5 / 60, lr_schedule="cosine", warmup_steps=2)
    rec = Recorder()
    result = train(cfg, callbacks=[rec])
    assert result.stopped_by_time_limit
    assert result.epochs_completed < 50
    last = result.history[-1]
    assert "val_iou" in last  # validated at the stop
    ck = load_checkpoint(result.last_path)
    assert ck.global_step == result.global_step
    assert result.best_path is not None and result.best_path.is_file()
    assert ck.raw["extra"]["stopped_by_time_limit"] is True and ck.raw["extra"]["train_seconds"] >= 0.5
    # the schedule anneals with the clock: the last steps ran far below the base rate
    lrs = [e.lr for e in rec.steps]
    assert lrs[0] < cfg.lr and min(lrs[-2:]) < 0.6 * cfg.lr
    # a resumed run with more time continues from the same step (mid-epoch if it stopped there)
    more = train(TrainConfig(resume=str(result.last_path), epochs=50, time_limit=1.0 / 60, num_workers=0))
    assert more.global_step > result.global_step


def test_cli_time_limit_and_schedule_flags(tiny_synth_root, tmp_path, capsys):
    out = tmp_path / "cli-capped"
    rc = cli_main(["train", "--data", str(tiny_synth_root), "--classes", "chair,table", "--preset", "smoke", "--epochs", "40",
                   "--max-steps-per-epoch", "0", "--time-limit", "0.005", "--lr-schedule", "onecycle", "--warmup-steps", "3",
                   "--no-amp", "--out", str(out), "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "stopped by --time-limit" in text
    cfg = load_checkpoint(out / "last.pt").train_config
    assert cfg["lr_schedule"] == "onecycle" and cfg["warmup_steps"] == 3 and cfg["amp"] is False and cfg["time_limit"] == 0.005


@pytest.mark.slow
def test_headless_commands_never_import_qt_pyvista_or_trimesh(tiny_synth_root, tmp_path):
    """synth, train and eval run on machines without the GUI stack (a GPU server)."""
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "blocked = ('PySide6', 'pyvista', 'pyvistaqt', 'trimesh', 'superqt', 'vtk', 'shiboken6')\n"
        "for m in blocked: sys.modules[m] = None\n"
        "from core.cli import main\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    rc = main(args)\n"
        "    assert rc == 0, (args[0], rc)\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in blocked and sys.modules[m] is not None]\n"
        "assert not loaded, loaded\n"
    )
    repo = Path(__file__).resolve().parents[2]
    run = tmp_path / "run"
    commands = [
        ["synth", "--out", str(tmp_path / "syn"), "--objects-per-class", "1", "--classes", "chair", "--workers", "1", "--quiet"],
        ["train", "--data", str(tiny_synth_root), "--preset", "smoke", "--classes", "chair,table", "--out", str(run), "--quiet"],
        ["eval", "-c", str(run / "best.pt"), "--data", str(tiny_synth_root), "--split", "all", "--views", "1", "--quiet"],
    ]
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(commands)], cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
