"""Analytic solid primitives for the procedural ShapeNet stand-in.

Every part is a closed convex solid with a colour, so one description serves both the
renderer (ray hit distance + surface normal) and the voxeliser (signed distance). Parts are
stored in world coordinates (rotation ``R`` maps local → world, ``centre`` is the local
origin), and ``normalised`` rescales a whole object the way ShapeNet models are normalised.

Kinds:
- ``box``: half extents ``(hx, hy, hz)``;
- ``ellipsoid``: radii ``(rx, ry, rz)``;
- ``frustum``: solid cone frustum along local y, radius ``r0`` at ``y=-h`` and ``r1`` at
  ``y=+h`` (a cylinder when ``r0 == r1``);
- ``hull``: convex polyhedron given by its vertices (wings, hulls, cabins).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

_INF = np.inf


@dataclass(frozen=True)
class Texture:
    """A procedural surface pattern, evaluated in the part's local frame.

    Frequencies are in cycles per unit of the *normalised* object (unit bounding-box diagonal,
    about 100 pixels in a render), so a pattern looks the same whatever units the family drew
    the part in. Kinds: ``grain`` (wood: warped dark rings across ``direction``), ``stripes``
    (bands of ``second`` colour across ``direction``), ``noise`` (a smooth sum of sines that
    mottles fabric, plastic or paint).
    """

    kind: str
    direction: tuple[float, float, float]
    freq: float
    contrast: float
    second: tuple[float, float, float] | None = None
    phase: float = 0.0

    def apply(self, base: np.ndarray, local: np.ndarray) -> np.ndarray:
        """(N,3) colours at (N,3) local points, from the (1,3) base colour."""
        d = np.asarray(self.direction)
        along = local @ d
        w = 2.0 * np.pi * self.freq
        if self.kind == "grain":
            # a second direction perpendicular to the grain warps the rings like wood figure
            perp = np.cross(d, (0.0, 1.0, 0.0) if abs(d[1]) < 0.9 else (1.0, 0.0, 0.0))
            perp /= np.linalg.norm(perp)
            warp = 0.8 * np.sin(0.23 * w * (local @ perp) + self.phase)
            v = (0.5 + 0.5 * np.sin(w * along + warp + self.phase)) ** 3
            return base * (1.0 - self.contrast * v)[:, None]
        if self.kind == "stripes":
            band = np.sin(w * along + self.phase) > 0.55
            second = np.asarray(self.second if self.second is not None else base[0] * 0.5)[None, :]
            return np.where(band[:, None], second, base)
        if self.kind == "noise":
            n = np.sin(w * along + self.phase) + np.sin(1.7 * w * (local @ d[[1, 2, 0]]) + 2.0 * self.phase) + np.sin(2.3 * w * (local @ d[[2, 0, 1]]) + 3.0 * self.phase)
            return base * (1.0 + self.contrast * n / 3.0)[:, None]
        raise ValueError(f"unknown texture kind {self.kind!r}")


class Material(NamedTuple):
    """A colour with an optional texture; accepted wherever a part takes a colour."""

    rgb: tuple[float, float, float]
    texture: Texture | None = None


@dataclass(frozen=True)
class Part:
    kind: str
    centre: np.ndarray  # (3,) world position of the local origin
    rotation: np.ndarray  # (3,3) local -> world
    params: np.ndarray  # kind-specific sizes (local frame)
    colour: tuple[float, float, float]
    vertices: np.ndarray | None = None  # hull only: (K,3) local vertices
    planes: np.ndarray | None = field(default=None, repr=False)  # hull only: (F,4) n·p + d <= 0 inside (local)
    texture: Texture | None = None

    # ---------------------------------------------------------------- geometry helpers
    def to_local(self, points: np.ndarray) -> np.ndarray:
        """(N,3) world -> (N,3) local (row vectors: p_local = (p - c) R)."""
        return (points - self.centre) @ self.rotation

    def aabb(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact world-space axis-aligned bounds."""
        R = self.rotation
        if self.kind == "box":
            half = np.abs(R) @ self.params
            return self.centre - half, self.centre + half
        if self.kind == "ellipsoid":
            half = np.sqrt(((R * self.params[None, :]) ** 2).sum(axis=1))
            return self.centre - half, self.centre + half
        if self.kind == "frustum":
            r0, r1, h = self.params
            axis = R[:, 1]
            disk = np.sqrt(np.clip(1.0 - axis**2, 0.0, None))
            lo = np.minimum(self.centre - axis * h - disk * r0, self.centre + axis * h - disk * r1)
            hi = np.maximum(self.centre - axis * h + disk * r0, self.centre + axis * h + disk * r1)
            return lo, hi
        if self.kind == "hull":
            world = self.vertices @ R.T + self.centre
            return world.min(axis=0), world.max(axis=0)
        raise ValueError(f"unknown part kind {self.kind!r}")

    def half_thickness(self) -> float:
        """Half the part's smallest width: the voxeliser widens its tolerance for thin parts."""
        if self.kind in ("box", "ellipsoid"):
            return float(self.params.min())
        if self.kind == "frustum":
            r0, r1, h = self.params
            return float(min((r0 + r1) / 2.0, h))
        proj = self.vertices @ self.planes[:, :3].T  # widths along every face normal
        return float((proj.max(axis=0) - proj.min(axis=0)).min() / 2.0)

    def thickened(self, min_width: float) -> Part:
        """The part widened, about its own middle, to at least ``min_width`` in every direction.

        A part thinner than a voxel renders as a hairline but voxelises to a whole column,
        which real ShapeNet objects at 32³ rarely show; widening keeps the two in agreement.
        """
        half = min_width / 2.0
        if self.kind in ("box", "ellipsoid"):
            return replace(self, params=np.maximum(self.params, half))
        if self.kind == "frustum":
            r0, r1, h = self.params
            return replace(self, params=np.array([max(r0, half), max(r1, half), max(h, half)]))
        part = self
        for _ in range(3):  # a hull may be thin across more than one face normal (a sail, a fin)
            normals = part.planes[:, :3]
            proj = part.vertices @ normals.T
            widths = proj.max(axis=0) - proj.min(axis=0)
            k = int(widths.argmin())
            if widths[k] >= min_width * (1 - 1e-9):
                break
            n = normals[k]
            if widths[k] < 1e-9 * min_width:  # flat: give it both faces
                stretched = np.concatenate([part.vertices - n * half, part.vertices + n * half])
            else:  # stretch along the thin normal about the part's mid-plane
                mid = (proj[:, k].max() + proj[:, k].min()) / 2.0
                stretched = part.vertices + np.outer(proj[:, k] - mid, n) * (min_width / widths[k] - 1.0)
            part = hull(stretched, Material(part.colour, part.texture), part.centre, part.rotation)
        return part

    def local_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the part in its own frame (a tight box to sample its volume in)."""
        if self.kind in ("box", "ellipsoid"):
            return -self.params, self.params
        if self.kind == "frustum":
            r0, r1, h = self.params
            r = max(r0, r1)
            return np.array([-r, -h, -r]), np.array([r, h, r])
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    def normalised(self, shift: np.ndarray, scale: float) -> Part:
        """The part after ``p -> (p - shift) * scale``."""
        verts = None if self.vertices is None else self.vertices * scale
        planes = None
        if self.planes is not None:
            planes = self.planes.copy()
            planes[:, 3] *= scale
        return replace(self, centre=(self.centre - shift) * scale, params=self.params * scale, vertices=verts, planes=planes)

    # ---------------------------------------------------------------- ray casting
    def ray_hit(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        """Nearest positive hit distance along unit rays ``origin + t·dirs`` (``inf`` for a miss).

        All rays share one origin (the camera centre), which keeps the local transform cheap.
        """
        o = (origin - self.centre) @ self.rotation
        d = dirs @ self.rotation
        return _HIT[self.kind](self, o, d)

    def normal_at(self, points: np.ndarray) -> np.ndarray:
        """Outward unit normals (N,3, world) at surface points."""
        p = self.to_local(points)
        n = _NORMAL[self.kind](self, p)
        n = n @ self.rotation.T
        return n / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)

    # ---------------------------------------------------------------- distance
    def sdf(self, points: np.ndarray) -> np.ndarray:
        """Signed distance (negative inside) of world points (N,3); exact for box and frustum,
        a close bound for ellipsoids and hulls."""
        return _SDF[self.kind](self, self.to_local(points))


# ==================================================================== constructors
def rot_x(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], dtype=np.float64)


def rot_y(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=np.float64)


def rot_z(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)


_EYE = np.eye(3)


def _col(colour) -> tuple[float, float, float]:
    if isinstance(colour, Material):
        colour = colour.rgb
    c = np.clip(np.asarray(colour, dtype=np.float64), 0.0, 1.0)
    return (float(c[0]), float(c[1]), float(c[2]))


def _tex(colour) -> Texture | None:
    return colour.texture if isinstance(colour, Material) else None


def box(centre, size, colour, rotation=None) -> Part:
    """Box of full ``size`` (sx, sy, sz) centred at ``centre``; ``colour`` an RGB or a Material."""
    return Part("box", np.asarray(centre, float), _EYE if rotation is None else np.asarray(rotation, float), np.asarray(size, float) / 2.0, _col(colour), texture=_tex(colour))


def ellipsoid(centre, radii, colour, rotation=None) -> Part:
    return Part("ellipsoid", np.asarray(centre, float), _EYE if rotation is None else np.asarray(rotation, float), np.asarray(radii, float), _col(colour), texture=_tex(colour))


def sphere(centre, radius, colour) -> Part:
    return ellipsoid(centre, (radius, radius, radius), colour)


def _frame_along(axis: np.ndarray) -> np.ndarray:
    """A rotation whose local y is ``axis`` (unit)."""
    y = axis / np.linalg.norm(axis)
    helper = np.array([1.0, 0.0, 0.0]) if abs(y[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    x = np.cross(y, helper)
    x /= np.linalg.norm(x)
    z = np.cross(x, y)
    return np.stack([x, y, z], axis=1)


def frustum(p0, p1, r0, r1, colour) -> Part:
    """Solid cone frustum from point ``p0`` (radius r0) to ``p1`` (radius r1)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    axis = p1 - p0
    h = np.linalg.norm(axis) / 2.0
    return Part("frustum", (p0 + p1) / 2.0, _frame_along(axis), np.array([r0, r1, h], float), _col(colour), texture=_tex(colour))


