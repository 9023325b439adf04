"""Baseline | proposed | ground truth (or the input picture), with one shared camera.

The renderers share a single vtkCamera, so they always show the same view; a change made in
any view (mouse, standard view, turntable) marks the camera modified and one queued render
refreshes all of them. The panes sit in a row, or in a two-column grid when that gives each
pane more room (a tall window). Without ground truth the third pane shows the input picture
rather than an empty view. The controls wrap onto more rows instead of hiding.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.spec import DEFAULT_THRESHOLD
from recon_gui.panels.action_strip import ActionStrip
from recon_gui.panels.comparison_panes import ComparisonPanes
from recon_gui.panels.inspect_bar import InspectBar
from recon_gui.panels.pane_grid import PaneGrid
from recon_gui.panels.picture_pane import PicturePane
from recon_gui.panels.view_geometry import (
    DISPLAY_MODES,
    MODE_LABELS,
    MODE_TIPS,
    SlicePlane,
)
from recon_gui.panels.viewport import Viewport, ViewState, fit_linked_camera
from recon_gui.state import format_threshold, pane_titles
from recon_gui.theme import LIGHT, Theme

LONGEST_CLASS_NAME = "watercraft"  # the prior box shows every ShapeNet class name whole
# Camera directions (from the object towards the camera) in the y-up world; objects face +x.
STANDARD_VIEWS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "front": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "side": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    "top": ((0.0, 1.0, 0.0), (-1.0, 0.0, 0.0)),
    "iso": ((1.0, 0.7, 1.0), (0.0, 1.0, 0.0)),
}
CAMERA_DISTANCE = 3.0  # the [-0.5, 0.5]³ grid (radius 0.87) nearly fills a 30° view
VIEW_ANGLE_DEG = 30.0
TURNTABLE_STEP_DEG = 3.0
SOFTWARE_GL = ("llvmpipe", "softpipe", "swiftshader", "software rasterizer")
TURNTABLE_INTERVAL_MS = 40


class ComparisonPanel(ComparisonPanes, QWidget):
    thresholdChanged = Signal(float)
    modeChanged = Signal(str)
    priorChoiceChanged = Signal(str)  # "auto" or a class name

    def __init__(self, theme: Theme = LIGHT, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        titles = pane_titles()  # the slots' labels come from the model registry
        self.views: dict[str, Viewport] = {
            "baseline": Viewport(titles["baseline"], theme, parent=self),
            "proposed": Viewport(titles["proposed"], theme, parent=self),
            "truth": Viewport(titles["truth"], theme, colour=theme.ground_truth_colour, parent=self),
        }
        models = [self.views["baseline"], self.views["proposed"]]
        for view in models:  # one occupancy colour scale across the models' views, side by side
            view.range_peers = models
        self.camera = self.views["baseline"].plotter.renderer.camera
        for view in self.views.values():
            view.plotter.renderer.camera = self.camera
        self._render_pending = False
        self._rendering = False
        self._gl_checked = False
        self.software_gl = False
        self.input_camera = None
        self.current_view = "iso"
        self.camera.AddObserver("ModifiedEvent", self._on_camera_modified)
        self.turntable = QTimer(self)
        self.turntable.setInterval(TURNTABLE_INTERVAL_MS)
        self.turntable.timeout.connect(lambda: self.rotate(TURNTABLE_STEP_DEG))

        self.picture_pane = PicturePane(theme, self)
        self.third = QStackedWidget(self)  # the truth view, or the input picture when there is no truth
        self.third.addWidget(self.views["truth"])
        self.third.addWidget(self.picture_pane)
        self.pane_host = PaneGrid(self)
        for key in ("baseline", "proposed"):
            self.pane_host.add_pane(key, self.views[key])
        self.pane_host.add_pane("truth", self.third)
        self.panes = self.pane_host.panes
        self.side_picture = PicturePane(theme, self)  # the grid's free cell: the picture beside its shapes
        self.side_picture.caption.setText("the picture as given")
        self.pane_host.filler_wanted = False  # until there is a picture
        self.pane_host.set_filler(self.side_picture)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build_toolbar())
        self.inspect_bar = InspectBar(self)
        self.inspect_bar.sliceChanged.connect(self.set_slice)
        self.modeChanged.connect(self.inspect_bar.set_mode)
        layout.addWidget(self.inspect_bar)
        layout.addWidget(self.pane_host, 1)
        for view in self.views.values():
            view.resized.connect(self.fit_camera)
        self.set_standard_view("iso")

    # ------------------------------------------------------------------ controls
    def _build_toolbar(self) -> ActionStrip:
        """The view controls as a wrapping strip (nothing folds away at any width); the actions'
        shortcuts work wherever the window adds them (its View menu)."""
        bar = ActionStrip(self)
        bar.setObjectName("viewToolBar")
        self.toolbar = bar
        self.mode_group = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        tips = MODE_TIPS
        for i, mode in enumerate(DISPLAY_MODES):
            action = QAction(MODE_LABELS[mode], self)
            action.setCheckable(True)
            action.setChecked(mode == "voxels")
            action.setShortcut(QKeySequence(str(i + 1)))
            action.setToolTip(f"{tips[mode]} ({i + 1})")
            action.triggered.connect(lambda _=False, m=mode: self.set_mode(m))
            self.mode_group.addAction(action)
            self.mode_actions[mode] = action
            bar.addAction(action)

        bar.addSeparator()
        threshold_label = QLabel(" Threshold ")
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.threshold_slider.setRange(5, 995)  # per mille: fine enough for sharp and for flat predictions
        self.threshold_slider.setSingleStep(5)
        self.threshold_slider.setPageStep(50)
        self.threshold_slider.setValue(round(DEFAULT_THRESHOLD * 1000))
        self.threshold_slider.setFixedWidth(140)
        self.threshold_slider.setToolTip("Occupancy threshold: a voxel is shown and scored when p > threshold")
        self.threshold_value = QLabel(format_threshold(DEFAULT_THRESHOLD))
        self.threshold_value.setMinimumWidth(40)
        self.threshold_slider.valueChanged.connect(lambda v: self.set_threshold(v / 1000.0))
        bar.addGroup(threshold_label, self.threshold_slider, self.threshold_value)

        bar.addSeparator()
        prior_label = QLabel(" Baseline prior ")
        self.prior_combo = QComboBox(self)
        self.prior_combo.setToolTip("Class whose mean shape the baseline uses as its prior; "
                                    "'auto' takes the proposed model's top class")
        self.prior_combo.addItem("auto")
        self.prior_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.prior_combo.setMinimumContentsLength(len(LONGEST_CLASS_NAME))
        self.prior_combo.currentTextChanged.connect(self.priorChoiceChanged)
        bar.addGroup(prior_label, self.prior_combo)

        bar.addSeparator()
        self.view_actions: dict[str, QAction] = {}
        for name, key in (("front", "F"), ("side", "S"), ("top", "T"), ("iso", "I")):
            action = QAction(name.capitalize(), self)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(f"{name.capitalize()} view ({key})")
            action.triggered.connect(lambda _=False, n=name: self.set_standard_view(n))
            self.view_actions[name] = action
            bar.addAction(action)
        self.input_view_action = QAction("Input view", self)
        self.input_view_action.setShortcut(QKeySequence("C"))
        self.input_view_action.setToolTip("Look from the camera that took the picture (C); data set renders only")
        self.input_view_action.setEnabled(False)
        self.input_view_action.triggered.connect(lambda: self.set_standard_view("input"))
        bar.addAction(self.input_view_action)
        self.reset_action = QAction("Reset", self)
        self.reset_action.setShortcut(QKeySequence("R"))
        self.reset_action.setToolTip("Reset the camera (R)")
        self.reset_action.triggered.connect(self.reset_camera)
        bar.addAction(self.reset_action)
        self.turntable_action = QAction("Turntable", self)
        self.turntable_action.setCheckable(True)
        self.turntable_action.setShortcut(QKeySequence("Space"))
        self.turntable_action.setToolTip("Rotate the linked views continuously (Space)")
        self.turntable_action.toggled.connect(self.set_turntable)
        bar.addAction(self.turntable_action)
        return bar

    def view_menu_actions(self) -> list[QAction | None]:
        """The panel's actions for the window's View menu (None = separator): the display modes
        (1-4, the error view among them), the slice keys (X, [, ]) and the camera keys, so every
        key is listed with its shortcut."""
        return [*self.mode_actions.values(), None, *self.inspect_bar.actions_for_menu(), None,
                *self.view_actions.values(), self.input_view_action, self.reset_action, self.turntable_action]

    def set_input_camera(self, camera) -> None:
        """The picture's own camera (a session.ViewCamera) or None; enables the Input view."""
        self.input_camera = camera
        self.input_view_action.setEnabled(camera is not None)

    def set_classes(self, classes: list[str]) -> None:
        """Offer these classes as baseline priors (keeps the current choice when possible)."""
        current = self.prior_combo.currentText()
        with QSignalBlocker(self.prior_combo):
            self.prior_combo.clear()
            self.prior_combo.addItem("auto")
            self.prior_combo.addItems(classes)
            index = self.prior_combo.findText(current)
            self.prior_combo.setCurrentIndex(max(index, 0))

    def prior_choice(self) -> str:
        return self.prior_combo.currentText() or "auto"

    # ------------------------------------------------------------------ state
    @property
    def threshold(self) -> float:
        return self.threshold_slider.value() / 1000.0

    @property
    def mode(self) -> str:
        return next((m for m, a in self.mode_actions.items() if a.isChecked()), "voxels")

    def set_threshold(self, threshold: float) -> None:
        value = int(round(threshold * 1000))
        if self.threshold_slider.value() != value:
            self.threshold_slider.setValue(value)  # re-enters through valueChanged
            return
        self.threshold_value.setText(format_threshold(threshold))
        self._apply_to_views(threshold=threshold)
        self.thresholdChanged.emit(threshold)

    def set_mode(self, mode: str) -> None:
        if mode not in DISPLAY_MODES:
            raise ValueError(f"unknown display mode {mode!r}")
        if not self.mode_actions[mode].isChecked():
            self.mode_actions[mode].setChecked(True)
        self._apply_to_views(mode=mode)
        self.modeChanged.emit(mode)

    def set_slice(self, cut: SlicePlane) -> None:
        """The same cut in every view."""
        self._apply_to_views(cut=cut)

    def _apply_to_views(self, **settings) -> None:
        """Give every view the same display ``settings`` (threshold, mode, cut), rebuild each
        view's shape once, then render them together (one frame, not one per view)."""
        for view in self.views.values():  # all settings first: a shared colour scale reads the others
            for name, value in settings.items():
                setattr(view, name, value)
        for view in self.views.values():
            view.refresh(render=False)
        self.render_all()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for pane in (self.picture_pane, self.side_picture):
            pane.theme = theme
            pane.canvas.update()
        for key, view in self.views.items():
            if key == "truth":
                view._colour = theme.ground_truth_colour
            view.set_theme(theme)
        self.render_all()

    def show_results(self, occupancies: dict[str, np.ndarray | None], ground_truth: np.ndarray | None,
                     messages: dict[str, str] | None = None) -> None:
        """Fill the views: ``occupancies`` maps "baseline"/"proposed" to a grid (or None)."""
        messages = messages or {}
        for slot in ("baseline", "proposed"):  # both grids in place before either is drawn (one colour scale)
            self.views[slot].state = ViewState(occupancies.get(slot), ground_truth, messages.get(slot, ""))
        for slot in ("baseline", "proposed"):
            self.views[slot].refresh(render=False)
        self.views["truth"].set_data(ground_truth, ground_truth,
                                     messages.get("truth", "no ground truth for this image"), render=False)
        self.fit_camera()
        self.render_all()

    def clear(self, message: str = "") -> None:
        for view in self.views.values():
            view.set_data(None, None, message, render=False)
        self.render_all()

    # ------------------------------------------------------------------ camera
    def _on_camera_modified(self, *_args) -> None:
        if self._rendering or self._render_pending:
            return
        self._render_pending = True
        QTimer.singleShot(0, self.render_all)

    def render_all(self) -> None:
        self._render_pending = False
        self._rendering = True
        try:
            for view in self.views.values():
                view.plotter.render()
        finally:
            self._rendering = False
        if not self._gl_checked:
            self._gl_checked = True
            self._adapt_to_software_gl()

    def _adapt_to_software_gl(self) -> None:
        """Multisampling costs a software rasteriser (llvmpipe, e.g. under Xvfb) more than the
        rest of the frame; there, turn it off so interaction and results stay quick."""
        try:
            report = self.views["baseline"].plotter.ren_win.ReportCapabilities() or ""
        except Exception:  # noqa: BLE001 - a capability probe must never break the views
            return
        if any(name in report.lower() for name in SOFTWARE_GL):
            for view in self.views.values():
                view.plotter.ren_win.SetMultiSamples(0)
            self.software_gl = True

    def set_standard_view(self, name: str) -> None:
        if name == "input":
            if self.input_camera is None:
                return
            d, up, angle = self.input_camera.position, self.input_camera.up, self.input_camera.view_angle_deg
        else:
            direction, up = STANDARD_VIEWS[name]
            d = np.asarray(direction, dtype=float)
            d = d / np.linalg.norm(d) * CAMERA_DISTANCE
            angle = VIEW_ANGLE_DEG
        self._rendering = True
        try:
            self.camera.SetFocalPoint(0.0, 0.0, 0.0)
            self.camera.SetPosition(*d)
            self.camera.SetViewUp(*up)
            self.camera.SetViewAngle(angle)
            self.camera.OrthogonalizeViewUp()
            self.camera.SetClippingRange(0.1, 10.0)
            self.current_view = name
            self.fit_camera()
        finally:
            self._rendering = False
        self.render_all()

    def fit_camera(self) -> None:
        """Zoom so the shapes fill the views (not in the input view: that angle is the picture's);
        while the turntable turns (or a GIF records), one zoom that holds for the whole turn."""
        if self.current_view == "input":
            self.camera.SetWindowCenter(0.0, 0.0)
            return
        was = self._rendering
        self._rendering = True
        try:
            fit_linked_camera(self.camera, list(self.views.values()), turntable=self.turntable.isActive())
        finally:
            self._rendering = was

    def resizeEvent(self, event) -> None:
        """The view angle applies to the narrower side, so tall panes never crop the shape."""
        super().resizeEvent(event)
        view = self.views["proposed"].plotter
        self.camera.SetUseHorizontalViewAngle(view.width() < view.height())
        self.fit_camera()

    def reset_camera(self) -> None:
        self.set_standard_view("iso")

    def rotate(self, degrees: float) -> None:
        """Turn the shared camera about the vertical axis through the origin (view-up turns
        with it, so the top view spins in place)."""
        if self.current_view != "input":
            self.current_view = "turn"  # a turn keeps the shape whole at every azimuth
            self._rendering = True
            try:
                fit_linked_camera(self.camera, list(self.views.values()), turntable=True)
            finally:
                self._rendering = False
        a = math.radians(degrees)
        c, s = math.cos(a), math.sin(a)
        turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
        self._rendering = True
        try:
            self.camera.SetPosition(*(turn @ np.asarray(self.camera.GetPosition())))
            self.camera.SetViewUp(*(turn @ np.asarray(self.camera.GetViewUp())))
            self.camera.OrthogonalizeViewUp()
        finally:
            self._rendering = False
        self.render_all()

    def set_turntable(self, on: bool) -> None:
        if self.turntable_action.isChecked() != on:
            self.turntable_action.setChecked(on)  # re-enters through toggled
            return
        self.turntable.start() if on else self.turntable.stop()
        self.fit_camera()

    def close_views(self) -> None:
        self.turntable.stop()
        for view in self.views.values():
            view.close_plotter()
