"""What the Export menu writes: view screenshots, meshes, voxel grids, turntable GIFs.

Qt-free on purpose: the window grabs the pixels (on the UI thread, where VTK renders) and
hands arrays to these functions, which can run on a worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from core.errors import DataError

IMAGE_FORMATS = ("png",)
HEADER_PX = 22


def _atomic_save(image: Image.Image, path: Path, **kwargs) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    try:
        image.save(tmp, format=kwargs.pop("format"), **kwargs)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(path, f"cannot write the file ({exc.strerror or exc})") from None
    return path


def compose_views(images: list[np.ndarray], titles: list[str], background: tuple[int, int, int] = (255, 255, 255),
                  text_colour: tuple[int, int, int] = (20, 20, 20), gap: int = 4) -> Image.Image:
    """Views side by side, each under a one-line title; heights are matched by padding."""
    if not images:
        raise ValueError("no views to compose")
    if len(titles) != len(images):
        raise ValueError("one title per view")
    scale = max(1, images[0].shape[0] // 400)  # bigger header text on 2× shots
    header = HEADER_PX * scale
    height = max(im.shape[0] for im in images) + header
    width = sum(im.shape[1] for im in images) + gap * (len(images) - 1)
    canvas = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(canvas)
    try:
        from PIL import ImageFont

        font = ImageFont.load_default(size=13 * scale)
    except TypeError:  # Pillow < 10.1 has no sized default font
        font = None
    x = 0
    for image, title in zip(images, titles):
        canvas.paste(Image.fromarray(np.ascontiguousarray(image[..., :3], dtype=np.uint8)), (x, header))
        draw.text((x + 6 * scale, 3 * scale), title, fill=text_colour, font=font)
        x += image.shape[1] + gap
    return canvas


def save_png(image: Image.Image | np.ndarray, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise DataError(path, "screenshots are saved as .png")
    if isinstance(image, np.ndarray):
        image = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8))
    return _atomic_save(image, path, format="PNG", optimize=False)


def save_views_png(images: list[np.ndarray], titles: list[str], path: str | Path,
                   background: tuple[int, int, int] = (255, 255, 255), text_colour: tuple[int, int, int] = (20, 20, 20)) -> Path:
    """Compose grabbed views and write the PNG (the slow half of a screenshot, worker-safe)."""
    return save_png(compose_views(images, titles, background, text_colour), path)


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
    return _atomic_save(quantised[0], path, format="GIF", save_all=True, append_images=quantised[1:],
                        duration=int(round(1000 / fps)), loop=0, disposal=1)


def export_mesh(path: str | Path, occupancy: np.ndarray, threshold: float, kind: str = "smooth") -> Path:
    """A mesh file from an occupancy grid: "smooth" (marching cubes) or "cubes" (voxel faces)."""
    from core.geometry.mesh import occupancy_to_mesh, save_mesh, voxel_cube_mesh

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

    path = Path(path)
    occ = np.asarray(occupancy, dtype=np.float32)
    if path.suffix.lower() == ".binvox":
        return save_voxels(path, occ > threshold)
    return save_voxels(path, occ, threshold=threshold)


def differs_from_background(image: np.ndarray, background: tuple[int, int, int], tolerance: int = 24) -> float:
    """Share of pixels whose colour differs from ``background`` by more than ``tolerance`` (sum of |Δ|)."""
    diff = np.abs(np.asarray(image[..., :3], dtype=np.int32) - np.asarray(background, dtype=np.int32)).sum(axis=-1)
    return float((diff > tolerance).mean())