def cylinder(p0, p1, radius, colour) -> Part:
    return frustum(p0, p1, radius, radius, colour)


def hull(vertices, colour, centre=(0.0, 0.0, 0.0), rotation=None) -> Part:
    """Convex polyhedron of the given vertices (local coordinates around ``centre``)."""
    from scipy.spatial import ConvexHull

    v = np.asarray(vertices, float)
    eq = ConvexHull(v).equations  # n·p + d <= 0 inside, one row per triangle
    planes = np.unique(np.round(eq, 9), axis=0)
    return Part("hull", np.asarray(centre, float), _EYE if rotation is None else np.asarray(rotation, float), np.zeros(0), _col(colour), vertices=v, planes=planes, texture=_tex(colour))


def extrude_xy(profile_xy, z_half: float, colour, centre=(0.0, 0.0, 0.0), rotation=None) -> Part:
    """Prism: a convex polygon in the x–y plane extruded over z in [-z_half, z_half]."""
    p = np.asarray(profile_xy, float)
    verts = np.concatenate([np.c_[p, np.full(len(p), -z_half)], np.c_[p, np.full(len(p), z_half)]])
    return hull(verts, colour, centre, rotation)


def extrude_xz(profile_xz, y_lo: float, y_hi: float, colour, centre=(0.0, 0.0, 0.0), rotation=None) -> Part:
    """Prism: a convex polygon in the x–z plane between heights y_lo and y_hi (wings, decks)."""
    p = np.asarray(profile_xz, float)
    lo = np.c_[p[:, 0], np.full(len(p), y_lo), p[:, 1]]
    hi = np.c_[p[:, 0], np.full(len(p), y_hi), p[:, 1]]
    return hull(np.concatenate([lo, hi]), colour, centre, rotation)


