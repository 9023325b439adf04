"""What one 3D view draws from a 32³ occupancy grid, without Qt: the voxels or the smooth
mesh above a threshold, the error classes against the ground truth, and the slice plane that
cuts them open. Pure functions of the grid, so the viewport, the exports and the tests share them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from core.geometry.compare import (
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    TRUE_POSITIVE,
    ErrorCounts,
    classify_errors,
    counts_of,
)

DISPLAY_MODES = ("voxels", "mesh", "occupancy", "error")
MODE_LABELS = {"voxels": "Voxels", "mesh": "Smooth mesh", "occupancy": "Occupancy colours", "error": "Errors"}
MODE_TIPS = {"voxels": "Occupied voxels as cubes", "mesh": "Smooth surface by marching cubes",
             "occupancy": "Voxels coloured by their predicted occupancy probability (scale: the shown range)",
             "error": "The prediction against the ground truth: correct grey, extra red, missing as a faint ghost"}
# Error view: correct stays neutral so the mistakes stand out; missing voxels are a ghost
# (drawn, but see-through) so the shape that should be there is visible behind the prediction.
ERROR_COLOURS = {TRUE_POSITIVE: "#a3a7ad", FALSE_POSITIVE: "#e02a22", FALSE_NEGATIVE: "#3b8ede"}
ERROR_NAMES = {TRUE_POSITIVE: "correct", FALSE_POSITIVE: "extra", FALSE_NEGATIVE: "missing"}
GHOST_OPACITY = 0.22
SLICE_AXES = ("x", "y", "z")


def occupied_mask(occ: np.ndarray, threshold: float) -> np.ndarray:
    """The voxels shown and scored: ``occ > threshold`` (the rule core.metrics.voxel_iou uses)."""
    return np.asarray(occ, dtype=np.float32) > threshold


def voxel_grid(occ: np.ndarray) -> pv.ImageData:
    """The occupancy as cell data of a grid spanning [-0.5, 0.5]³ (voxel i at ((i+0.5)/n-0.5))."""
    n = occ.shape[0]
    grid = pv.ImageData(dimensions=(n + 1,) * 3, spacing=(1.0 / n,) * 3, origin=(-0.5,) * 3)
    grid.cell_data["occupancy"] = np.asarray(occ, dtype=np.float32).ravel(order="F")  # VTK: x fastest
    return grid


@dataclass(frozen=True)
class SlicePlane:
    """A cut through the grid: along ``axis`` ("x", "y", "z"; None = no cut) only voxels with
    index < ``position`` stay (world coordinate < position/n - 0.5), so the cut face looks
    towards the standard views (which all look from the positive side)."""

    axis: str | None = None
    position: int = 16

    def __post_init__(self) -> None:
        if self.axis is not None and self.axis not in SLICE_AXES:
            raise ValueError(f"unknown slice axis {self.axis!r}; expected one of {SLICE_AXES}")

    @property
    def active(self) -> bool:
        return self.axis is not None

    def keep_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """bool grid of ``shape``: True for the voxels on the kept side."""
        keep = np.ones(shape, dtype=bool)
        if self.axis is not None:
            a = SLICE_AXES.index(self.axis)
            index = [slice(None)] * 3
            index[a] = slice(max(0, int(self.position)), None)
            keep[tuple(index)] = False
        return keep

    def world_cut(self, n: int) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """(normal, origin) of the cut in the views' frame (the grid spans [-0.5, 0.5]³)."""
        a = SLICE_AXES.index(self.axis or "x")
        normal, origin = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        normal[a] = 1.0
        origin[a] = self.position / n - 0.5
        return tuple(normal), tuple(origin)

    def describe(self, n: int) -> str:
        return f"cut: {self.axis} < {self.position}/{n}" if self.axis else ""


NO_SLICE = SlicePlane()


