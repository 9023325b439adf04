"""The 3D-R2N2 rendering camera, in the voxel ``[x, y, z]`` world frame (y up).

Centre ``C = 1.75·dist·(cos el·cos az, sin el, cos el·sin az)``, looking at the origin with
+y up; square pinhole images of 137 px with a field of view of ``2·atan(16/35)`` (the
metadata's ``fov`` field is not what the renderer applied). Pixel (u, v) has u to the right
and v downward; pixel i covers [i, i+1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.spec import RENDER_SIZE

FOV_RAD = 2.0 * math.atan(16.0 / 35.0)
DIST_FACTOR = 1.75


@dataclass(frozen=True)
class ViewParams:
    """One line of ``rendering_metadata.txt``."""

    azimuth: float
    elevation: float
    in_plane: float
    distance: float
    fov: float = 25.0

    def to_line(self) -> str:
        """One line of ``rendering_metadata.txt``: azimuth elevation in-plane (degrees), distance, fov."""
        return f"{self.azimuth:.10g} {self.elevation:.10g} {self.in_plane:.10g} {self.distance:.10g} {self.fov:.10g}"

    @classmethod
    def from_line(cls, line: str) -> "ViewParams":
        """Parse one ``rendering_metadata.txt`` line (five numbers); ValueError if the count is wrong
        or a value is not a number.
        """
        parts = line.split()
        if len(parts) != 5:
            raise ValueError(f"expected 5 numbers 'azimuth elevation in_plane distance fov', got {len(parts)}")
        return cls(*(float(p) for p in parts))


@dataclass(frozen=True)
class Camera:
    """A pinhole camera: centre, orthonormal basis (right, up, forward), focal length in px."""

    centre: np.ndarray
    right: np.ndarray
    up: np.ndarray
    forward: np.ndarray
    focal_px: float
    size: int = RENDER_SIZE

    @property
    def principal(self) -> float:
        """The principal point in px (image centre; the same for u and v on a square image)."""
        return self.size / 2.0

    def world_to_camera(self, points: np.ndarray) -> np.ndarray:
        """(N,3) world -> (N,3) camera coords (x right, y up, z depth along forward)."""
        d = np.asarray(points, dtype=np.float64) - self.centre
        return np.stack([d @ self.right, d @ self.up, d @ self.forward], axis=-1)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N,3) world points -> (N,2) pixel coords (u right, v down) and (N,) depth."""
        pc = self.world_to_camera(points)
        depth = pc[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.principal + self.focal_px * pc[:, 0] / depth
            v = self.principal - self.focal_px * pc[:, 1] / depth
        return np.stack([u, v], axis=-1), depth

    def pixel_rays(self, size: int | None = None, supersample: int = 1) -> np.ndarray:
        """Unit ray directions (H, W, 3) through pixel centres (or a sub-pixel grid, flattened
        to (H*s, W*s, 3)) in world coordinates."""
        n = (size or self.size) * supersample
        scale = self.size / n
        coords = (np.arange(n) + 0.5) * scale
        uu, vv = np.meshgrid(coords, coords)  # uu varies along columns
        x = (uu - self.principal) / self.focal_px
        y = -(vv - self.principal) / self.focal_px
        dirs = x[..., None] * self.right + y[..., None] * self.up + self.forward
        return dirs / np.linalg.norm(dirs, axis=-1, keepdims=True)


def camera_from_view(view: ViewParams, size: int = RENDER_SIZE) -> Camera:
    """The pinhole camera of an R2N2 view: on a sphere of radius ``DIST_FACTOR·distance`` around
    the origin at the view's azimuth/elevation (degrees), looking at the origin, rolled by the
    in-plane angle, for a square image of ``size`` px.
    """
    az, el, ip = (math.radians(a) for a in (view.azimuth, view.elevation, view.in_plane))
    r = DIST_FACTOR * view.distance
    centre = r * np.array([math.cos(el) * math.cos(az), math.sin(el), math.cos(el) * math.sin(az)])
    forward = -centre / np.linalg.norm(centre)
    world_up = np.array([0.0, 1.0, 0.0])
    right = np.cross(forward, world_up)
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    if ip:
        c, s = math.cos(ip), math.sin(ip)
        right, up = c * right + s * up, -s * right + c * up
    focal = (size / 2.0) / math.tan(FOV_RAD / 2.0)
    return Camera(centre, right, up, forward, focal, size)


def voxel_centres(occupancy: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """World coordinates of occupied voxel centres of an ``[x, y, z]`` grid centred on the origin."""
    idx = np.argwhere(occupancy)
    n = np.array(occupancy.shape, dtype=np.float64)
    return ((idx + 0.5) / n - 0.5) * scale


def project_voxels_mask(occupancy: np.ndarray, view: ViewParams, scale: float = 1.0, cube_fraction: float = 0.5, size: int = RENDER_SIZE) -> np.ndarray:
    """Silhouette (H, W) bool of occupied voxels drawn as cubes of ``cube_fraction`` of a voxel side.

    Each cube is splatted as the screen-space bounding box of its 8 corners: cheap, and
    conservative enough to compare against an alpha mask.
    """
    cam = camera_from_view(view, size)
    centres = voxel_centres(occupancy, scale)
    mask = np.zeros((size, size), dtype=bool)
    if len(centres) == 0:
        return mask
    half = 0.5 * cube_fraction * scale / occupancy.shape[0]
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=np.float64) * half
    pts = (centres[:, None, :] + corners[None]).reshape(-1, 3)
    uv, _ = cam.project(pts)
    uv = uv.reshape(-1, 8, 2)
    lo = np.floor(uv.min(axis=1)).astype(int)
    hi = np.ceil(uv.max(axis=1)).astype(int)
    lo = np.clip(lo, 0, size)
    hi = np.clip(hi, 0, size)
    for (u0, v0), (u1, v1) in zip(lo, hi):
        mask[v0:v1, u0:u1] = True
    return mask


def silhouette_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two boolean masks of the same shape; 1.0 when both are empty (nothing to disagree on)."""
    inter = np.logical_and(a, b).sum()
    union = np.logical_or(a, b).sum()
    return float(inter / union) if union else 1.0
