"""Class statistics of generated voxels, compared with the reference table (``real_stats``).

Generation here skips rendering: the statistics only need each object's voxels, which come
from the same ``build_object`` + ``voxelize`` path that the writer uses, so a set of several
hundred objects takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.synth.real_stats import REFERENCE, Box, ClassReference

BOX_LEVEL = 0.2
ALIKE_LEVEL = 0.5
OCCUPANCY_TOLERANCE = 0.25  # relative
BOX_TOLERANCE = 3  # voxels, per box edge


@dataclass(frozen=True)
class ClassStats:
    mean_occupancy: float
    share_ge_half: float
    box: Box | None  # None when no voxel reaches BOX_LEVEL
    objects: int


def mean_grid(class_name: str, objects: int, seed: int) -> np.ndarray:
    """(32,32,32) float mean of ``objects`` generated voxel grids of one class (indices 0..n-1)."""
    from core.synth.voxelize import voxelize
    from core.synth.writer import build_object, object_rng

    total = None
    for i in range(objects):
        occ = voxelize(build_object(class_name, object_rng(seed, class_name, i))).data
        total = occ.astype(np.float64) if total is None else total + occ
    return total / objects


def stats_of_mean(mean: np.ndarray, objects: int) -> ClassStats:
    """Statistics of a class-mean grid (see ``real_stats``)."""
    idx = np.argwhere(mean >= BOX_LEVEL)
    box = None if idx.size == 0 else tuple((int(idx[:, a].min()), int(idx[:, a].max())) for a in range(3))
    return ClassStats(float(mean.mean()), float((mean >= ALIKE_LEVEL).mean()), box, objects)  # type: ignore[arg-type]


def class_stats(class_name: str, objects: int, seed: int) -> ClassStats:
    return stats_of_mean(mean_grid(class_name, objects, seed), objects)


def mismatches(class_name: str, stats: ClassStats, ref: ClassReference | None = None,
               occupancy_tolerance: float = OCCUPANCY_TOLERANCE, box_tolerance: int = BOX_TOLERANCE) -> list[str]:
    """Human-readable ways in which ``stats`` misses the reference (empty list: it matches)."""
    ref = ref or REFERENCE[class_name]
    out = []
    rel = abs(stats.mean_occupancy - ref.mean_occupancy) / ref.mean_occupancy
    if rel > occupancy_tolerance:
        out.append(f"{class_name}: mean occupancy {stats.mean_occupancy:.3f} vs {ref.mean_occupancy:.3f} ({rel:.0%} off)")
    if stats.box is None:
        out.append(f"{class_name}: no voxel has class mean ≥ {BOX_LEVEL}")
        return out
    for axis, (got, want) in enumerate(zip(stats.box, ref.box)):
        if abs(got[0] - want[0]) > box_tolerance or abs(got[1] - want[1]) > box_tolerance:
            out.append(f"{class_name}: box {'xyz'[axis]} {got[0]}-{got[1]} vs {want[0]}-{want[1]}")
    return out


def format_box(box: Box | None) -> str:
    return "-" if box is None else ", ".join(f"{a} {lo}–{hi}" for a, (lo, hi) in zip("xyz", box))
