"""Recording one turn of the linked views for a GIF, without freezing the window."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer

from recon_gui import export
from recon_gui.workers import Worker, run_task


class TurntableRecorder:
    """Steps the shared camera around once, grabbing a frame per event-loop turn."""

    def __init__(self, window, path: str, frames: int, target: str, resume: bool):
        """``window``: the MainWindow (grab_views, comparison, workers, busy_counter, report_error)."""
        self.window, self.path, self.frames_wanted, self.target, self.resume = window, path, frames, target, resume
        self.frames: list[np.ndarray] = []
        self.worker: Worker | None = None
        self.timer = QTimer(window)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._step)

    def start(self) -> None:
        self.window.busy_counter.add(+1)
        self.window.statusBar().showMessage("Recording turntable…")
        self.timer.start()

    def _step(self) -> None:
        try:
            self.frames.append(np.asarray(self.window.grab_views(self.target, 1)))
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed
            self.timer.stop()
            self.window.busy_counter.add(-1)
            self.window.report_error("Cannot record turntable", f"{type(exc).__name__}: {exc}")
            return
        if len(self.frames) >= self.frames_wanted:
            self.timer.stop()
            status = self.window.statusBar()
            self.worker = run_task(
                self.window.workers, export.save_gif, self.frames, self.path, busy=self.window.busy_counter,
                on_result=lambda p: status.showMessage(f"Saved {p}", 8000),
                on_error=lambda m, tb: self.window.report_error("Cannot write turntable", m, tb))
            self.window.busy_counter.add(-1)  # the recording's own count; the worker holds its own
            if self.resume:
                self.window.comparison.set_turntable(True)
            return
        self.window.comparison.rotate(360.0 / self.frames_wanted)
