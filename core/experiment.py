"""`recon experiment`: the paper's three tables, reproduced on a data set, as a Markdown report.

Table 1: the baseline (image + class prior) on 7 and 13 classes.
Table 2: the proposed model on 13 classes with embeddings of 128 (sum), 128 (concat), 256 (concat).
Table 3: baseline vs proposed on 7 and 13 classes (runs of tables 1 and 2 are reused where
         the settings match: the proposed 13-class run is the 128/concat run of table 2).
Every table carries the mean-shape row (the class-mean training grid of the true class).

Six training runs in all, each in ``OUT/runs/<key>/`` with its own ``eval.json``. A run whose
``eval.json`` exists is skipped and one with a ``last.pt`` resumes, so an interrupted
experiment continues where it stopped. All runs share one split file (``OUT/splits.json``).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from core.errors import DataError
from core.evaluate import EvalReport
from core.progress import CancelToken, ProgressCallback, ProgressEvent, report
from core.report_table import comparison_table, per_class_comparison
from core.spec import BCE_WEIGHT, CE_WEIGHT_BY_CLASS_SET, RENDERING_DIR, VOXEL_DIR

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class ExperimentPreset:
    """Shared settings of all six runs; ``train`` holds TrainConfig overrides."""

    name: str
    description: str
    objects_per_class: int  # generated into --data when it holds no data set
    train: dict[str, Any]
    eval_views: str | int = "all"
    data_seed: int = 0
    split_seed: int = 0


PRESETS: dict[str, ExperimentPreset] = {
    # ~1 minute: wiring only (tests); numbers mean nothing.
    "smoke": ExperimentPreset(
        "smoke", "pipeline check in about a minute; accuracy is not the point",
        objects_per_class=3,
        train={"encoder": "fast", "epochs": 1, "batch_size": 8, "views": 1, "val_views": 1, "max_steps_per_epoch": 2,
               "num_workers": 0, "augment": False, "width_scale": 0.5, "device": "cpu", "best_half": False, "tensorboard": False},
        eval_views=1,
    ),
    # <= 45 minutes on a 2-core CPU: fast encoder, 4 random views per object per epoch.
    # Measured (1 torch thread): a 13-class epoch takes ~21 s on one idle core (~70 training
    # images/s). After 12 epochs the 13-class runs were barely above the mean shape (test
    # IoU@0.4 0.482 proposed, 0.469 baseline vs 0.453); continued to 20 epochs they reached
    # 0.527 (proposed, 88% accuracy) and 0.528 (baseline). Six runs × 20 epochs ≈ 36 min on
    # one thread (less with two idle cores) plus ~3 min to generate the 520 objects.
    "cpu-small": ExperimentPreset(
        "cpu-small", "2-core CPU in under 45 minutes: fast encoder, 40 objects per class, 4 views per object per epoch, 20 epochs",
        objects_per_class=40,
        train={"encoder": "fast", "epochs": 20, "batch_size": 32, "views": 4, "val_views": 2, "num_workers": 0,
               "lr": 1e-3, "device": "cpu", "tensorboard": False},
        eval_views=4,
    ),
    # One GPU in under 10 minutes on the demo set (40 objects per class): fast encoder, all 24
    # views, cosine schedule, each run capped at 70 s of training (six runs plus their test
    # evaluations). On an H200 65 s of such training reached test IoU@0.4 0.61 (proposed) and
    # 0.59 (baseline) against the mean shape's 0.47.
    "gpu": ExperimentPreset(
        "gpu", "one GPU in under 10 minutes: fast encoder, 40 objects per class, all 24 views, batch 64, cosine lr, 70 s of training per run",
        objects_per_class=40,
        train={"encoder": "fast", "epochs": 30, "batch_size": 64, "views": "all", "val_views": 4, "num_workers": 6, "lr": 1e-3,
               "lr_schedule": "cosine", "warmup_steps": 100, "time_limit": 70 / 60, "amp": False, "device": "auto", "tensorboard": False},
        eval_views="all",
    ),
    # The paper's settings (for a GPU): r2n2 encoder, 150 epochs, all 24 views.
    "paper": ExperimentPreset(
        "paper", "paper settings for a GPU: r2n2 encoder, 150 epochs, all 24 views, batch 64, Adam 1e-3",
        objects_per_class=400,
        train={"encoder": "r2n2", "epochs": 150, "batch_size": 64, "views": "all", "val_views": 4, "num_workers": 4,
               "lr": 1e-3, "device": "auto"},
        eval_views="all",
    ),
}


@dataclass(frozen=True)
class RunSpec:
    """One training run of the tables: a registered model on a class set with its embedding settings."""

    key: str
    model: str  # a registered model name (core.models.registry)
    classes: str  # "7" | "13"
    embed_dim: int = 128
    fusion: str = "concat"

    @property
    def ce_weight(self) -> float:
        """The paper's class-loss weight for this run's class set."""
        return CE_WEIGHT_BY_CLASS_SET[self.classes]

    @property
    def label(self) -> str:
        """The run's name in the report: the model's label, its fusion settings if the model has
        that option (the only ones the runs vary), and the class count."""
        from core.models.registry import get_descriptor

        desc = get_descriptor(self.model)
        settings = f" {self.embed_dim} {self.fusion}" if "fusion" in desc.options else ""
        return f"{desc.label}{settings}, {self.classes} classes"

    def overrides(self) -> dict[str, Any]:
        """The TrainConfig fields this run sets on top of the preset."""
        return {"model": self.model, "classes": self.classes, "embed_dim": self.embed_dim, "fusion": self.fusion, "ce_weight": self.ce_weight}


RUNS: tuple[RunSpec, ...] = (
    RunSpec("baseline-7", "baseline", "7"),
    RunSpec("baseline-13", "baseline", "13"),
    RunSpec("proposed-13-128-sum", "proposed", "13", 128, "sum"),
    RunSpec("proposed-13-128-concat", "proposed", "13", 128, "concat"),
    RunSpec("proposed-13-256-concat", "proposed", "13", 256, "concat"),
    RunSpec("proposed-7-128-concat", "proposed", "7", 128, "concat"),
)
RUN_BY_KEY = {r.key: r for r in RUNS}


@dataclass(frozen=True)
class TableSpec:
    """One of the paper's tables: its number, title and the runs it shows, grouped by class set."""

    number: int
    title: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (class count, run keys)


