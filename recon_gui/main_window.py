"""The studio window: picture in, class probabilities and baseline | proposed | ground truth out.

Everything slow (checkpoint loading, inference, file export encoding) runs on the worker pool;
the window only starts work, shows results and reports failures (status bar + a non-modal
dialog + the log). Panels from ``recon_gui.panels.training`` / ``dataset_browser`` are hosted
when they import, and talk to the window only through their signals.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import ReconError
from core.geometry.mesh import MESH_FORMATS, VOXEL_FORMATS
from recon_gui import export
from recon_gui.about import about_text
from recon_gui.panels.comparison import SLOT_TITLES, ComparisonPanel
from recon_gui.panels.input_panel import InputPanel, array_to_pixmap, qimage_to_array
from recon_gui.panels.probabilities import ProbabilityChart
from recon_gui.resources import checkpoint_path, gallery_samples, ground_truth_for
from recon_gui.session import (
    SLOTS,
    ComparisonRequest,
    ComparisonResult,
    load_predictor,
    load_predictor_for_its_slot,
    run_comparison,
)
from recon_gui.settings import AppSettings
from recon_gui.theme import Theme, current_theme
from recon_gui.turntable import TurntableRecorder
from recon_gui.workers import Worker, WorkerManager

log = logging.getLogger("recon_gui")

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
CHECKPOINT_FILTER = "Checkpoints (*.pt *.pth);;All files (*)"
MESH_FILTER = "Wavefront OBJ (*.obj);;Stanford PLY (*.ply);;STL (*.stl);;glTF binary (*.glb)"
VOXEL_FILTER = "binvox (*.binvox);;NumPy array (*.npy)"
VIEW_KEYS = ("baseline", "proposed", "truth")
CHECKPOINT_SUFFIXES = (".pt", ".pth")
TURNTABLE_FRAMES = 36


class MainWindow(QMainWindow):
    predictionShown = Signal(object)  # ComparisonResult, after the views show it
    predictorChanged = Signal(str)  # slot whose model was (un)loaded
    busyChanged = Signal(bool)

    def __init__(self, workers: WorkerManager | None = None, settings: AppSettings | None = None,
                 theme: Theme | None = None, checkpoints: dict[str, str | Path | None] | None = None,
                 load_default_checkpoints: bool = True, samples_root: str | Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("recon-gui — single-view 3D reconstruction")
        self.setAcceptDrops(True)
        self.workers = workers or WorkerManager(self, max_threads=6)
        self.settings = settings or AppSettings()
        self.theme = theme or current_theme()
        self.predictors: dict[str, Any] = {s: None for s in SLOTS}
        self.checkpoint_files: dict[str, str] = {s: "" for s in SLOTS}
        self.current_request: ComparisonRequest | None = None
        self.result: ComparisonResult | None = None
        self.error_dialogs: list[QMessageBox] = []
        self.last_error: str = ""
        self._pending_request: ComparisonRequest | None = None
        self._prediction_worker: Worker | None = None
        self._loading: dict[str, Worker] = {}
        self._busy = 0
        self._drop_time: float | None = None
        self.last_latency_ms: float | None = None
        self.last_show_ms: float | None = None
        self.training_panel = None
        self.dataset_panel = None
        self._closed = False

        self._build_panels(samples_root)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._host_optional_panels()
        self._restore_view_settings()
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setRange(0, 0)  # indeterminate: something runs on a worker
        self.busy_indicator.setMaximumWidth(120)
        self.busy_indicator.setMaximumHeight(14)
        self.busy_indicator.setToolTip("Working in the background (the window stays usable)")
        self.busy_indicator.hide()
        self.statusBar().addPermanentWidget(self.busy_indicator)
        self.busyChanged.connect(self.busy_indicator.setVisible)
        self.statusBar().showMessage("Ready")
        self.resize(1600, 900)
        self._restore_window()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        self._load_initial_checkpoints(checkpoints or {}, load_default_checkpoints)
        if self._panel_problems:
            self.statusBar().showMessage(" · ".join(self._panel_problems), 0)

    # ================================================================== layout
    def _build_panels(self, samples_root: str | Path | None) -> None:
        self.input_panel = InputPanel(self)
        self.input_panel.sampleClicked.connect(lambda img, vox: self.open_image(img, vox or None))
        self.input_panel.set_samples(gallery_samples(Path(samples_root) if samples_root else None))

        self.comparison = ComparisonPanel(self.theme, self)
        self.comparison.priorChoiceChanged.connect(self._on_prior_choice_changed)

        self.chart = ProbabilityChart(self.theme)
        self.predicted_label = QLabel("")
        self.predicted_label.setObjectName("predictedClass")
        self.predicted_label.setWordWrap(True)
        self.models_label = QLabel("")
        self.models_label.setObjectName("modelsLabel")
        self.models_label.setWordWrap(True)
        probs_box = QGroupBox("Class probabilities (proposed)")
        pl = QVBoxLayout(probs_box)
        pl.addWidget(self.predicted_label)
        pl.addWidget(self.chart)
        pl.addStretch(1)
        pl.addWidget(self.models_label)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.input_panel)
        splitter.addWidget(self.comparison)
        splitter.addWidget(probs_box)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([260, 960, 280])
        self.main_splitter = splitter

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(splitter, "Reconstruct")
        self.setCentralWidget(self.tabs)

    def _action(self, text: str, slot: Callable, shortcut: QKeySequence | str | None = None, tip: str = "",
                checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.open_action = a("&Open image…", lambda: self.open_image_dialog(), QKeySequence.StandardKey.Open,
                             "Open a picture to reconstruct")
        self.paste_action = a("&Paste image", lambda: self.paste_image(), QKeySequence.StandardKey.Paste,
                              "Reconstruct the picture on the clipboard")
        self.load_actions = {
            slot: a(f"Load &{slot} checkpoint…", lambda _=False, s=slot: self.load_checkpoint_dialog(s),
                    None, f"Load a {slot} model checkpoint (.pt)")
            for slot in SLOTS
        }
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.screenshot_2x_action = a("High resolution (2×)", lambda: None, None,
                                      "Screenshots at twice the on-screen resolution", checkable=True)
        self.screenshot_action = a("&Screenshot of the comparison…", lambda: self.export_screenshot(),
                                   QKeySequence.StandardKey.Save, "Save the three 3D views as one PNG")
        self.view_screenshot_actions = {
            key: a(f"Screenshot of the {SLOT_TITLES[key].split(' (')[0].lower()} view…",
                   lambda _=False, k=key: self.export_screenshot(target=k))
            for key in VIEW_KEYS
        }
        self.export_source_group = QActionGroup(self)
        self.export_source_actions = {}
        for key in VIEW_KEYS:
            act = a(SLOT_TITLES[key].split(" (")[0], lambda: None, None, checkable=True)
            act.setChecked(key == "proposed")
            self.export_source_group.addAction(act)
            self.export_source_actions[key] = act
        self.export_mesh_action = a("Export &mesh…", lambda: self.export_mesh(), "Ctrl+E",
                                    "Save the shape as OBJ/PLY/STL/GLB (smooth in mesh mode, cubes otherwise)")
        self.export_voxels_action = a("Export &voxels…", lambda: self.export_voxels(), "Ctrl+Shift+E",
                                      "Save the grid as binvox (thresholded) or npy (probabilities)")
        self.export_gif_action = a("Export &turntable GIF…", lambda: self.export_turntable(), "Ctrl+G",
                                   "Record one turn of the linked views as an animated GIF")

        self.about_action = a("&About recon-gui", self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.paste_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        for action in self.load_actions.values():
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        export_menu = bar.addMenu("&Export")
        export_menu.addAction(self.screenshot_action)
        for action in self.view_screenshot_actions.values():
            export_menu.addAction(action)
        export_menu.addAction(self.screenshot_2x_action)
        export_menu.addSeparator()
        source_menu = export_menu.addMenu("Shape to export")
        for action in self.export_source_actions.values():
            source_menu.addAction(action)
        export_menu.addAction(self.export_mesh_action)
        export_menu.addAction(self.export_voxels_action)
        export_menu.addSeparator()
        export_menu.addAction(self.export_gif_action)

        self.view_menu = bar.addMenu("&View")
        for action in self.comparison.view_menu_actions():
            if action is None:
                self.view_menu.addSeparator()
            else:
                self.view_menu.addAction(action)
        self.turntable_action = self.comparison.turntable_action
        self.reset_camera_action = self.comparison.reset_action
        self.view_menu.addSeparator()

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        style = self.style()
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icons = {self.open_action: QStyle.StandardPixmap.SP_DialogOpenButton,
                 self.screenshot_action: QStyle.StandardPixmap.SP_DialogSaveButton,
                 self.export_mesh_action: QStyle.StandardPixmap.SP_DriveFDIcon}
        for action, pixmap in icons.items():
            action.setIcon(style.standardIcon(pixmap))
        self.open_action.setIconText("Open")
        self.paste_action.setIconText("Paste")
        self.screenshot_action.setIconText("Screenshot")
        self.export_mesh_action.setIconText("Export mesh")
        for slot, action in self.load_actions.items():
            action.setIconText(f"Load {slot}…")
        for action in (self.open_action, self.paste_action, None, *self.load_actions.values(), None,
                       self.screenshot_action, self.export_mesh_action):
            if action is None:
                bar.addSeparator()
            else:
                bar.addAction(action)
        self.main_toolbar = bar

    def _restore_view_settings(self) -> None:
        """Threshold and display mode as the person left them."""
        store = self.settings.store
        mode = str(store.value("view/mode", "voxels"))
        if mode in self.comparison.mode_actions:
            self.comparison.set_mode(mode)
        try:
            threshold = float(store.value("view/threshold", 0.4))
        except (TypeError, ValueError):
            threshold = 0.4
        if 0.005 <= threshold <= 0.995:
            self.comparison.set_threshold(threshold)
        self.comparison.modeChanged.connect(lambda m: store.setValue("view/mode", m))
        self.comparison.thresholdChanged.connect(lambda t: store.setValue("view/threshold", t))

    def _host_optional_panels(self) -> None:
        """Training tab and data set dock, when their modules are present and import cleanly;
        a panel that fails to start is reported in the status bar and the log, not fatal."""
        self._panel_problems: list[str] = []
        try:
            from recon_gui.panels.dataset_browser import DatasetPanel

            self.dataset_panel = DatasetPanel(self.workers, settings=self.settings.store)
            self.dataset_panel.sampleChosen.connect(self._on_dataset_sample)
            dock = QDockWidget("Data set", self)
            dock.setObjectName("datasetDock")
            scroller = QScrollArea()  # the panel may want more room than a side dock gives it
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QScrollArea.Shape.NoFrame)
            scroller.setWidget(self.dataset_panel)
            dock.setWidget(scroller)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            self.view_menu.addAction(dock.toggleViewAction())
            self.resizeDocks([dock], [330], Qt.Orientation.Horizontal)
            self.dataset_dock = dock
        except ImportError as exc:
            log.info("data set browser not available: %s", exc)
        except Exception as exc:  # noqa: BLE001 - reported; the rest of the window must still open
            log.exception("data set browser failed to start")
            self._panel_problems.append(f"Data set panel failed to start: {type(exc).__name__}: {exc}")
        try:
            from recon_gui.panels.training import TrainingPanel

            self.training_panel = TrainingPanel(self.workers, settings=self.settings.store)
            self.training_panel.loadCheckpointRequested.connect(self._on_training_checkpoint)
            self.tabs.addTab(self.training_panel, "Train")
            if self.dataset_panel is not None:
                self.training_panel.evaluateRequested.connect(self._on_evaluate_requested)
                self.dataset_panel.datasetOpened.connect(self.training_panel.set_data_folder)
        except ImportError as exc:
            log.info("training panel not available: %s", exc)
        except Exception as exc:  # noqa: BLE001 - reported; the rest of the window must still open
            log.exception("training panel failed to start")
            self._panel_problems.append(f"Training panel failed to start: {type(exc).__name__}: {exc}")

    def _on_evaluate_requested(self, checkpoint: str, root: str) -> None:
        """A finished training run asked for a test-split evaluation: the data set dock runs it."""
        self.dataset_dock.show()
        self.dataset_dock.raise_()
        self.dataset_panel.evaluate_in(checkpoint, root)

    def _on_dataset_sample(self, image: str, binvox: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.open_image(image, binvox or None)

    def _on_training_checkpoint(self, path: str, slot: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.load_checkpoint(path, slot)

    # ================================================================== errors, busy state
    def report_error(self, title: str, message: str, details: str = "") -> None:
        """Status bar + log + a non-modal dialog; the window stays usable."""
        self.last_error = message
        log.error("%s: %s", title, message)
        if details:
            log.debug(details)
        self.statusBar().showMessage(f"{title}: {message}", 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _r, b=box: self.error_dialogs.remove(b) if b in self.error_dialogs else None)
        self.error_dialogs.append(box)
        box.show()

    def close_error_dialogs(self) -> None:
        for box in list(self.error_dialogs):
            box.close()
            box.deleteLater()
        self.error_dialogs.clear()

    def mark_busy(self, delta: int) -> None:
        """+1 when background work starts, -1 when it ends; drives the busy indicator."""
        was = self._busy > 0
        self._busy = max(0, self._busy + delta)
        if (self._busy > 0) != was:
            self.busyChanged.emit(self._busy > 0)

    @property
    def busy(self) -> bool:
        return self._busy > 0

    # ================================================================== checkpoints
    def _load_initial_checkpoints(self, given: dict[str, str | Path | None], use_defaults: bool) -> None:
        missing = []
        for slot in SLOTS:
            path = given.get(slot)
            if not path and use_defaults:
                shipped = checkpoint_path(slot)
                remembered = self.settings.checkpoint(slot)
                path = shipped if shipped.is_file() else (remembered if remembered and Path(remembered).is_file() else None)
            if path:
                self.load_checkpoint(str(path), slot)
            else:
                missing.append(slot)
        if missing and use_defaults:
            self.statusBar().showMessage(
                f"No {' and '.join(missing)} checkpoint found: use File → Load checkpoint… or train one in the Train tab", 0)
        self._update_models_label()

    def load_checkpoint_dialog(self, slot: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Load {slot} checkpoint", self.settings.last_folder("checkpoint"),
                                              CHECKPOINT_FILTER)
        if path:
            self.load_checkpoint(path, slot)

    def load_checkpoint(self, path: str, slot: str | None) -> Worker | None:
        """Load ``path`` into ``slot`` on a worker (None: the slot of the checkpoint's own model);
        the current model stays until it succeeds."""
        if slot is None:
            return self._load_checkpoint_any(path)
        if slot not in SLOTS:
            self.report_error("Cannot load checkpoint", f"unknown model slot {slot!r}")
            return None
        self.statusBar().showMessage(f"Loading {slot} checkpoint {Path(path).name}…")
        worker = self.workers.prepare(load_predictor, path, slot, wants_progress=False)
        self._loading[slot] = worker
        self.mark_busy(+1)
        worker.signals.finished.connect(lambda predictor, s=slot, p=path: self._on_checkpoint_loaded(s, p, predictor))
        worker.signals.failed.connect(lambda msg, tb, s=slot: self.report_error(f"Cannot load the {s} checkpoint", msg, tb))
        worker.signals.done.connect(lambda s=slot, w=worker: self._on_checkpoint_done(s, w))
        return self.workers.launch(worker)

    def _load_checkpoint_any(self, path: str) -> Worker:
        self.statusBar().showMessage(f"Loading checkpoint {Path(path).name}…")
        worker = self.workers.prepare(load_predictor_for_its_slot, path, wants_progress=False)
        self.mark_busy(+1)
        worker.signals.finished.connect(lambda predictor, p=path: self._on_checkpoint_loaded(predictor.name, p, predictor))
        worker.signals.failed.connect(lambda msg, tb: self.report_error("Cannot load the checkpoint", msg, tb))
        worker.signals.done.connect(lambda: self.mark_busy(-1))
        return self.workers.launch(worker)

    def _on_checkpoint_done(self, slot: str, worker: Worker) -> None:
        if self._loading.get(slot) is worker:
            del self._loading[slot]
        self.mark_busy(-1)

    def _on_checkpoint_loaded(self, slot: str, path: str, predictor: Any) -> None:
        if self._closed:
            return
        self.set_predictor(slot, predictor, path)
        self.settings.set_last_folder("checkpoint", path)
        self.settings.set_checkpoint(slot, path)
        self.statusBar().showMessage(f"Loaded {slot} model from {Path(path).name} ({len(predictor.classes)} classes)", 8000)

    def set_predictor(self, slot: str, predictor: Any, path: str | Path | None = None) -> None:
        """Put a ready core.predict.Predictor into ``slot`` and re-run the current picture."""
        self.predictors[slot] = predictor
        self.checkpoint_files[slot] = str(path or getattr(predictor, "checkpoint_path", "") or "")
        source = self.predictors.get("baseline") or self.predictors.get("proposed")
        if source is not None:
            self.comparison.set_classes(list(source.classes))
        self._update_models_label()
        self.predictorChanged.emit(slot)
        if self.current_request is not None:
            self._start_prediction(self.current_request)

    def _update_models_label(self) -> None:
        lines = []
        for slot in SLOTS:
            p = self.predictors.get(slot)
            if p is None:
                lines.append(f"{slot}: not loaded")
            else:
                name = Path(self.checkpoint_files[slot]).name or "(in memory)"
                lines.append(f"{slot}: {name}, {len(p.classes)} classes")
        self.models_label.setText("\n".join(lines))

    # ================================================================== pictures in
    def open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", self.settings.last_folder("image"), IMAGE_FILTER)
        if path:
            self.open_image(path)

    def open_image(self, image: str | Path | np.ndarray, ground_truth: str | Path | None = None,
                   name: str = "") -> None:
        """Reconstruct a file or an image array; ground truth is found for files in an R2N2 layout."""
        if isinstance(image, (str, Path)):
            path = Path(image)
            if path.is_dir():
                self.report_error("Not an image", f"{path}: is a folder, not an image file "
                                  "(open data sets in the Data set panel)")
                return
            if not path.exists():
                self.report_error("Cannot open image", f"{path}: file not found")
                return
            if ground_truth is None:
                ground_truth = ground_truth_for(path)
            self.settings.set_last_folder("image", path)
            self.settings.add_recent_file(path)
            image = str(path)
        request = ComparisonRequest(image, str(ground_truth) if ground_truth else None,
                                    self.comparison.prior_choice(), name)
        self.current_request = request
        self._start_prediction(request)

    def paste_image(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.open_image(paths[0])
                return
        if mime is not None and mime.hasImage():
            qimage = QGuiApplication.clipboard().image()
            if not qimage.isNull():
                self.open_image(qimage_to_array(qimage), name="pasted image")
                return
        self.report_error("Nothing to paste", "the clipboard holds no image and no image file")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
            self.input_panel.set_drop_highlight(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.input_panel.set_drop_highlight(False)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._drop_time = time.perf_counter()
        self.input_panel.set_drop_highlight(False)
        handled = self.handle_mime(event.mimeData())
        if handled:
            event.acceptProposedAction()
        else:
            event.ignore()

    def handle_mime(self, mime: QMimeData) -> bool:
        if mime.hasUrls():
            urls = [u for u in mime.urls() if u.isLocalFile()]
            if not urls:
                self.report_error("Cannot open", "only local files can be dropped")
                return False
            for url in urls:  # checkpoints go to their model's slot; the first picture is reconstructed
                if Path(url.toLocalFile()).suffix.lower() in CHECKPOINT_SUFFIXES:
                    self.load_checkpoint(url.toLocalFile(), None)
            pictures = [u for u in urls if Path(u.toLocalFile()).suffix.lower() not in CHECKPOINT_SUFFIXES]
            if pictures:
                self.open_image(pictures[0].toLocalFile())
            return True
        if mime.hasImage():
            qimage = QImage(mime.imageData())
            if not qimage.isNull():
                self.open_image(qimage_to_array(qimage), name="dropped image")
                return True
        return False

    def _on_prior_choice_changed(self, choice: str) -> None:
        if self.current_request is not None:
            self.current_request.prior_choice = choice
            self._start_prediction(self.current_request)

    # ================================================================== prediction
    def _start_prediction(self, request: ComparisonRequest) -> None:
        """Run on a worker; while one runs, only the newest request waits (older ones are dropped)."""
        if self._prediction_worker is not None:
            self._pending_request = request
            return
        self.statusBar().showMessage(f"Reconstructing {request.label}…")
        predictors = dict(self.predictors)
        worker = self.workers.prepare(run_comparison, predictors, request, wants_progress=False)
        self._prediction_worker = worker
        self.mark_busy(+1)
        worker.signals.finished.connect(self._show_result)
        worker.signals.failed.connect(lambda msg, tb: self._on_prediction_failed(request, msg, tb))
        worker.signals.done.connect(self._on_prediction_done)
        self.workers.launch(worker)

    def _on_prediction_done(self) -> None:
        self._prediction_worker = None
        self.mark_busy(-1)
        if self._pending_request is not None and not self._closed:
            request, self._pending_request = self._pending_request, None
            self._start_prediction(request)

    def _on_prediction_failed(self, request: ComparisonRequest, message: str, details: str) -> None:
        if self._pending_request is None:
            self.report_error(f"Cannot reconstruct {request.label}", message, details)

    def _show_result(self, result: ComparisonResult) -> None:
        if self._pending_request is not None or self._closed:
            return  # a newer picture is queued (or the window is gone); skip drawing this one
        started = time.perf_counter()
        self.result = result
        self.input_panel.show_source(array_to_pixmap(result.thumbnail), result.request.label)
        self.input_panel.show_model_input(result.input_preview, result.background_note)
        proposed = result.predictions.get("proposed")
        baseline = result.predictions.get("baseline")
        self.chart.set_probabilities(result.probabilities, result.messages.get("proposed", ""), result.true_class)
        if proposed is not None and proposed.predicted_class:
            p = proposed.probabilities[proposed.predicted_class]
            self.predicted_label.setText(f"<b>{proposed.predicted_class}</b> ({p:.0%})")
        else:
            self.predicted_label.setText(result.messages.get("proposed", ""))
        if baseline is not None:
            self.comparison.views["baseline"].title_label.setText(f"Baseline · prior: {baseline.prior_class}")
        else:
            self.comparison.views["baseline"].title_label.setText(SLOT_TITLES["baseline"])
        self.comparison.set_input_camera(result.camera)
        occupancies = {slot: (pred.occupancy if pred is not None else None) for slot, pred in result.predictions.items()}
        self.comparison.show_results(occupancies, result.ground_truth, dict(result.messages))
        self.last_show_ms = (time.perf_counter() - started) * 1e3  # UI-thread cost of drawing a result
        if self._drop_time is not None:
            self.last_latency_ms = (time.perf_counter() - self._drop_time) * 1e3
            self._drop_time = None
        ious = [f"{slot} IoU {self.comparison.views[slot].iou:.3f}" for slot in SLOTS
                if self.comparison.views[slot].iou is not None]
        truth_problem = result.messages.get("truth", "")
        if truth_problem:
            log.warning("ground truth not shown: %s", truth_problem)
        self.statusBar().showMessage(
            f"{result.request.label}: " + (", ".join(ious) if ious else truth_problem or "no ground truth")
            + f" · {result.elapsed_ms:.0f} ms", 10000)
        self.predictionShown.emit(result)

    # ================================================================== export
    def _save_path(self, title: str, default_name: str, file_filter: str) -> str:
        folder = Path(self.settings.last_folder("export"))
        path, _ = QFileDialog.getSaveFileName(self, title, str(folder / default_name), file_filter)
        if path:
            self.settings.set_last_folder("export", path)
        return path

    def _export_source(self) -> str:
        for key, action in self.export_source_actions.items():
            if action.isChecked():
                return key
        return "proposed"

    def _stem(self) -> str:
        if self.current_request is None:
            return "recon"
        label = Path(self.current_request.label).stem.replace(" ", "_")
        return label or "recon"

    def _grab(self, target: str, scale: int) -> tuple[list[np.ndarray], list[str], tuple, tuple]:
        """Render and read back the views (UI thread: VTK draws here)."""
        keys = VIEW_KEYS if target == "comparison" else (target,)
        images, titles = [], []
        for key in keys:
            view = self.comparison.views[key]
            images.append(view.screenshot(scale))
            caption = view.caption.text()
            titles.append(view.title_label.text() + (f" — {caption}" if caption else ""))
        bg = tuple(int(self.theme.background_3d[i:i + 2], 16) for i in (1, 3, 5))
        fg = tuple(int(self.theme.text_colour[i:i + 2], 16) for i in (1, 3, 5))
        return images, titles, bg, fg

    def grab_views(self, target: str = "comparison", scale: int = 1):
        """The rendered 3D views as one PIL image (titles above each view)."""
        images, titles, bg, fg = self._grab(target, scale)
        return export.compose_views(images, titles, background=bg, text_colour=fg)

    def export_screenshot(self, path: str | None = None, target: str = "comparison", scale: int | None = None) -> str | None:
        """Grab the views now; compose and encode the PNG on a worker. Returns the path to be written."""
        scale = scale or (2 if self.screenshot_2x_action.isChecked() else 1)
        path = path or self._save_path("Save screenshot", f"{self._stem()}_{target}.png", "PNG image (*.png)")
        if not path:
            return None
        if not path.lower().endswith(".png"):
            path += ".png"
        images, titles, bg, fg = self._grab(target, scale)
        self._run_export(f"screenshot {Path(path).name}", export.save_views_png, images, titles, path, bg, fg)
        return path

    def _export_grid(self) -> tuple[str, np.ndarray] | None:
        key = self._export_source()
        grid = self.comparison.views[key].state.occupancy
        if grid is None:
            self.report_error("Nothing to export", f"the {SLOT_TITLES[key].split(' (')[0].lower()} view is empty; "
                              "reconstruct a picture first (or choose another shape under Export → Shape to export)")
            return None
        return key, grid

    def _export_target(self, title: str, path: str | None, formats: tuple[str, ...],
                       file_filter: str) -> tuple[str, np.ndarray, str] | None:
        """The shape to export and where to: ``(key, grid, path)`` with a known suffix, or None."""
        picked = self._export_grid()
        if picked is None:
            return None
        key, grid = picked
        path = path or self._save_path(title, f"{self._stem()}_{key}.{formats[0]}", file_filter)
        if not path:
            return None
        if Path(path).suffix.lower().lstrip(".") not in formats:
            path += f".{formats[0]}"
        return key, grid, path

    def export_mesh(self, path: str | None = None) -> Worker | None:
        target = self._export_target("Export mesh", path, MESH_FORMATS, MESH_FILTER)
        if target is None:
            return None
        _, grid, path = target
        kind = "smooth" if self.comparison.mode == "mesh" else "cubes"
        return self._run_export(f"mesh {Path(path).name}", export.export_mesh, path, grid.copy(),
                                self.comparison.threshold, kind)

    def export_voxels(self, path: str | None = None) -> Worker | None:
        target = self._export_target("Export voxels", path, VOXEL_FORMATS, VOXEL_FILTER)
        if target is None:
            return None
        _, grid, path = target
        return self._run_export(f"voxels {Path(path).name}", export.export_voxels, path, grid.copy(),
                                self.comparison.threshold)

    def _run_export(self, what: str, fn: Callable, *args: Any) -> Worker:
        self.statusBar().showMessage(f"Writing {what}…")
        worker = self.workers.prepare(fn, *args, wants_progress=False)
        self.mark_busy(+1)
        worker.signals.finished.connect(lambda p: self.statusBar().showMessage(f"Saved {p}", 8000))
        worker.signals.failed.connect(lambda msg, tb: self.report_error(f"Cannot write {what}", msg, tb))
        worker.signals.done.connect(lambda: self.mark_busy(-1))
        return self.workers.launch(worker)

    def export_turntable(self, path: str | None = None, frames: int = TURNTABLE_FRAMES, target: str = "comparison"):
        """Record one turn frame by frame from the event loop (each step renders once, so the
        window stays responsive), then encode the GIF on a worker."""
        path = path or self._save_path("Export turntable", f"{self._stem()}_turntable.gif", "GIF animation (*.gif)")
        if not path:
            return None
        if not path.lower().endswith(".gif"):
            path += ".gif"
        was_spinning = self.comparison.turntable.isActive()
        self.comparison.set_turntable(False)
        recorder = TurntableRecorder(self, path, frames, target, was_spinning)
        self._turntable_recorder = recorder
        recorder.start()
        return recorder

    # ================================================================== misc
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for f in files:
            self.recent_menu.addAction(Path(f).name, lambda f=f: self.open_image(f)).setToolTip(f)
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent_files)
        else:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "About recon-gui", about_text(), QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setTextFormat(Qt.TextFormat.RichText)
        self._about_box = box
        box.show()
        return box

    def _on_color_scheme_changed(self, *_args) -> None:
        app = QApplication.instance()
        from recon_gui.theme import apply_theme

        self.theme = apply_theme(app) if app is not None else current_theme()
        self.comparison.set_theme(self.theme)
        self.chart.set_theme(self.theme)

    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802
        self._closed = True
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.workers.cancel_all()
        self.comparison.close_views()
        self.close_error_dialogs()
        super().closeEvent(event)