# ==================================================================== per-kind maths
def _safe(d: np.ndarray) -> np.ndarray:
    return np.where(np.abs(d) < 1e-12, 1e-12, d)


def _max3(a: np.ndarray) -> np.ndarray:
    """Row max of an (N,3) array; ``a.max(axis=1)`` is many times slower for 3 columns."""
    return np.maximum(np.maximum(a[:, 0], a[:, 1]), a[:, 2])


def _min3(a: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(a[:, 0], a[:, 1]), a[:, 2])


def _norm3(a: np.ndarray) -> np.ndarray:
    return np.sqrt(a[:, 0] * a[:, 0] + a[:, 1] * a[:, 1] + a[:, 2] * a[:, 2])


def _hit_box(part: Part, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    h = part.params
    inv = 1.0 / _safe(d)
    t1 = (-h - o) * inv
    t2 = (h - o) * inv
    tmin = _max3(np.minimum(t1, t2))
    tmax = _min3(np.maximum(t1, t2))
    return np.where((tmax >= tmin) & (tmin > 0), tmin, _INF)


def _normal_box(part: Part, p: np.ndarray) -> np.ndarray:
    q = p / part.params
    axis = np.abs(q).argmax(axis=1)
    n = np.zeros_like(p)
    n[np.arange(len(p)), axis] = np.sign(q[np.arange(len(p)), axis])
    return n


def _sdf_box(part: Part, p: np.ndarray) -> np.ndarray:
    q = np.abs(p) - part.params
    outside = _norm3(np.maximum(q, 0.0))
    return outside + np.minimum(_max3(q), 0.0)


def _hit_ellipsoid(part: Part, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    r = part.params
    os_, ds = o / r, d / r
    a = ds[:, 0] * ds[:, 0] + ds[:, 1] * ds[:, 1] + ds[:, 2] * ds[:, 2]
    b = 2.0 * (ds @ os_)
    c = float(os_ @ os_) - 1.0
    disc = b * b - 4.0 * a * c
    with np.errstate(invalid="ignore"):
        t = (-b - np.sqrt(disc)) / (2.0 * a)
    return np.where((disc >= 0) & (t > 0), t, _INF)


def _normal_ellipsoid(part: Part, p: np.ndarray) -> np.ndarray:
    return p / part.params**2


def _sdf_ellipsoid(part: Part, p: np.ndarray) -> np.ndarray:
    r = part.params
    k0 = _norm3(p / r)
    k1 = _norm3(p / (r * r))
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-12)


def _hit_frustum(part: Part, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    r0, r1, h = part.params
    rm, k = (r0 + r1) / 2.0, (r1 - r0) / (2.0 * h)
    dx, dy, dz = d[:, 0], d[:, 1], d[:, 2]
    ox, oy, oz = o
    a = dx * dx + dz * dz - k * k * dy * dy
    b = 2.0 * (ox * dx + oz * dz - k * dy * (rm + k * oy))
    c = ox * ox + oz * oz - (rm + k * oy) ** 2
    disc = b * b - 4.0 * a * c
    best = np.full(len(d), _INF)
    with np.errstate(invalid="ignore", divide="ignore"):
        sq = np.sqrt(np.maximum(disc, 0.0))
        a_safe = _safe(a)
        for t in ((-b - sq) / (2.0 * a_safe), (-b + sq) / (2.0 * a_safe)):
            y = oy + t * dy
            ok = (disc >= 0) & (t > 0) & (np.abs(y) <= h) & (rm + k * y >= 0)
            best = np.where(ok & (t < best), t, best)
        inv = 1.0 / _safe(dy)
        for yc, rc in ((-h, r0), (h, r1)):
            t = (yc - oy) * inv
            x, z = ox + t * dx, oz + t * dz
            ok = (t > 0) & (x * x + z * z <= rc * rc)
            best = np.where(ok & (t < best), t, best)
    return best


def _normal_frustum(part: Part, p: np.ndarray) -> np.ndarray:
    r0, r1, h = part.params
    rm, k = (r0 + r1) / 2.0, (r1 - r0) / (2.0 * h)
    y = p[:, 1]
    radial = np.hypot(p[:, 0], p[:, 2])
    r_at = np.maximum(rm + k * y, 1e-9)
    side = np.stack([p[:, 0], -k * r_at, p[:, 2]], axis=1)
    # a point is on a cap when it is nearer to the cap plane than to the slanted side
    cap_gap = h - np.abs(y)
    side_gap = np.abs(r_at - radial) / np.sqrt(1.0 + k * k)
    on_cap = cap_gap < side_gap
    cap = np.zeros_like(p)
    cap[:, 1] = np.sign(y)
    return np.where(on_cap[:, None], cap, side)


def _sdf_frustum(part: Part, p: np.ndarray) -> np.ndarray:
    # exact capped cone distance (Inigo Quilez), r0 at y=-h, r1 at y=+h
    r0, r1, h = part.params
    qx = np.hypot(p[:, 0], p[:, 2])
    qy = p[:, 1]
    k1 = np.array([r1, h])
    k2 = np.array([r1 - r0, 2.0 * h])
    cax = qx - np.minimum(qx, np.where(qy < 0.0, r0, r1))
    cay = np.abs(qy) - h
    tt = np.clip(((k1[0] - qx) * k2[0] + (k1[1] - qy) * k2[1]) / (k2 @ k2), 0.0, 1.0)
    cbx = qx - k1[0] + k2[0] * tt
    cby = qy - k1[1] + k2[1] * tt
    s = np.where((cbx < 0.0) & (cay < 0.0), -1.0, 1.0)
    return s * np.sqrt(np.minimum(cax * cax + cay * cay, cbx * cbx + cby * cby))


def _hit_hull(part: Part, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    # n·(o + t d) + off <= 0 for every plane: entering planes raise t_in, leaving ones cap t_out
    t_in = np.full(len(d), -_INF)
    t_out = np.full(len(d), _INF)
    with np.errstate(divide="ignore", invalid="ignore"):
        for nx, ny, nz, off in part.planes:
            num = -(nx * o[0] + ny * o[1] + nz * o[2] + off)
            den = nx * d[:, 0] + ny * d[:, 1] + nz * d[:, 2]
            t = num / den
            t_in = np.where(den < 0, np.maximum(t_in, t), t_in)
            t_out = np.where(den > 0, np.minimum(t_out, t), t_out)
            if num < 0:  # origin outside this plane: rays parallel to it never enter
                t_out = np.where(den == 0, -_INF, t_out)
    return np.where((t_in <= t_out) & (t_in > 0), t_in, _INF)


def _normal_hull(part: Part, p: np.ndarray) -> np.ndarray:
    n, off = part.planes[:, :3], part.planes[:, 3]
    return n[(p @ n.T + off).argmax(axis=1)]


def _sdf_hull(part: Part, p: np.ndarray) -> np.ndarray:
    out = np.full(len(p), -_INF)
    for nx, ny, nz, off in part.planes:
        out = np.maximum(out, nx * p[:, 0] + ny * p[:, 1] + nz * p[:, 2] + off)
    return out


_HIT = {"box": _hit_box, "ellipsoid": _hit_ellipsoid, "frustum": _hit_frustum, "hull": _hit_hull}
_NORMAL = {"box": _normal_box, "ellipsoid": _normal_ellipsoid, "frustum": _normal_frustum, "hull": _normal_hull}
_SDF = {"box": _sdf_box, "ellipsoid": _sdf_ellipsoid, "frustum": _sdf_frustum, "hull": _sdf_hull}


# ==================================================================== whole objects
def bounds(parts: list[Part]) -> tuple[np.ndarray, np.ndarray]:
    boxes = [p.aabb() for p in parts]
    return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)


def thicken(parts: list[Part], min_width: float) -> list[Part]:
    """Every part widened to at least ``min_width`` (see ``Part.thickened``)."""
    return [p.thickened(min_width) for p in parts]


def normalise(parts: list[Part]) -> list[Part]:
    """ShapeNet normalisation: bounding-box centre at the origin, bounding-box diagonal = 1."""
    lo, hi = bounds(parts)
    scale = 1.0 / float(np.linalg.norm(hi - lo))
    return [p.normalised((lo + hi) / 2.0, scale) for p in parts]
