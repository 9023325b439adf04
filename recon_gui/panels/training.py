"""Training panel: a form that builds core's TrainConfig, runs core's trainer in a worker, and
shows live curves, progress with ETA, a log, Pause/Resume/Cancel, and "load into" buttons.

All science lives in ``core.train``; this module only turns widgets into a config, progress
events into curve points and text, and outcomes into enabled buttons.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.errors import ReconError
from core.progress import ProgressEvent
from core.train.config import DEFAULT_CE_WEIGHT, PRESETS, build_train_config
from core.train.trainer import train
from recon_gui.panels.curves import CurvesWidget
from recon_gui.workers import Worker, WorkerManager


class _LogBridge(QObject):
    """Carries ``core`` log records from the training thread to the panel's log (queued)."""

    message = Signal(str)


class _ThreadLogHandler(logging.Handler):
    """Forwards records emitted on one thread (the training worker's) to a bridge signal, so
    the trainer's warnings (an empty validation split, skipped objects) reach the log view."""

    def __init__(self, bridge: _LogBridge, thread_id: int):
        super().__init__(logging.INFO)
        self.bridge, self.thread_id = bridge, thread_id
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.bridge.message.emit(self.format(record))


def limit_torch_threads(n: int | None) -> None:
    """Keep torch's intra-op pool from starving the UI thread on small machines."""
    if n:
        import torch

        torch.set_num_threads(n)


def split_ratios(val_pct: int, test_pct: int) -> tuple[float, float, float]:
    """(train, val, test) fractions from the two held-out percentages."""
    if val_pct + test_pct >= 100:
        raise ValueError(f"split ratios: validation {val_pct} % + test {test_pct} % leave no objects to train on")
    val, test = val_pct / 100, test_pct / 100
    return (round(1.0 - val - test, 6), val, test)


