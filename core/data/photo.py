"""Any picture -> the 127×127 model input, the way the R2N2 renders look to the model.

The models were trained on 137×137 renders: the object alone (alpha), about 90 px across,
centred, composited over white after a centre crop. A photo is brought to the same form:

1. a 137×137 RGBA render is used as it is (exactly the evaluation path);
2. with a real alpha channel, the object is cut out with it;
3. without alpha, a plain backdrop is estimated from the border pixels and removed by a
   flood fill from the border, if the border is one uniform colour;
4. otherwise the whole picture is used as it is (letterboxed).

Cases 2–3 crop to the object, scale its longer side to ``TARGET_EXTENT`` px on a 137 px
canvas, and all cases end in ``core.data.transforms.eval_transform`` (centre crop, white
composite, ``normalize``). ``PreparedImage.note`` says in one line which case applied.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from core.data.transforms import composite, crop, eval_transform
from core.errors import DataError
from core.spec import CROP_OFFSET, INPUT_SIZE, RENDER_SIZE

ImageInput = Union[str, Path, bytes, BinaryIO, Image.Image, np.ndarray]

# Median longer side of the object's bounding box in real R2N2 chair renders is ~90 px
# (quartiles 82–102) on the 137 px canvas; a fitted photo object gets the same size.
TARGET_EXTENT = 92
WORK_SIDE = 384  # pictures are downscaled to this longer side before any analysis (the object ends at ~92 px)
ALPHA_MIN = 250  # an alpha channel whose minimum is at least this is treated as "no alpha"
BORDER_UNIFORM_FRACTION = 0.85
MIN_OBJECT_FRACTION = 0.005
MIN_OBJECT_PIXELS = 16  # fewer visible pixels than a 4×4 patch: nothing to reconstruct
MAX_OBJECT_FRACTION = 0.95


class NoObjectError(DataError):
    """The picture shows nothing to reconstruct (fully transparent, or one plain colour)."""


@dataclass
class PreparedImage:
    """A picture made ready for the models."""

    tensor: torch.Tensor  # float32 (3,127,127), normalised: the model input
    preview: np.ndarray  # uint8 (127,127,3): exactly what the model sees, before normalising
    rgba: np.ndarray  # uint8 (137,137,4): the R2N2-like canvas the tensor was made from
    method: str  # "render" | "alpha" | "backdrop" | "as-is"
    note: str  # one line: what was done to the picture


@dataclass
class BackdropEstimate:
    """Result of looking for a plain background colour on the picture's border."""

    mask: np.ndarray | None  # bool (H,W) object mask, None when the backdrop is not plain
    colour: tuple[int, int, int]
    uniform_fraction: float  # share of border pixels within ``tolerance`` of ``colour``
    tolerance: float
    reason: str
    holes_removed: int = 0  # enclosed backdrop regions (seen through the object) also removed
    object_fraction: float | None = None  # share of the picture left as object (None: not computed)


# ----------------------------------------------------------------------------- loading


def _open(src: ImageInput) -> tuple[Image.Image, str]:
    """Open and fully decode; every failure becomes DataError naming the file."""
    if isinstance(src, Image.Image):
        return src, "<image>"
    if isinstance(src, np.ndarray):
        return _from_array(src), "<array>"
    if isinstance(src, (bytes, bytearray)) or hasattr(src, "read"):
        name = getattr(src, "name", None)
        path, fp = Path(name if isinstance(name, str) else "<stream>"), (io.BytesIO(src) if isinstance(src, (bytes, bytearray)) else src)
    else:
        path = Path(src)
        fp = path
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            img = Image.open(fp)
            original_size = img.size
            img.draft("RGB", (WORK_SIDE, WORK_SIDE))  # JPEG: decode huge photos at a reduced scale
            img.load()
    except FileNotFoundError:
        raise DataError(path, "image file not found") from None
    except IsADirectoryError:
        raise DataError(path, "is a folder, not an image file") from None
    except UnidentifiedImageError:
        raise DataError(path, "not an image (Pillow cannot identify the format)") from None
    except Image.DecompressionBombError as exc:
        raise DataError(path, f"image is too large to open safely ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise DataError(path, f"image is corrupt or truncated ({exc})") from None
    img.info["library_notes"] = _warning_notes(caught)
    img.info["original_size"] = original_size
    return img, str(path)


def _from_array(arr: np.ndarray) -> Image.Image:
    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[0] in (3, 4) and a.shape[2] not in (3, 4):
        a = np.moveaxis(a, 0, -1)  # channels-first
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (1, 3, 4))):
        raise DataError("<array>", f"expected an image array (H,W), (H,W,3) or (H,W,4), got shape {a.shape}")
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.dtype == np.uint8:
        out = a
    elif np.issubdtype(a.dtype, np.floating):
        out = (np.clip(np.nan_to_num(a), 0.0, 1.0 if a.max() <= 1.0 else 255.0) * (255.0 if a.max() <= 1.0 else 1.0) + 0.5).astype(np.uint8)
    elif a.dtype == np.uint16 or a.max() > 255:
        out = (a.astype(np.float64) / 257.0 + 0.5).clip(0, 255).astype(np.uint8)
    else:
        out = a.clip(0, 255).astype(np.uint8)
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[out.ndim if out.ndim == 2 else out.shape[2]]
    return Image.fromarray(np.ascontiguousarray(out), mode=mode)