TABLES: tuple[TableSpec, ...] = (
    TableSpec(1, "Baseline (image + class shape prior) on 7 and 13 classes", (("7", ("baseline-7",)), ("13", ("baseline-13",)))),
    TableSpec(2, "Proposed model on 13 classes: embedding size and fusion",
              (("13", ("proposed-13-128-sum", "proposed-13-128-concat", "proposed-13-256-concat")),)),
    TableSpec(3, "Baseline vs proposed (128, concat) on 7 and 13 classes",
              (("7", ("baseline-7", "proposed-7-128-concat")), ("13", ("baseline-13", "proposed-13-128-concat")))),
)


@dataclass
class RunOutcome:
    """One run's result as the report needs it: its evaluation, checkpoint and timings."""

    key: str
    label: str
    run_dir: str
    checkpoint: str
    report: EvalReport
    train_seconds: float
    eval_seconds: float
    skipped: bool  # finished in an earlier invocation
    train_images: int = 0  # images seen in training (optimiser steps × batch size)


@dataclass
class ExperimentResult:
    """What ``run_experiment`` wrote (report, results.json, plots) and the runs behind it."""

    preset: str
    out_dir: Path
    report_path: Path
    results_path: Path
    runs: dict[str, RunOutcome]
    plots: list[Path]
    seconds: float
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- helpers


