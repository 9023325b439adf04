"""Small helpers of background runs (training, evaluation): torch's thread budget, the ETA,
carrying ``core`` log records from a worker thread to a log view, and a resumed run's history."""

from __future__ import annotations

import logging
import os
import time

from PySide6.QtCore import QObject, Signal

from core.progress import ProgressEvent


def default_torch_threads() -> int:
    """Leave one core to the UI thread (and at least one to torch)."""
    return max(1, (os.cpu_count() or 2) - 1)


def limit_torch_threads(n: int | None) -> None:
    """Keep torch's intra-op pool from starving the UI thread on small machines."""
    if n:
        import torch

        torch.set_num_threads(n)


def show_progress(bar, event: ProgressEvent) -> bool:
    """Move a QProgressBar to ``event`` (``done`` of ``total``); False, bar untouched, when the
    event has no total (a message, a history)."""
    if event.total <= 0:
        return False
    if bar.maximum() != event.total:
        bar.setRange(0, event.total)
    bar.setValue(min(event.done, event.total))
    return True


def format_eta(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:d}:{s:02d}"


class EtaEstimator:
    """Remaining time from the rate since the first event (the first step includes warm-up)."""

    def __init__(self) -> None:
        self._t0: float | None = None
        self._done0 = 0

    def update(self, done: int, total: int, now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        if self._t0 is None or done < self._done0:
            self._t0, self._done0 = now, done
            return None
        if done <= self._done0 or total <= 0:
            return None
        rate = (done - self._done0) / max(now - self._t0, 1e-9)
        return (total - done) / rate


class LogBridge(QObject):
    """Carries log records from a worker thread to the UI thread (queued signal)."""

    message = Signal(str)


class ThreadLogHandler(logging.Handler):
    """Forwards records emitted on one thread (the worker's) to a bridge signal, so the
    trainer's warnings (an empty validation split, skipped objects) reach the log view."""

    def __init__(self, bridge: LogBridge, thread_id: int):
        super().__init__(logging.INFO)
        self.bridge, self.thread_id = bridge, thread_id
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.bridge.message.emit(self.format(record))


def describe_epoch(message: str, e) -> str:
    """One log line per epoch (a core.train.events.EpochEvent): the message and the numbers that moved."""
    parts = [message] if message else []
    for key in ("train_loss", "val_loss", "val_iou", "val_iou_class_mean", "val_accuracy"):
        value = getattr(e, key)
        if value is not None:
            parts.append(f"{key}={value:.4g}")
    return " ".join(parts)


def read_history(folder) -> ProgressEvent:
    """Pool thread: the earlier part of a run (a core RunFolder) read from its metrics.jsonl, as a
    progress event for the monitor: ``event`` the MetricsLog, or ``message`` saying why it is not
    shown. Off the UI thread because a long run logs tens of thousands of lines (50 000 parse in
    about a second); sent through the run's own progress signal, it reaches the curves before
    any step of the resumed run."""
    from core.errors import ReconError
    from core.train.metrics_log import read_metrics_log

    try:
        return ProgressEvent(0, 0, event=read_metrics_log(folder.metrics))
    except (OSError, ReconError, ValueError) as exc:
        return ProgressEvent(0, 0, f"earlier curves not shown: {exc}")


def draw_history(curves, history) -> None:
    """Put a run's earlier curves (a core MetricsLog) on ``curves`` (a CurvesWidget), in bulk."""
    for name, (xs, ys) in (("train loss", history.loss_curve), ("val loss", history.val_loss_curve),
                           ("val IoU", history.val_iou_curve)):
        curves.add_points(name, xs, ys)
    curves.flush()