def _to_rgba(img: Image.Image, notes: list[str]) -> tuple[np.ndarray, bool]:
    """Any Pillow mode -> uint8 RGBA array, and whether the alpha channel carries information."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(img, dtype=np.float64)
        if img.mode.startswith("I;16") or a.max() > 255:
            a = a / 257.0
            notes.append("16-bit grey scaled to 8 bits")
        elif img.mode == "F" and a.max() <= 1.0:
            a = a * 255.0
        img = Image.fromarray((a.clip(0, 255) + 0.5).astype(np.uint8), mode="L")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (img.mode in ("P", "L", "RGB") and "transparency" in img.info)
    rgba = np.asarray(img.convert("RGBA"))
    alpha_used = bool(has_alpha and rgba[..., 3].min() < ALPHA_MIN and rgba[..., 3].max() > 0)
    return rgba, alpha_used


def load_picture(src: ImageInput) -> tuple[np.ndarray, bool, list[str], str]:
    """Decode, apply EXIF orientation, downscale huge pictures -> (RGBA uint8, alpha_used, notes, name)."""
    img, name = _open(src)
    notes: list[str] = []
    orig = img.info.get("original_size", img.size)
    notes.extend(img.info.get("library_notes", []))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        orientation = _orientation(img)
        if orientation in VALID_ORIENTATIONS and orientation != 1:
            try:
                turned = ImageOps.exif_transpose(img)
            except Exception as exc:  # a malformed EXIF block must not hide the picture itself
                notes.append(f"EXIF orientation ignored ({type(exc).__name__})")
            else:
                if turned is not None and turned is not img:
                    img = turned
                    notes.append("rotated by its EXIF orientation")
        elif orientation is not None and orientation != 1:
            notes.append(f"EXIF orientation {orientation!r} is not a valid value (1-8): ignored")
    for note in _warning_notes(caught):
        if note not in notes:
            notes.append(note)
    rgba, alpha_used = _to_rgba(img, notes)
    h, w = rgba.shape[:2]
    if max(h, w) > WORK_SIDE and (h, w) != (RENDER_SIZE, RENDER_SIZE):
        s = WORK_SIDE / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        # area averaging: anti-aliased, and several times faster than Lanczos on big pictures
        rgba = np.asarray(Image.fromarray(rgba, "RGBA").resize(size, Image.Resampling.BOX))
    if max(orig) > WORK_SIDE:
        notes.append(f"{orig[0]}×{orig[1]} px picture downscaled for analysis")
    return rgba, alpha_used, notes, name


VALID_ORIENTATIONS = range(1, 9)  # EXIF 2.3: 1 = upright, 2-8 = mirrored and/or rotated


def _orientation(img: Image.Image) -> int | None:
    try:
        value = img.getexif().get(0x0112)
    except Exception:  # unreadable EXIF: treated as absent
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return -1  # present but not a number: reported as invalid


def _warning_notes(caught) -> list[str]:
    """Library warnings while decoding -> short notes for ``PreparedImage.note`` (never stderr)."""
    notes: list[str] = []
    for w in caught:
        text = str(w.message)
        if issubclass(w.category, Image.DecompressionBombWarning):
            note = "a very large picture (opened anyway; it is downscaled)"
        elif "EXIF" in text or "exif" in text:
            note = "damaged EXIF data ignored"
        else:
            continue
        if note not in notes:
            notes.append(note)
    return notes


# ----------------------------------------------------------------------------- backdrop


def estimate_backdrop(rgb: np.ndarray) -> BackdropEstimate:
    """Find a plain backdrop: the border's median colour, a tolerance from the border's own
    noise, and the pixels connected to the border within that tolerance (flood fill)."""
    from scipy import ndimage

    img = np.asarray(rgb, dtype=np.float32)[..., :3]
    h, w = img.shape[:2]
    band = max(2, round(0.01 * min(h, w)))
    border = np.zeros((h, w), bool)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    pixels = img[border]
    colour = np.median(pixels, axis=0)
    d_border = np.linalg.norm(pixels - colour, axis=1)
    tolerance = float(np.clip(3.0 * np.median(d_border) + 15.0, 20.0, 60.0))
    uniform = float((d_border <= tolerance).mean())
    col = tuple(int(round(c)) for c in colour)
    if uniform < BORDER_UNIFORM_FRACTION:
        return BackdropEstimate(None, col, uniform, tolerance, f"the border is not one plain colour ({uniform:.0%} of border pixels match)")
    diff = img - colour
    near = np.einsum("ijk,ijk->ij", diff, diff) <= tolerance * tolerance
    labels, _ = ndimage.label(near)
    is_background = np.zeros(labels.max() + 1, bool)
    is_background[labels[border & near]] = True
    is_background[0] = False
    background = is_background[labels]
    # Backdrop seen through the object (between chair legs, under an arm rest) is enclosed,
    # so the flood fill misses it: enclosed regions close to the backdrop colour go too.
    # Small ones stay (they are more likely highlights on the object than holes).
    holes, n_holes = ndimage.label(near & ~background)
    n_dropped = 0
    if n_holes:
        areas = np.bincount(holes.ravel(), minlength=n_holes + 1).astype(np.float64)
        dist_sum = np.bincount(holes.ravel(), weights=np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)).ravel(), minlength=n_holes + 1)
        mean_dist = dist_sum / np.maximum(areas, 1)
        drop = (areas >= max(20.0, 5e-4 * h * w)) & (mean_dist <= 0.5 * tolerance)
        drop[0] = False
        n_dropped = int(drop.sum())
        background |= drop[holes]
    obj = ~background
    obj = ndimage.binary_opening(obj, iterations=1)  # JPEG speckle on the backdrop
    labels, count = ndimage.label(obj)
    if count:
        sizes = np.bincount(labels.ravel(), minlength=count + 1)
        sizes[0] = 0
        obj = (sizes >= 0.02 * sizes.max())[labels]
    frac = float(obj.mean())
    if not (MIN_OBJECT_FRACTION <= frac <= MAX_OBJECT_FRACTION):
        return BackdropEstimate(None, col, uniform, tolerance, f"removing the plain border colour would leave {frac:.1%} of the picture", object_fraction=frac)
    return BackdropEstimate(obj, col, uniform, tolerance, "plain backdrop", n_dropped, object_fraction=frac)


# ----------------------------------------------------------------------------- canvas


def fit_to_canvas(rgba: np.ndarray, extent: int = TARGET_EXTENT, size: int = RENDER_SIZE) -> np.ndarray:
    """Crop to the alpha bounding box, scale its longer side to ``extent`` px, centre it on a
    transparent ``size``² canvas (like an R2N2 render)."""
    alpha = rgba[..., 3]
    ys, xs = np.nonzero(alpha > 8)
    if len(ys) == 0:
        raise ValueError("the alpha channel is empty")
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    # a margin of a few source pixels keeps the anti-aliased edge
    m = max(1, round(0.02 * max(y1 - y0, x1 - x0)))
    y0, x0 = max(0, y0 - m), max(0, x0 - m)
    y1, x1 = min(rgba.shape[0], y1 + m), min(rgba.shape[1], x1 + m)
    obj = Image.fromarray(np.ascontiguousarray(rgba[y0:y1, x0:x1]), "RGBA")
    s = extent / max(obj.size)
    new = (max(1, round(obj.size[0] * s)), max(1, round(obj.size[1] * s)))
    obj = obj.resize(new, Image.Resampling.LANCZOS, reducing_gap=2.0)  # Pillow resamples RGBA premultiplied
    canvas = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    canvas.paste(obj, ((size - new[0]) // 2, (size - new[1]) // 2))
    return np.asarray(canvas)


def letterbox(rgba: np.ndarray, size: int = RENDER_SIZE, fill: int = INPUT_SIZE) -> np.ndarray:
    """Whole picture, opaque, longer side scaled to ``fill`` px, centred on a transparent canvas."""
    img = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    s = fill / max(img.size)
    new = (max(1, round(img.size[0] * s)), max(1, round(img.size[1] * s)))
    img = img.resize(new, Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    canvas.paste(img, ((size - new[0]) // 2, (size - new[1]) // 2))
    return np.asarray(canvas)


def _finish(rgba137: np.ndarray, method: str, note: str) -> PreparedImage:
    tensor = eval_transform(rgba137)
    preview = (composite(crop(rgba137, CROP_OFFSET, CROP_OFFSET, INPUT_SIZE)) * 255.0 + 0.5).astype(np.uint8)
    return PreparedImage(tensor, preview, np.ascontiguousarray(rgba137), method, note)


def prepare_image(src: ImageInput) -> PreparedImage:
    """Any picture (path, bytes, binary file, PIL image or array) -> model input, preview and a one-line note.

    Raises DataError naming the file for an unreadable picture and ``NoObjectError`` when it
    shows nothing to reconstruct: fully transparent, or one plain colour with no object left
    after removing it."""
    rgba, alpha_used, notes, name = load_picture(src)
    h, w = rgba.shape[:2]
    prefix = ("; ".join(notes) + "; ") if notes else ""
    visible = int((rgba[..., 3] > 8).sum())
    if visible < MIN_OBJECT_PIXELS and _has_alpha_channel(rgba):
        raise NoObjectError(name, "no object in the picture (it is fully transparent); nothing to reconstruct" if visible == 0
                            else f"no object in the picture (only {visible} pixel(s) are not transparent); nothing to reconstruct")
    if (h, w) == (RENDER_SIZE, RENDER_SIZE) and alpha_used:
        return _finish(rgba, "render", prefix + f"{RENDER_SIZE}×{RENDER_SIZE} render with alpha: used as it is (R2N2 evaluation crop)")
    if alpha_used:
        return _finish(fit_to_canvas(rgba), "alpha", prefix + f"used the alpha channel: cropped to the object and scaled to {TARGET_EXTENT} px like the R2N2 renders")
    est = estimate_backdrop(rgba[..., :3])
    if est.mask is not None:
        cut = rgba.copy()
        cut[..., 3] = np.where(est.mask, 255, 0).astype(np.uint8)
        note = (f"no alpha; removed a plain backdrop (RGB {est.colour[0]},{est.colour[1]},{est.colour[2]}, "
                f"{est.uniform_fraction:.0%} of the border within {est.tolerance:.0f}) by a flood fill from the border"
                + (f" and {est.holes_removed} enclosed backdrop region(s)" if est.holes_removed else "") + ", "
                f"cropped to the object and scaled to {TARGET_EXTENT} px")
        return _finish(fit_to_canvas(cut), "backdrop", prefix + note)
    if est.object_fraction is not None and est.object_fraction < MIN_OBJECT_FRACTION:
        raise NoObjectError(name, f"no object in the picture (one plain colour: removing the background leaves {est.object_fraction:.1%}); nothing to reconstruct")
    opaque = rgba.copy()
    opaque[..., 3] = 255
    return _finish(letterbox(opaque), "as-is", prefix + f"no alpha and {est.reason}: used the whole picture as it is, letterboxed on white")


def _has_alpha_channel(rgba: np.ndarray) -> bool:
    """Whether transparency is in play at all (an opaque picture has alpha 255 everywhere)."""
    return bool(rgba[..., 3].min() < ALPHA_MIN)
