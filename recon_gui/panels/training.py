"""Training panel: the form (``training_form``) and a monitor of one run at a time.

The monitor runs core's trainer on a worker and shows its typed progress events as live
curves, progress with ETA and a log, with Pause/Resume/Cancel and "load into" buttons. The
run folder rules come from ``core.train.run_folder``: a resume needs a checkpoint, and a new
run never lands in a folder that holds one without asking (a fresh name is offered). A
resumed run's curves start from the folder's earlier metrics, so the history stays in view.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.errors import ReconError
from core.progress import ProgressEvent
from core.train.events import EpochEvent, StepEvent
from core.train.metrics_log import MetricsLog
from core.train.run_folder import RunFolder
from recon_gui.panels.curves import CurvesWidget
from recon_gui.panels.run_support import (
    EtaEstimator,
    LogBridge,
    ThreadLogHandler,
    default_torch_threads,
    describe_epoch,
    draw_history,
    format_eta,
    limit_torch_threads,
    read_history,
    show_progress,
)
from recon_gui.panels.training_form import FIELDS, TrainingForm
from recon_gui.session import SLOTS
from recon_gui.state import short_label
from recon_gui.workers import Worker, WorkerManager, run_task


class TrainingPanel(QWidget):
    """Form + live view of one training run at a time."""

    loadCheckpointRequested = Signal(str, str)  # checkpoint path, slot "baseline" | "proposed"
    trainingStarted = Signal()
    trainingEnded = Signal(str)  # "finished" | "cancelled" | "failed"
    evaluateRequested = Signal(str, str)  # checkpoint path, data set root

    def __init__(self, workers: WorkerManager, parent: QWidget | None = None, torch_threads: int | None = None,
                 settings: QSettings | None = None):
        super().__init__(parent)
        self.workers = workers
        self.settings = settings  # when given, the form is restored from it and saved at each Start
        self.torch_threads = torch_threads if torch_threads is not None else default_torch_threads()
        self.worker: Worker | None = None
        self.state = "idle"  # idle | running | paused | finished | cancelled | failed
        self.last_error: str | None = None
        self.checkpoint_path: str | None = None
        self.trained_model: str | None = None
        self.result: Any = None
        self._pause = threading.Event()
        self._eta = EtaEstimator()
        self._run_dir: Path | None = None
        self._data_root: str | None = None
        self.error_box: QMessageBox | None = None
        self._log_bridge = LogBridge(self)
        self._log_bridge.message.connect(self.log)
        self._build_ui()
        self._set_running(False)
        if settings is not None:
            self.form.restore(settings)

    # ---------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        self.form = TrainingForm(self)
        for field in FIELDS:  # the form's widgets, under their familiar names
            setattr(self, field.widget_attr, self.form.widgets[field.key])
        self.preset_combo, self.resume_check, self.resume_edit = (self.form.preset_combo, self.form.resume_check,
                                                                  self.form.resume_edit)
        self.out_box = self.form.rows["out_dir"]

        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.cancel_button):
            buttons.addWidget(b)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status_label = QLabel("idle")
        self.eta_label = QLabel("")
        self.load_buttons = {slot: QPushButton(f"Load into {short_label(slot)}") for slot in SLOTS}
        self.load_baseline_button, self.load_proposed_button = self.load_buttons["baseline"], self.load_buttons["proposed"]
        load_row = QHBoxLayout()
        for slot, button in self.load_buttons.items():
            button.clicked.connect(lambda _=False, s=slot: self._request_load(s))
            button.setEnabled(False)
            load_row.addWidget(button)
        self.evaluate_button = QPushButton("Evaluate on the test split")
        self.evaluate_button.setToolTip("per-class IoU of this checkpoint on the run's test objects (Data set panel)")
        self.evaluate_button.setEnabled(False)
        self.evaluate_button.clicked.connect(self._request_evaluation)

        scroller = QScrollArea()  # the form is taller than a laptop screen: it scrolls, the buttons stay
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(self.form)
        scroller.setMinimumWidth(self.form.minimumSizeHint().width() + scroller.verticalScrollBar().sizeHint().width())
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(scroller, 1)
        ll.addLayout(buttons)
        ll.addWidget(self.progress_bar)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.eta_label)
        ll.addLayout(status_row)
        ll.addLayout(load_row)
        ll.addWidget(self.evaluate_button)

        self.curves = CurvesWidget()
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(5000)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.curves)
        right.addWidget(self.log_view)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

    def save_form(self, settings: QSettings) -> None:
        self.form.save(settings)

    def build_config(self):
        return self.form.build_config()

    def set_data_folder(self, path: str) -> None:
        """Prefill the data folder (e.g. from the data set panel) unless the user typed one."""
        if not self.data_edit.text().strip():
            self.data_edit.setText(str(path))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        for w in self.findChildren(QGroupBox):
            w.setEnabled(not running)
        if not running:
            self.pause_button.setText("Pause")

    # ---------------------------------------------------------------- starting a run
    def _refuse(self, message: str) -> None:
        """A run that must not start: said once, nothing touched, the panel stays ready."""
        self._show_error(message, "")
        self.state = "failed"
        self.status_label.setText("not started")
        self.trainingEnded.emit(self.state)

    def _resume_problem(self) -> str | None:
        path = self.form.resume_path()
        if path is None:
            return None
        if not path:
            return "Resume from is ticked but names no checkpoint: choose the last.pt of an earlier run"
        if Path(path).is_dir():
            return f"{path}: is a folder; choose the last.pt inside it to resume"
        if not Path(path).is_file():
            return f"{path}: checkpoint not found; nothing to resume"
        return None

    def ask_fresh_name(self, folder: RunFolder, fresh: RunFolder) -> bool:
        """Ask before moving a new run next to an earlier one (tests replace this answer)."""
        files = ", ".join(p.name for p in folder.run_files())
        if folder.is_resumable():
            held, note = "already holds a run", "(To continue the earlier run, tick Resume from and choose its last.pt.)"
        elif folder.is_unfinished():
            held, note = "holds an unfinished run with no checkpoint", "(It stopped before its first checkpoint: there is nothing to resume.)"
        else:
            held, note = "already holds a run", "(It has no last.pt: it cannot be resumed.)"
        answer = QMessageBox.question(
            self, "Run folder in use",
            f"{folder.path} {held} ({files}).\n\nStart the new run in {fresh.path.name} instead? {note}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _free_run_folder(self, cfg):
        """The config unchanged when its folder is free, one under a fresh name if the person
        agrees, or None (not started) - an earlier run's files are never overwritten."""
        folder = RunFolder(cfg.run_dir)
        if not folder.holds_run() and not (folder.path.exists() and not folder.path.is_dir()):
            return cfg
        fresh = folder.next_free()
        if not self.ask_fresh_name(folder, fresh):
            self.log(f"not started: {folder.path} holds a run")
            self.status_label.setText("not started")
            return None
        self.name_edit.setText(fresh.path.name)
        self.log(f"{folder.path} holds a run; this one goes to {fresh.path}")
        return self.build_config()

    def start(self) -> None:
        if self.worker is not None:
            return
        self.last_error = None
        problem = self._resume_problem()
        if problem:
            self._refuse(problem)
            return
        try:
            cfg = self.build_config()
            if not cfg.resume:
                cfg = self._free_run_folder(cfg)
        except (ValueError, TypeError, ReconError) as exc:  # a bad form value: shown, not raised into Qt
            self._refuse(str(exc))
            return
        if cfg is None:
            return
        if self.settings is not None:
            self.save_form(self.settings)
        self.trained_model = self.model_combo.currentText()
        self.checkpoint_path = None
        run_dir = RunFolder.of_checkpoint(cfg.resume).path if cfg.resume else Path(cfg.run_dir)
        same_run, self._run_dir = self._run_dir == run_dir, run_dir
        for button in (*self.load_buttons.values(), self.evaluate_button):
            button.setEnabled(False)
        self._data_root = cfg.data_root
        if not (cfg.resume and same_run):  # resuming the run on screen keeps its curve as it is
            self.curves.clear()
        # a resumed earlier run: its curve is read on the worker, before the first step
        history_from = RunFolder(self._run_dir) if cfg.resume and not same_run else None
        if cfg.resume:
            self.log(f"resuming from {cfg.resume} to {cfg.epochs} epochs on {cfg.data_root} "
                     f"(model and settings from the checkpoint) → {self._run_dir}")
        else:
            self.log(f"starting: {self.trained_model} on {cfg.data_root} ({len(cfg.classes)} classes) → {self._run_dir}")
        self._eta = EtaEstimator()
        self._pause.clear()
        self.progress_bar.setRange(0, 0)  # busy until the first event says how many steps
        self.eta_label.setText("")
        self.worker = run_task(self.workers, self._run, cfg, history_from, wants_progress=True,
                               on_progress=self._on_progress,
                               on_result=self._on_finished, on_error=self._on_failed, on_cancel=self._on_cancelled,
                               on_done=self._on_done)
        self.state = "running"
        self.status_label.setText("running")
        self._set_running(True)
        self.trainingStarted.emit()

    def _run(self, cfg, history_from: RunFolder | None, progress, cancel):
        """Pool thread: limit torch's threads (the UI needs a core), route core's log records
        from this thread to the log view, send the earlier curve of ``history_from`` (a resumed
        run's folder) through ``progress`` first, then train."""
        from core.train.trainer import train

        limit_torch_threads(self.torch_threads)
        handler = ThreadLogHandler(self._log_bridge, threading.get_ident())
        core_log = logging.getLogger("core")
        core_log.addHandler(handler)
        try:
            if history_from is not None:
                progress(read_history(history_from))
            return train(cfg, progress=progress, cancel=cancel, pause=self._pause)
        finally:
            core_log.removeHandler(handler)

    def toggle_pause(self) -> None:
        if self.worker is None:
            return
        if self._pause.is_set():
            self._pause.clear()
            self._eta = EtaEstimator()  # the paused time is not a rate
            self.pause_button.setText("Pause")
            self.state = "running"
            self.log("resumed")
        else:
            self._pause.set()
            self.pause_button.setText("Resume")
            self.state = "paused"
            self.log("paused")
        self.status_label.setText(self.state)

    def cancel(self) -> None:
        if self.worker is None:
            return
        self.log("cancelling: the trainer saves last.pt and stops")
        self.status_label.setText("cancelling…")
        self._pause.clear()
        self.worker.cancel()

    # ---------------------------------------------------------------- worker signals
    def _on_progress(self, event: ProgressEvent) -> None:
        if show_progress(self.progress_bar, event):
            eta = self._eta.update(event.done, event.total)
            if eta is not None:
                self.eta_label.setText(f"ETA {format_eta(eta)}")
        e = event.event  # the trainer's own typed record, or the history of a resumed run
        if isinstance(e, MetricsLog):
            draw_history(self.curves, e)
        elif isinstance(e, StepEvent):
            self.curves.add_point("train loss", e.step, e.loss)
        elif isinstance(e, EpochEvent):
            if e.val_loss is not None:
                self.curves.add_point("val loss", e.step, e.val_loss)
            if e.val_iou is not None:
                self.curves.add_point("val IoU", e.epoch + 1, e.val_iou)
            self.log(describe_epoch(event.message, e))
        elif event.message:
            self.log(event.message)

    def _on_finished(self, result: Any) -> None:
        self.result = result
        self.state = "finished"
        self.trained_model = result.config.model  # a resumed run's model comes from its checkpoint
        self.checkpoint_path = next((str(p) for p in (result.best_path, result.last_path)
                                     if p is not None and Path(p).is_file()), None)
        self.status_label.setText("finished")
        self.log(f"finished; checkpoint: {self.checkpoint_path}")
        self._enable_load()

    def _on_cancelled(self) -> None:
        self.state = "cancelled"
        folder = RunFolder(self._run_dir) if self._run_dir else None
        self.trained_model = (folder.stored_model() if folder else None) or self.trained_model
        found = folder.checkpoint(prefer_last=True) if folder else None
        self.checkpoint_path = str(found) if found else None
        self.status_label.setText("cancelled")
        if self.checkpoint_path:
            self.log(f"cancelled; resumable checkpoint: {self.checkpoint_path}")
            self.resume_edit.setText(self.checkpoint_path)
        else:
            self.log("cancelled before any checkpoint was written")
        self._enable_load()

    def _on_failed(self, message: str, tb: str) -> None:
        self.state = "failed"
        self.status_label.setText("failed")
        self._show_error(message, tb)

    def _on_done(self) -> None:
        self.worker = None
        self._pause.clear()
        self._set_running(False)
        self.curves.flush()
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, 1)
        self.eta_label.setText("")
        self.trainingEnded.emit(self.state)

    # ---------------------------------------------------------------- outcomes
    def _enable_load(self) -> None:
        ok = self.checkpoint_path is not None
        for slot, button in self.load_buttons.items():
            button.setEnabled(ok and self.trained_model == slot)
        self.evaluate_button.setEnabled(ok and self._data_root is not None)

    def _request_evaluation(self) -> None:
        if self.checkpoint_path and self._data_root:
            self.evaluateRequested.emit(self.checkpoint_path, self._data_root)

    def _request_load(self, slot: str) -> None:
        if self.checkpoint_path:
            self.loadCheckpointRequested.emit(self.checkpoint_path, slot)

    def _show_error(self, message: str, tb: str) -> None:
        self.last_error = message
        self.log(f"ERROR: {message}")
        if tb:
            self.log(tb.rstrip())
        if self.error_box is None:
            self.error_box = QMessageBox(QMessageBox.Icon.Critical, "Training failed", "", QMessageBox.StandardButton.Ok, self)
            self.error_box.setModal(False)
        self.error_box.setText(message)
        self.error_box.setDetailedText(tb)
        self.error_box.show()

    def log(self, text: str) -> None:
        self.log_view.appendPlainText(f"[{time.strftime('%H:%M:%S')}] {text}")
