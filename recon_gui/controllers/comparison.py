"""The comparison queue: one source of truth for what the window shows.

Every picture, prior, threshold, mode and model change goes through this controller, which
owns the ``ComparisonState``. A request runs on a worker; while one runs only the newest
waits. A result becomes current only when it succeeded and nothing newer was asked for; a
failure is reported once and leaves the current comparison as it was. While a checkpoint is
still loading, a picture waits for it instead of running on half the models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from recon_gui.session import ComparisonRequest, ComparisonResult, run_comparison
from recon_gui.state import ComparisonState, ModelInfo
from recon_gui.workers import BusyCounter, Worker, WorkerManager, run_task


class ComparisonController(QObject):
    resultChanged = Signal(object)  # ComparisonResult: the new current comparison
    viewChanged = Signal()  # threshold, mode, prior or models changed: re-derive texts
    failed = Signal(str, str, str)  # title, message, details (once per failed request)
    started = Signal(str)  # label of the picture now being reconstructed

    def __init__(self, workers: WorkerManager, busy: BusyCounter, predictors: Callable[[], dict[str, Any]],
                 loading: Callable[[], bool], parent: QObject | None = None):
        super().__init__(parent)
        self.workers, self.busy = workers, busy
        self._predictors, self._loading = predictors, loading
        self.state = ComparisonState()
        self.waiting: ComparisonRequest | None = None  # asked for, not started yet
        self.running: Worker | None = None
        self.running_request: ComparisonRequest | None = None
        self.closed = False

    # ------------------------------------------------------------------ requests
    def open(self, request: ComparisonRequest) -> None:
        """Reconstruct a new picture with the current prior choice."""
        request.prior_choice = self.state.prior_choice
        self._submit(request)

    def rerun(self) -> None:
        """The newest picture asked for (waiting, running, else shown) again, because a model or
        the prior changed; nothing when there is none."""
        newest = self.waiting or self.running_request
        request = replace(newest, prior_choice=self.state.prior_choice) if newest else self.state.next_request()
        if request is not None:
            self._submit(request)

    def _submit(self, request: ComparisonRequest) -> None:
        self.waiting = request
        self._start_waiting()

    def _start_waiting(self) -> None:
        if self.running is not None or self.waiting is None or self.closed or self._loading():
            return
        request, self.waiting = self.waiting, None
        self.running_request = request
        self.started.emit(request.label)
        holder: list[Worker] = []
        self.running = run_task(
            self.workers, run_comparison, dict(self._predictors()), request, busy=self.busy,
            on_result=self._on_result,
            on_error=lambda msg, tb: self._on_failed(request, msg, tb),
            on_done=lambda: self._on_done(holder[0]),
        )
        holder.append(self.running)

    def models_settled(self) -> None:
        """The last checkpoint load ended: a picture that waited for it may run now."""
        self._start_waiting()

    def _on_done(self, worker: Worker) -> None:
        if self.running is worker:
            self.running, self.running_request = None, None
        self._start_waiting()

    def _on_result(self, result: ComparisonResult) -> None:
        if self.waiting is not None or self.closed:
            return  # a newer request is queued (or the window is gone): this one is outdated
        self.state.result = result
        self.resultChanged.emit(result)

    def _on_failed(self, request: ComparisonRequest, message: str, details: str) -> None:
        if self.waiting is None and not self.closed:
            self.failed.emit(f"Cannot reconstruct {request.label}", message, details)

    # ------------------------------------------------------------------ view settings
    def set_threshold(self, threshold: float) -> None:
        self.state.threshold = float(threshold)
        self.viewChanged.emit()

    def set_mode(self, mode: str) -> None:
        self.state.mode = mode
        self.viewChanged.emit()

    def set_prior(self, choice: str) -> None:
        """A new prior re-runs the current picture; until then the views keep saying which prior they show."""
        if choice == self.state.prior_choice:
            return
        self.state.prior_choice = choice or "auto"
        self.viewChanged.emit()
        self.rerun()

    def set_models(self, predictors: dict[str, Any], files: dict[str, str]) -> None:
        self.state.models = {slot: (ModelInfo(files.get(slot, ""), tuple(p.classes)) if p is not None else None)
                             for slot, p in predictors.items()}
        self.viewChanged.emit()
