"""One 3D view of a 32³ occupancy grid: voxel cubes, a smooth mesh, or probability-coloured voxels.

Geometry is rebuilt on the UI thread: on a 32³ grid, cell extraction and marching cubes take
2–5 ms (measured), well below the ~50 ms at which work has to move to a worker, and staying
synchronous keeps the threshold slider live without stale-result bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget
from pyvistaqt import QtInteractor

from core.metrics import voxel_iou
from recon_gui.theme import LIGHT, Theme

DISPLAY_MODES = ("voxels", "mesh", "occupancy")
MODE_LABELS = {"voxels": "Voxels", "mesh": "Smooth mesh", "occupancy": "Occupancy colours"}


def format_threshold(threshold: float) -> str:
    """Two decimals unless the third one matters (the slider moves in steps of 0.005)."""
    return f"{threshold:.2f}" if abs(round(threshold, 2) - threshold) < 1e-9 else f"{threshold:.3f}"


def occupied_mask(occ: np.ndarray, threshold: float) -> np.ndarray:
    """The voxels shown and scored: ``occ > threshold`` (the rule core.metrics.voxel_iou uses)."""
    return np.asarray(occ, dtype=np.float32) > threshold


def voxel_grid(occ: np.ndarray) -> pv.ImageData:
    """The occupancy as cell data of a grid spanning [-0.5, 0.5]³ (voxel i at ((i+0.5)/n-0.5))."""
    n = occ.shape[0]
    grid = pv.ImageData(dimensions=(n + 1,) * 3, spacing=(1.0 / n,) * 3, origin=(-0.5,) * 3)
    grid.cell_data["occupancy"] = np.asarray(occ, dtype=np.float32).ravel(order="F")  # VTK: x fastest
    return grid


def build_geometry(occ: np.ndarray, threshold: float, mode: str) -> pv.DataSet | None:
    """The dataset to draw for ``mode``; None when nothing passes the threshold."""
    if mode not in DISPLAY_MODES:
        raise ValueError(f"unknown display mode {mode!r}; expected one of {DISPLAY_MODES}")
    mask = occupied_mask(occ, threshold)
    if not mask.any():
        return None
    if mode == "mesh":
        from core.geometry.mesh import occupancy_to_mesh, to_polydata

        verts, faces = occupancy_to_mesh(np.asarray(occ, dtype=np.float32), threshold)
        return to_polydata(verts, faces) if len(faces) else None
    return voxel_grid(occ).extract_cells(np.flatnonzero(mask.ravel(order="F")))


@dataclass
class ViewState:
    occupancy: np.ndarray | None = None
    ground_truth: np.ndarray | None = None
    message: str = ""


class Viewport(QWidget):
    """A titled QtInteractor with an IoU caption; the comparison panel links the cameras."""

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

        self.title_label = QLabel(title)
        self.title_label.setStyleSheet("font-weight: 600;")
        self.caption = QLabel("")
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
        self.plotter.set_background(theme.background_3d)
        self._message_actor = None
        self._lut: pv.LookupTable | None = None
        self._scalar_bar = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.plotter, 1)
        self._show_message("")

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

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.plotter.set_background(theme.background_3d)
        if self._scalar_bar is not None:
            self._scalar_bar.GetLabelTextProperty().SetColor(pv.Color(theme.text_colour).float_rgb)
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self, render: bool = True) -> None:
        occ = self.state.occupancy
        if self.actor is not None:
            self.plotter.remove_actor(self.actor, render=False)
            self.actor = None
        self.dataset = None
        self.occupied_count = 0
        if occ is None:
            self._show_message(self.state.message)
        else:
            self.occupied_count = int(occupied_mask(occ, self.threshold).sum())
            self.dataset = build_geometry(occ, self.threshold, self.mode)
            self._show_message("" if self.dataset is not None else f"nothing above {format_threshold(self.threshold)}")
            if self.dataset is not None:
                self.actor = self._add_dataset(self.dataset)
        self._update_scalar_bar()
        self._update_caption()
        if render:
            self.plotter.render()

    def _add_dataset(self, data: pv.DataSet):
        common = dict(reset_camera=False, render=False, name="shape")
        if self.mode == "occupancy":
            return self.plotter.add_mesh(data, scalars="occupancy", cmap=self._lookup_table(), show_edges=True,
                                         edge_color=self.theme.edge_colour, line_width=0.5, show_scalar_bar=False,
                                         **common)
        if self.mode == "mesh":
            return self.plotter.add_mesh(data, color=self.colour, smooth_shading=True, specular=0.3, **common)
        return self.plotter.add_mesh(data, color=self.colour, show_edges=True, edge_color=self.theme.edge_colour,
                                     line_width=0.5, show_scalar_bar=False, **common)

    def _lookup_table(self) -> pv.LookupTable:
        """One viridis table over [0, 1] per view, shared by every shape and the scale bar."""
        if self._lut is None:
            self._lut = pv.LookupTable(cmap="viridis", scalar_range=(0.0, 1.0))
        return self._lut

    def _update_scalar_bar(self) -> None:
        """The probability scale: built once, then only shown or hidden (rebuilding it per
        result cost ~25 ms of UI time). The truth view (all ones) needs none."""
        wanted = self.mode == "occupancy" and self.actor is not None and self.state.occupancy is not self.state.ground_truth
        if wanted and self._scalar_bar is None:
            # a plain VTK scale bar: pyvista's own would be removed with the first shape's actor
            from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor

            bar = vtkScalarBarActor()
            bar.SetLookupTable(self._lookup_table())
            bar.SetNumberOfLabels(3)
            bar.SetLabelFormat("%.1f")
            bar.SetOrientationToVertical()
            bar.SetPosition(0.9, 0.05)
            bar.SetWidth(0.06)
            bar.SetHeight(0.4)
            bar.GetLabelTextProperty().SetColor(pv.Color(self.theme.text_colour).float_rgb)
            bar.GetLabelTextProperty().ShadowOff()
            bar.GetLabelTextProperty().ItalicOff()
            bar.UnconstrainedFontSizeOn()  # readable labels on a narrow bar
            bar.GetLabelTextProperty().SetFontSize(12)
            self.plotter.renderer.AddViewProp(bar)
            self._scalar_bar = bar
        if self._scalar_bar is not None:
            self._scalar_bar.SetVisibility(wanted)

    def _show_message(self, text: str) -> None:
        if self._message_actor is not None:
            self.plotter.remove_actor(self._message_actor, render=False)
            self._message_actor = None
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
            self.caption.setText(f"IoU {self.iou:.3f} @ {format_threshold(self.threshold)}")
            self.caption.setToolTip(f"Voxel IoU against the ground truth at occupancy threshold {format_threshold(self.threshold)}; "
                                    f"{self.occupied_count} voxels occupied.")

    def screenshot(self, scale: int = 1) -> np.ndarray:
        """The rendered view as an (H, W, 3) uint8 array, at ``scale`` × the widget size."""
        self.plotter.render()
        return np.asarray(self.plotter.screenshot(None, return_img=True, scale=scale if scale > 1 else None))

    def close_plotter(self) -> None:
        self.plotter.close()