def format_eta(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
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
        self._log_bridge = _LogBridge(self)
        self._log_bridge.message.connect(self.log)
        self._build_ui()
        self._set_running(False)
        if settings is not None:
            self.restore_form(settings)

    # ---------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        form_box = QGroupBox("Run")
        form = QFormLayout(form_box)

        self.preset_combo = QComboBox()
        self.preset_combo.addItem("(custom)", None)
        for name in PRESETS:
            self.preset_combo.addItem(name, name)
        self.preset_combo.setToolTip("fill the form with one of core's presets (paper settings, CPU-sized runs)")
        self.preset_combo.currentIndexChanged.connect(lambda _i: self.apply_preset(self.preset_combo.currentData()))
        form.addRow("Preset", self.preset_combo)

        self.model_combo = QComboBox()
        self.model_combo.addItems(["proposed", "baseline"])
        form.addRow("Model", self.model_combo)

        self.data_edit = QLineEdit()
        self.data_edit.setPlaceholderText("folder with ShapeNetRendering/ and ShapeNetVox32/")
        form.addRow("Data folder", self._with_browse(self.data_edit, "Choose data folder"))

        self.classes_combo = QComboBox()
        self.classes_combo.addItems(["13", "7"])
        form.addRow("Classes", self.classes_combo)

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 10000)
        self.epochs_spin.setValue(20)
        form.addRow("Epochs", self.epochs_spin)

        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1024)
        self.batch_spin.setValue(32)
        form.addRow("Batch size", self.batch_spin)

        self.views_spin = QSpinBox()
        self.views_spin.setRange(1, 24)
        self.views_spin.setValue(24)
        self.views_spin.setToolTip("random views per object per epoch (24 = all)")
        form.addRow("Views per object", self.views_spin)

        self.val_views_spin = QSpinBox()
        self.val_views_spin.setRange(1, 24)
        self.val_views_spin.setValue(4)
        self.val_views_spin.setToolTip("fixed views per validation object (24 = all)")
        form.addRow("Validation views", self.val_views_spin)

        self.max_steps_spin = QSpinBox()
        self.max_steps_spin.setRange(0, 1_000_000)
        self.max_steps_spin.setValue(0)
        self.max_steps_spin.setSpecialValueText("whole epoch")
        self.max_steps_spin.setToolTip("cap on optimiser steps per epoch (quick trials)")
        form.addRow("Steps per epoch", self.max_steps_spin)

        self.val_pct_spin = QSpinBox()
        self.val_pct_spin.setRange(0, 90)
        self.val_pct_spin.setValue(5)
        self.val_pct_spin.setSuffix(" % val")
        self.test_pct_spin = QSpinBox()
        self.test_pct_spin.setRange(0, 90)
        self.test_pct_spin.setValue(20)
        self.test_pct_spin.setSuffix(" % test")
        split_row = QWidget()
        sl = QHBoxLayout(split_row)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.val_pct_spin)
        sl.addWidget(self.test_pct_spin)
        split_row.setToolTip("objects per class held out for validation and test (the rest trains)")
        form.addRow("Split", split_row)

        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(6)
        self.lr_spin.setRange(1e-6, 1.0)
        self.lr_spin.setSingleStep(1e-4)
        self.lr_spin.setValue(1e-3)
        form.addRow("Learning rate", self.lr_spin)

        self.ce_weight_spin = QDoubleSpinBox()
        self.ce_weight_spin.setDecimals(4)
        self.ce_weight_spin.setRange(0.0, 100.0)
        self.ce_weight_spin.setSingleStep(0.001)
        self.ce_weight_spin.setValue(DEFAULT_CE_WEIGHT["13"])
        self.bce_weight_spin = QDoubleSpinBox()
        self.bce_weight_spin.setDecimals(4)
        self.bce_weight_spin.setRange(0.0, 100.0)
        self.bce_weight_spin.setValue(1.0)
        weights = QWidget()
        wl = QHBoxLayout(weights)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(QLabel("a (CE)"))
        wl.addWidget(self.ce_weight_spin)
        wl.addWidget(QLabel("b (BCE)"))
        wl.addWidget(self.bce_weight_spin)
        form.addRow("Loss weights", weights)

        self.fusion_combo = QComboBox()
        self.fusion_combo.addItems(["concat", "sum"])
        form.addRow("Fusion", self.fusion_combo)

        self.embed_combo = QComboBox()
        self.embed_combo.addItems(["128", "256"])
        form.addRow("Embedding size", self.embed_combo)

        self.encoder_combo = QComboBox()
        self.encoder_combo.addItems(["fast", "r2n2"])
        form.addRow("Encoder", self.encoder_combo)

        self.out_edit = QLineEdit(str(Path("runs").absolute()))
        self.device_combo = QComboBox()
        self.device_combo.addItems(["auto", "cpu", "cuda"])
        self.device_combo.setToolTip("auto: the GPU when PyTorch sees one, else the CPU")
        form.addRow("Device", self.device_combo)

        self.out_box = self._with_browse(self.out_edit, "Choose output folder")
        form.addRow("Output folder", self.out_box)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("run name (default: model-classes-time)")
        form.addRow("Run name", self.name_edit)

        self.resume_check = QCheckBox("Resume from")
        self.resume_edit = QLineEdit()
        self.resume_edit.setPlaceholderText("last.pt of an earlier run")
        resume_row = QWidget()
        rl = QHBoxLayout(resume_row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.resume_check)
        rl.addWidget(self._with_browse(self.resume_edit, "Choose checkpoint", file_filter="Checkpoints (*.pt)"))
        form.addRow("", resume_row)

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

        self.load_baseline_button = QPushButton("Load into baseline")
        self.load_proposed_button = QPushButton("Load into proposed")
        self.load_baseline_button.clicked.connect(lambda: self._request_load("baseline"))
        self.load_proposed_button.clicked.connect(lambda: self._request_load("proposed"))
        self.load_baseline_button.setEnabled(False)
        self.load_proposed_button.setEnabled(False)
        load_row = QHBoxLayout()
        load_row.addWidget(self.load_baseline_button)
        load_row.addWidget(self.load_proposed_button)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(form_box)
        ll.addLayout(buttons)
        ll.addWidget(self.progress_bar)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.eta_label)
        ll.addLayout(status_row)
        ll.addLayout(load_row)
        self.evaluate_button = QPushButton("Evaluate on the test split")
        self.evaluate_button.setToolTip("per-class IoU of this checkpoint on the run's test objects (Data set panel)")
        self.evaluate_button.setEnabled(False)
        self.evaluate_button.clicked.connect(self._request_evaluation)
        ll.addWidget(self.evaluate_button)
        ll.addStretch(1)

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
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.model_combo.currentTextChanged.connect(self._update_enabled)
        self.classes_combo.currentTextChanged.connect(self._classes_changed)
        self.resume_check.toggled.connect(self._update_enabled)
        # a resumed run takes all of these from its checkpoint (core.train.trainer.merge_resume_config)
        self._fixed_by_resume = [
            self.preset_combo, self.model_combo, self.classes_combo, self.batch_spin, self.views_spin,
            self.val_views_spin, self.max_steps_spin, self.val_pct_spin, self.test_pct_spin, self.lr_spin,
            self.ce_weight_spin, self.bce_weight_spin, self.fusion_combo, self.embed_combo, self.encoder_combo,
            self.out_box, self.name_edit,
        ]
        self._update_enabled()

    def _with_browse(self, edit: QLineEdit, title: str, file_filter: str | None = None) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton("Browse…")

        def browse() -> None:
            if file_filter:
                path, _ = QFileDialog.getOpenFileName(self, title, edit.text(), file_filter)
            else:
                path = QFileDialog.getExistingDirectory(self, title, edit.text())
            if path:
                edit.setText(path)

        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    def apply_preset(self, name: str | None) -> None:
        """Set the widgets a preset of ``core.train.config.PRESETS`` names; others stay as they are."""
        if not name:
            return
        preset = PRESETS[name]
        views = lambda v: 24 if v == "all" else int(v)
        setters = {
            "classes": lambda v: self.classes_combo.setCurrentText(str(v)),
            "epochs": self.epochs_spin.setValue,
            "batch_size": self.batch_spin.setValue,
            "lr": self.lr_spin.setValue,
            "views": lambda v: self.views_spin.setValue(views(v)),
            "val_views": lambda v: self.val_views_spin.setValue(views(v)),
            "max_steps_per_epoch": self.max_steps_spin.setValue,
            "encoder": self.encoder_combo.setCurrentText,
            "ce_weight": self.ce_weight_spin.setValue,  # after classes, whose change sets the default a
            "bce_weight": self.bce_weight_spin.setValue,
        }
        for key, setter in setters.items():
            if key in preset:
                setter(preset[key])

    def _persisted_widgets(self) -> dict[str, QWidget]:
        return {
            "model": self.model_combo, "data_root": self.data_edit, "classes": self.classes_combo,
            "epochs": self.epochs_spin, "batch_size": self.batch_spin, "views": self.views_spin,
            "val_views": self.val_views_spin, "max_steps": self.max_steps_spin, "val_pct": self.val_pct_spin,
            "test_pct": self.test_pct_spin, "lr": self.lr_spin, "ce_weight": self.ce_weight_spin,
            "bce_weight": self.bce_weight_spin, "fusion": self.fusion_combo, "embed_dim": self.embed_combo,
            "encoder": self.encoder_combo, "device": self.device_combo, "out_dir": self.out_edit,
        }

    def save_form(self, settings: QSettings) -> None:
        for key, w in self._persisted_widgets().items():
            value = w.currentText() if isinstance(w, QComboBox) else w.text() if isinstance(w, QLineEdit) else w.value()
            settings.setValue(f"training/{key}", value)

    def restore_form(self, settings: QSettings) -> None:
        """Widgets back to the last Start's values; unknown or stale values are skipped."""
        for key, w in self._persisted_widgets().items():
            value = settings.value(f"training/{key}")
            if value is None:
                continue
            try:
                if isinstance(w, QComboBox):
                    if w.findText(str(value)) >= 0:
                        w.setCurrentText(str(value))
                elif isinstance(w, QLineEdit):
                    w.setText(str(value))
                elif isinstance(w, QDoubleSpinBox):
                    w.setValue(float(value))
                else:
                    w.setValue(int(value))
            except (TypeError, ValueError):
                continue  # a hand-edited settings file: keep the default

    def set_data_folder(self, path: str) -> None:
        """Prefill the data folder (e.g. from the data set panel) unless the user typed one."""
        if not self.data_edit.text().strip():
            self.data_edit.setText(str(path))

    def _update_enabled(self, *_: Any) -> None:
        """Resume: only the data folder and the epoch count apply. Baseline: no a, no fusion."""
        resume = self.resume_check.isChecked()
        for w in self._fixed_by_resume:
            w.setEnabled(not resume)
        proposed = self.model_combo.currentText() == "proposed"
        self.ce_weight_spin.setEnabled(proposed and not resume)
        self.fusion_combo.setEnabled(proposed and not resume)

    def _classes_changed(self, spec: str) -> None:
        self.ce_weight_spin.setValue(DEFAULT_CE_WEIGHT.get(spec, self.ce_weight_spin.value()))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        for w in self.findChildren(QGroupBox):
            w.setEnabled(not running)
        if not running:
            self.pause_button.setText("Pause")

    # ---------------------------------------------------------------- config
    def build_config(self):
        """The form as core's TrainConfig (its validation errors surface as one line)."""
        return build_train_config(**self.form_values())

    def form_values(self) -> dict[str, Any]:
        """TrainConfig overrides from the widgets (keys are TrainConfig fields)."""
        model = self.model_combo.currentText()
        spec = self.classes_combo.currentText()
        name = self.name_edit.text().strip() or f"{model}-{spec}cls-{time.strftime('%Y%m%d-%H%M%S')}"
        return {
            "model": model,
            "data_root": self.data_edit.text().strip(),
            "classes": spec,
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "views": "all" if self.views_spin.value() >= 24 else self.views_spin.value(),
            "val_views": "all" if self.val_views_spin.value() >= 24 else self.val_views_spin.value(),
            "max_steps_per_epoch": self.max_steps_spin.value(),
            "split_ratios": split_ratios(self.val_pct_spin.value(), self.test_pct_spin.value()),
            "lr": self.lr_spin.value(),
            "ce_weight": self.ce_weight_spin.value(),
            "bce_weight": self.bce_weight_spin.value(),
            "fusion": self.fusion_combo.currentText(),
            "embed_dim": int(self.embed_combo.currentText()),
            "encoder": self.encoder_combo.currentText(),
            "device": self.device_combo.currentText(),
            "out_dir": self.out_edit.text().strip(),
            "name": name,
            "resume": self.resume_edit.text().strip() if self.resume_check.isChecked() else None,
        }

    # ---------------------------------------------------------------- run control
    def start(self) -> None:
        if self.worker is not None:
            return
        self.last_error = None
        try:
            cfg = self.build_config()
        except (ValueError, TypeError, ReconError) as exc:  # a bad form value: shown, not raised into Qt
            self._show_error(str(exc), "")
            self.state = "failed"
            self.status_label.setText("failed")
            self.trainingEnded.emit(self.state)
            return
        if self.settings is not None:
            self.save_form(self.settings)
        self.trained_model = self.model_combo.currentText()
        self.checkpoint_path = None
        # a resumed run continues in its checkpoint's folder (core.train.trainer.merge_resume_config)
        self._run_dir = Path(cfg.resume).resolve().parent if cfg.resume else cfg.run_dir
        self.load_baseline_button.setEnabled(False)
        self.load_proposed_button.setEnabled(False)
        self.evaluate_button.setEnabled(False)
        self._data_root = cfg.data_root
        self.curves.clear()
        self._eta = EtaEstimator()
        self._pause.clear()
        self.progress_bar.setRange(0, 0)  # busy until the first event says how many steps
        self.eta_label.setText("")
        if cfg.resume:
            self.log(f"resuming from {cfg.resume} to {cfg.epochs} epochs on {cfg.data_root} "
                     f"(model and settings from the checkpoint) → {self._run_dir}")
        else:
            self.log(f"starting: {self.trained_model} on {cfg.data_root} ({len(cfg.classes)} classes) → {self._run_dir}")
        worker = self.workers.prepare(self._run, cfg)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        worker.signals.done.connect(self._on_done)
        self.worker = self.workers.launch(worker)
        self.state = "running"
        self.status_label.setText("running")
        self._set_running(True)
        self.trainingStarted.emit()

    def _run(self, cfg, progress, cancel):
        """Pool thread: limit torch's threads (the UI needs a core), route core's log records
        from this thread to the log view, then train."""
        limit_torch_threads(self.torch_threads)
        handler = _ThreadLogHandler(self._log_bridge, threading.get_ident())
        core_log = logging.getLogger("core")
        core_log.addHandler(handler)
        try:
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
            self.status_label.setText("running")
            self.log("resumed")
        else:
            self._pause.set()
            self.pause_button.setText("Resume")
            self.state = "paused"
            self.status_label.setText("paused")
            self.log("paused")

    def cancel(self) -> None:
        if self.worker is None:
            return
        self.log("cancelling: the trainer saves last.pt and stops")
        self.status_label.setText("cancelling…")
        self._pause.clear()
        self.worker.cancel()

    # ---------------------------------------------------------------- worker signals
    def _on_progress(self, event: ProgressEvent) -> None:
        if event.total > 0:
            if self.progress_bar.maximum() != event.total:
                self.progress_bar.setRange(0, event.total)
            self.progress_bar.setValue(min(event.done, event.total))
            eta = self._eta.update(event.done, event.total)
            if eta is not None:
                self.eta_label.setText(f"ETA {format_eta(eta)}")
        m = event.metrics  # as core.train.events.ProgressBridge reports them
        kind = m.get("kind")
        if kind == "step":
            self.curves.add_point("train loss", m["step"], m["loss"])
        elif kind == "epoch":
            if m.get("val_loss") is not None:
                self.curves.add_point("val loss", m["step"], m["val_loss"])
            if m.get("val_iou") is not None:
                self.curves.add_point("val IoU", m["epoch"] + 1, m["val_iou"])
            self.log(self._describe(event))
        elif event.message:
            self.log(event.message)

    @staticmethod
    def _describe(event: ProgressEvent) -> str:
        parts = [event.message] if event.message else []
        for k, v in event.metrics.items():
            if k in ("kind", "run_dir", "epoch", "step"):  # the message already says which epoch
                continue
            parts.append(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}")
        return " ".join(parts)

    def _on_finished(self, result: Any) -> None:
        self.result = result
        self.state = "finished"
        self.trained_model = result.config.model  # a resumed run's model comes from its checkpoint
        self.checkpoint_path = self._find_checkpoint(result)
        self.status_label.setText("finished")
        self.log(f"finished; checkpoint: {self.checkpoint_path}")
        self._enable_load()

    def _on_cancelled(self) -> None:
        self.state = "cancelled"
        self.trained_model = self._model_of_run() or self.trained_model
        self.checkpoint_path = self._find_checkpoint(None, prefer_last=True)
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
    def _find_checkpoint(self, result: Any, prefer_last: bool = False) -> str | None:
        """best.pt (weights of the best validation epoch) else last.pt; after a cancel last.pt,
        the one that can be resumed."""
        if result is not None:
            candidates = [result.best_path, result.last_path]
        else:
            names = ("last.pt", "best.pt") if prefer_last else ("best.pt", "last.pt")
            candidates = [self._run_dir / n for n in names] if self._run_dir else []
        for p in candidates:
            if p is not None and Path(p).is_file():
                return str(p)
        return None

    def _model_of_run(self) -> str | None:
        """The model named in the run folder's config.json (what the trainer actually ran)."""
        path = self._run_dir / "config.json" if self._run_dir else None
        if path is None or not path.is_file():
            return None
        try:
            return json.loads(path.read_text()).get("model")
        except (OSError, ValueError):
            return None

    def _enable_load(self) -> None:
        ok = self.checkpoint_path is not None
        self.load_baseline_button.setEnabled(ok and self.trained_model == "baseline")
        self.load_proposed_button.setEnabled(ok and self.trained_model == "proposed")
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


def default_torch_threads() -> int:
    """Leave one core to the UI thread (and at least one to torch)."""
    import os

    return max(1, (os.cpu_count() or 2) - 1)
