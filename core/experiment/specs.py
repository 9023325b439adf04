"""The experiment's fixed parts: presets, the six training runs, the paper's three tables, and
the types a finished experiment is described by."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.evaluate import EvalReport
from core.spec import CE_WEIGHT_BY_CLASS_SET
from core.train.config import (
    PRESETS as TRAIN_PRESETS,  # the experiment's presets build on the training presets
)


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
        train={**TRAIN_PRESETS["smoke"], "augment": False, "width_scale": 0.5, "device": "cpu", "best_half": False, "tensorboard": False},
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
        train={**TRAIN_PRESETS["cpu-small"], "epochs": 20, "device": "cpu", "tensorboard": False},
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


def get_preset(name: str | ExperimentPreset) -> ExperimentPreset:
    """The preset called ``name`` (a preset passes through); ValueError naming the choices otherwise."""
    if isinstance(name, ExperimentPreset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown experiment preset {name!r}; choose one of {', '.join(PRESETS)}") from None

