"""One 3D view of a 32³ occupancy grid: voxel cubes, a smooth mesh, probability-coloured voxels,
or the errors against the ground truth; optionally cut open by a slice plane. What is drawn
is built in view_geometry (Qt-free); this module owns the widget, its actors and captions.

Geometry is rebuilt on the UI thread: on a 32³ grid, cell extraction and marching cubes take
2–5 ms (measured), well below the ~50 ms at which work has to move to a worker, and staying
synchronous keeps the threshold slider live without stale-result bookkeeping.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pyvista as pv
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from core.geometry.compare import FALSE_NEGATIVE, FALSE_POSITIVE, ErrorCounts
from core.metrics import voxel_iou
from recon_gui.panels.camera_fit import fit_view, hull_points
from recon_gui.panels.elided_label import ElidedLabel
from recon_gui.panels.view_geometry import (
    DISPLAY_MODES,
    ERROR_COLOURS,
    GHOST_OPACITY,
    NO_SLICE,
    SlicePlane,
    build_error_geometry,
    build_geometry,
    common_range,
    occupied_mask,
    scale_bar,
    shown_range,
)
from recon_gui.state import format_threshold
from recon_gui.theme import LIGHT, Theme


def fit_linked_camera(camera, views, turntable: bool = False) -> float | None:
    """Zoom the shared vtkCamera of ``views`` so all their shapes fit and the largest fills the
    views (see camera_fit); returns the new view angle, or None when there is nothing to fit."""
    points = [v.shape_points() for v in views if v.isVisible()]
    points = np.concatenate([p for p in points if p is not None and len(p)] or [np.zeros((0, 3))])
    sizes = [(v.plotter.width(), v.plotter.height()) for v in views
             if v.isVisible() and v.plotter.width() > 1 and v.plotter.height() > 1]
    if not len(points) or not sizes:
        return None
    horizontal = bool(camera.GetUseHorizontalViewAngle())  # whichever side the panel lets the angle apply to
    fit = fit_view(camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp(), points,
                   [sw / sh for sw, sh in sizes], horizontal=horizontal, turntable=turntable)
    camera.SetViewAngle(fit.view_angle_deg)
    camera.SetWindowCenter(*fit.window_centre)
    return fit.view_angle_deg


MESSAGE_CHAR_PX = 8  # width of a character of the views' messages (font size 9), with room to spare
_PATH = re.compile(r"(?<![^\s'\"(])(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"]+)*[\\/]([^\s\\/:'\"]+)")


def fit_message(text: str, width_px: int, char_px: int = MESSAGE_CHAR_PX) -> str:
    """``text`` for a view ``width_px`` wide: every path cut to its file name (the person knows
    which folder they opened), each line wrapped at words to fit the width."""
    text = _PATH.sub(lambda m: m.group(1), text)
    columns = max(12, int(width_px) // char_px)
    return "\n".join(textwrap.fill(line, columns, break_long_words=True) if line else line
                     for line in text.splitlines())


@dataclass
class ViewState:
    occupancy: np.ndarray | None = None
    ground_truth: np.ndarray | None = None
    message: str = ""


class Viewport(QWidget):
    """A titled QtInteractor with an IoU caption; the comparison panel links the cameras."""

    resized = Signal()  # the 3D area changed size (the linked camera refits its zoom)

    def __init__(self, title: str, theme: Theme = LIGHT, colour: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.theme = theme
        self._colour = colour
        self.state = ViewState()
        self.threshold = 0.4
        self.mode = "voxels"
        self.actor = None
        self.dataset: pv.DataSet | None = None
        self.occupied_count = 0
        self.iou: float | None = None
        self.cut: SlicePlane = NO_SLICE
        self.ghost_actor = None
        self.ghost_dataset: pv.DataSet | None = None
        self._points_key: tuple | None = None
        self._points_cache: np.ndarray | None = None
        self.error_counts: ErrorCounts | None = None
        self.occupancy_range: tuple[float, float] | None = None  # the colour scale shown (occupancy mode)
        # views whose predictions share one colour scale with this one (itself included; the
        # comparison panel links the models' views); empty: the scale spans this view's own
        self.range_peers: list[Viewport] = []

        self.title_label = ElidedLabel(title)
        self.title_label.setStyleSheet("font-weight: 600;")
        self.caption = ElidedLabel("")
        self.caption.setObjectName("iouLabel")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header = QVBoxLayout()  # title over caption: both stay readable in narrow views
        header.setContentsMargins(4, 2, 4, 2)
        header.setSpacing(0)
        header.addWidget(self.title_label)
        header.addWidget(self.caption)

        # auto_update=False: render on demand only (no 5 Hz timer burning CPU).
        self.plotter = QtInteractor(self, auto_update=False)
        self.plotter.setAcceptDrops(False)  # drops go to the main window, not pyvista's file reader
        self.plotter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plotter.setMinimumSize(160, 160)
        self.plotter.installEventFilter(self)
        self.plotter.set_background(theme.background_3d)
        self._message_actor = None
        self._message = ""  # the message as given (full paths); shown_message is what is drawn
        self.shown_message = ""
        self._lut: pv.LookupTable | None = None
        self._scalar_bar = None
        self._legend_actors: list = []
        self.legend_lines: list[str] = []  # the error key drawn in the view (error mode)
        self._cut_actor = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.plotter, 1)
        self._show_message("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.plotter and event.type() == QEvent.Type.Resize:
            if self._message and fit_message(self._message, self.plotter.width()) != self.shown_message:
                self._show_message(self._message)  # re-wrapped to the new width (drawn with the next render)
            self.resized.emit()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ data
    @property
    def colour(self) -> str:
        return self._colour or self.theme.model_colour

    def set_data(self, occupancy: np.ndarray | None, ground_truth: np.ndarray | None = None, message: str = "",
                 render: bool = True) -> None:
        """Show ``occupancy`` (None: an empty view with ``message``); IoU needs ``ground_truth``."""
        self.state = ViewState(occupancy, ground_truth, message)
        self.refresh(render=render)

    def set_ground_truth(self, ground_truth: np.ndarray | None) -> None:
        self.state.ground_truth = ground_truth
        self._update_caption()

    def set_threshold(self, threshold: float) -> None:
        self.threshold = float(threshold)
        self.refresh()

    def set_mode(self, mode: str) -> None:
        if mode not in DISPLAY_MODES:
            raise ValueError(f"unknown display mode {mode!r}")
        self.mode = mode
        self.refresh()

    def set_slice(self, cut: SlicePlane, render: bool = True) -> None:
        """Cut the shape open (NO_SLICE: whole); the comparison panel gives every view the same cut."""
        self.cut = cut
        self.refresh(render=render)

    def shape_points(self) -> np.ndarray | None:
        """(K, 3) points bounding the shape at the current threshold (the hull of its voxels).
        The cut and the mode are ignored, so scrubbing the cut or switching modes never zooms
        (the truth view brings the ground truth the error view ghosts). Cached per grid and threshold."""
        occ = self.state.occupancy
        if occ is None:
            return None
        if self._points_key is None or self._points_key[0] is not occ or self._points_key[1] != self.threshold:
            # the array itself is kept in the key: an id() could be reused by the next grid
            self._points_cache, self._points_key = hull_points(occupied_mask(occ, self.threshold)), (occ, self.threshold)
        return self._points_cache

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.plotter.set_background(theme.background_3d)
        if self._scalar_bar is not None:
            self._scalar_bar.GetLabelTextProperty().SetColor(pv.Color(theme.text_colour).float_rgb)
        self.refresh()

    # ------------------------------------------------------------------ drawing
    @property
    def shows_errors(self) -> bool:
        """Error mode with something to compare: a prediction and its (separate) ground truth."""
        gt = self.state.ground_truth
        return (self.mode == "error" and self.state.occupancy is not None and gt is not None
                and gt is not self.state.occupancy)

    def refresh(self, render: bool = True) -> None:
        occ = self.state.occupancy
        for actor in (self.actor, self.ghost_actor):
            if actor is not None:
                self.plotter.remove_actor(actor, render=False)
        self.actor = self.ghost_actor = None
        self.dataset = None
        self.ghost_dataset = None
        self.error_counts = None
        self.occupied_count = 0
        self.occupancy_range = None
        message = ""
        if occ is None:
            message = self.state.message
        else:
            self.occupied_count = int(occupied_mask(occ, self.threshold).sum())
            if self.shows_errors:
                self.dataset, self.ghost_dataset, self.error_counts = build_error_geometry(
                    occ, self.state.ground_truth, self.threshold, self.cut)
                if self.dataset is None and self.ghost_dataset is None:
                    message = f"nothing above {format_threshold(self.threshold)}"
            else:
                self.dataset = build_geometry(occ, self.threshold, self.mode, self.cut)
                if self.dataset is None:
                    message = f"nothing above {format_threshold(self.threshold)}" if not self.cut.active or not \
                        self.occupied_count else "nothing on this side of the cut"
                elif self.mode == "error" and self.state.ground_truth is None:
                    message = "no ground truth: errors need a data set item"
            if self.dataset is not None:
                self.actor = self._add_dataset(self.dataset)
            if self.ghost_dataset is not None:
                self.ghost_actor = self.plotter.add_mesh(
                    self.ghost_dataset, color=ERROR_COLOURS[FALSE_NEGATIVE], opacity=GHOST_OPACITY,
                    reset_camera=False, render=False, name="ghost")
        if occ is not None and self.cut.active:
            message = (message + "\n" if message else "") + self.cut.describe(occ.shape[0])
        self._show_message(message)
        self._update_scalar_bar()
        self._update_legend()
        self._update_caption()
        if render:
            self.plotter.render()

    def _add_dataset(self, data: pv.DataSet):
        common = dict(reset_camera=False, render=False, name="shape")
        if self.shows_errors:
            return self.plotter.add_mesh(data, scalars="error_colour", rgb=True, show_edges=True,
                                         edge_color=self.theme.edge_colour, line_width=0.5, show_scalar_bar=False,
                                         **common)
        if self.mode == "occupancy":
            lut = self._lookup_table()
            peers = [v.state.occupancy for v in self.range_peers]
            lut.scalar_range = self.occupancy_range = (
                common_range(peers, self.threshold) if any(p is not None for p in peers)
                else shown_range(self.state.occupancy, self.threshold))
            return self.plotter.add_mesh(data, scalars="occupancy", cmap=lut, clim=self.occupancy_range,
                                         show_edges=True, edge_color=self.theme.edge_colour, line_width=0.5,
                                         show_scalar_bar=False, **common)
        if self.mode == "mesh":
            return self.plotter.add_mesh(data, color=self.colour, smooth_shading=True, specular=0.3, **common)
        return self.plotter.add_mesh(data, color=self.colour, show_edges=True, edge_color=self.theme.edge_colour,
                                     line_width=0.5, show_scalar_bar=False, **common)

    def _lookup_table(self) -> pv.LookupTable:
        """One viridis table per view, shared by every shape and the scale bar; its range is set
        to the shown occupancies each time a shape is drawn."""
        if self._lut is None:
            self._lut = pv.LookupTable(cmap="viridis", scalar_range=(0.0, 1.0))
        return self._lut

    def _update_scalar_bar(self) -> None:
        """The probability scale: built once, then only shown or hidden (rebuilding it per
        result cost ~25 ms of UI time). The truth view (all ones) needs none."""
        wanted = self.mode == "occupancy" and self.actor is not None and self.state.occupancy is not self.state.ground_truth
        if wanted and self._scalar_bar is None:
            bar = scale_bar(self._lookup_table(), self.theme.text_colour)
            self.plotter.renderer.AddViewProp(bar)
            self._scalar_bar = bar
        if self._scalar_bar is not None:
            self._scalar_bar.SetVisibility(wanted)

    def _update_legend(self) -> None:
        """Error mode: the three classes with their counts, each line in its colour, inside the
        view (so screenshots carry it too). One text actor per line: newlines place them."""
        for actor in self._legend_actors:
            self.plotter.remove_actor(actor, render=False)
        self._legend_actors = []
        self.legend_lines = []
        c = self.error_counts
        if c is None:
            return
        lines = [(f"correct {c.true_positive}", self.theme.text_colour),
                 (f"extra {c.false_positive}", ERROR_COLOURS[FALSE_POSITIVE]),
                 (f"missing {c.false_negative}", ERROR_COLOURS[FALSE_NEGATIVE])]
        self.legend_lines = [text for text, _colour in lines]
        for i, (text, colour) in enumerate(lines):
            self._legend_actors.append(self.plotter.add_text("\n" * i + text, position="upper_right", font_size=9,
                                                             color=colour, name=f"legend{i}", render=False))

    def _show_message(self, text: str) -> None:
        """Draw ``text`` in the view's corner, paths cut to file names and wrapped to the view's
        width (VTK shrinks a line wider than the view until nothing is drawn); the text as
        given, full paths included, is the view's tooltip."""
        if self._message_actor is not None:
            self.plotter.remove_actor(self._message_actor, render=False)
            self._message_actor = None
        self._message = text
        self.plotter.setToolTip(text)
        text = fit_message(text, self.plotter.width())
        self.shown_message = text
        if text:
            self._message_actor = self.plotter.add_text(text, position="upper_left", font_size=9,
                                                        color=self.theme.text_colour, name="message",
                                                        render=False)

    def _update_caption(self) -> None:
        occ, gt = self.state.occupancy, self.state.ground_truth
        self.iou = None
        if occ is None:
            self.caption.setText("")
            self.caption.setToolTip("")
        elif gt is None:
            self.caption.setText(f"{self.occupied_count} voxels · IoU n/a")
            self.caption.setToolTip("No ground truth for this image: IoU needs a data set item.")
        elif gt is occ:
            self.caption.setText(f"{self.occupied_count} voxels")
            self.caption.setToolTip("Ground-truth voxels of the data set item.")
        else:
            self.iou = float(voxel_iou(np.asarray(occ, np.float32), np.asarray(gt, np.float32), self.threshold))
            # error mode: the counts are the in-view key only (coloured like the voxels, and
            # carried by screenshots and figures), so they are not repeated here
            c = self.error_counts
            self.caption.setText(f"IoU {self.iou:.3f} @ {format_threshold(self.threshold)}")
            self.caption.setToolTip(f"Voxel IoU against the ground truth at occupancy threshold {format_threshold(self.threshold)}; "
                                    f"{self.occupied_count} voxels occupied."
                                    + (" Errors: grey = correct, red = extra (predicted, not in the truth), "
                                       "faint blue = missing (in the truth, not predicted)." if c is not None else ""))

    def screenshot(self, scale: int = 1) -> np.ndarray:
        """The rendered view as an (H, W, 3) uint8 array, at ``scale`` × the widget size."""
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(None, return_img=True, scale=scale if scale > 1 else None))

    def close_plotter(self) -> None:
        self.plotter.close()
