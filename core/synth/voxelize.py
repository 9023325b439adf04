"""Conservative solid voxelisation of analytic parts, in the spirit of binvox.

binvox marks a voxel where the surface passes through its cube and fills closed interiors.
With signed distances that is "distance at the voxel centre ≤ a fraction of the voxel side":
interiors are negative, and a part that crosses a voxel comes within about half a side of its
centre. The fraction sits between the inscribed (0.5) and circumscribed (0.87) radius so that
thin legs and poles stay continuous columns without fattening large faces much.
"""

from __future__ import annotations

import numpy as np

from core.io.binvox import Voxels
from core.synth.parts import Part, bounds

GRID = 32
SURFACE_FRACTION = 0.6


def voxelize(parts: list[Part], dim: int = GRID, surface_fraction: float = SURFACE_FRACTION) -> Voxels:
    """Occupancy ``[x, y, z]`` of parts already normalised around the origin.

    The grid is a cube of side ``scale`` = the longest bounding-box side, centred at the
    origin (voxel i ↦ ((i + 0.5)/dim − 0.5)·scale), stored with ``translate = −scale/2``.
    """
    lo, hi = bounds(parts)
    scale = float((hi - lo).max())
    voxel = scale / dim
    tol = surface_fraction * voxel
    axis = ((np.arange(dim) + 0.5) / dim - 0.5) * scale
    occ = np.zeros((dim, dim, dim), dtype=bool)
    for part in parts:
        plo, phi = part.aabb()
        i0 = np.clip(np.floor((plo - tol) / voxel + dim / 2 - 0.5).astype(int), 0, dim - 1)
        i1 = np.clip(np.ceil((phi + tol) / voxel + dim / 2 - 0.5).astype(int), 0, dim - 1) + 1
        gx, gy, gz = np.meshgrid(axis[i0[0]:i1[0]], axis[i0[1]:i1[1]], axis[i0[2]:i1[2]], indexing="ij")
        pts = np.stack([gx.ravel(), gy.ravel(), gz.ravel()], axis=1)
        inside = (part.sdf(pts) <= tol).reshape(gx.shape)
        occ[i0[0]:i1[0], i0[1]:i1[1], i0[2]:i1[2]] |= inside
    return Voxels(occ, (-scale / 2.0,) * 3, scale)