def get_preset(name: str | ExperimentPreset) -> ExperimentPreset:
    """The preset called ``name`` (a preset passes through); ValueError naming the choices otherwise."""
    if isinstance(name, ExperimentPreset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown experiment preset {name!r}; choose one of {', '.join(PRESETS)}") from None


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


# ----------------------------------------------------------------------------- runs


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


# ----------------------------------------------------------------------------- report


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def verdicts(outcomes: dict[str, RunOutcome], threshold: str = "0.4") -> list[str]:
    """One line per run: its class-averaged IoU against the mean-shape reference."""
    lines = []
    for key, o in outcomes.items():
        ref = o.report.mean_shape_row
        if ref is None:
            continue
        m, r = o.report.model_row.class_mean[threshold], ref.class_mean[threshold]
        word = "above" if m > r else "NOT above"
        lines.append(f"- {o.label}: IoU@{threshold} {m:.3f} vs mean shape {r:.3f} ({m - r:+.3f}, {word} the reference)")
    return lines


def render_markdown(preset: ExperimentPreset, data_root: Path, split_id: str, outcomes: dict[str, RunOutcome], plots: Sequence[Path],
                    out_dir: Path, seconds: float, notes: Sequence[str]) -> str:
    """The experiment report in Markdown: settings and machine, then per table the runs side by
    side with the mean-shape row (``core.report_table``), per-class IoU, training curves, the
    run timings and a verdict per run against the mean shape.
    """
    out = [f"# Reproduction of the paper's tables — preset `{preset.name}`", ""]
    out.append(f"Preset run: **`{preset.name}`** ({preset.description}). Other presets: "
               + ", ".join(f"`{k}`" for k in PRESETS if k != preset.name) + ".")
    out.append("")
    out.append(f"- data set: `{data_root}`; split `{split_id}` (`splits.json`), evaluated on the **test** split, "
               f"{preset.eval_views if preset.eval_views != 'all' else 'all 24'} view(s) per object")
    out.append(f"- training settings shared by all runs: `{json.dumps(preset.train)}`; class-loss weight a = "
               + ", ".join(f"{w:g} ({n} classes)" for n, w in CE_WEIGHT_BY_CLASS_SET.items()) + f", b = {BCE_WEIGHT:g}")
    import torch

    gpu = f", GPU {torch.cuda.get_device_name(0)} (torch {torch.__version__})" if torch.cuda.is_available() else ", no GPU"
    out.append(f"- machine: {platform.machine()}, {os.cpu_count()} CPU(s), {torch.get_num_threads()} torch thread(s){gpu}; "
               f"wall time of this invocation {seconds / 60:.1f} min")
    out += [f"- note: {n}" for n in notes]
    out += ["", "IoU columns are **class-averaged** (the mean of per-class means, as in 3D-R2N2 / Pix2Vox) unless the header says "
            "*instance-averaged* (the mean over all test images). The mean-shape row predicts the mean training grid of the true class "
            "for every image: a model below it has not learned from the image.", ""]
    run_plots = {p.stem.replace("table", ""): p for p in plots}
    for table in TABLES:
        out.append(f"## Table {table.number}. {table.title}")
        out.append("")
        for classes, keys in table.groups:
            runs = [(outcomes[k].label, outcomes[k].report) for k in keys if k in outcomes]
            if not runs:
                out.append(f"*({classes} classes: runs not part of this invocation)*")
                out.append("")
                continue
            out.append(f"**{classes} classes**")
            out.append("")
            out.append(comparison_table(runs).to_markdown())  # core.report_table: one format, one headline rule
            out.append("")
            per_class = per_class_comparison(runs)
            out.append(f"Per class, IoU@{per_class.headline:g} ({classes} classes):")
            out.append("")
            out.append(per_class.to_markdown())
            out.append("")
        plot = run_plots.get(str(table.number))
        if plot is not None:
            out.append(f"![training curves, table {table.number}]({plot.relative_to(out_dir).as_posix()})")
            out.append("")
    out.append("## Runs")
    out.append("")
    out.append(_md_table(["run", "train time", "train images", "images/s", "eval time", "checkpoint", "this invocation"],
                         [[o.label, f"{o.train_seconds / 60:.1f} min", str(o.train_images), f"{o.train_images / max(o.train_seconds, 1e-9):.0f}", f"{o.eval_seconds:.0f} s", f"`{Path(o.checkpoint).relative_to(out_dir).as_posix() if Path(o.checkpoint).is_relative_to(out_dir) else o.checkpoint}`",
                           "reused" if o.skipped else "trained"] for o in outcomes.values()]))
    out.append("")
    out.append("## Against the mean-shape reference")
    out.append("")
    out += verdicts(outcomes)
    out.append("")
    return "\n".join(out)


def write_plots(outcomes: dict[str, RunOutcome], plot_dir: Path) -> list[Path]:
    """One PNG per table: training loss per step and validation IoU per epoch of its runs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from core.spec import headline_threshold
    from core.train.metrics_log import read_metrics_log

    plot_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLES:
        keys = [k for _, ks in table.groups for k in ks if k in outcomes]
        keys = list(dict.fromkeys(keys))
        if not keys:
            continue
        fig, (ax_loss, ax_iou) = plt.subplots(1, 2, figsize=(10, 3.6))
        for key in keys:
            log_ = read_metrics_log(outcomes[key].run_dir)  # empty when the run folder has no metrics.jsonl
            label = outcomes[key].label
            if log_.steps:
                ax_loss.plot(*log_.loss_curve, label=label, linewidth=1)
            if log_.val_iou_curve[0]:
                ax_iou.plot(*log_.val_iou_curve, marker="o", markersize=3, label=label)
            rep = outcomes[key].report
            if rep.mean_shape_row is not None and key == keys[-1]:
                ax_iou.axhline(rep.mean_shape_row.instance_mean[f"{headline_threshold(rep.thresholds):g}"], color="grey",
                               linestyle="--", linewidth=1, label="mean shape (test)")
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("training loss")
        ax_loss.set_yscale("log")
        ax_iou.set_xlabel("epoch")
        ax_iou.set_ylabel("validation IoU@0.4")
        for ax in (ax_loss, ax_iou):
            ax.grid(alpha=0.3)
        ax_iou.legend(fontsize=7)
        fig.suptitle(f"Table {table.number}: training curves", fontsize=10)
        fig.tight_layout()
        path = plot_dir / f"table{table.number}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
