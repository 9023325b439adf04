"""Pick the object in a real photo: a rectangle around it, then an automatic foreground cut.

The models know objects alone on white (R2N2 renders). In a photo the object sits among other
things, and the whole picture, letterboxed, reads as something else. A person draws a
rectangle around the object; GrabCut (OpenCV: colour models of the rectangle's inside and
outside, refined by a graph cut; no learned weights, nothing downloaded) separates the object
from what else is inside the rectangle. The result is an RGBA picture of the rectangle whose
alpha is the object, so ``core.data.photo.prepare_image`` takes its alpha path (crop to the
object, scale like the renders, composite on white).

A picture that already has a real alpha channel only needs the crop. OpenCV is imported
only when a cut is made, so the rest of ``core`` does not need it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.photo import ImageInput, load_picture

GRABCUT_ITERATIONS = 10  # on the cluttered sample the cut settles by ~10 (5 leave the floor between the legs)
CONTEXT = 0.25  # the cut models the background from this share of the rectangle's size around it
MIN_SIDE_PX = 8  # a smaller rectangle (in analysed pixels) holds no object worth cutting
MIN_OBJECT_FRACTION = 0.02  # of the rectangle: less is a failed cut, not an object
MAX_OBJECT_FRACTION = 0.98  # more: the cut found no background inside the rectangle
MIN_BACKGROUND_SHARE = 0.08
OBJECT_FACTOR = 1.5  # ...and this close to one of the object's own colours
OBJECT_COLOUR_SHARE = MIN_BACKGROUND_SHARE  # of the object's pixels, for a colour of its own (0.02 lets a rug line in)
UNLIKE_FACTOR = 1.8  # a pixel this many tolerances from every background colour is the object's
SEE_THROUGH_SHARE = 0.005  # of the rectangle: a background-coloured patch this big inside it is background
BORDER_MARGIN = 0.04  # rectangle grown by this share of its size so the cut sees the object's edge


@dataclass(frozen=True)
class CropBox:
    """A rectangle in fractions of the picture's width and height: 0 ≤ x0 < x1 ≤ 1, 0 ≤ y0 < y1 ≤ 1."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        values = (self.x0, self.y0, self.x1, self.y1)
        if not all(np.isfinite(v) for v in values):
            raise ValueError(f"crop box has a non-finite coordinate: {values}")
        if not (0.0 <= self.x0 < self.x1 <= 1.0 and 0.0 <= self.y0 < self.y1 <= 1.0):
            raise ValueError(f"crop box must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, got {values}")

    @classmethod
    def from_pixels(cls, x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> CropBox:
        """From corner pixels in any order, clamped to the picture."""
        xa, xb = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
        ya, yb = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
        return cls(xa / width, ya / height, xb / width, yb / height)

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) in pixels of a ``width``×``height`` picture, at least one pixel wide."""
        x0, y0 = int(np.floor(self.x0 * width)), int(np.floor(self.y0 * height))
        x1, y1 = int(np.ceil(self.x1 * width)), int(np.ceil(self.y1 * height))
        return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


@dataclass
class CutOut:
    """The rectangle of the picture with the object as alpha."""

    rgba: np.ndarray  # uint8 (h, w, 4): the (slightly grown) rectangle; alpha 255 on the object, 0 elsewhere
    mask: np.ndarray  # bool (h, w): the object
    method: str  # "grabcut" | "alpha" | "crop"
    note: str  # one line: what was done
    region: tuple[int, int, int, int] = (0, 0, 0, 0)  # (x0, y0, x1, y1) of ``rgba`` in the analysed picture


def cut_out(image: ImageInput, box: CropBox, iterations: int = GRABCUT_ITERATIONS) -> CutOut:
    """Cut the object inside ``box`` out of ``image`` (path, bytes, PIL image or array).

    Pictures are analysed at ``core.data.photo.WORK_SIDE`` px at most (as ``prepare_image``
    does). Raises DataError for a picture that cannot be read, ValueError for a rectangle too
    small to hold an object. When the cut fails (nothing, or everything, is foreground), the
    plain crop is returned, opaque, with ``method="crop"`` and a note saying so.
    """
    rgba, alpha_used, _notes, _name = load_picture(image)
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = box.pixels(w, h)
    if min(x1 - x0, y1 - y0) < MIN_SIDE_PX:
        raise ValueError(f"the rectangle is {x1 - x0}×{y1 - y0} px of a {w}×{h} px picture: too small to hold an object "
                         f"(at least {MIN_SIDE_PX} px a side)")
    if alpha_used:
        crop = rgba[y0:y1, x0:x1].copy()
        mask = crop[..., 3] > 8
        if mask.any():
            return CutOut(crop, mask, "alpha", "cropped to the rectangle; the picture's own alpha marks the object",
                          (x0, y0, x1, y1))
    # grow the rectangle a little (GrabCut treats everything outside it as background for
    # sure, and a person's rectangle may graze the object); the background is learnt from the
    # surroundings only (what is next to the object, not the far side of the room), which is
    # also what keeps the cut quick
    mx, my = round(BORDER_MARGIN * (x1 - x0)), round(BORDER_MARGIN * (y1 - y0))
    gx0, gy0, gx1, gy1 = max(0, x0 - mx), max(0, y0 - my), min(w, x1 + mx), min(h, y1 + my)
    cx, cy = round(CONTEXT * (x1 - x0)), round(CONTEXT * (y1 - y0))
    ax0, ay0, ax1, ay1 = max(0, gx0 - cx), max(0, gy0 - cy), min(w, gx1 + cx), min(h, gy1 + cy)
    region = rgba[gy0:gy1, gx0:gx1, :3]
    mask = _grabcut(rgba[ay0:ay1, ax0:ax1, :3], (gx0 - ax0, gy0 - ay0, gx1 - gx0, gy1 - gy0), iterations)
    if mask is not None:
        mask = _clean(mask)[gy0 - ay0:gy1 - ay0, gx0 - ax0:gx1 - ax0]
        frac = float(mask.mean())
        if MIN_OBJECT_FRACTION <= frac <= MAX_OBJECT_FRACTION:
            out = np.dstack([region, np.where(mask, 255, 0).astype(np.uint8)])
            return CutOut(out, mask, "grabcut",
                          f"cut the object out of the rectangle by GrabCut ({frac:.0%} of the rectangle kept as the object)",
                          (gx0, gy0, gx1, gy1))
        reason = f"the automatic cut kept {frac:.0%} of the rectangle"
    else:
        reason = "the rectangle covers the whole picture, so there is no background to learn from"
    crop = rgba[y0:y1, x0:x1].copy()
    crop[..., 3] = 255
    return CutOut(crop, np.ones(crop.shape[:2], bool), "crop", f"cropped to the rectangle ({reason}; no cut-out)",
                  (x0, y0, x1, y1))


def _grabcut(rgb: np.ndarray, rect: tuple[int, int, int, int], iterations: int) -> np.ndarray | None:
    """Foreground mask of ``rgb`` from GrabCut seeded by ``rect`` (x, y, w, h); None when the
    rectangle leaves no background pixel to learn from.

    Rectangle seeding lets a background colour that fills much of the rectangle (the floor
    between a chair's legs) into the object's colour model, and the cut then keeps it; so
    afterwards, what has the colours of the rectangle's immediate surroundings and reaches
    the rectangle's edge through them is taken away (``_border_background``).
    """
    import cv2  # lazily: only the cut-out needs OpenCV

    h, w = rgb.shape[:2]
    x, y, rw, rh = rect
    outside = np.ones((h, w), bool)
    outside[y:y + rh, x:x + rw] = False
    if not outside.any():
        return None
    seed = np.full((h, w), cv2.GC_BGD, np.uint8)
    seed[y:y + rh, x:x + rw] = cv2.GC_PR_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    cv2.setRNGSeed(0)  # GrabCut's colour models start from k-means: the same cut every time
    cv2.grabCut(bgr, seed, None, bgd, fgd, max(1, int(iterations)), cv2.GC_INIT_WITH_MASK)
    mask = (seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)
    ring = np.zeros((h, w), bool)
    band = max(2, round(0.03 * max(rw, rh)))
    ring[max(0, y - band):y + rh + band, max(0, x - band):x + rw + band] = True
    ring[y:y + rh, x:x + rw] = False
    if ring.any():
        inside, around = rgb[y:y + rh, x:x + rw], rgb[ring]
        mask[y:y + rh, x:x + rw] &= ~_border_background(inside, around)
        mask[y:y + rh, x:x + rw] |= _attached_object(mask[y:y + rh, x:x + rw], inside, around)
    return mask


def _attached_object(mask: np.ndarray, pixels: np.ndarray, surroundings: np.ndarray) -> np.ndarray:
    """bool (h, w): thin parts the graph cut drops (a chair's legs: a few pixels wide, so
    cutting them off is cheap for its smoothness term): patches of pixels clearly unlike every
    main colour of the surroundings (``UNLIKE_FACTOR`` × the usual tolerance) that touch the
    cut object but not the rectangle's edge (what runs out of the rectangle, like a rug's
    border line under the legs, is the room's, not the object's)."""
    from scipy import ndimage

    if mask.sum() < 50:
        return np.zeros_like(mask)
    unlike = ~_background_like(pixels, surroundings, tolerance_scale=UNLIKE_FACTOR) & ~mask
    # ...and has one of the object's colours (thin parts are few pixels: a low share counts)
    unlike &= _background_like(pixels, pixels[mask], tolerance_scale=OBJECT_FACTOR, min_share=OBJECT_COLOUR_SHARE)
    labels, count = ndimage.label(unlike)
    if not count:
        return unlike
    wanted = np.zeros(count + 1, bool)
    wanted[np.unique(labels[ndimage.binary_dilation(mask)])] = True
    wanted[0] = False
    return wanted[labels]


def _border_background(pixels: np.ndarray, surroundings: np.ndarray) -> np.ndarray:
    """bool (h, w): the part of ``pixels`` (the rectangle) that has the colours of
    ``surroundings`` (a thin band just outside it) and is either connected to the rectangle's
    edge through such colours (background reaching in, e.g. floor seen between legs) or a
    patch of at least ``SEE_THROUGH_SHARE`` of the rectangle (background seen through the
    object, e.g. wall between a chair's back and its arm, cut off from the edge by the arm)."""
    from scipy import ndimage

    like = _background_like(pixels, surroundings)
    labels, count = ndimage.label(like)
    gone = np.bincount(labels.ravel(), minlength=count + 1) >= SEE_THROUGH_SHARE * like.size
    gone[np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))] = True
    gone[0] = False
    return gone[labels]


