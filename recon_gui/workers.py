"""Run a ``core`` callable off the UI thread, with progress, cancel and errors as Qt signals.

The callable receives ``progress=`` (a core.progress.ProgressCallback) and ``cancel=`` (a
core.progress.CancelToken) keyword arguments when ``wants_progress`` is true. Results, errors
and progress events cross back to the UI thread through queued signals, so widgets only ever
touch Qt from the UI thread. Exceptions are never swallowed: they arrive in ``failed`` with
a one-line message and the traceback.

``run_task`` is the one way the window starts background work: it connects every handler
*before* the worker runs (a fast callable could otherwise finish before anyone listens) and
counts the work on a ``BusyCounter`` that drives the busy indicator.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import Cancelled, ReconError
from core.progress import CancelToken, ProgressEvent


class WorkerSignals(QObject):
    progress = Signal(object)  # ProgressEvent
    finished = Signal(object)  # the callable's return value
    failed = Signal(str, str)  # one-line message, traceback text
    cancelled = Signal()
    done = Signal()  # always last, whatever the outcome


class Worker(QRunnable):
    """One call of ``fn`` on a pool thread. Keep a reference to ``signals`` while it runs."""

    def __init__(self, fn: Callable[..., Any], *args: Any, wants_progress: bool = True, **kwargs: Any):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.wants_progress = wants_progress
        self.signals = WorkerSignals()
        self.cancel_token = CancelToken()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _emit_progress(self, event: ProgressEvent) -> None:
        self.signals.progress.emit(event)

    def run(self) -> None:  # runs on the pool thread
        try:
            if self.wants_progress:
                self.kwargs.setdefault("progress", self._emit_progress)
                self.kwargs.setdefault("cancel", self.cancel_token)
            result = self.fn(*self.args, **self.kwargs)
        except Cancelled:
            self.signals.cancelled.emit()
        except ReconError as exc:
            self.signals.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - shown to the user, never swallowed
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
        else:
            if self.cancel_token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.signals.done.emit()


class BusyCounter(QObject):
    """How many background jobs run; ``changed(True)`` when the first starts, ``(False)`` when the last ends."""

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.count = 0

    def add(self, delta: int) -> None:
        was = self.count > 0
        self.count = max(0, self.count + delta)
        if (self.count > 0) != was:
            self.changed.emit(self.count > 0)

    @property
    def busy(self) -> bool:
        return self.count > 0


class WorkerManager(QObject):
    """Owns the thread pool and keeps running workers alive until they report ``done``."""

    def __init__(self, parent: QObject | None = None, max_threads: int | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        if max_threads:
            self.pool.setMaxThreadCount(max_threads)
        self._running: set[Worker] = set()

    def prepare(self, fn: Callable[..., Any], *args: Any, wants_progress: bool = True, **kwargs: Any) -> Worker:
        """A worker that is not running yet: connect its signals, then ``launch`` it."""
        return Worker(fn, *args, wants_progress=wants_progress, **kwargs)

    def launch(self, worker: Worker) -> Worker:
        """Run a worker made by ``prepare`` on the pool."""
        self._running.add(worker)
        worker.signals.done.connect(lambda w=worker: self._running.discard(w))
        self.pool.start(worker)
        return worker

    @property
    def running(self) -> list[Worker]:
        return list(self._running)

    def cancel_all(self) -> None:
        for w in list(self._running):
            w.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


def run_task(manager: WorkerManager, fn: Callable[..., Any], *args: Any,
             on_result: Callable[[Any], None] | None = None,
             on_error: Callable[[str, str], None] | None = None,
             on_cancel: Callable[[], None] | None = None,
             on_progress: Callable[[ProgressEvent], None] | None = None,
             on_done: Callable[[], None] | None = None,
             busy: BusyCounter | None = None, wants_progress: bool = False, **kwargs: Any) -> Worker:
    """Prepare → count as busy → connect every handler → launch; returns the running worker.

    ``on_done`` runs last whatever the outcome, after the busy count has dropped.
    """
    worker = manager.prepare(fn, *args, wants_progress=wants_progress, **kwargs)
    signals = worker.signals
    if on_progress is not None:
        signals.progress.connect(on_progress)
    if on_result is not None:
        signals.finished.connect(on_result)
    if on_error is not None:
        signals.failed.connect(on_error)
    if on_cancel is not None:
        signals.cancelled.connect(on_cancel)
    if busy is not None:
        busy.add(+1)
        signals.done.connect(lambda: busy.add(-1))
    if on_done is not None:
        signals.done.connect(on_done)
    return manager.launch(worker)
