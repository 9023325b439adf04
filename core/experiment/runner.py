"""Running the experiment: the data set (generated if missing), one shared split, then each
run trained (or resumed, or reused when its ``eval.json`` exists) and evaluated on the test split."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from core.errors import DataError
from core.evaluate import EvalReport
from core.experiment.report import render_markdown, write_plots
from core.experiment.specs import (
    RUN_BY_KEY,
    RUNS,
    ExperimentPreset,
    ExperimentResult,
    RunOutcome,
    RunSpec,
    get_preset,
)
from core.progress import CancelToken, ProgressCallback, ProgressEvent, report
from core.spec import RENDERING_DIR, VOXEL_DIR


def _write_json(path: Path, doc: Any) -> None:
    from core.io.atomic import write_text

    write_text(path, json.dumps(doc, indent=1, default=str))


def _has_dataset(root: Path) -> bool:
    return (root / RENDERING_DIR).is_dir() and (root / VOXEL_DIR).is_dir()


class _Stage:
    """Maps one stage's progress onto the experiment's overall 0..total scale."""

    SCALE = 1000

    def __init__(self, progress: ProgressCallback | None, index: int, total: int, label: str):
        self.progress, self.index, self.total, self.label = progress, index, total, label

    def __call__(self, event: ProgressEvent) -> None:
        frac = event.fraction if event.total else 0.0
        done = int((self.index + min(max(frac, 0.0), 1.0)) * self.SCALE)
        report(self.progress, done, self.total * self.SCALE, f"{self.label}: {event.message}".rstrip(": "), stage=self.label, **event.metrics)



def _train_config(spec: RunSpec, preset: ExperimentPreset, data_root: Path, split_file: Path, runs_dir: Path):
    from core.train.config import build_train_config

    return build_train_config(
        **{**preset.train, **spec.overrides(), "data_root": str(data_root), "split_file": str(split_file),
           "split_seed": preset.split_seed, "out_dir": str(runs_dir), "name": spec.key, "seed": preset.split_seed}
    )


def _fingerprint(spec: RunSpec, preset: ExperimentPreset, split_id: str) -> dict[str, Any]:
    return {"run": asdict(spec), "train": preset.train, "eval_views": preset.eval_views, "split_id": split_id}


def _run_one(spec: RunSpec, preset: ExperimentPreset, data_root: Path, split_file: Path, split_id: str, runs_dir: Path,
             progress: ProgressCallback | None, cancel: CancelToken | None) -> RunOutcome:
    from core.evaluate import evaluate
    from core.train.run_folder import RunFolder
    from core.train.trainer import train

    run_dir = runs_dir / spec.key
    spec_path, eval_path = run_dir / "spec.json", run_dir / "eval.json"
    fingerprint = _fingerprint(spec, preset, split_id)
    if spec_path.is_file():
        previous = json.loads(spec_path.read_text())
        if previous.get("fingerprint") != fingerprint:
            raise DataError(spec_path, "this run folder was made with other settings (preset, split or model); use a fresh --out folder")
        if eval_path.is_file():
            done = json.loads(eval_path.read_text())
            return RunOutcome(spec.key, spec.label, str(run_dir), done["checkpoint"], EvalReport.from_dict(done["report"]),
                              float(done["train_seconds"]), float(done["eval_seconds"]), skipped=True, train_images=int(done.get("train_images", 0)))
    _write_json(spec_path, {"fingerprint": fingerprint})
    cfg = _train_config(spec, preset, data_root, split_file, runs_dir)
    folder = RunFolder(run_dir)
    last = folder.last
    if last.is_file():
        cfg = cfg.replace(resume=str(last))
    t0 = time.perf_counter()
    result = train(cfg, progress=progress, cancel=cancel)
    t1 = time.perf_counter()
    ckpt = Path(getattr(result, "best_path", None) or folder.best)
    if not ckpt.is_file():
        ckpt = Path(getattr(result, "last_path", None) or last)
    rep = evaluate(ckpt, data_root, split="test", split_file=split_file, views=preset.eval_views,
                   batch_size=max(32, int(preset.train.get("batch_size", 32))), cancel=cancel)
    t2 = time.perf_counter()
    images = int(result.global_step) * int(cfg.batch_size)
    _write_json(eval_path, {"checkpoint": str(ckpt), "report": rep.to_dict(), "train_seconds": t1 - t0, "eval_seconds": t2 - t1, "train_images": images})
    return RunOutcome(spec.key, spec.label, str(run_dir), str(ckpt), rep, t1 - t0, t2 - t1, skipped=False, train_images=images)


def run_experiment(
    preset: str | ExperimentPreset,
    data_root: str | Path,
    out_dir: str | Path,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    runs: Sequence[str] | None = None,
) -> ExperimentResult:
    """Train and evaluate the six runs (or the ``runs`` subset), then write the report.

    If ``data_root`` holds no data set, the procedural generator fills it first with the
    preset's objects per class (13 classes).
    """
    from core.io.r2n2 import discover
    from core.train.run_folder import SPLITS_FILE, resolve_splits

    p = get_preset(preset)
    data_root, out_dir = Path(data_root), Path(out_dir)
    wanted = [RUN_BY_KEY[k] for k in runs] if runs else list(RUNS)
    unknown = [k for k in (runs or []) if k not in RUN_BY_KEY]
    if unknown:
        raise ValueError(f"unknown run(s) {', '.join(unknown)}; choose from {', '.join(RUN_BY_KEY)}")
    from core.io.atomic import prepare_output_dir

    if data_root.exists() and not data_root.is_dir():
        raise DataError(data_root, "exists and is not a folder (a data set root or an empty folder to generate one into)")
    prepare_output_dir(out_dir)  # before any work: a file or an unwritable place fails in one line now
    start = time.perf_counter()
    notes: list[str] = []
    total_stages = len(wanted) + 1

    if not _has_dataset(data_root):
        from core.synth.writer import generate_dataset

        notes.append(f"generated {p.objects_per_class} objects per class into {data_root} (seed {p.data_seed})")
        generate_dataset(data_root, objects_per_class=p.objects_per_class, seed=p.data_seed, progress=_Stage(progress, 0, total_stages, "generating data"), cancel=cancel)
    split_file = out_dir / SPLITS_FILE  # shared by every run
    splits = resolve_splits(discover(data_root), run_dir=out_dir, train_config={"split_seed": p.split_seed}, save_to=split_file)
    report(progress, 1 * _Stage.SCALE, total_stages * _Stage.SCALE, "data ready")

    runs_dir = out_dir / "runs"
    outcomes: dict[str, RunOutcome] = {}
    for i, spec in enumerate(wanted, start=1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        stage = _Stage(progress, i, total_stages, spec.key)
        outcomes[spec.key] = _run_one(spec, p, data_root, split_file, splits.split_id, runs_dir, stage, cancel)
        report(progress, (i + 1) * _Stage.SCALE, total_stages * _Stage.SCALE, f"{spec.key} done")

    plots = write_plots(outcomes, out_dir / "plots")
    seconds = time.perf_counter() - start
    result_doc = {
        "preset": asdict(p),
        "data_root": str(data_root),
        "split_id": splits.split_id,
        "seconds": seconds,
        "notes": notes,
        "runs": {k: {"label": o.label, "checkpoint": o.checkpoint, "train_seconds": o.train_seconds, "eval_seconds": o.eval_seconds, "train_images": o.train_images,
                     "skipped": o.skipped, "report": o.report.to_dict()} for k, o in outcomes.items()},
    }
    results_path = out_dir / "results.json"
    _write_json(results_path, result_doc)
    report_path = out_dir / "report.md"
    from core.io.atomic import write_text

    write_text(report_path, render_markdown(p, data_root, splits.split_id, outcomes, plots, out_dir, seconds, notes))
    return ExperimentResult(p.name, out_dir, report_path, results_path, outcomes, plots, seconds, notes)