def _background_like(pixels: np.ndarray, surroundings: np.ndarray, colours: int = 8,
                     tolerance_scale: float = 1.0, min_share: float = MIN_BACKGROUND_SHARE) -> np.ndarray:
    """bool (h, w): pixels whose colour is one of the surroundings' main colours (k-means,
    seeded; colours of at least ``MIN_BACKGROUND_SHARE`` of the surroundings), within 2.5×
    that colour's own spread (at least 12 levels)."""
    from scipy.cluster.vq import kmeans2

    ring = np.asarray(surroundings, np.float64).reshape(-1, 3)
    if len(ring) > 20000:  # a fixed, even subsample: quick and deterministic
        ring = ring[:: len(ring) // 20000 + 1]
    k = int(min(colours, max(1, len(ring) // 50)))
    centres, labels = kmeans2(ring, k, seed=0, minit="++")
    spread = np.linalg.norm(ring - centres[labels], axis=1)
    share = np.bincount(labels, minlength=k) / len(labels)
    # a colour counts when it is a real part of the surroundings (the wall, the floor), not a
    # few stray pixels (one purple book next to a purple chair back)
    tol = np.array([tolerance_scale * max(12.0, 2.5 * float(np.median(spread[labels == i])))
                    if share[i] >= min_share else -1.0 for i in range(k)])
    px = np.asarray(pixels, np.float64).reshape(-1, 1, 3)
    near = (np.linalg.norm(px - centres[None], axis=-1) <= tol[None]).any(axis=1)
    return near.reshape(pixels.shape[:2])


def _clean(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep connected parts of at least 5 % of the largest one, fill small holes."""
    from scipy import ndimage

    labels, count = ndimage.label(mask)
    if not count:
        return mask
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    sizes[0] = 0
    kept = (sizes >= 0.05 * sizes.max())[labels]
    holes, n_holes = ndimage.label(~kept)
    if n_holes:
        hole_sizes = np.bincount(holes.ravel(), minlength=n_holes + 1)
        border = np.unique(np.concatenate([holes[0], holes[-1], holes[:, 0], holes[:, -1]]))
        small = hole_sizes < 0.002 * mask.size
        small[border] = False
        small[0] = False
        kept |= small[holes]
    return kept
