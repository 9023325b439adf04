"""Ray-cast a list of analytic parts into a 137×137 RGBA image (numpy only, no OpenGL).

Each pixel is sampled ``supersample²`` times; the nearest hit wins, is shaded with a
camera-attached key light, a fill light, ambient and a soft specular, and the samples are
averaged into anti-aliased colour and alpha. The background is transparent (alpha 0), as in
the ShapeNet renderings. Rays are only cast inside each part's projected bounding box, which
keeps the cost proportional to the object's screen area rather than the image area.
"""

from __future__ import annotations

import numpy as np

from core.geometry.camera import IMAGE_SIZE, Camera, ViewParams, camera_from_view
from core.synth.parts import Part

AMBIENT = 0.32
KEY = 0.62
FILL = 0.22
SPECULAR = 0.18
SHININESS = 24.0


def _screen_rect(cam: Camera, part: Part, n: int, supersample: int) -> tuple[int, int, int, int] | None:
    """Sub-pixel index rectangle [v0, v1) × [u0, u1) covering the part's projected bounds."""
    lo, hi = part.aabb()
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    uv, depth = cam.project(corners)
    if (depth <= 1e-6).any():
        return 0, n, 0, n
    u0 = max(int(np.floor(uv[:, 0].min() * supersample)) - 1, 0)
    u1 = min(int(np.ceil(uv[:, 0].max() * supersample)) + 1, n)
    v0 = max(int(np.floor(uv[:, 1].min() * supersample)) - 1, 0)
    v1 = min(int(np.ceil(uv[:, 1].max() * supersample)) + 1, n)
    if u0 >= u1 or v0 >= v1:
        return None
    return v0, v1, u0, u1


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot product of (N,3) arrays (much faster than ``(a*b).sum(axis=1)``)."""
    return a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1] + a[:, 2] * b[:, 2]


def _rays(cam: Camera, v0: int, v1: int, u0: int, u1: int, supersample: int) -> np.ndarray:
    """Unit world directions (v1-v0, u1-u0, 3) of the sub-pixel samples in a rectangle
    (same sample positions as ``Camera.pixel_rays``)."""
    uu = ((np.arange(u0, u1) + 0.5) / supersample - cam.principal) / cam.focal_px
    vv = -((np.arange(v0, v1) + 0.5) / supersample - cam.principal) / cam.focal_px
    dirs = uu[None, :, None] * cam.right + vv[:, None, None] * cam.up + cam.forward
    norm = np.sqrt(dirs[..., 0] ** 2 + dirs[..., 1] ** 2 + dirs[..., 2] ** 2)
    return dirs / norm[..., None]


def render_parts(parts: list[Part], view: ViewParams, size: int = IMAGE_SIZE, supersample: int = 2) -> np.ndarray:
    """(size, size, 4) uint8 RGBA rendering of ``parts`` from ``view``."""
    cam = camera_from_view(view, size)
    n = size * supersample
    rects = [_screen_rect(cam, part, n, supersample) for part in parts]
    live = [r for r in rects if r is not None]
    out = np.zeros((size, size, 4), dtype=np.uint8)
    if not live:
        return out
    # work only inside the object's screen rectangle, aligned to whole pixels
    s = supersample
    V0 = min(r[0] for r in live) // s * s
    U0 = min(r[2] for r in live) // s * s
    V1 = -(-max(r[1] for r in live) // s) * s
    U1 = -(-max(r[3] for r in live) // s) * s
    dirs = _rays(cam, V0, V1, U0, U1, s)
    depth = np.full((V1 - V0, U1 - U0), np.inf)
    owner = np.full((V1 - V0, U1 - U0), -1, dtype=np.int32)
    for index, (part, rect) in enumerate(zip(parts, rects)):
        if rect is None:
            continue
        v0, v1, u0, u1 = rect[0] - V0, rect[1] - V0, rect[2] - U0, rect[3] - U0
        sub = dirs[v0:v1, u0:u1].reshape(-1, 3)
        t = part.ray_hit(cam.centre, sub).reshape(v1 - v0, u1 - u0)
        cur = depth[v0:v1, u0:u1]
        closer = t < cur
        cur[closer] = t[closer]
        owner[v0:v1, u0:u1][closer] = index

    flat_owner = owner.ravel()
    hit_idx = np.flatnonzero(flat_owner >= 0)
    rgb = np.zeros((owner.size, 3))
    key = -0.35 * cam.right + 0.6 * cam.up - 0.72 * cam.forward
    key /= np.linalg.norm(key)
    fill = 0.7 * cam.right + 0.05 * cam.up - 0.7 * cam.forward
    fill /= np.linalg.norm(fill)
    order = hit_idx[np.argsort(flat_owner[hit_idx], kind="stable")]
    ids = flat_owner[order]
    bounds = np.flatnonzero(np.diff(ids)) + 1
    flat_dirs = dirs.reshape(-1, 3)
    flat_depth = depth.ravel()
    for group in np.split(order, bounds):
        if group.size == 0:
            continue
        part = parts[flat_owner[group[0]]]
        d = flat_dirs[group]
        points = cam.centre + flat_depth[group][:, None] * d
        normal = part.normal_at(points)
        facing = _dot(normal, d) > 0  # seen from inside: flip (never for closed convex parts)
        normal[facing] *= -1
        diffuse = AMBIENT + KEY * np.clip(normal @ key, 0, None) + FILL * np.clip(normal @ fill, 0, None)
        half = key - d
        half /= np.sqrt(_dot(half, half))[:, None]
        spec = SPECULAR * np.clip(_dot(normal, half), 0, None) ** SHININESS
        rgb[group] = np.asarray(part.colour)[None, :] * diffuse[:, None] + spec[:, None]

    # box-filter the sub-samples: premultiplied colour / coverage
    rgb = rgb.reshape(V1 - V0, U1 - U0, 3)
    hit = (owner >= 0).astype(np.float64)
    count = sum(hit[i::s, j::s] for i in range(s) for j in range(s))
    colour = sum(rgb[i::s, j::s] for i in range(s) for j in range(s)) / np.maximum(count, 1)[..., None]
    crop = out[V0 // s:V1 // s, U0 // s:U1 // s]
    crop[..., :3] = np.clip(np.rint(colour * 255.0), 0, 255).astype(np.uint8)
    crop[..., 3] = np.rint(count * (255.0 / (s * s))).astype(np.uint8)
    return out
