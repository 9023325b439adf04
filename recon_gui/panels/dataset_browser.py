"""Data set browser: open an R2N2-layout folder, pick class / object / view, see the rendering,
send the sample to the models, and evaluate a checkpoint on the folder's test split.

Discovery and evaluation run in workers (a real ShapeNet folder holds ~44k objects); the
panel only lists what ``core.io.r2n2.discover`` found and shows what ``core.evaluate`` says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.evaluate import evaluate
from core.io.r2n2 import discover
from core.progress import ProgressEvent
from core.spec import VIEWS_PER_OBJECT
from recon_gui.panels.evaluation import EvaluationView
from recon_gui.panels.run_support import (
    default_torch_threads,
    limit_torch_threads,
    show_progress,
)
from recon_gui.workers import Worker, WorkerManager, run_task

VIEWS = VIEWS_PER_OBJECT
THUMBNAIL_PX = 240  # the 137 px renderings, enlarged to fit a side dock


class DatasetPanel(QWidget):
    """Browse samples of a data set folder and evaluate checkpoints on its test split."""

    sampleChosen = Signal(str, str)  # image path, binvox path
    datasetOpened = Signal(str)  # root
    evaluationFinished = Signal(object)  # core EvalReport

    def __init__(self, workers: WorkerManager, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(parent)
        self.workers = workers
        self.settings = settings  # when given: remembers the last data set folder (prefilled, not opened)
        self.discovery: Any = None
        self.root: Path | None = None
        self.message = ""
        self.open_worker: Worker | None = None
        self.eval_worker: Worker | None = None
        self.eval_state = "idle"  # idle | running | finished | cancelled | failed
        self.eval_error: str | None = None
        self.eval_report: Any = None
        self._objects_by_class: dict[str, list[Any]] = {}
        self._quiet = False
        self._pending_eval: Path | None = None  # a checkpoint to evaluate once the folder is open
        self._build_ui()
        if settings is not None and settings.value("dataset/root"):
            self.root_edit.setText(str(settings.value("dataset/root")))

    # ---------------------------------------------------------------- UI
    def _build_ui(self) -> None:
        self.root_edit = QLineEdit()
        self.root_edit.setPlaceholderText("folder with ShapeNetRendering/ and ShapeNetVox32/")
        self.root_edit.returnPressed.connect(lambda: self.open_folder(self.root_edit.text()))
        browse = QPushButton("Open…")
        browse.clicked.connect(self._browse_root)
        self.root_edit.setMinimumWidth(80)
        top = QHBoxLayout()
        top.addWidget(self.root_edit, 1)
        top.addWidget(browse)

        self.message_label = QLabel("Open a folder in the 3D-R2N2 layout.")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.class_combo = QComboBox()
        self.object_combo = QComboBox()
        for combo in (self.class_combo, self.object_combo):  # 32-hex ids must not widen a side dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.view_spin = QSpinBox()
        self.view_spin.setRange(0, VIEWS - 1)
        self.class_combo.currentIndexChanged.connect(self._class_changed)
        self.object_combo.currentIndexChanged.connect(self._sample_changed)
        self.view_spin.valueChanged.connect(self._sample_changed)
        form = QFormLayout()
        form.addRow("Class", self.class_combo)
        form.addRow("Object", self.object_combo)
        form.addRow("View", self.view_spin)

        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(THUMBNAIL_PX, THUMBNAIL_PX)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setStyleSheet("background: #f4f4f4; border: 1px solid #ccc;")
        self.send_button = QPushButton("Show in models")
        self.send_button.setToolTip("send this rendering and its ground-truth voxels to the model views")
        self.send_button.clicked.connect(self.emit_current)

        self.evaluate_button = QPushButton("Evaluate…")
        self.evaluate_button.setToolTip("evaluate a checkpoint on this folder's test split")
        self.evaluate_button.clicked.connect(self._choose_checkpoint)
        self.eval_cancel_button = QPushButton("Cancel")
        self.eval_cancel_button.clicked.connect(self.cancel_evaluation)
        self.eval_progress = QProgressBar()
        self.eval_progress.setRange(0, 1)
        self.eval_progress.setValue(0)
        self.eval_status = QLabel("")
        self.eval_views_spin = QSpinBox()
        self.eval_views_spin.setRange(1, VIEWS)
        self.eval_views_spin.setValue(VIEWS)
        self.eval_views_spin.setPrefix("views: ")
        self.eval_views_spin.setToolTip("views per test object (24 = all, the paper's protocol)")
        eval_row = QHBoxLayout()
        eval_row.addWidget(self.evaluate_button)
        eval_row.addWidget(self.eval_views_spin)
        eval_row.addStretch(1)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.eval_progress, 1)
        progress_row.addWidget(self.eval_cancel_button)

        # one column: the main window docks this panel at the side of the model views
        browse_box = QGroupBox("Sample")
        bl = QVBoxLayout(browse_box)
        bl.addLayout(form)
        bl.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignHCenter)
        bl.addWidget(self.send_button)

        self.evaluation_view = EvaluationView()
        eval_box = QGroupBox("Test-split evaluation")
        el = QVBoxLayout(eval_box)
        el.addLayout(eval_row)
        el.addLayout(progress_row)
        el.addWidget(self.eval_status)
        el.addWidget(self.evaluation_view, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(browse_box)
        layout.addWidget(eval_box, 1)
        self._set_browsing_enabled(False)
        self.eval_cancel_button.setEnabled(False)

    def _set_browsing_enabled(self, on: bool) -> None:
        for w in (self.class_combo, self.object_combo, self.view_spin, self.send_button, self.evaluate_button):
            w.setEnabled(on)

    def _browse_root(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open data set folder", self.root_edit.text())
        if path:
            self.open_folder(path)

    # ---------------------------------------------------------------- discovery
    def open_folder(self, root: str | Path) -> None:
        """Discover objects under ``root`` in a worker; the lists fill when it is done."""
        if self.open_worker is not None:
            return
        root = Path(root).expanduser()
        self.root_edit.setText(str(root))
        self._set_message(f"reading {root} …")
        self._set_browsing_enabled(False)
        self.open_worker = run_task(self.workers, discover, root, on_result=lambda d, r=root: self._on_discovered(r, d),
                                    on_error=self._on_open_failed, on_done=self._on_open_done)

    def _on_discovered(self, root: Path, discovery: Any) -> None:
        self.root, self.discovery = root, discovery
        if self.settings is not None:
            self.settings.setValue("dataset/root", str(root))
        self._objects_by_class = {}
        for obj in discovery.objects:
            self._objects_by_class.setdefault(obj.class_name, []).append(obj)
        text = f"{len(discovery.objects)} objects in {len(self._objects_by_class)} classes"
        skipped = sum(discovery.skipped.values())
        if skipped:
            text += f"; skipped {skipped}: " + ", ".join(f"{n} {reason}" for reason, n in sorted(discovery.skipped.items()))
        self._set_message(text)
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        for name in discovery.classes:
            if name in self._objects_by_class:
                self.class_combo.addItem(f"{name} ({len(self._objects_by_class[name])})", name)
        self.class_combo.blockSignals(False)
        self._set_browsing_enabled(True)
        self._quiet = True  # show the first sample, but only a choice sends it to the models
        try:
            self._class_changed()
        finally:
            self._quiet = False
        self._show_thumbnail()
        self.datasetOpened.emit(str(root))
        if self._pending_eval is not None:
            checkpoint, self._pending_eval = self._pending_eval, None
            self.evaluate_checkpoint(checkpoint)

    def _on_open_failed(self, message: str, _tb: str) -> None:
        self._pending_eval = None
        self.discovery, self.root = None, None
        self.class_combo.clear()
        self.object_combo.clear()
        self.thumbnail.clear()
        self._set_message(f"Not a data set: {message}", error=True)

    def _on_open_done(self) -> None:
        self.open_worker = None

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message = text
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #b00020;" if error else "")

    # ---------------------------------------------------------------- selection
    def _class_changed(self, *_: Any) -> None:
        name = self.class_combo.currentData()
        self.object_combo.blockSignals(True)
        self.object_combo.clear()
        for obj in self._objects_by_class.get(name, []):
            self.object_combo.addItem(obj.object_id, obj)
        self.object_combo.blockSignals(False)
        self._sample_changed()

    def select(self, class_name: str, object_index: int = 0, view: int = 0) -> None:
        """Programmatic selection (tests, and the main window restoring a session)."""
        i = self.class_combo.findData(class_name)
        if i < 0:
            raise ValueError(f"class {class_name!r} is not in the open data set")
        self._quiet = True  # one sampleChosen for the whole selection, not one per widget
        try:
            self.class_combo.setCurrentIndex(i)
            self.object_combo.setCurrentIndex(object_index)
            self.view_spin.setValue(view)
        finally:
            self._quiet = False
        self._sample_changed()

    def current_sample(self) -> tuple[str, str] | None:
        obj = self.object_combo.currentData()
        if obj is None:
            return None
        return str(obj.png_path(self.view_spin.value())), str(obj.binvox_path)

    def _sample_changed(self, *_: Any) -> None:
        if self._quiet:
            return
        if self._show_thumbnail():
            self.emit_current()

    def _show_thumbnail(self) -> bool:
        sample = self.current_sample()
        if sample is None:
            self.thumbnail.clear()
            return False
        pixmap = QPixmap(sample[0])
        if pixmap.isNull():
            self.thumbnail.setText(f"cannot read\n{Path(sample[0]).name}")
        else:
            self.thumbnail.setPixmap(pixmap.scaled(THUMBNAIL_PX, THUMBNAIL_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        return True

    def emit_current(self) -> None:
        sample = self.current_sample()
        if sample is not None:
            self.sampleChosen.emit(*sample)

    # ---------------------------------------------------------------- evaluation
    def _choose_checkpoint(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Evaluate checkpoint", str(self.root or ""), "Checkpoints (*.pt)")
        if path:
            self.evaluate_checkpoint(path)

    def evaluate_in(self, checkpoint: str | Path, root: str | Path) -> None:
        """Evaluate ``checkpoint`` on ``root`` (opening it first if another folder is open):
        the training panel's "Evaluate on the test split" lands here."""
        root = Path(root).expanduser()
        if self.root is not None and self.root.resolve() == root.resolve():
            self.evaluate_checkpoint(checkpoint)
            return
        self._pending_eval = Path(checkpoint)
        self.open_folder(root)

    def evaluate_checkpoint(self, checkpoint: str | Path, views: int | None = None) -> None:
        """Evaluate ``checkpoint`` on the open folder's test split in a worker
        (``views`` per object; default: the spin box, 24 = all)."""
        if self.eval_worker is not None or self.root is None:
            return
        self.eval_state, self.eval_error, self.eval_report = "running", None, None
        self._checkpoint = Path(checkpoint)
        self.eval_status.setText(f"evaluating {self._checkpoint.name} on the test split …")
        self.eval_progress.setRange(0, 0)
        self.evaluate_button.setEnabled(False)
        self.eval_cancel_button.setEnabled(True)
        if views is not None:
            self.eval_views_spin.setValue(views)
        n_views = self.eval_views_spin.value()
        self.eval_worker = run_task(
            self.workers, _evaluate_limited, str(checkpoint), str(self.root), split="test",
            views="all" if n_views >= VIEWS else n_views, wants_progress=True, on_progress=self._on_eval_progress,
            on_result=self._on_eval_finished, on_error=self._on_eval_failed, on_cancel=self._on_eval_cancelled,
            on_done=self._on_eval_done)

    def cancel_evaluation(self) -> None:
        if self.eval_worker is not None:
            self.eval_worker.cancel()
            self.eval_status.setText("cancelling …")

    def _on_eval_progress(self, event: ProgressEvent) -> None:
        show_progress(self.eval_progress, event)

    def _on_eval_finished(self, report: Any) -> None:
        self.eval_state, self.eval_report = "finished", report
        self.evaluation_view.set_report(report, title=f"{self._checkpoint.name} on {self.root} (test split)")
        self.eval_status.setText("done")
        self.evaluationFinished.emit(report)

    def _on_eval_failed(self, message: str, _tb: str) -> None:
        self.eval_state, self.eval_error = "failed", message
        self.eval_status.setText(f"Evaluation failed: {message}")

    def _on_eval_cancelled(self) -> None:
        self.eval_state = "cancelled"
        self.eval_status.setText("evaluation cancelled")

    def _on_eval_done(self) -> None:
        self.eval_worker = None
        self.eval_progress.setRange(0, 1)
        self.eval_progress.setValue(1 if self.eval_state == "finished" else 0)
        self.evaluate_button.setEnabled(self.root is not None)
        self.eval_cancel_button.setEnabled(False)


def _evaluate_limited(*args: Any, **kwargs: Any) -> Any:
    """Pool thread: leave the UI a core, then ``core.evaluate.evaluate``."""
    limit_torch_threads(default_torch_threads())
    return evaluate(*args, **kwargs)
