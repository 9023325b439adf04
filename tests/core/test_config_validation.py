"""Training options: a value of the wrong type or outside its range is refused before any work
with one line naming it as the user wrote it: the CLI flag, or the TOML file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main as cli_main
from core.errors import DataError
from core.train.config import ConfigError, TrainConfig, build_train_config, cli_flag

CASES = Path(__file__).resolve().parents[1] / "data" / "cases" / "config"


def _run(args: list[str], capsys) -> tuple[int, str]:
    rc = cli_main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    return rc, (lines[-1] if lines else "")


@pytest.mark.parametrize("flag,value,needle", [
    ("--workers", "-1", "must be 0 or more"),
    ("--max-steps-per-epoch", "-1", "must be 1 or more"),
    ("--save-every", "-5", "must be 1 or more"),
    ("--epochs", "0", "must be 1 or more"),
    ("--batch-size", "0", "must be 1 or more"),
    ("--time-limit", "-2", "0 or more"),
    ("--time-limit", "nan", "finite"),
    ("--warmup-steps", "-3", "0 or more"),
    ("--dropout", "1.5", "dropout"),
])
def test_f12_bad_numbers_name_their_flag(tmp_path, capsys, flag, value, needle):
    rc, line = _run(["train", "--data", str(tmp_path), "--preset", "smoke", f"{flag}={value}", "--out", str(tmp_path / "R"), "--quiet"], capsys)
    assert rc == 2
    assert line.startswith("recon train: error: ") and flag in line and needle in line
    assert not (tmp_path / "R").exists()


def test_f12_the_case_command_names_one_bad_option(tmp_path, capsys):
    rc, line = _run(["train", "--data", str(tmp_path), "--preset", "smoke", "--workers", "-1", "--max-steps-per-epoch", "-1",
                     "--save-every", "-5", "--out", str(tmp_path / "R"), "--quiet"], capsys)
    assert rc == 2
    assert any(f in line for f in ("--workers", "--max-steps-per-epoch", "--save-every"))
    assert not (tmp_path / "R").exists()


def _train_refuses_config(name: str, tmp_path, capsys) -> str:
    """``recon train --config CASES/name`` exits 2 before making the run folder; its error line."""
    rc, line = _run(["train", "--data", str(tmp_path), "--config", str(CASES / name), "--preset", "smoke",
                     "--out", str(tmp_path / "R"), "--quiet"], capsys)
    assert rc == 2
    assert not (tmp_path / "R").exists()
    return line


def _toml_refused(path: Path, text: str, match: str | None = None) -> str:
    """Write ``text`` as the TOML file ``path``; building a config from it raises DataError
    (matching ``match``). Returns the message."""
    path.write_text(text + "\n")
    with pytest.raises(DataError, match=match) as info:
        build_train_config(config_file=path)
    return str(info.value)


def test_g01_wrong_type_in_toml_names_file_and_key(tmp_path, capsys):
    line = _train_refuses_config("bad_type.toml", tmp_path, capsys)
    assert "bad_type.toml" in line and "epochs" in line and "whole number" in line


def test_g05_split_ratios_of_the_wrong_length_or_sum(tmp_path, capsys):
    line = _train_refuses_config("bad_ratios.toml", tmp_path, capsys)
    assert "bad_ratios.toml" in line and "split_ratios" in line and "three" in line
    _toml_refused(tmp_path / "sum.toml", "split_ratios = [0.5, 0.4, 0.4]", r"sum\.toml: split_ratios: .*summing to 1")
    _toml_refused(tmp_path / "kind.toml", 'split_ratios = "0.8,0.1,0.1"', r"kind\.toml: split_ratios")


@pytest.mark.parametrize("line,key", [
    ('lr = "fast"', "lr"),
    ("augment = 1", "augment"),
    ('views = "some"', "views"),
    ("classes = 5", "classes"),
    ('classes = ["chair", 3]', "classes"),
    ("thresholds = [0.4, 1.5]", "thresholds"),
    ('lr_schedule = "linear"', "lr_schedule"),
    ("batch_size = 2.5", "batch_size"),
    ("[train]\nnum_workers = -2", "num_workers"),
])
def test_toml_values_of_the_wrong_type_or_range(tmp_path, line, key):
    path = tmp_path / "opts.toml"
    msg = _toml_refused(path, line)
    assert msg.startswith(str(path)) and f": {key}:" in msg and "\n" not in msg


def test_a_toml_that_is_a_folder_or_not_a_table(tmp_path):
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(DataError, match=r"dir\.toml: is a folder"):
        build_train_config(config_file=folder)
    _toml_refused(tmp_path / "weird.toml", "train = 3", r"weird\.toml")


def test_direct_construction_and_round_trip():
    cfg = TrainConfig(epochs=3.0, lr=1, time_limit=2, lr_schedule="onecycle", warmup_steps=10)
    assert cfg.epochs == 3 and isinstance(cfg.epochs, int) and cfg.lr == 1.0 and cfg.time_limit == 2.0
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="epochs: must be a whole number"):
        TrainConfig(epochs="ten")
    with pytest.raises(ConfigError, match="amp: must be true or false"):
        TrainConfig(amp="yes")
    with pytest.raises(ConfigError, match="unknown training option"):
        TrainConfig.from_dict({"epochz": 3})
    assert cli_flag("num_workers") == "--workers" and cli_flag("ce_weight") == "--ce-weight"
