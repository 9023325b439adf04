"""Ray-cast a list of analytic parts into a 137×137 RGBA image (numpy only, no OpenGL).

One ray per pixel finds the nearest part; pixels on a silhouette or part boundary, and pixels
covered by parts thinner than about two pixels, are re-sampled with ``supersample²`` rays and
averaged, which gives the anti-aliased colour and alpha of a fully supersampled image at a
fraction of the rays. Hits are shaded with a camera-attached key light, a fill light, ambient
and a soft specular. The background is transparent (alpha 0), as in the ShapeNet renderings.
Each part is only tested against rays inside its projected bounding box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.geometry.camera import Camera, ViewParams, camera_from_view
from core.spec import RENDER_SIZE
from core.synth.parts import Part

AMBIENT = 0.32
KEY = 0.62
FILL = 0.22
SPECULAR = 0.18
SHININESS = 24.0
THIN_PIXELS = 2.0  # parts thinner than this on screen are always supersampled


@dataclass(frozen=True)
class Lighting:
    """Camera-attached lights: intensities, and the key light's direction as offsets from its
    default place (up-left behind the camera). The defaults are the module constants; the
    writer varies them per object within the soft, frontal light of the real renders."""

    ambient: float = AMBIENT
    key: float = KEY
    fill: float = FILL
    specular: float = SPECULAR
    key_right: float = -0.35
    key_up: float = 0.6
    shininess: float = SHININESS


DEFAULT_LIGHTING = Lighting()


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot product of (N,3) arrays (much faster than ``(a*b).sum(axis=1)``)."""
    return a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1] + a[:, 2] * b[:, 2]


def _screen_box(cam: Camera, part: Part) -> np.ndarray | None:
    """(u0, u1, v0, v1) pixel-coordinate bounds of the part's projected bounding box, or None
    when it lies off screen."""
    lo, hi = part.aabb()
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    uv, depth = cam.project(corners)
    if (depth <= 1e-6).any():
        return np.array([-np.inf, np.inf, -np.inf, np.inf])
    box = np.array([uv[:, 0].min(), uv[:, 0].max(), uv[:, 1].min(), uv[:, 1].max()])
    if box[1] < 0 or box[3] < 0 or box[0] > cam.size or box[2] > cam.size:
        return None
    return box


