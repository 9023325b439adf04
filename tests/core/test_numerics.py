"""Numerics guard: non-finite losses stop a run, checkpoints never hold or hide non-finite
values, fp16 files keep what fp16 cannot hold, and bad learning rates / loss weights are
refused with one line naming the option (CLI flags, TOML keys, the GUI form's values)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from core.cli import main as cli_main
from core.errors import CheckpointError
from core.models.registry import ModelConfig, build_model
from core.train.checkpoint import load_checkpoint, read_checkpoint_dict, save_checkpoint
from core.train.config import ConfigError, TrainConfig, build_train_config
from core.train.trainer import TrainingDiverged, lr_factor, train

torch.set_num_threads(1)
CLASSES = ["chair", "table"]


def _small_model(name: str = "proposed"):
    torch.manual_seed(0)
    return build_model(ModelConfig(name=name, classes=CLASSES, width_scale=0.5))


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert "Traceback" not in err, err
    assert len(lines) >= 1
    return lines[-1]


# ----------------------------------------------------------------------------- fp16 files
@pytest.mark.parametrize("variance", [1e6, 1e15])
def test_half_checkpoint_keeps_large_batchnorm_statistics(tmp_path, variance):
    """fp16 tops out at 65504: a BatchNorm running_var of 1e6 became inf in a half best.pt and
    every prediction NaN. Buffers (and any weight too large for fp16) now stay fp32."""
    model = _small_model().eval()
    bn = model.decoder.deconvs[1]
    assert isinstance(bn, torch.nn.BatchNorm3d)
    with torch.no_grad():
        bn.running_var.fill_(variance)
        bn.running_mean.fill_(math.sqrt(variance))
        model.decoder.fc[0].bias[0] = 1e5  # a parameter outside the fp16 range
    images = torch.randn(2, 3, 127, 127, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = model(images).occupancy_logits
    path = save_checkpoint(tmp_path / "best.pt", model, model.config, half=True)
    raw = read_checkpoint_dict(path)
    state = raw["model_state"]
    assert state["decoder.deconvs.1.running_var"].dtype == torch.float32
    assert state["decoder.fc.0.bias"].dtype == torch.float32  # 1e5 does not fit fp16
    assert state["decoder.fc.0.weight"].dtype == torch.float16  # ordinary weights are still halved
    ck = load_checkpoint(path)
    with torch.no_grad():
        got = ck.model(images).occupancy_logits
    assert torch.isfinite(got).all()
    assert torch.allclose(got, expected, rtol=0.05, atol=0.05)
    assert path.stat().st_size < 0.7 * save_checkpoint(tmp_path / "full.pt", model, model.config).stat().st_size


# ----------------------------------------------------------------------------- never write NaN
def test_a_non_finite_tensor_is_never_written(tmp_path):
    model = _small_model()
    good = save_checkpoint(tmp_path / "last.pt", model, model.config)
    before = good.read_bytes()
    with torch.no_grad():
        model.recon_encoder.head.fc.weight[0, 0] = float("nan")
    with pytest.raises(CheckpointError, match=r"last\.pt.*recon_encoder\.head\.fc\.weight.*not finite|last\.pt.*recon_encoder\.head\.fc\.weight.*NaN"):
        save_checkpoint(tmp_path / "last.pt", model, model.config)
    assert good.read_bytes() == before  # the previous good file is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]  # no temp file


# ----------------------------------------------------------------------------- loading NaN (F21)
def test_loading_non_finite_weights_names_the_file_and_the_tensor(tmp_path, capsys):
    model = _small_model()
    path = save_checkpoint(tmp_path / "ok.pt", model, model.config)
    raw = read_checkpoint_dict(path)
    # what a diverged run leaves (case F21): every float weight times inf
    raw["model_state"] = {k: v * float("inf") if v.is_floating_point() else v for k, v in raw["model_state"].items()}
    torch.save(raw, tmp_path / "diverged.pt")
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(tmp_path / "diverged.pt")
    msg = str(info.value)
    assert "diverged.pt" in msg and "not finite" in msg and "model_state" not in msg.split(":")[0]
    assert "\n" not in msg
    # through the CLI: exit 2, one line, no traceback
    image = Path(__file__).resolve().parents[1] / "data" / "cases" / "images" / "chair_render_137.png"
    rc = cli_main(["predict", str(image), "-c", str(tmp_path / "diverged.pt"), "--out", str(tmp_path / "pred")])
    assert rc == 2
    line = _one_line_error(capsys)
    assert "diverged.pt" in line and "not finite" in line
    assert not (tmp_path / "pred").exists() or not any((tmp_path / "pred").iterdir())


# ----------------------------------------------------------------------------- non-finite loss
def test_a_non_finite_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tiny_synth_root, tmp_path, monkeypatch, capsys):
    import core.train.trainer as trainer_mod

    out = tmp_path / "run"
    args = ["train", "--data", str(tiny_synth_root), "--preset", "smoke", "--classes", "chair,table", "--epochs", "3",
            "--max-steps-per-epoch", "2", "--out", str(out), "--quiet"]
    real = trainer_mod.compute_loss
    calls = {"n": 0}

    def poisoned(out_, voxels, labels, a, b):
        calls["n"] += 1
        loss, bce, ce = real(out_, voxels, labels, a, b)
        if calls["n"] == 2:  # the first step of the second epoch (one step per epoch here)
            return loss * float("nan"), bce, ce
        return loss, bce, ce

    monkeypatch.setattr(trainer_mod, "compute_loss", poisoned)
    with monkeypatch.context() as m:
        m.setattr(trainer_mod.Trainer, "save", _recording_save(trainer_mod.Trainer.save, saved := []))
        rc = cli_main(args)
    assert rc == 2
    line = _one_line_error(capsys)
    assert "step 2" in line and "nan" in line and "last.pt" in line and "kept" in line
    ck = load_checkpoint(out / "last.pt")
    assert ck.epoch == 1 and ck.global_step == 1  # the end of the first epoch, written before the bad step
    assert [p.name for p in saved].count("last.pt") == 1
    assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".part"))]


def _recording_save(original, record: list):
    def save(self, path, **kw):
        record.append(Path(path))
        return original(self, path, **kw)

    return save


def test_train_step_raises_on_a_non_finite_loss_before_any_write(tiny_synth_root, tmp_path):
    cfg = build_train_config(preset="smoke", classes="chair,table", data_root=str(tiny_synth_root), out_dir=str(tmp_path), name="r",
                             lr=1e30, tensorboard=False, epochs=2, max_steps_per_epoch=3)
    with pytest.raises(TrainingDiverged, match=r"step \d+ \(epoch \d\).*not a finite number"):
        train(cfg)
    assert not (tmp_path / "r" / "best.pt").exists() or torch.isfinite(
        torch.cat([v.float().flatten() for v in read_checkpoint_dict(tmp_path / "r" / "best.pt")["model_state"].values()])).all()


# ----------------------------------------------------------------------------- bad lr / weights
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_cli_refuses_bad_learning_rates_in_one_line(tmp_path, capsys, value):
    rc = cli_main(["train", "--data", str(tmp_path), "--preset", "smoke", f"--lr={value}", "--out", str(tmp_path / "R"), "--quiet"])
    assert rc == 2
    line = _one_line_error(capsys)
    assert "--lr" in line and "positive finite number" in line
    assert not (tmp_path / "R").exists()


@pytest.mark.parametrize("flag", ["--ce-weight", "--bce-weight"])
@pytest.mark.parametrize("value", ["nan", "inf", "-0.5"])
def test_cli_refuses_bad_loss_weights_in_one_line(tmp_path, capsys, flag, value):  # case F05
    rc = cli_main(["train", "--data", str(tmp_path), "--preset", "smoke", f"{flag}={value}", "--out", str(tmp_path / "R"), "--quiet"])
    assert rc == 2
    line = _one_line_error(capsys)
    assert flag in line and "finite" in line
    assert not (tmp_path / "R").exists()


def test_toml_and_form_values_are_checked_the_same_way(tmp_path):
    toml = tmp_path / "nan.toml"
    toml.write_text("lr = nan\n")
    from core.errors import DataError

    with pytest.raises(DataError, match=r"nan\.toml: lr: must be a positive finite number"):
        build_train_config(config_file=toml)
    toml.write_text("[train]\nce_weight = inf\n")
    with pytest.raises(DataError, match=r"nan\.toml: ce_weight"):
        build_train_config(config_file=toml)
    # the GUI form passes its values as overrides: the message names the option
    with pytest.raises(ConfigError, match=r"--lr: must be a positive finite number"):
        build_train_config(lr=float("nan"))
    with pytest.raises(ValueError, match="lr"):  # direct construction too
        TrainConfig(lr=float("inf"))
    with pytest.raises(ConfigError, match="bce_weight"):
        TrainConfig(ce_weight=0.0, bce_weight=0.0)


# ----------------------------------------------------------------------------- schedules
def test_lr_schedules_warm_up_and_anneal():
    assert lr_factor("constant", 0.5, 100, 0) == 1.0
    assert lr_factor("constant", 0.0, 0, 10) == pytest.approx(0.01 + 0.99 * 0.1)
    assert lr_factor("cosine", 0.0, 1000, 10) == pytest.approx(1.0)
    assert lr_factor("cosine", 1.0, 1000, 10) == pytest.approx(0.01)
    assert lr_factor("cosine", 0.5, 1000, 0) == pytest.approx(0.505)
    one = [lr_factor("onecycle", p / 100, p, 0) for p in range(101)]
    assert max(one) == pytest.approx(1.0, abs=1e-3) and one[0] < 0.05 and one[-1] < 0.01
    assert all(0 < f <= 1.0 for f in one)


def test_an_absurd_learning_rate_warns_and_never_leaves_a_nan_checkpoint(tiny_synth_root, tmp_path, capsys):
    out = tmp_path / "big-lr"
    rc = cli_main(["train", "--data", str(tiny_synth_root), "--preset", "smoke", "--classes", "chair,table", "--epochs", "3",
                   "--lr", "1e6", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert rc in (0, 2)
    assert "diverging" in err or "not finite" in err or "NaN" in err
    for name in ("last.pt", "best.pt"):
        if (out / name).exists():
            load_checkpoint(out / name)  # whatever was written loads: every tensor finite


def test_resuming_from_a_non_finite_last_pt_is_refused(tiny_synth_root, tmp_path):
    cfg = build_train_config(preset="smoke", classes="chair,table", data_root=str(tiny_synth_root), out_dir=str(tmp_path), name="r",
                             tensorboard=False)
    result = train(cfg)
    raw = read_checkpoint_dict(result.last_path)
    raw["model_state"] = {k: v * float("nan") if v.is_floating_point() else v for k, v in raw["model_state"].items()}
    torch.save(raw, result.last_path)
    with pytest.raises(CheckpointError, match=r"last\.pt: its weights are not finite"):
        train(TrainConfig(resume=str(result.last_path), epochs=2, num_workers=0))
