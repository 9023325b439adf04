"""The Export menu's work: figure screenshots, meshes, voxel grids and turntable GIFs.

Pixels are grabbed and the figure laid out on the UI thread (VTK and QPainter live there, a
few milliseconds); encoding and writing run on a worker. Output problems (a folder where a
file is wanted, a full disk) arrive as one-line messages naming the path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from core.errors import ReconError
from core.geometry.mesh import MESH_FORMATS, VOXEL_FORMATS
from core.io.atomic import check_output_file
from recon_gui import export
from recon_gui.figure import Figure, Panel, compose, crop_panels
from recon_gui.turntable import TurntableRecorder
from recon_gui.workers import Worker, run_task

if TYPE_CHECKING:
    from recon_gui.main_window import MainWindow

MESH_FILTER = "Wavefront OBJ (*.obj);;Stanford PLY (*.ply);;STL (*.stl);;glTF binary (*.glb)"
VOXEL_FILTER = "binvox (*.binvox);;NumPy array (*.npy)"
TURNTABLE_FRAMES = 36


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


@dataclass
class FigureOptions:
    scale: int = 1
    layout: str = "row"  # "row" | "grid"
    transparent: bool = False
    crop: bool = True


class ExportController:
    """Owned by the window; reads the comparison panel, writes through ``recon_gui.export``."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.recorder: TurntableRecorder | None = None
        self.last_figure: Figure | None = None  # the layout of the last screenshot (for checks)

    # ------------------------------------------------------------------ helpers
    @property
    def comparison(self):
        return self.window.comparison

    def background(self) -> tuple[int, int, int]:
        return hex_rgb(self.window.theme.background_3d)

    def save_path(self, title: str, default_name: str, file_filter: str) -> str:
        settings = self.window.settings
        folder = Path(settings.last_folder("export"))
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(folder / default_name), file_filter)
        if path:
            settings.set_last_folder("export", path)
        return path

    def stem(self) -> str:
        request = self.window.controller.state.request
        label = Path(request.label).stem.replace(" ", "_") if request is not None else ""
        return label or "recon"

    def run(self, what: str, fn: Callable, *args: Any) -> Worker:
        self.window.statusBar().showMessage(f"Writing {what}…")
        return run_task(self.window.workers, fn, *args, busy=self.window.busy_counter,
                        on_result=lambda p: self.window.statusBar().showMessage(f"Saved {p}", 8000),
                        on_error=lambda msg, tb: self.window.report_error(f"Cannot write {what}", msg, tb))

    # ------------------------------------------------------------------ figures
    def panels(self, target: str, options: FigureOptions) -> list[Panel]:
        """The panes of ``target`` ("comparison" or one pane key) as figure panels."""
        keys = self.comparison.figure_keys() if target == "comparison" else [target]
        shots = [self.comparison.pane_image(k, options.scale, options.transparent) for k in keys]
        three_d = [i for i, k in enumerate(keys) if k in self.comparison.views]
        if options.crop and three_d:
            cropped = crop_panels([shots[i] for i in three_d], self.background())
            for i, image in zip(three_d, cropped):
                shots[i] = image
        if options.crop:  # a picture with an alpha channel (a render, a cut-out) is cropped to its object
            for i, key in enumerate(keys):
                if key not in self.comparison.views:
                    shots[i] = crop_panels([shots[i]], self.background())[0]
        height = max(shots[i].shape[0] for i in three_d) if three_d else None
        panels = []
        for key, image in zip(keys, shots):
            if key not in self.comparison.views and height:  # the input picture, at the shapes' height
                image = _fit_height(image, min(height, image.shape[0] * 4))
            title, caption = self.comparison.pane_texts(key)
            panels.append(Panel(image, title, caption))
        return panels

    def figure(self, target: str = "comparison", options: FigureOptions | None = None) -> np.ndarray:
        """The composed figure as an RGBA array (UI thread)."""
        options = options or FigureOptions()
        fg = hex_rgb(self.window.theme.text_colour)
        self.last_figure = compose(self.panels(target, options), options.layout, self.background(),
                                   options.transparent, fg, options.scale)
        return self.last_figure.pixels

    def output_path(self, path: str | None, title: str, default_name: str, file_filter: str,
                    formats: tuple[str, ...], error_title: str = "") -> str | None:
        """``path`` (or the one the person picks) with one of ``formats`` as its suffix, checked
        before any work (e.g. a folder named like the file); None when cancelled or unwritable,
        which is reported under ``error_title`` (default: "Cannot write NAME")."""
        path = path or self.save_path(title, default_name, file_filter)
        if not path:
            return None
        if Path(path).suffix.lower().lstrip(".") not in formats:
            path += f".{formats[0]}"
        try:
            check_output_file(path)
        except ReconError as exc:
            self.window.report_error(error_title or f"Cannot write {Path(path).name}", str(exc))
            return None
        return path

    def screenshot(self, path: str | None, target: str, options: FigureOptions) -> str | None:
        path = self.output_path(path, "Save screenshot", f"{self.stem()}_{target}.png", "PNG image (*.png)", ("png",),
                                "Cannot save the screenshot")
        if path is None:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # VTK re-renders the views (UI thread)
        try:
            pixels = self.figure(target, options)
        finally:
            QApplication.restoreOverrideCursor()
        self.run(f"screenshot {Path(path).name}", export.save_png, pixels, path)
        return path

    # ------------------------------------------------------------------ shapes
    def _grid(self, key: str) -> np.ndarray | None:
        view = self.comparison.views.get(key)
        grid = view.state.occupancy if view is not None else None
        if grid is None:
            name = self.comparison.pane_texts(key)[0].split(" (")[0].lower()
            self.window.report_error("Nothing to export", f"the {name} view is empty; reconstruct a picture first "
                                     "(or choose another shape under Export → Shape to export)")
        return grid

    def _target(self, key: str, title: str, path: str | None, formats: tuple[str, ...],
                file_filter: str) -> tuple[np.ndarray, str] | None:
        """The shape to export and a checked path with a known suffix, or None (reported)."""
        grid = self._grid(key)
        if grid is None:
            return None
        path = self.output_path(path, title, f"{self.stem()}_{key}.{formats[0]}", file_filter, formats)
        return None if path is None else (grid, path)

    def mesh(self, key: str, path: str | None = None) -> Worker | None:
        target = self._target(key, "Export mesh", path, MESH_FORMATS, MESH_FILTER)
        if target is None:
            return None
        grid, path = target
        kind = "smooth" if self.comparison.mode == "mesh" else "cubes"
        return self.run(f"mesh {Path(path).name}", export.export_mesh, path, grid.copy(), self.comparison.threshold, kind)

    def voxels(self, key: str, path: str | None = None) -> Worker | None:
        target = self._target(key, "Export voxels", path, VOXEL_FORMATS, VOXEL_FILTER)
        if target is None:
            return None
        grid, path = target
        return self.run(f"voxels {Path(path).name}", export.export_voxels, path, grid.copy(), self.comparison.threshold)

    def turntable(self, path: str | None = None, frames: int = TURNTABLE_FRAMES,
                  target: str = "comparison") -> TurntableRecorder | None:
        """Record one turn frame by frame from the event loop, then encode the GIF on a worker."""
        path = self.output_path(path, "Export turntable", f"{self.stem()}_turntable.gif", "GIF animation (*.gif)",
                                ("gif",), "Cannot save the turntable")
        if path is None:  # cancelled, or unwritable: said before a whole turn is recorded
            return None
        was_spinning = self.comparison.turntable.isActive()
        self.comparison.set_turntable(False)
        self.recorder = TurntableRecorder(self.window, path, frames, target, was_spinning)
        self.recorder.start()
        return self.recorder


def _fit_height(image: np.ndarray, height: int) -> np.ndarray:
    from PIL import Image

    if image.shape[0] == height or height <= 0:
        return image
    width = max(1, round(image.shape[1] * height / image.shape[0]))
    mode = "RGBA" if image.shape[2] == 4 else "RGB"
    return np.asarray(Image.fromarray(np.ascontiguousarray(image), mode).resize((width, height), Image.LANCZOS))
