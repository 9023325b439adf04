"""Make the shipped "real photo" samples: a gallery render pasted onto a busy room.

The demo model was trained on objects alone on white; a photo shows the object among other
things. ``cluttered_chair.jpg`` is that case, made reproducibly: a procedural 640×480 room
(wall, skirting, a patterned carpet, a shelf of books, a framed picture, a rug, a plant pot, sensor
noise) and the gallery chair, view 05, scaled to 300 px high and pasted in front. A JSON
sidecar records where the chair is (its alpha box in picture pixels) and its class, so the
tests can drag the same rectangle a person would.

    python bench/make_sample_photos.py            # writes resources/samples/photos/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))
SAMPLES = REPO / "resources" / "samples"
OUT = SAMPLES / "photos"
SIZE = (640, 480)
SEED = 20261129


def room(rng: np.random.Generator) -> Image.Image:
    """A cluttered indoor scene with strong edges and many colours (no object of the 13 classes)."""
    w, h = SIZE
    img = Image.new("RGB", SIZE)
    px = np.zeros((h, w, 3), np.float32)
    # wall: a warm vertical gradient with faint wallpaper stripes
    y = np.linspace(0, 1, h)[:, None]
    x = np.arange(w)[None, :]
    wall = np.stack([200 - 30 * y + 0 * x, 180 - 25 * y + 0 * x, 150 - 20 * y + 0 * x], -1)
    wall += 8 * np.sin(x / 7.0)[..., None]
    px[:] = wall
    floor_top = int(0.68 * h)
    # a patterned green carpet (a wooden floor would share the chair's browns: the automatic
    # cut cannot tell a leg from a plank by colour, see the README of the photos)
    fy = np.arange(h - floor_top)[:, None]
    weave = 12 * np.sin(x / 3.0 + 4 * np.sin(fy / 9.0)) + 8 * np.sin(fy * 1.7)
    check = ((x // 48 + fy // 24) % 2) * 18
    px[floor_top:] = np.stack([60 + weave + check * 0.5, 118 + weave + check, 96 + weave + check * 0.8], -1)
    img = Image.fromarray(px.clip(0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    d.rectangle([0, floor_top - 10, w, floor_top], fill=(235, 232, 220))  # skirting board
    # a white bookshelf on the left with books of random colours
    d.rectangle([20, 60, 230, floor_top - 12], fill=(236, 236, 232))
    for shelf_y in (140, 230, floor_top - 20):
        d.rectangle([20, shelf_y, 230, shelf_y + 8], fill=(214, 214, 208))
        xb = 28
        while xb < 220:
            bw = int(rng.integers(8, 20))
            bh = int(rng.integers(45, 75))
            colour = tuple(int(c) for c in rng.integers(30, 230, 3))
            d.rectangle([xb, shelf_y - bh, min(xb + bw, 224), shelf_y - 1], fill=colour)
            xb += bw + int(rng.integers(1, 4))
    # a framed picture and a window on the wall
    d.rectangle([470, 40, 610, 150], fill=(40, 40, 45))
    d.rectangle([478, 48, 602, 142], fill=(90, 150, 200))
    d.polygon([(478, 142), (530, 80), (570, 120), (602, 95), (602, 142)], fill=(60, 120, 60))
    d.ellipse([560, 55, 585, 80], fill=(250, 220, 90))
    # a rug and a plant pot on the floor
    d.ellipse([260, h - 70, 630, h + 40], fill=(150, 40, 60))
    d.ellipse([290, h - 55, 600, h + 25], outline=(230, 200, 120), width=6)
    d.polygon([(540, 330), (600, 330), (590, 400), (550, 400)], fill=(170, 90, 50))
    for _ in range(14):  # leaves
        cx, cy = 570 + rng.normal(0, 18), 300 + rng.normal(0, 22)
        d.ellipse([cx - 14, cy - 6, cx + 14, cy + 6], fill=(int(rng.integers(30, 70)), int(rng.integers(110, 170)), 50))
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    noise = rng.normal(0, 6, (h, w, 3))
    return Image.fromarray((np.asarray(img, np.float32) + noise).clip(0, 255).astype(np.uint8))


def paste(background: Image.Image, render: Path, height: int, left: int, bottom: int) -> tuple[Image.Image, list[int]]:
    """The render's object (its alpha box), scaled to ``height`` px, pasted with its alpha;
    returns the picture and the object's box [x0, y0, x1, y1] (x1, y1 exclusive)."""
    rgba = Image.open(render).convert("RGBA")
    box = Image.fromarray((np.asarray(rgba)[..., 3] > 8).astype(np.uint8) * 255).getbbox()
    obj = rgba.crop(box)
    s = height / obj.height
    obj = obj.resize((round(obj.width * s), height), Image.Resampling.LANCZOS)
    top = bottom - obj.height
    out = background.convert("RGBA")
    out.alpha_composite(obj, (left, top))
    alpha = np.zeros(out.size[::-1], bool)
    alpha[top:top + obj.height, left:left + obj.width] = np.asarray(obj)[..., 3] > 8
    ys, xs = np.nonzero(alpha)
    return out.convert("RGB"), [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def make(out: Path = OUT, samples: Path = SAMPLES) -> dict:
    rng = np.random.default_rng(SEED)
    render = next(sorted((samples / "ShapeNetRendering" / "03001627").glob("*/rendering/05.png")).__iter__())
    picture, box = paste(room(rng), render, height=300, left=250, bottom=440)
    out.mkdir(parents=True, exist_ok=True)
    from core.io.atomic import write_text, write_with

    write_with(out / "cluttered_chair.jpg", lambda p: picture.save(p, format="JPEG", quality=90))
    info = {"class": "chair", "object_box": box, "size": list(SIZE),
            "made_from": str(render.relative_to(samples)), "seed": SEED,
            "note": "procedural room + gallery chair; regenerate with bench/make_sample_photos.py"}
    write_text(out / "cluttered_chair.json", json.dumps(info, indent=2) + "\n")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(json.dumps(make(args.out), indent=2))


if __name__ == "__main__":
    main()