def _directions(cam: Camera, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unit world ray directions through pixel coordinates (u right, v down)."""
    x = (u - cam.principal) / cam.focal_px
    y = -(v - cam.principal) / cam.focal_px
    dirs = x[:, None] * cam.right + y[:, None] * cam.up + cam.forward
    return dirs / np.sqrt(_dot(dirs, dirs))[:, None]


def _trace(parts: list[Part], boxes: list[np.ndarray | None], cam: Camera, u: np.ndarray, v: np.ndarray):
    """Nearest hit per sample: (directions, depth, owner part index or -1)."""
    dirs = _directions(cam, u, v)
    depth = np.full(len(u), np.inf)
    owner = np.full(len(u), -1, dtype=np.int32)
    for index, (part, box) in enumerate(zip(parts, boxes)):
        if box is None:
            continue
        idx = np.flatnonzero((u >= box[0] - 1) & (u <= box[1] + 1) & (v >= box[2] - 1) & (v <= box[3] + 1))
        if idx.size == 0:
            continue
        t = part.ray_hit(cam.centre, dirs[idx])
        closer = t < depth[idx]
        depth[idx[closer]] = t[closer]
        owner[idx[closer]] = index
    return dirs, depth, owner


def _shade(parts: list[Part], cam: Camera, dirs: np.ndarray, depth: np.ndarray, owner: np.ndarray, light: Lighting = DEFAULT_LIGHTING) -> np.ndarray:
    """Linear RGB (N,3) of every sample (0 where nothing was hit)."""
    rgb = np.zeros((len(owner), 3))
    key = light.key_right * cam.right + light.key_up * cam.up - 0.72 * cam.forward
    key /= np.linalg.norm(key)
    fill = 0.7 * cam.right + 0.05 * cam.up - 0.7 * cam.forward
    fill /= np.linalg.norm(fill)
    hit = np.flatnonzero(owner >= 0)
    order = hit[np.argsort(owner[hit], kind="stable")]
    splits = np.flatnonzero(np.diff(owner[order])) + 1
    for group in np.split(order, splits):
        if group.size == 0:
            continue
        part = parts[owner[group[0]]]
        d = dirs[group]
        points = cam.centre + depth[group][:, None] * d
        normal = part.normal_at(points)
        normal[_dot(normal, d) > 0] *= -1  # seen from inside: flip (never for closed convex parts)
        diffuse = light.ambient + light.key * np.clip(normal @ key, 0, None) + light.fill * np.clip(normal @ fill, 0, None)
        half = key - d
        half /= np.sqrt(_dot(half, half))[:, None]
        spec = light.specular * np.clip(_dot(normal, half), 0, None) ** light.shininess
        colour = np.asarray(part.colour)[None, :]
        if part.texture is not None:
            colour = np.clip(part.texture.apply(colour, part.to_local(points)), 0.0, 1.0)
        rgb[group] = colour * diffuse[:, None] + spec[:, None]
    return rgb


def _thin_on_screen(cam: Camera, part: Part) -> bool:
    """Whether the part's projection is narrower than ``THIN_PIXELS`` in some direction, so
    that one ray per pixel could miss it. The projection of its local bounding box is a
    zonotope of three screen vectors; its width across direction n is 2·Σ|n·a_i|."""
    lo, hi = part.local_bounds()
    half = (hi - lo) / 2.0
    centre_local = (hi + lo) / 2.0
    centre = part.centre + part.rotation @ centre_local
    pc = cam.world_to_camera(centre[None])[0]
    if pc[2] <= 1e-6:
        return False
    axes = (part.rotation * half[None, :]).T  # (3,3) world half-axes
    # screen-space Jacobian of the pinhole projection at the centre
    right = axes @ cam.right
    up = axes @ cam.up
    fwd = axes @ cam.forward
    su = cam.focal_px * (right - pc[0] / pc[2] * fwd) / pc[2]
    sv = cam.focal_px * (up - pc[1] / pc[2] * fwd) / pc[2]
    angles = np.linspace(0.0, np.pi, 12, endpoint=False)
    widths = 2.0 * np.abs(np.outer(np.cos(angles), su) + np.outer(np.sin(angles), sv)).sum(axis=1)
    return float(widths.min()) < THIN_PIXELS


def render_parts(parts: list[Part], view: ViewParams, size: int = RENDER_SIZE, supersample: int = 2, light: Lighting = DEFAULT_LIGHTING) -> np.ndarray:
    """(size, size, 4) uint8 RGBA rendering of ``parts`` from ``view`` under ``light``."""
    cam = camera_from_view(view, size)
    boxes = [_screen_box(cam, p) for p in parts]
    live = [b for b in boxes if b is not None]
    out = np.zeros((size, size, 4), dtype=np.uint8)
    if not live:
        return out
    # pass 1: one ray per pixel of the object's screen rectangle (plus a 1-pixel margin)
    u0 = max(int(np.floor(min(b[0] for b in live))) - 1, 0)
    u1 = min(int(np.ceil(max(b[1] for b in live))) + 1, size)
    v0 = max(int(np.floor(min(b[2] for b in live))) - 1, 0)
    v1 = min(int(np.ceil(max(b[3] for b in live))) + 1, size)
    h, w = v1 - v0, u1 - u0
    vv, uu = np.meshgrid(np.arange(v0, v1) + 0.5, np.arange(u0, u1) + 0.5, indexing="ij")
    dirs, depth, owner = _trace(parts, boxes, cam, uu.ravel(), vv.ravel())
    rgb = _shade(parts, cam, dirs, depth, owner, light)
    alpha = (owner >= 0).astype(np.float64)

    # pass 2: supersample boundary pixels and pixels under thin parts
    grid = np.pad(owner.reshape(h, w), 1, constant_values=-1)
    centre = grid[1:-1, 1:-1]
    edge = np.zeros((h, w), dtype=bool)
    for dv in (-1, 0, 1):
        for du in (-1, 0, 1):
            if dv or du:
                edge |= grid[1 + dv:1 + dv + h, 1 + du:1 + du + w] != centre
    for part, box in zip(parts, boxes):
        if box is not None and _thin_on_screen(cam, part):
            a0, a1 = max(int(np.floor(box[0])) - 1 - u0, 0), min(int(np.ceil(box[1])) + 1 - u0, w)
            b0, b1 = max(int(np.floor(box[2])) - 1 - v0, 0), min(int(np.ceil(box[3])) + 1 - v0, h)
            edge[b0:b1, a0:a1] = True
    fine = np.flatnonzero(edge.ravel())
    if fine.size and supersample > 1:
        offsets = (np.arange(supersample) + 0.5) / supersample - 0.5
        du, dv = np.meshgrid(offsets, offsets)
        su = (uu.ravel()[fine][:, None] + du.ravel()[None, :]).ravel()
        sv = (vv.ravel()[fine][:, None] + dv.ravel()[None, :]).ravel()
        sdirs, sdepth, sowner = _trace(parts, boxes, cam, su, sv)
        srgb = _shade(parts, cam, sdirs, sdepth, sowner, light).reshape(len(fine), -1, 3)
        shit = (sowner >= 0).reshape(len(fine), -1)
        count = shit.sum(axis=1)
        rgb[fine] = srgb.sum(axis=1) / np.maximum(count, 1)[:, None]
        alpha[fine] = count / shit.shape[1]

    crop = out[v0:v1, u0:u1]
    crop[..., :3] = np.clip(np.rint(rgb.reshape(h, w, 3) * 255.0), 0, 255).astype(np.uint8)
    crop[..., 3] = np.rint(alpha.reshape(h, w) * 255.0).astype(np.uint8)
    return out
