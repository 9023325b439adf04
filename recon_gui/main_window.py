"""The studio window: picture in, class probabilities and baseline | proposed | ground truth out.

The window composes panels and routes signals; each job lives in its own object:
``CheckpointSlots`` (which model is loaded where), ``ComparisonController`` (the queue of
pictures and the one ``ComparisonState`` every view, caption and status line is painted
from) and ``ExportController`` (screenshots, meshes, voxels, GIFs). Everything slow runs on
the worker pool; failures are reported once (status bar + a non-modal dialog + the log).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from recon_gui import window_actions
from recon_gui.about import about_text
from recon_gui.controllers.checkpoints import CheckpointSlots
from recon_gui.controllers.comparison import ComparisonController
from recon_gui.controllers.exports import ExportController, FigureOptions
from recon_gui.hosting import host_optional_panels
from recon_gui.panels.comparison import ComparisonPanel
from recon_gui.panels.crop import CropController
from recon_gui.panels.input_panel import InputPanel, array_to_pixmap
from recon_gui.panels.probabilities import ProbabilityChart
from recon_gui.picture_input import PictureInput
from recon_gui.resources import gallery_photos, gallery_samples
from recon_gui.session import ComparisonResult
from recon_gui.settings import AppSettings
from recon_gui.state import (
    models_text,
    probability_view,
    short_label,
    shows_truth,
    status_line,
    view_titles,
)
from recon_gui.theme import Theme, current_theme
from recon_gui.workers import BusyCounter, Worker, WorkerManager

log = logging.getLogger("recon_gui")

CHECKPOINT_FILTER = "Checkpoints (*.pt *.pth);;All files (*)"


class MainWindow(PictureInput, QMainWindow):
    predictionShown = Signal(object)  # ComparisonResult, after the views show it
    predictorChanged = Signal(str)  # slot whose model was (un)loaded
    busyChanged = Signal(bool)

    def __init__(self, workers: WorkerManager | None = None, settings: AppSettings | None = None,
                 theme: Theme | None = None, checkpoints: dict[str, str | Path | None] | None = None,
                 load_default_checkpoints: bool = True, samples_root: str | Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("recon-gui - single-view 3D reconstruction")
        self.setAcceptDrops(True)
        self.workers = workers or WorkerManager(self, max_threads=6)
        self.settings = settings or AppSettings()
        self.theme = theme or current_theme()
        self.busy_counter = BusyCounter(self)
        self.busy_counter.changed.connect(self.busyChanged)
        self.slots = CheckpointSlots(self.workers, self.busy_counter, self.settings, self)
        self.controller = ComparisonController(self.workers, self.busy_counter, lambda: self.slots.predictors,
                                               lambda: self.slots.loading, self)
        self.exports = ExportController(self)
        self.error_dialogs: list[QMessageBox] = []
        self.last_error = ""
        self._drop_time: float | None = None
        self.last_latency_ms: float | None = None
        self.last_show_ms: float | None = None
        self.training_panel = self.dataset_panel = self.dataset_dock = None
        self._closed = False

        self._build_panels(samples_root)
        window_actions.build_actions(self)
        window_actions.build_menus(self)
        window_actions.build_toolbar(self)
        self._panel_problems = host_optional_panels(self)
        self._connect()
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
        missing = self.slots.load_initial(checkpoints or {}, load_default_checkpoints)
        if missing and load_default_checkpoints:
            self.statusBar().showMessage(
                f"No {' and '.join(missing)} checkpoint found: use File → Load checkpoint… or train one in the Train tab", 0)
        self._render_texts()
        if self._panel_problems:
            self.statusBar().showMessage(" · ".join(self._panel_problems), 0)

    # ================================================================== layout and wiring
    def _build_panels(self, samples_root: str | Path | None) -> None:
        self.input_panel = InputPanel(self)
        self.input_panel.sampleClicked.connect(lambda img, vox: self.open_image(img, vox or None))
        gallery_root = Path(samples_root) if samples_root else None
        # the photos first: the gallery shows about four items without scrolling, and the photo
        # (no ground truth, a busy background to crop) is the one case the renders do not cover
        self.input_panel.set_samples(gallery_photos(gallery_root) + gallery_samples(gallery_root))
        # a rectangle drawn on the picture: the object is cut out on a worker and reconstructed
        self.crop = CropController(self.input_panel, self.workers, self.open_image, self.report_error,
                                   self.busy_counter, self)
        self.predictionShown.connect(self.crop.on_result)
        self.comparison = ComparisonPanel(self.theme, self)
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
        for i, widget in enumerate((self.input_panel, self.comparison, probs_box)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(i, 1 if widget is self.comparison else 0)
        splitter.setSizes([240, 1080, 240])
        self.main_splitter = splitter
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(splitter, "Reconstruct")
        self.setCentralWidget(self.tabs)

    def _connect(self) -> None:
        c, s = self.controller, self.slots
        self.comparison.priorChoiceChanged.connect(c.set_prior)
        self.comparison.thresholdChanged.connect(c.set_threshold)
        self.comparison.modeChanged.connect(c.set_mode)
        c.resultChanged.connect(self._show_result)
        c.viewChanged.connect(self._render_texts)
        c.failed.connect(self.report_error)
        c.started.connect(lambda label: self.statusBar().showMessage(f"Reconstructing {label}…"))
        s.changed.connect(self._on_model_changed)
        s.settled.connect(c.models_settled)
        s.failed.connect(self.report_error)
        s.message.connect(self.statusBar().showMessage)

    def _restore_view_settings(self) -> None:
        """Threshold and display mode as the person left them."""
        store = self.settings.store
        mode = str(store.value("view/mode", "voxels"))
        if mode in self.comparison.mode_actions:
            self.comparison.set_mode(mode)
        try:
            threshold = float(store.value("view/threshold", self.controller.state.threshold))
        except (TypeError, ValueError):
            threshold = self.controller.state.threshold
        if 0.005 <= threshold <= 0.995:
            self.comparison.set_threshold(threshold)
        self.controller.set_threshold(self.comparison.threshold)
        self.controller.set_mode(self.comparison.mode)
        self.comparison.modeChanged.connect(lambda m: store.setValue("view/mode", m))
        self.comparison.thresholdChanged.connect(lambda t: store.setValue("view/threshold", t))

    # ================================================================== compatibility views of the state
    @property
    def predictors(self) -> dict[str, Any]:
        return self.slots.predictors

    @property
    def checkpoint_files(self) -> dict[str, str]:
        return self.slots.files

    @property
    def result(self) -> ComparisonResult | None:
        return self.controller.state.result

    @property
    def busy(self) -> bool:
        return self.busy_counter.busy

    # ================================================================== errors
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

    # ================================================================== checkpoints
    def load_checkpoint_dialog(self, slot: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Load {short_label(slot)} checkpoint", self.settings.last_folder("checkpoint"),
                                              CHECKPOINT_FILTER)
        if path:
            self.load_checkpoint(path, slot)

    def load_checkpoint(self, path: str, slot: str | None) -> Worker | None:
        """Load ``path`` into ``slot`` on a worker (None: its own model's slot); the current
        model stays until it succeeds, then the current picture runs again."""
        return self.slots.load(path, slot)

    def set_predictor(self, slot: str, predictor: Any, path: str | Path | None = None) -> None:
        """Put a ready core.predict.Predictor into ``slot`` and re-run the current picture."""
        self.slots.set_predictor(slot, predictor, path)

    def _on_model_changed(self, slot: str) -> None:
        classes = self.slots.classes()
        if classes:
            self.comparison.set_classes(classes)  # signals blocked: keep the state's prior in step
            self.controller.state.prior_choice = self.comparison.prior_choice()
        self.controller.set_models(self.slots.predictors, self.slots.files)
        self.predictorChanged.emit(slot)
        self.controller.rerun()

    # ================================================================== the state, painted
    def _show_result(self, result: ComparisonResult) -> None:
        """The controller made ``result`` current: every pane, caption and list follows."""
        if self._closed:
            return
        started = time.perf_counter()
        state = self.controller.state
        self.input_panel.show_source(array_to_pixmap(result.thumbnail), result.request.label)
        self.input_panel.show_model_input(result.input_preview, result.background_note)
        self.comparison.set_input_camera(result.camera)
        occupancies = {slot: (p.occupancy if p is not None else None) for slot, p in result.predictions.items()}
        self.comparison.show_results(occupancies, result.ground_truth, dict(result.messages))
        fed = self.crop.fed_description(result.request)  # the thumbnail is what the models were given
        self.comparison.show_picture(array_to_pixmap(result.thumbnail), not shows_truth(state),
                                     f"no ground truth: {fed}", side_caption=fed)
        self._render_texts()
        self.last_show_ms = (time.perf_counter() - started) * 1e3  # UI-thread cost of drawing a result
        if self._drop_time is not None:
            self.last_latency_ms = (time.perf_counter() - self._drop_time) * 1e3
            self._drop_time = None
        if result.messages.get("truth") or result.messages.get("camera"):
            log.warning("ground truth or camera not shown: %s", result.messages.get("truth") or result.messages["camera"])
        self.predictionShown.emit(result)

    def _render_texts(self) -> None:
        """Titles, the probability list, the models and the status line, from the one state."""
        state = self.controller.state
        titles = view_titles(state)
        for key, view in self.comparison.views.items():
            view.title_label.setText(titles[key])
        camera_note = state.result.messages.get("camera", "") if state.result is not None else ""
        self.comparison.views["truth"].title_label.setToolTip(camera_note)
        probs = probability_view(state)
        self.chart.set_probabilities(probs.probabilities, probs.message, probs.true_class)
        self.predicted_label.setText(probs.headline)
        self.models_label.setText(models_text(state))
        line = status_line(state)
        if line:
            self.statusBar().showMessage(line, 0)

    # ================================================================== export
    def figure_options(self, scale: int | None = None) -> FigureOptions:
        layout = next(k for k, a in self.screenshot_layout_actions.items() if a.isChecked())
        return FigureOptions(scale or (2 if self.screenshot_2x_action.isChecked() else 1), layout,
                             self.screenshot_transparent_action.isChecked(), self.screenshot_crop_action.isChecked())

    def grab_views(self, target: str = "comparison", scale: int = 1) -> np.ndarray:
        """The views as one uncropped, opaque figure (RGBA array): turntable frames keep one size."""
        return self.exports.figure(target, FigureOptions(scale=scale, crop=False))

    def export_screenshot(self, path: str | None = None, target: str = "comparison", scale: int | None = None) -> str | None:
        """Grab and lay out the figure now; encode the PNG on a worker. Returns the path to be written."""
        if target == "truth" and "truth" not in self.comparison.pane_keys():
            target = "input"
        return self.exports.screenshot(path, target, self.figure_options(scale))

    def _export_source(self) -> str:
        return next((k for k, a in self.export_source_actions.items() if a.isChecked()), "proposed")

    def export_mesh(self, path: str | None = None) -> Worker | None:
        return self.exports.mesh(self._export_source(), path)

    def export_voxels(self, path: str | None = None) -> Worker | None:
        return self.exports.voxels(self._export_source(), path)

    def export_turntable(self, path: str | None = None, frames: int | None = None, target: str = "comparison"):
        from recon_gui.controllers.exports import TURNTABLE_FRAMES

        return self.exports.turntable(path, frames or TURNTABLE_FRAMES, target)

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
        from recon_gui.theme import apply_theme

        app = QApplication.instance()
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

    def closeEvent(self, event) -> None:
        self._closed = True
        self.controller.closed = self.slots.closed = True
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.workers.cancel_all()
        self.comparison.close_views()
        self.close_error_dialogs()
        super().closeEvent(event)
