"""What the Export menu writes: figure PNGs, meshes, voxel grids, turntable GIFs.

Qt-free on purpose: the window grabs the pixels (on the UI thread, where VTK renders) and
lays out the figure (``recon_gui.figure``); these functions encode and write files, so they
run on a worker. Every file goes through ``core.io.atomic``: all of it or none of it, and a
one-line error naming the path.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import DataError
from core.io.atomic import check_output_file, write_bytes

IMAGE_FORMATS = ("png",)


def _encode(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **kwargs)
    return buffer.getvalue()


def content_box(image: np.ndarray, background: tuple[int, int, int], tolerance: int = 24) -> tuple[int, int, int, int] | None:
    """``(y0, y1, x0, x1)`` of the pixels that are not background (alpha > 0 for RGBA), or None."""
    a = np.asarray(image)
    if a.shape[2] == 4 and (a[..., 3] < 255).any():
        ink = a[..., 3] > 0
    else:
        ink = np.abs(a[..., :3].astype(np.int32) - np.asarray(background, np.int32)).sum(-1) > tolerance
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def save_png(image: Image.Image | np.ndarray, path: str | Path) -> Path:
    """Write an RGB or RGBA picture as PNG (alpha kept), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise DataError(path, "screenshots are saved as .png")
    check_output_file(path)
    if isinstance(image, np.ndarray):
        a = np.ascontiguousarray(image, dtype=np.uint8)
        image = Image.fromarray(a, "RGBA" if a.ndim == 3 and a.shape[2] == 4 else None)
    write_bytes(path, _encode(image, format="PNG"))
    return path


def save_gif(frames: list[np.ndarray], path: str | Path, fps: float = 20.0) -> Path:
    """An endlessly looping GIF of the frames (a shared adaptive palette keeps colours stable)."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise DataError(path, "turntables are saved as .gif")
    if not frames:
        raise ValueError("no frames to save")
    images = [Image.fromarray(np.ascontiguousarray(f[..., :3], dtype=np.uint8)) for f in frames]
    # one palette from (a sample of) every frame, so colours neither flicker nor go missing
    step = max(1, len(images) // 12)
    sample = [im.reduce(2) if min(im.size) >= 64 else im for im in images[::step]]
    strip = Image.new("RGB", (max(im.width for im in sample), sum(im.height for im in sample)))
    y = 0
    for im in sample:
        strip.paste(im, (0, y))
        y += im.height
    palette_source = strip.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    quantised = [im.quantize(palette=palette_source, dither=Image.Dither.NONE) for im in images]
    check_output_file(path)
    data = _encode(quantised[0], format="GIF", save_all=True, append_images=quantised[1:],
                   duration=round(1000 / fps), loop=0, disposal=1)
    write_bytes(path, data)
    return path


def export_mesh(path: str | Path, occupancy: np.ndarray, threshold: float, kind: str = "smooth") -> Path:
    """A mesh file from an occupancy grid: "smooth" (marching cubes) or "cubes" (voxel faces)."""
    from core.geometry.mesh import occupancy_to_mesh, save_mesh, voxel_cube_mesh

    check_output_file(path)
    occ = np.asarray(occupancy, dtype=np.float32)
    if kind == "cubes":
        verts, faces = voxel_cube_mesh(occ > threshold)
    elif kind == "smooth":
        verts, faces = occupancy_to_mesh(occ, threshold)
    else:
        raise ValueError(f"unknown mesh kind {kind!r}")
    if len(faces) == 0:
        raise DataError(path, f"nothing to export: no voxel is above the threshold {threshold:.2f}")
    return save_mesh(path, verts, faces)


def export_voxels(path: str | Path, occupancy: np.ndarray, threshold: float) -> Path:
    """``.binvox`` stores ``occ > threshold`` (what the view shows); ``.npy`` keeps the probabilities."""
    from core.geometry.mesh import save_voxels

    path = check_output_file(path)  # a folder of that name: one line, nothing written
    occ = np.asarray(occupancy, dtype=np.float32)
    if path.suffix.lower() == ".binvox":
        return save_voxels(path, occ > threshold)
    return save_voxels(path, occ, threshold=threshold)


def differs_from_background(image: np.ndarray, background: tuple[int, int, int], tolerance: int = 24) -> float:
    """Share of pixels whose colour differs from ``background`` by more than ``tolerance`` (sum of |Δ|)."""
    diff = np.abs(np.asarray(image[..., :3], dtype=np.int32) - np.asarray(background, dtype=np.int32)).sum(axis=-1)
    return float((diff > tolerance).mean())
