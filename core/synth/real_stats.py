"""Reference statistics of the 3D-R2N2 voxel data, per class, that the generator is held to.

Three numbers summarise a class's mean voxel grid ``m`` (the average of its objects' 32³
occupancy grids, axes ``[x, y, z]``, y up, objects facing +x):
- ``mean_occupancy``: ``m.mean()``, how full the objects are;
- ``share_ge_half``: the share of voxels with ``m ≥ 0.5``, how alike the objects are (low when
  a class varies: a voxel occupied in half of all chairs is rare);
- ``box``: the inclusive index range per axis of the voxels with ``m ≥ 0.2``, where the bulk
  of the class sits in the normalised grid.

Seven classes (source ``"real"``) are measured on the class-mean grids published with the
3D-R2N2 data for airplane, car, chair, display, speaker, table and telephone. For the other
six no class means are published; their targets (source ``"derived"``) follow from the
layout's conventions (solid voxels, the longest bounding-box side spanning the 32 voxels and
the box centred, y up, facing +x) applied to the usual real-world proportions of the objects
that make up each ShapeNet class; each entry's ``why`` says how.
"""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class ClassReference:
    mean_occupancy: float
    share_ge_half: float | None  # None: no target (derived classes)
    box: Box  # inclusive (lo, hi) per axis x, y, z of the voxels where the class mean ≥ 0.2
    source: str  # "real" | "derived"
    why: str = ""


REAL = "real"
DERIVED = "derived"

REFERENCE: dict[str, ClassReference] = {
    # ---- measured on the published class-mean grids
    "airplane": ClassReference(0.021, 0.012, ((0, 31), (11, 20), (2, 29)), REAL),
    "car": ClassReference(0.091, 0.089, ((0, 31), (10, 21), (9, 22)), REAL),
    "chair": ClassReference(0.115, 0.010, ((4, 27), (3, 31), (4, 27)), REAL),
    "display": ClassReference(0.099, 0.048, ((11, 20), (1, 29), (0, 31)), REAL),
    "speaker": ClassReference(0.277, 0.166, ((5, 26), (0, 31), (0, 31)), REAL),
    "table": ClassReference(0.085, 0.000, ((7, 24), (12, 25), (0, 31)), REAL),
    "telephone": ClassReference(0.059, 0.061, ((14, 17), (0, 31), (6, 25)), REAL),
    # ---- derived from the layout's conventions
    "bench": ClassReference(
        0.045, None, ((9, 22), (6, 25), (0, 31)), DERIVED,
        "length (1.1-1.8 m) along z fills the grid; seat depth 0.35-0.55 m is about a third of "
        "it (x about 11 voxels plus the surface voxel each side, centred); height 0.45 m without "
        "a back to 0.85 m with one is 9-24 voxels, centred, and the seat slab that most benches "
        "share stays within y 6-25; a seat slab (about 700 voxels), legs or end frames (200-500) "
        "and, half the time, a back (about 600) fill about 4.5 % of the grid"),
    "cabinet": ClassReference(
        0.300, None, ((5, 26), (0, 31), (3, 28)), DERIVED,
        "closed boxes, solid in binvox; the longest side (height for wardrobes and chests, width "
        "for sideboards) spans the grid, the other front side is 0.5-1x of it and the depth "
        "0.3-0.7x, so a typical box is 32 x 24 x 15 voxels, about 30 % of the grid, and the "
        "median depth puts the box at x 5-26"),
    "lamp": ClassReference(
        0.060, None, ((4, 27), (0, 31), (7, 24)), DERIVED,
        "height is the longest side of floor, table and desk lamps; floor lamps are a pole and a "
        "small shade (about 2 % of the grid), table lamps a body under a shade 0.3-0.5 of their "
        "height across (about 12 %, solid as drawn), desk lamps a base and an arm whose head "
        "reaches toward +x (about 4 %): about 6 % for a mix of the three; bases and shades centred "
        "on the pole span z 7-24, and arms and heads reaching forward widen x to 4-27"),
    "rifle": ClassReference(
        0.012, None, ((0, 31), (12, 19), (13, 18)), DERIVED,
        "length along x fills the grid; a rifle is about 0.1-0.2 of its length tall with stock, "
        "grip and magazine (y 12-19 where most rifles have material) and 0.05 of it wide "
        "(z 13-18 with the surface voxels); a thin object, about 1 % of the grid"),
    "sofa": ClassReference(
        0.160, None, ((3, 28), (8, 23), (0, 31)), DERIVED,
        "length (1.4-2.4 m) along z fills the grid; depth 0.8-1.0 m and height 0.7-0.9 m are "
        "0.4-0.6 of the length (13-19 voxels, centred); upholstered blocks are solid in binvox, "
        "so base, back and arms fill about 16 % of the grid"),
    "watercraft": ClassReference(
        0.030, None, ((0, 31), (4, 24), (10, 21)), DERIVED,
        "length along x fills the grid; beam 0.15-0.3 of the length (z 10-21 with the hull "
        "surface); hull depth 0.1-0.17 of the length plus cabins, superstructures or a sail rig "
        "up to about the length: centred heights of 0.3-1.0 of the length put the hulls anywhere "
        "from y 1 (tall sailing rigs) to y 14 (low motor and rowing boats), most of them (motor "
        "boats and ships, about 0.4-0.6 of the length tall) from y 4, and deck structures up to "
        "y 24; masts and sails are thin, so about 3 % of the grid"),
}
