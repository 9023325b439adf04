"""Conservative solid voxelisation of analytic parts, in the spirit of binvox.

binvox marks every voxel whose cube the surface passes through and fills closed interiors.
Two rules reproduce that without meshes:
- a voxel is occupied where a part's signed distance at its centre is ≤ half a voxel side:
  interiors are negative, and a surface that close touches the cube's inscribed ball, so this
  never marks a voxel the part misses;
- thin parts (legs, poles, barrels, wings: under 1.4 voxels across) are additionally
  sampled through their volume at a quarter-voxel spacing and every voxel containing a sample
  is marked, so they stay continuous columns wherever they sit relative to the grid.
Parts at least 1.4 voxels across (the generator makes every part 1.5 wide) already give
continuous columns by the first rule: the centres within half a voxel of such a part span an
interval of at least 2.4 voxels, so at least two per row. Skipping their volume sampling
makes voxelising 10× faster and misses under 1% of the voxels a part only clips at a corner
(checked against exact cube occupancy in the tests).
"""

from __future__ import annotations

import numpy as np

from core.io.binvox import Voxels
from core.spec import GRID_SIZE
from core.synth.parts import Part, bounds

SURFACE_FRACTION = 0.5
THIN_BELOW = 0.7  # parts with half-thickness below this many voxels are volume-sampled
SAMPLE_SPACING = 0.25  # in voxels


def _sample_volume(part: Part, voxel: float) -> np.ndarray:
    """World points on a grid through the part (boundary included), inside or on the part."""
    lo, hi = part.local_bounds()
    # an odd count ≥ 3 keeps the mid-line (a cylinder's axis) among the samples
    counts = [max(3, int(np.ceil((b - a) / (SAMPLE_SPACING * voxel))) + 1) | 1 for a, b in zip(lo, hi)]
    axes = [np.linspace(a, b, n) for a, b, n in zip(lo, hi, counts)]
    gx, gy, gz = np.meshgrid(*axes, indexing="ij")
    local = np.stack([gx.ravel(), gy.ravel(), gz.ravel()], axis=1)
    world = local @ part.rotation.T + part.centre
    return world[part.sdf(world) <= 1e-6 * voxel]


def voxelize(parts: list[Part], dim: int = GRID_SIZE, surface_fraction: float = SURFACE_FRACTION) -> Voxels:
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
        if part.half_thickness() < THIN_BELOW * voxel:
            idx = np.clip(np.floor(_sample_volume(part, voxel) / voxel + dim / 2).astype(int), 0, dim - 1)
            occ[idx[:, 0], idx[:, 1], idx[:, 2]] = True
    return Voxels(occ, (-scale / 2.0,) * 3, scale)
