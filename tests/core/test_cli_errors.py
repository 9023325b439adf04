"""The command line's promise, kind by kind: options named by argparse in one line, one
``--device`` check, outputs refused or written whole, no traceback or library noise."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.cli import main
from core.device import ACCEPTED, DeviceError, resolve_device

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "data" / "cases"
IMG = CASES / "images" / "chair_render_137.png"
CKPT = REPO / "resources" / "checkpoints" / "proposed.pt"


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DISPLAY", None)
    return env


# ----------------------------------------------------------------------------- --device


@pytest.mark.parametrize("spec", ["tpu", "gpu", "cuda:", "cuda:x", "cuda0", "cpu:0", "xla"])
def test_unknown_device_names_the_option_the_value_and_what_is_accepted(spec):
    with pytest.raises(DeviceError) as exc:
        resolve_device(spec)
    msg = str(exc.value)
    assert msg.startswith(f"--device {spec!r}: ") and ACCEPTED in msg and "\n" not in msg


@pytest.mark.parametrize("spec, expected", [("cpu", "cpu"), ("CPU", "cpu"), (" cpu ", "cpu"), (None, None), ("auto", None)])
def test_cpu_and_auto(spec, expected):
    dev = resolve_device(spec)
    assert dev.type == (expected or ("cuda" if torch.cuda.is_available() else "cpu"))


def test_cuda_without_a_gpu_blames_the_option(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for spec in ("cuda", "cuda:0", "cuda:1"):
        with pytest.raises(DeviceError) as exc:
            resolve_device(spec)
        assert str(exc.value).startswith(f"--device {spec!r}: no CUDA GPU") and "checkpoint" not in str(exc.value)
    assert resolve_device("auto").type == "cpu"


def test_cuda_index_beyond_the_gpus_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    assert resolve_device("cuda", local_rank=1) == torch.device("cuda", 1)
    with pytest.raises(DeviceError, match=r"--device 'cuda:2': there is no CUDA GPU 2 here \(2 visible"):
        resolve_device("cuda:2")


def test_mps_where_there_is_none(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="--device 'mps': no Apple GPU"):
        resolve_device("mps")


def test_predict_with_cuda_on_a_cpu_machine_names_device_not_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rc = main(["predict", str(IMG), "-c", str(CKPT), "--device", "cuda", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err == "recon predict: error: --device 'cuda': no CUDA GPU is available here (this PyTorch build sees none); use auto or cpu"
    assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------------- option values


BAD_OPTIONS = [
    (["eval", "-c", "x.pt", "--data", "d", "--batch-size", "0"], "--batch-size"),
    (["eval", "-c", "x.pt", "--data", "d", "--batch-size", "-4"], "--batch-size"),
    (["eval", "-c", "x.pt", "--data", "d", "--batch-size", "lots"], "--batch-size"),
    (["eval", "-c", "x.pt", "--data", "d", "--workers", "-1"], "--workers"),
    (["eval", "-c", "x.pt", "--data", "d", "--views", "0"], "--views"),
    (["eval", "-c", "x.pt", "--data", "d", "--views", "25"], "--views"),
    (["eval", "-c", "x.pt", "--data", "d", "--thresholds", "0.4,1.5"], "--thresholds"),
    (["eval", "-c", "x.pt", "--data", "d", "--device", "tpu"], "--device"),
    (["eval", "-c", "x.pt", "--data", "d", "--split", "everything"], "--split"),
    (["predict", "i.png", "-c", "x.pt", "--out", "o", "--threshold", "1.5"], "--threshold"),
    (["predict", "i.png", "-c", "x.pt", "--out", "o", "--threshold", "nan"], "--threshold"),
    (["predict", "i.png", "-c", "x.pt", "--out", "o", "--formats", "obj,fbx"], "--formats"),
    (["predict", "i.png", "-c", "x.pt", "--out", "o", "--device", "tpu"], "--device"),
    (["predict", "i.png", "-c", "x.pt", "--out", "o", "--prior-class", "spaceship"], "--prior-class"),
    (["synth", "--out", "o", "--objects-per-class", "0"], "--objects-per-class"),
    (["synth", "--out", "o", "--workers", "0"], "--workers"),
    (["synth", "--out", "o", "--seed", "-1"], "--seed"),
]


@pytest.mark.parametrize("argv, option", BAD_OPTIONS, ids=[f"{a[0]} {o} {a[-1]}" for a, o in BAD_OPTIONS])
def test_bad_option_values_are_one_line_naming_the_option(argv, option, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert exc.value.code == 2 and len(lines) == 1 and option in lines[0] and lines[0].startswith(f"recon {argv[0]}: error: ")
    assert "usage:" not in err


def test_prior_class_the_baseline_has_no_prior_for_names_the_option(tmp_path, capsys, data_root):
    """A 7-class baseline asked for a lamp prior: the option is named, nothing is written."""
    from tests.core.trained import trained_checkpoint

    (tmp_path / "runs").mkdir()
    seven = trained_checkpoint(data_root, tmp_path / "runs", "baseline", classes="7")
    rc = main(["predict", str(IMG), "-c", str(seven), "--prior-class", "lamp", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("recon predict: error: --prior-class 'lamp': ") and str(seven) in err
    assert not (tmp_path / "o").exists()


def test_help_still_prints_the_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--help"])
    assert exc.value.code == 0 and "--split {train,val,test,all}" in capsys.readouterr().out


def test_evaluate_refuses_bad_numbers_from_python_too(tmp_path):
    from core.errors import ReconError
    from core.evaluate import evaluate

    with pytest.raises(ReconError, match="batch size must be at least 1"):
        evaluate(CKPT, tmp_path, batch_size=0)
    with pytest.raises(ReconError, match="workers must be 0 or more"):
        evaluate(CKPT, tmp_path, num_workers=-1)


# ----------------------------------------------------------------------------- outputs


def test_eval_prints_the_computed_report_when_writing_it_fails(tmp_path, capsys, monkeypatch, data_root, proposed_ckpt):
    """A full disk at the end must not throw away a finished evaluation."""
    import core.io.atomic as atomic

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    out = tmp_path / "reports" / "report.json"
    rc = main(["eval", "-c", str(proposed_ckpt), "--data", str(data_root), "--views", "1", "-q", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 2
    assert "IoU@0.4" in captured.out and "mean (class-averaged)" in captured.out
    assert captured.err.strip() == f"recon eval: error: {out}: cannot write: no space left on device"
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_eval_json_report_is_printed_too_when_writing_fails(tmp_path, capsys, monkeypatch, data_root, proposed_ckpt):
    import json

    import core.io.atomic as atomic

    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(errno.EROFS, os.strerror(errno.EROFS))))
    out = tmp_path / "r.json"
    rc = main(["eval", "-c", str(proposed_ckpt), "--data", str(data_root), "--views", "1", "-q", "--json", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 2 and json.loads(captured.out)["rows"]
    assert "read-only file system" in captured.err and str(out) in captured.err
    assert list(tmp_path.iterdir()) == []


def test_predict_output_that_is_a_file_or_under_a_file_is_refused_before_any_work(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    for target, words in ((afile, "exists and is not a folder"), (afile / "sub", "is not a folder")):
        rc = main(["predict", str(IMG), "-c", str(CKPT), "--out", str(target)])
        err = capsys.readouterr().err.strip()
        assert rc == 2 and err.startswith(f"recon predict: error: {target}: ") and words in err and len(err.splitlines()) == 1
    assert afile.read_text() == "keep" and [p.name for p in tmp_path.iterdir()] == ["afile"]


def test_predict_writes_nothing_when_one_picture_of_several_has_no_object(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["predict", str(IMG), str(CASES / "images" / "transparent.png"), "-c", str(CKPT), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "transparent.png: no object in the picture" in err
    assert not out.exists()


def test_predict_full_disk_names_the_file_and_leaves_no_temp(tmp_path, capsys, monkeypatch):
    import core.io.atomic as atomic

    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync_then_full(fd):
        calls["n"] += 1
        if calls["n"] >= 2:  # the first file fits, the second does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync_then_full)
    rc = main(["predict", str(IMG), "-c", str(CKPT), "--out", str(tmp_path / "pred")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "no space left on device" in err and str(tmp_path / "pred" / "chair_render_137") in err
    names = [p.name for p in (tmp_path / "pred").iterdir()]
    assert not [n for n in names if n.endswith((".tmp", ".part")) or n.startswith(".")]


# ----------------------------------------------------------------------------- non-finite output


def test_nan_weights_after_load_are_named_by_predict(capsys):
    from core.predict import NonFiniteOutputError, Predictor

    pred = Predictor.load(CKPT)
    with torch.no_grad():
        next(p for p in pred.model.parameters() if p.is_floating_point()).fill_(float("nan"))
    with pytest.raises(NonFiniteOutputError) as exc:
        pred.predict(IMG)
    assert str(exc.value) == f"{CKPT}: model output is not finite (NaN or infinite: diverged or damaged weights)"
    with pytest.raises(NonFiniteOutputError):
        pred.classify(IMG)


def test_nan_model_output_is_named_by_evaluate(data_root, proposed_ckpt):
    from core.evaluate import evaluate
    from core.predict import NonFiniteOutputError
    from core.train.checkpoint import load_checkpoint

    ck = load_checkpoint(proposed_ckpt)
    with torch.no_grad():
        for p in ck.model.parameters():
            p.mul_(float("inf"))
    with pytest.raises(NonFiniteOutputError, match="model output is not finite"):
        evaluate(ck, data_root, views=1)


# ----------------------------------------------------------------------------- quiet edges


def test_predict_json_into_a_closed_pipe_ends_quietly(tmp_path):
    """`recon predict ... --json | head`: the reader is gone before the first line."""
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "predict", str(IMG), str(IMG), "-c", str(CKPT), "--json", "--out", str(tmp_path / "o")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path)
    proc.stdout.close()  # like `head` exiting
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err and err.strip() == ""
    assert rc == 141


def test_training_and_evaluation_commands_do_not_import_trimesh():
    code = ("import sys; from core.cli import build_parser; build_parser(); "
            "import core.evaluate, core.commands.synth, core.commands.eval, core.commands.train, core.train.trainer; "
            "print('trimesh' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=REPO, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_project_warnings_are_one_line_each_and_library_warnings_are_silent(capsys, monkeypatch):
    import logging
    import warnings

    import core.commands.eval as eval_command

    def run(args):
        logging.getLogger("core.something").warning("first line\nsecond line")
        warnings.warn("a library talks", UserWarning)
        return 0

    monkeypatch.setattr(eval_command, "run", run)
    assert main(["eval", "-c", "x.pt", "--data", "d"]) == 0
    assert capsys.readouterr().err == "recon eval: warning: first line\n"


def test_off_screen_render_without_a_display_is_silent(tmp_path):
    code = ("import numpy as np; from core.render_export import save_shape_png; g = np.zeros((32, 32, 32), np.float32); "
            "g[8:24, 8:24, 8:24] = 1; save_shape_png('s.png', g, size=64)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "" and (tmp_path / "s.png").is_file()
    from PIL import Image

    assert np.asarray(Image.open(tmp_path / "s.png")).std() > 0  # a shape was drawn, not a blank frame


def test_a_failing_evaluation_ends_in_one_line_and_draws_no_bar_into_a_pipe(tmp_path, data_root, proposed_ckpt):
    """The bad file is found mid-run (a test object read by the evaluation loop)."""
    import json
    import shutil

    copy = tmp_path / "D"
    shutil.copytree(data_root, copy, copy_function=os.symlink, ignore=shutil.ignore_patterns(".recon_cache"))
    split = json.loads((proposed_ckpt.parent / "splits.json").read_text())
    synset, oid = sorted(split["test"])[-1].split("/")
    target = copy / "ShapeNetVox32" / synset / oid / "model.binvox"
    target.unlink()
    shutil.copyfile(CASES / "binvox" / "b03_bv_scalenan.binvox", target)
    proc = subprocess.run([sys.executable, "-m", "core.cli", "eval", "-c", str(proposed_ckpt), "--data", str(copy), "--views", "1",
                           "--batch-size", "1"], capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "\r" not in proc.stderr
    assert proc.stderr.startswith("recon eval: error: ") and "model.binvox" in proc.stderr and "scale nan" in proc.stderr


def test_progress_bar_on_a_terminal_is_wiped_when_the_command_fails(monkeypatch):
    import io

    from core.commands.common import ProgressBar
    from core.progress import ProgressEvent

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with pytest.raises(ValueError):
        with ProgressBar("evaluating", unit="img") as bar:
            bar(ProgressEvent(done=3, total=10))
            assert "evaluating" in term.getvalue()
            raise ValueError("bad file")
    assert term.getvalue().split("\r")[-1].strip() == ""  # the line is blank again
    term2 = Terminal()
    monkeypatch.setattr(sys, "stderr", term2)
    with ProgressBar("evaluating", unit="img") as bar:
        bar(ProgressEvent(done=10, total=10))
    assert "10/10" in term2.getvalue().split("\r")[-1]  # a finished bar stays
