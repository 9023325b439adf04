"""Zoom the linked cameras so the shape fills its views (pure numpy; no Qt, no VTK).

The views keep their camera *position* (a standard direction at a fixed distance, looking at
the grid's centre, which is also the centre of every R2N2 and generated shape) and change only
the view angle: the narrowest angle at which every point of the shapes (the corners of their
convex hull) lies inside ``fill`` of the view, in every linked view (each has its own aspect
ratio). Keeping the position keeps the turntable turning about the shape and the standard
views exact. Fitting the hull, not the bounding box, matters: a box's empty corners would
leave a chair at ~75 % of an iso view instead of ~86 %.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

FILL = 0.86  # share of the view's binding side the shape's projection spans (a margin for edges)
MIN_VIEW_ANGLE_DEG = 2.0
MAX_VIEW_ANGLE_DEG = 60.0
TURNTABLE_SAMPLES = 36  # azimuths checked when one angle must hold for a whole turn


def box_corners(bounds: Sequence[float]) -> np.ndarray:
    """(8, 3) corners of ``(xmin, xmax, ymin, ymax, zmin, zmax)``."""
    x0, x1, y0, y1, z0, z1 = (float(b) for b in bounds)
    return np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)])


def _turn_about_y(points: np.ndarray, degrees: float) -> np.ndarray:
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    return points @ turn.T


def projected_ranges(position: Sequence[float], focal: Sequence[float], up: Sequence[float],
                     points: np.ndarray) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of x/depth and y/depth of ``points`` in the camera's frame
    (x right, y up): where a perspective camera images them, in tangents of the view angle."""
    pos = np.asarray(position, float)
    forward = np.asarray(focal, float) - pos
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, np.asarray(up, float))
    right /= np.linalg.norm(right)
    true_up = np.cross(right, forward)
    rel = np.asarray(points, float) - pos
    depth = np.maximum(rel @ forward, 1e-3)  # a point behind the camera cannot be fitted: clamp
    u, v = rel @ right / depth, rel @ true_up / depth
    return float(u.min()), float(u.max()), float(v.min()), float(v.max())


@dataclass(frozen=True)
class Fit:
    """A camera zoom: VTK's view angle (vertical, or horizontal when the camera says so) and
    window centre (the image shift, in the view's -1..1 coordinates, that centres the shape)."""

    view_angle_deg: float
    window_centre: tuple[float, float]


def fit_view(position: Sequence[float], focal: Sequence[float], up: Sequence[float], points: np.ndarray,
             aspects: Iterable[float], horizontal: bool = False, fill: float = FILL, turntable: bool = False) -> Fit:
    """The zoom that shows the (N, 3) ``points`` centred, spanning ``fill`` of the binding side
    of every view of width/height ``aspects`` (the first aspect sets the centring).

    ``turntable``: one angle for the whole turn about the vertical axis through the origin (the
    largest any azimuth needs), so the shape never leaves the view and the zoom never breathes;
    the centre is the current azimuth's.
    """
    pts = np.asarray(points, float).reshape(-1, 3)
    aspects = [max(float(a), 1e-3) for a in aspects] or [1.0]
    if not len(pts):
        return Fit(MAX_VIEW_ANGLE_DEG, (0.0, 0.0))
    x0, x1, y0, y1 = projected_ranges(position, focal, up, pts)
    half_x, half_y = (x1 - x0) / 2, (y1 - y0) / 2
    if turntable:
        for a in np.linspace(0.0, 360.0, TURNTABLE_SAMPLES, endpoint=False)[1:]:
            u0, u1, v0, v1 = projected_ranges(position, focal, up, _turn_about_y(pts, a))
            half_x, half_y = max(half_x, (u1 - u0) / 2), max(half_y, (v1 - v0) / 2)
    # tan(half horizontal angle) = tan(half vertical angle) * aspect
    if horizontal:
        needed = max(max(half_x, half_y * a) for a in aspects)
    else:
        needed = max(max(half_y, half_x / a) for a in aspects)
    angle = math.degrees(2.0 * math.atan(max(needed, 1e-4) / fill))
    angle = float(min(max(angle, MIN_VIEW_ANGLE_DEG), MAX_VIEW_ANGLE_DEG))
    half = math.tan(math.radians(angle) / 2)
    tan_v_used, tan_h_used = (half / aspects[0], half) if horizontal else (half, half * aspects[0])
    centre = ((x0 + x1) / 2 / tan_h_used, (y0 + y1) / 2 / tan_v_used)
    return Fit(angle, (float(centre[0]), float(centre[1])))


def fit_view_angle(position: Sequence[float], focal: Sequence[float], up: Sequence[float], points: np.ndarray,
                   aspects: Iterable[float], horizontal: bool = False, fill: float = FILL,
                   turntable: bool = False) -> float:
    """The view angle of ``fit_view`` alone (degrees)."""
    return fit_view(position, focal, up, points, aspects, horizontal, fill, turntable).view_angle_deg


def hull_points(mask: np.ndarray) -> np.ndarray:
    """(K, 3) world points whose projection bounds the true voxels of an (n, n, n) mask: the
    vertices of the convex hull of the voxels' corners (voxel i spans [i/n - 0.5, (i+1)/n - 0.5]).
    Empty (0, 3) for an empty mask."""
    m = np.asarray(mask, bool)
    if not m.any():
        return np.zeros((0, 3))
    n = m.shape[0]
    padded = np.pad(m, 1)
    corner = np.zeros(tuple(s + 1 for s in m.shape), bool)
    for dx in (0, 1):  # grid point (i, j, k) is a corner of voxels i-1..i along each axis
        for dy in (0, 1):
            for dz in (0, 1):
                corner |= padded[dx:dx + m.shape[0] + 1, dy:dy + m.shape[1] + 1, dz:dz + m.shape[2] + 1]
    pts = np.argwhere(corner) / n - 0.5
    try:
        from scipy.spatial import ConvexHull

        return pts[ConvexHull(pts).vertices]
    except Exception:  # noqa: BLE001 - a degenerate hull (never for voxel corners) falls back to all points
        return pts

