"""What the trainer tells the outside world: step/epoch events, callbacks, metric sinks.

The CLI (tqdm via core.progress), the GUI (a Qt worker) and the metrics files all subscribe to
the same typed events, so none of them needs to know how the training loop is written. Through
``core.progress`` the event itself travels as ``ProgressEvent.event``; metrics.jsonl stores
``as_metrics()`` records and ``core.train.metrics_log`` reads them back as the same types.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Optional, Protocol, Sequence

from core.progress import CancelToken, ProgressCallback, report

log = logging.getLogger(__name__)


@dataclass
class StepEvent:
    """One optimiser step (rank 0 under torchrun): losses of the batch, learning rate, throughput."""

    epoch: int  # 0-based epoch this step belongs to
    step: int  # global optimiser step count after this step (1-based)
    step_in_epoch: int  # 1-based
    steps_per_epoch: int
    total_steps: int
    loss: float
    bce: float
    ce: float | None
    lr: float
    images_per_s: float

    def as_metrics(self) -> dict[str, Any]:
        """The metrics.jsonl record: ``{"kind": "step", <fields>}``."""
        return {"kind": "step", **asdict(self)}

    @classmethod
    def from_metrics(cls, record: dict[str, Any]) -> "StepEvent":
        """Inverse of :meth:`as_metrics` (extra keys such as ``time`` ignored); KeyError/TypeError if fields are missing."""
        return cls(**_known(cls, record))


@dataclass
class EpochEvent:
    """One finished epoch (or time-capped partial one): training and validation numbers."""

    epoch: int  # 0-based epoch just finished
    epochs: int
    step: int
    total_steps: int
    train_loss: float
    val_loss: float | None
    val_iou: float | None  # instance-mean IoU at the selection threshold
    val_iou_at: dict[str, float] = field(default_factory=dict)  # "0.3" -> IoU
    val_iou_class_mean: float | None = None
    val_accuracy: float | None = None
    is_best: bool = False
    seconds: float = 0.0
    checkpoint: str | None = None

    def as_metrics(self) -> dict[str, Any]:
        """The metrics.jsonl record: ``{"kind": "epoch", <fields>}``."""
        return {"kind": "epoch", **asdict(self)}

    @classmethod
    def from_metrics(cls, record: dict[str, Any]) -> "EpochEvent":
        """Inverse of :meth:`as_metrics` (extra keys ignored); KeyError/TypeError if required fields are missing."""
        return cls(**_known(cls, record))


def _known(cls: type, record: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in record.items() if k in names}


class TrainCallback(Protocol):
    """Implement any subset; the trainer calls what exists."""

    def on_step(self, event: StepEvent) -> None:
        """Called on rank 0 after every optimiser step."""

    def on_epoch(self, event: EpochEvent) -> None:
        """Called on rank 0 after each epoch's validation and checkpoint."""


def dispatch(callbacks: Sequence[Any], hook: str, event: Any) -> None:
    """Call ``cb.<hook>(event)`` on every callback that has that hook."""
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(event)


class ProgressBridge:
    """Turns events into ``core.progress`` reports: done/total = optimiser steps; the typed
    event rides along as ``ProgressEvent.event`` (the ``metrics`` dict is for display only)."""

    def __init__(self, progress: Optional[ProgressCallback], run_dir: Path):
        self.progress = progress
        self.run_dir = str(run_dir)

    def on_step(self, e: StepEvent) -> None:
        """Report the step as progress (done = steps so far of the run's total)."""
        report(self.progress, e.step, e.total_steps, f"epoch {e.epoch + 1}", event=e,
               kind="step", epoch=e.epoch, step=e.step, loss=e.loss, img_s=round(e.images_per_s, 1))

    def on_epoch(self, e: EpochEvent) -> None:
        """Report the finished epoch with its validation numbers."""
        metrics: dict[str, Any] = {"kind": "epoch", "epoch": e.epoch, "step": e.step, "train_loss": e.train_loss, "run_dir": self.run_dir}
        for key in ("val_loss", "val_iou", "val_iou_class_mean", "val_accuracy"):
            value = getattr(e, key)
            if value is not None:
                metrics[key] = value
        msg = f"epoch {e.epoch + 1}/{e.epochs} done" + (" (best)" if e.is_best else "")
        report(self.progress, e.step, e.total_steps, msg, event=e, **metrics)


class JsonlLogger:
    """Appends one JSON object per step (every ``every`` steps) and per epoch to metrics.jsonl."""

    def __init__(self, path: Path, every: int = 10):
        self.path = Path(path)
        self.every = max(1, every)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (with a ``time`` stamp, seconds since the epoch) as a JSON line."""
        with open(self.path, "a") as f:
            f.write(json.dumps({"time": round(time.time(), 3), **record}) + "\n")

    def on_step(self, e: StepEvent) -> None:
        """Log every ``every``-th step and the last step of each epoch."""
        if e.step % self.every == 0 or e.step_in_epoch == e.steps_per_epoch:
            self.write(e.as_metrics())

    def on_epoch(self, e: EpochEvent) -> None:
        """Log every epoch's record."""
        self.write(e.as_metrics())


class TensorBoardLogger:
    """Optional: scalars to TensorBoard when the package is installed (never required)."""

    def __init__(self, log_dir: Path):
        from torch.utils.tensorboard import (
            SummaryWriter,  # ImportError when tensorboard is absent
        )

        self.writer = SummaryWriter(str(log_dir))

    def on_step(self, e: StepEvent) -> None:
        """Write the step's losses (total, BCE and, with a classifier, CE)."""
        self.writer.add_scalar("train/loss", e.loss, e.step)
        self.writer.add_scalar("train/bce", e.bce, e.step)
        if e.ce is not None:
            self.writer.add_scalar("train/ce", e.ce, e.step)

    def on_epoch(self, e: EpochEvent) -> None:
        """Write the epoch's validation loss, IoU per threshold and accuracy."""
        if e.val_loss is not None:
            self.writer.add_scalar("val/loss", e.val_loss, e.step)
        for t, v in e.val_iou_at.items():
            self.writer.add_scalar(f"val/iou@{t}", v, e.step)
        if e.val_accuracy is not None:
            self.writer.add_scalar("val/accuracy", e.val_accuracy, e.step)
        self.writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.writer.close()


def make_tensorboard_logger(log_dir: Path) -> TensorBoardLogger | None:
    """A TensorBoardLogger, or None when the tensorboard package is not installed."""
    try:
        return TensorBoardLogger(log_dir)
    except ImportError:
        return None


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """All records of a metrics.jsonl as dicts (see ``core.train.metrics_log`` for typed curves)."""
    from core.train.metrics_log import read_records

    return read_records(path)


def wait_if_paused(pause: threading.Event | None, cancel: CancelToken | None, poll_s: float = 0.05) -> None:
    """Block between steps while ``pause`` is set; a cancel ends the wait."""
    while pause is not None and pause.is_set() and not (cancel is not None and cancel.cancelled):
        time.sleep(poll_s)