def build_geometry(occ: np.ndarray, threshold: float, mode: str, cut: SlicePlane = NO_SLICE) -> pv.DataSet | None:
    """The dataset to draw for ``mode`` ("error" draws like "voxels" here; see
    ``build_error_geometry``); None when nothing passes the threshold on the kept side."""
    if mode not in DISPLAY_MODES:
        raise ValueError(f"unknown display mode {mode!r}; expected one of {DISPLAY_MODES}")
    mask = occupied_mask(occ, threshold)
    if not mask.any():
        return None
    if mode == "mesh":
        from core.geometry.mesh import occupancy_to_mesh, to_polydata

        verts, faces = occupancy_to_mesh(np.asarray(occ, dtype=np.float32), threshold)
        if not len(faces):
            return None
        poly = to_polydata(verts, faces)
        if cut.active:  # an open cut: the inside of the surface shows through it
            normal, origin = cut.world_cut(occ.shape[0])
            poly = poly.clip(normal=normal, origin=origin, invert=True)
            if poly.n_cells == 0:
                return None
        return poly
    if cut.active:
        mask &= cut.keep_mask(mask.shape)
        if not mask.any():
            return None
    return voxel_grid(occ).extract_cells(np.flatnonzero(mask.ravel(order="F")))


def build_error_geometry(occ: np.ndarray, truth: np.ndarray, threshold: float, cut: SlicePlane = NO_SLICE
                         ) -> tuple[pv.DataSet | None, pv.DataSet | None, ErrorCounts]:
    """(solid, ghost, counts): the predicted voxels with an RGB ``error_colour`` per cell
    (correct / extra), the missing voxels, and the counts over the whole grid (a cut hides
    voxels, it does not change the score)."""
    labels = classify_errors(occ, truth, threshold)
    counts = counts_of(labels)
    shown = labels if not cut.active else np.where(cut.keep_mask(labels.shape), labels, 0)
    flat = shown.ravel(order="F")
    grid = voxel_grid(occ)
    solid_ids = np.flatnonzero((flat == TRUE_POSITIVE) | (flat == FALSE_POSITIVE))
    ghost_ids = np.flatnonzero(flat == FALSE_NEGATIVE)
    solid = ghost = None
    if len(solid_ids):
        solid = grid.extract_cells(solid_ids)
        palette = np.array([pv.Color(ERROR_COLOURS.get(k, "#000000")).int_rgb for k in range(4)], dtype=np.uint8)
        solid.cell_data["error_colour"] = palette[flat[solid_ids]]
    if len(ghost_ids):
        ghost = grid.extract_cells(ghost_ids)
    return solid, ghost, counts


def common_range(occupancies, threshold: float) -> tuple[float, float]:
    """One colour scale for views shown side by side: min..max of the occupancies above
    ``threshold`` over all the grids given (None skipped), so a colour means the same
    probability in each; as ``shown_range`` for a single grid, (0, 1) when nothing is shown."""
    ranges = [shown_range(o, threshold) for o in occupancies
              if o is not None and occupied_mask(o, threshold).any()]
    if not ranges:
        return (0.0, 1.0)
    return (min(lo for lo, _hi in ranges), max(hi for _lo, hi in ranges))


def shown_range(occ: np.ndarray, threshold: float) -> tuple[float, float]:
    """min..max of the occupancies above ``threshold`` (the whole grid, not only the cut side,
    so scrubbing the cut keeps the colours): a model whose occupancies top out at 0.66 still
    uses the whole colour scale. Never an empty interval; (0, 1) when nothing is shown."""
    occ = np.asarray(occ, dtype=np.float32)
    shown = occ[occupied_mask(occ, threshold)]
    shown = shown[np.isfinite(shown)]
    if not len(shown):
        return (0.0, 1.0)
    lo, hi = float(shown.min()), float(shown.max())
    if hi - lo < 1e-3:
        lo, hi = max(0.0, lo - 5e-4), min(1.0, hi + 5e-4)
        if hi - lo < 1e-3:
            lo = hi - 1e-3
    return (lo, hi)


def scale_bar(lut: pv.LookupTable, text_colour: str):
    """The occupancy colour scale as a plain vtkScalarBarActor on ``lut`` (pyvista's own bar
    would be removed with the first shape's actor): three labels, right edge of the view."""
    from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor

    bar = vtkScalarBarActor()
    bar.SetLookupTable(lut)
    bar.SetNumberOfLabels(3)
    bar.SetLabelFormat("%.2f")
    bar.SetOrientationToVertical()
    bar.SetPosition(0.9, 0.05)
    bar.SetWidth(0.06)
    bar.SetHeight(0.4)
    bar.GetLabelTextProperty().SetColor(pv.Color(text_colour).float_rgb)
    bar.GetLabelTextProperty().ShadowOff()
    bar.GetLabelTextProperty().ItalicOff()
    bar.UnconstrainedFontSizeOn()  # readable labels on a narrow bar
    bar.GetLabelTextProperty().SetFontSize(12)
    return bar
