"""Off-screen pictures of a predicted shape (PNG), seen through the R2N2 camera or a default one.

For reports and the CLI, not the GUI (which draws live in Qt). pyvista/VTK render off screen;
with a ``ViewParams`` the picture is taken with the exact camera of a rendering
(``core.geometry.camera``), so it can be laid next to, or over, the input image.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np

from core.geometry.camera import FOV_RAD, ViewParams, camera_from_view
from core.geometry.mesh import occupancy_to_mesh, to_polydata
from core.spec import DEFAULT_THRESHOLD

DEFAULT_VIEW = ViewParams(azimuth=45.0, elevation=25.0, in_plane=0.0, distance=0.9)


def _egl_available() -> bool:
    import ctypes

    for name in ("libEGL.so.1", "libEGL.so"):
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def _headless_vtk():
    """Import pyvista for off-screen work without a word on stderr.

    Without an X display (a server, ``ssh``, CI), VTK's default window first tries X and logs
    a coloured "bad X server connection" line before falling back to EGL; asking for the EGL
    window first (when libEGL loads; it must be chosen before VTK is imported) skips that
    attempt, and VTK's own warnings are kept off the terminal (errors still show)."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if _egl_available():  # a preferred window VTK cannot open is fatal, not a fallback
            os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
        headless = True
    else:
        headless = False
    import pyvista as pv

    if headless:
        try:
            from vtkmodules.vtkCommonCore import vtkLogger, vtkObject

            vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
            vtkObject.GlobalWarningDisplayOff()
        except ImportError:  # pragma: no cover - an older VTK without the logger
            pass
    return pv


def render_shape(
    occupancy: np.ndarray,
    view: ViewParams | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    size: int = 512,
    color: str = "#c8a27a",
    background: str = "white",
    scale: float = 1.0,
) -> np.ndarray:
    """uint8 (size, size, 3) picture of the marching-cubes surface of ``occupancy``.

    The camera follows the R2N2 rules: centre 1.75·distance away on the (azimuth, elevation)
    direction, looking at the origin, +y up, field of view 2·atan(16/35). ``scale`` is the
    grid's world size (the binvox ``scale`` field of a ground-truth file; 1 for predictions).
    """
    pv = _headless_vtk()

    verts, faces = occupancy_to_mesh(occupancy, threshold, scale)
    cam = camera_from_view(view or DEFAULT_VIEW, size)
    plotter = pv.Plotter(off_screen=True, window_size=(size, size))
    try:
        plotter.set_background(background)
        if len(faces):
            plotter.add_mesh(to_polydata(verts, faces), color=color, smooth_shading=True, specular=0.2)
        plotter.camera.position = tuple(cam.centre)
        plotter.camera.focal_point = (0.0, 0.0, 0.0)
        plotter.camera.up = tuple(cam.up)
        plotter.camera.view_angle = math.degrees(FOV_RAD)
        plotter.camera.clipping_range = (0.01, 10.0)
        image = plotter.screenshot(return_img=True)
    finally:
        plotter.close()
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def save_shape_png(path: str | Path, occupancy: np.ndarray, view: ViewParams | None = None, threshold: float = DEFAULT_THRESHOLD, size: int = 512, scale: float = 1.0) -> Path:
    """``render_shape`` written as a PNG, atomically (``OutputError`` names the path)."""
    from PIL import Image

    from core.io.atomic import check_output_file, write_with

    path = check_output_file(path)  # a folder of that name: refused before rendering
    picture = Image.fromarray(render_shape(occupancy, view, threshold, size, scale=scale))
    return write_with(path, lambda tmp: picture.save(tmp, format="PNG"))
