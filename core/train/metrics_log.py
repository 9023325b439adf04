"""The one reader of a run's metrics.jsonl: typed step/epoch records and the curves plotted from them.

The trainer appends one JSON object per logged step (``kind: "step"``), per epoch
(``kind: "epoch"``) and per resume (``kind: "resume"``). A run killed mid-write leaves a torn
line, and a resumed run logs again the steps after its last checkpoint; this reader skips the
torn lines and keeps the latest record of each step and epoch, so the experiment plots and the
GUI's curves show the run as it finally went.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import DataError
from core.train.events import EpochEvent, StepEvent


def read_records(path: str | Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    """Every decodable JSON object of ``path``, in file order (torn or foreign lines skipped).

    A missing file gives ``[]`` with ``missing_ok``, else DataError naming it (as does an
    unreadable one).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        if missing_ok:
            return []
        raise DataError(path, "metrics file not found") from None
    except OSError as exc:
        raise DataError(path, f"cannot read the metrics file ({exc.strerror or exc})") from None
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line torn by a killed writer
        if isinstance(record, dict):
            records.append(record)
    return records


@dataclass(frozen=True)
class MetricsLog:
    """A run's log: steps and epochs as the trainer's own event types, sorted, one per step/epoch."""

    steps: tuple[StepEvent, ...]
    epochs: tuple[EpochEvent, ...]
    resumes: tuple[dict[str, Any], ...] = ()

    @property
    def loss_curve(self) -> tuple[list[int], list[float]]:
        """(global step, training loss) of every logged step."""
        return [s.step for s in self.steps], [s.loss for s in self.steps]

    @property
    def val_loss_curve(self) -> tuple[list[int], list[float]]:
        """(global step at the epoch end, validation loss) of epochs that validated."""
        pts = [(e.step, e.val_loss) for e in self.epochs if e.val_loss is not None]
        return [p[0] for p in pts], [p[1] for p in pts]

    @property
    def val_iou_curve(self) -> tuple[list[int], list[float]]:
        """(epoch number, 1-based; validation IoU at the selection threshold) of epochs that validated."""
        pts = [(e.epoch + 1, e.val_iou) for e in self.epochs if e.val_iou is not None]
        return [p[0] for p in pts], [p[1] for p in pts]

    def __bool__(self) -> bool:
        return bool(self.steps or self.epochs)


def parse_records(records: list[dict[str, Any]]) -> MetricsLog:
    """Typed log from raw records; the last record of a step / epoch wins (a resumed run re-logs)."""
    steps: dict[int, StepEvent] = {}
    epochs: dict[int, EpochEvent] = {}
    resumes = []
    for r in records:
        kind = r.get("kind")
        try:
            if kind == "step":
                e = StepEvent.from_metrics(r)
                steps[int(e.step)] = e
            elif kind == "epoch":
                ep = EpochEvent.from_metrics(r)
                epochs[int(ep.epoch)] = ep
            elif kind == "resume":
                resumes.append(r)
        except (TypeError, ValueError, KeyError):
            continue  # a record of another version lacking a field
    return MetricsLog(tuple(steps[k] for k in sorted(steps)), tuple(epochs[k] for k in sorted(epochs)), tuple(resumes))


def read_metrics_log(path: str | Path, missing_ok: bool = True) -> MetricsLog:
    """The typed log of a metrics.jsonl (or of a run folder holding one).

    A missing file gives an empty log (falsy) unless ``missing_ok`` is False (DataError).
    """
    path = Path(path)
    if path.is_dir():
        from core.train.run_folder import METRICS_FILE

        path = path / METRICS_FILE
    return parse_records(read_records(path, missing_ok=missing_ok))
