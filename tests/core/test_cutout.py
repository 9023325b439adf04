"""Cutting the object out of a picture from a rectangle around it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.data.cutout import CropBox, cut_out
from core.data.photo import prepare_image
from core.errors import DataError

REPO = Path(__file__).resolve().parents[2]
PHOTO = REPO / "resources" / "samples" / "photos" / "cluttered_chair.jpg"


def disc_picture(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A red disc on a busy two-tone striped background: (RGB uint8, true disc mask)."""
    rng = np.random.default_rng(seed)
    h, w = 200, 260
    y, x = np.mgrid[:h, :w]
    img = np.where(((x // 12 + y // 17) % 2)[..., None] == 0, [40, 120, 200], [230, 220, 90]).astype(np.float64)
    img += rng.normal(0, 6, img.shape)
    disc = (x - 140) ** 2 + (y - 95) ** 2 <= 45 ** 2
    img[disc] = [200, 30, 30] + rng.normal(0, 6, (int(disc.sum()), 3))
    return img.clip(0, 255).astype(np.uint8), disc


def test_grabcut_finds_the_object_in_the_rectangle():
    img, disc = disc_picture()
    box = CropBox.from_pixels(80, 35, 200, 155, img.shape[1], img.shape[0])
    cut = cut_out(img, box)
    assert cut.method == "grabcut" and "GrabCut" in cut.note
    x0, y0, x1, y1 = box.pixels(img.shape[1], img.shape[0])
    assert cut.rgba.shape[2] == 4 and cut.rgba.shape[0] >= y1 - y0 and cut.rgba.shape[1] >= x1 - x0
    assert set(np.unique(cut.rgba[..., 3])) <= {0, 255} and np.array_equal(cut.mask, cut.rgba[..., 3] > 0)
    # back in picture coordinates: the cut is the disc
    full = np.zeros(disc.shape, bool)
    gx0, gy0, gx1, gy1 = cut.region
    assert gx0 <= x0 and gy0 <= y0 and gx1 >= x1 and gy1 >= y1  # the rectangle, grown a little
    full[gy0:gy1, gx0:gx1] = cut.mask
    iou = (full & disc).sum() / (full | disc).sum()
    assert iou > 0.9, iou
    # the same cut every time (GrabCut's k-means is seeded)
    assert np.array_equal(cut_out(img, box).mask, cut.mask)
    # and the model input takes the alpha path: the object alone, on white
    prepared = prepare_image(cut.rgba)
    assert prepared.method == "alpha"
    assert (prepared.preview[:4] > 250).all() and (prepared.preview[:, :4] > 250).all()


def test_shipped_cluttered_photo_cut_keeps_the_chair_and_drops_the_room():
    info = json.loads(PHOTO.with_suffix(".json").read_text())
    x0, y0, x1, y1 = info["object_box"]
    w, h = info["size"]
    cut = cut_out(PHOTO, CropBox.from_pixels(x0 - 10, y0 - 10, x1 + 10, y1 + 10, w, h))
    assert cut.method == "grabcut"
    assert 0.2 < cut.mask.mean() < 0.7  # a chair fills part of its box, not all of it
    # the rectangle's edges are room, not chair: they are cut away
    edge = np.concatenate([cut.mask[0], cut.mask[-1], cut.mask[:, 0], cut.mask[:, -1]])
    assert edge.mean() < 0.1


def true_silhouette() -> np.ndarray:
    """bool (h, w) at the analysed size: where the chair is in the shipped photo, rebuilt from
    the gallery render it was pasted from (as bench/make_sample_photos.py pastes it)."""
    from PIL import Image

    from core.data.photo import load_picture

    info = json.loads(PHOTO.with_suffix(".json").read_text())
    render = Image.open(REPO / "resources" / "samples" / info["made_from"]).convert("RGBA")
    obj = render.crop(Image.fromarray((np.asarray(render)[..., 3] > 8).astype(np.uint8) * 255).getbbox())
    x0, y0, x1, y1 = info["object_box"]
    obj = obj.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    full = np.zeros(info["size"][::-1], np.uint8)
    full[y0:y1, x0:x1] = (np.asarray(obj)[..., 3] > 8) * 255
    h, w = load_picture(PHOTO)[0].shape[:2]
    return np.asarray(Image.fromarray(full).resize((w, h), Image.Resampling.BILINEAR)) > 127


# (left, top, right, bottom) margins in photo pixels around the chair's box, as people draw
# them: the first kept a strip of wall and lost the legs (the model read "table")
MARGINS = [(10, 12, 10, 8), (4, 4, 4, 4), (16, 16, 16, 16), (4, 16, 16, 4), (16, 4, 4, 16), (6, 10, 14, 12),
           (13, 15, 4, 6), (16, 16, 15, 14)]


def test_cluttered_photo_cut_holds_for_rectangles_drawn_a_little_differently():
    from core.predict import Predictor

    info = json.loads(PHOTO.with_suffix(".json").read_text())
    x0, y0, x1, y1 = info["object_box"]
    w, h = info["size"]
    assert CropBox(0.375, 0.2667, 0.6045, 0.9333).pixels(w, h) == (x0 - 10, y0 - 12, x1 + 10, y1 + 8)  # the first
    truth = true_silhouette()
    proposed = Predictor.load(REPO / "resources" / "checkpoints" / "proposed.pt")
    for left, top, right, bottom in MARGINS:
        cut = cut_out(PHOTO, CropBox.from_pixels(x0 - left, y0 - top, x1 + right, y1 + bottom, w, h))
        assert cut.method == "grabcut"
        full = np.zeros(truth.shape, bool)
        gx0, gy0, gx1, gy1 = cut.region
        full[gy0:gy1, gx0:gx1] = cut.mask
        iou = (full & truth).sum() / (full | truth).sum()
        legs = truth.copy()
        legs[: round(0.72 * truth.shape[0])] = False  # the lower part of the picture: the chair's legs
        kept_legs = (full & legs).sum() / legs.sum()
        probs = proposed.predict(cut.rgba).probabilities
        print(f"margins {left, top, right, bottom}: IoU {iou:.3f}, legs kept {kept_legs:.0%}, "
              f"top class {max(probs, key=probs.get)} {max(probs.values()):.2f}")
        assert iou > 0.8, (left, top, right, bottom, iou)  # the chair, not the wall strip or the rug
        assert kept_legs > 0.3, (left, top, right, bottom, kept_legs)
        assert max(probs, key=probs.get) == info["class"] == "chair", (left, top, right, bottom, probs)


def test_picture_with_alpha_is_only_cropped():
    rgba = np.zeros((120, 160, 4), np.uint8)
    rgba[30:90, 50:110] = [10, 200, 10, 255]
    cut = cut_out(rgba, CropBox(0.2, 0.1, 0.9, 0.9))
    assert cut.method == "alpha" and "alpha" in cut.note
    assert cut.mask.sum() == 60 * 60


def test_rectangle_over_everything_falls_back_to_the_plain_crop():
    img, _ = disc_picture()
    cut = cut_out(img, CropBox(0.0, 0.0, 1.0, 1.0))
    assert cut.method == "crop" and "no background" in cut.note
    assert (cut.rgba[..., 3] == 255).all() and cut.rgba.shape[:2] == img.shape[:2]


def test_bad_rectangles_and_pictures_are_refused():
    img, _ = disc_picture()
    with pytest.raises(ValueError, match="too small"):
        cut_out(img, CropBox(0.5, 0.5, 0.51, 0.52))
    for bad in ((0.5, 0.1, 0.4, 0.9), (-0.1, 0.0, 0.5, 0.5), (0.0, 0.0, float("nan"), 1.0), (0.0, 0.0, 1.2, 1.0)):
        with pytest.raises(ValueError, match="crop box"):
            CropBox(*bad)
    assert CropBox.from_pixels(300, 250, -20, 10, 260, 200) == CropBox(0.0, 0.05, 1.0, 1.0)  # any corner order, clamped
    with pytest.raises(DataError, match="not found"):
        cut_out(REPO / "no-such-picture.png", CropBox(0.1, 0.1, 0.9, 0.9))
