"""Displays, speakers and telephones: sub-types with their own proportions.

All face +x (screens, speaker drivers, phone screens on the +x face), y up, width along z.
Sizes in metres. Sub-type weights and ranges are set so that a generated set's class-mean
voxel grid matches the real ShapeNetVox32 statistics (``real_stats``): speakers range from
slim towers to deep bookshelf boxes rather than all being solid cubes; telephones are mostly
thin slabs; displays are mostly flat panels whose stands differ.
"""

from __future__ import annotations

import math

import numpy as np

from core.synth.kit import (
    DARKS,
    METALS,
    WHITES,
    WOODS,
    Range,
    Rng,
    chance,
    choose,
    finish,
    mottled,
    pick,
    shade,
    u,
    wood,
)
from core.synth.parts import Part, box, cylinder, ellipsoid, frustum, hull, rot_z

# ================================================================== displays
DISPLAY_KINDS = {"monitor": 0.4, "tv_feet": 0.16, "tv_pedestal": 0.16, "crt": 0.08, "all_in_one": 0.1, "panel": 0.1}


def display(rng: Rng) -> list[Part]:
    kind = choose(rng, DISPLAY_KINDS)
    shell = finish(rng, pick(rng, DARKS + WHITES[:1] + METALS[:2]), p_texture=0.3, p_stripes=0.0)
    screen = pick(rng, [(0.05, 0.06, 0.08), (0.1, 0.12, 0.18), (0.15, 0.2, 0.3), (0.2, 0.25, 0.35)])
    aspect = float(rng.choice([4 / 3, 16 / 10, 16 / 9, 16 / 9, 21 / 9])) if kind != "crt" else u(rng, 1.2, 1.4)
    sw = u(rng, 0.45, 0.75)
    sh = sw / aspect
    thick = u(rng, 0.012, 0.035)
    bez = u(rng, 0.01, 0.035)
    stand_h = {"monitor": u(rng, 0.06, 0.2), "tv_feet": u(rng, 0.03, 0.1), "tv_pedestal": u(rng, 0.05, 0.12), "crt": 0.0,
               "all_in_one": u(rng, 0.08, 0.16), "panel": 0.0}[kind]
    chin = sh * u(rng, 0.12, 0.22) if kind == "all_in_one" else 0.0
    yc = stand_h + (sh + chin) / 2 + bez
    tilt = u(rng, -0.12, 0.04)
    R = rot_z(tilt)
    if kind == "all_in_one":
        thick = u(rng, 0.03, 0.06)
    parts = [box((0, yc, 0), (thick, sh + chin + 2 * bez, sw + 2 * bez), shell, R)]
    parts.append(box(np.array([0, yc + chin / 2, 0]) + R @ np.array([thick / 2 + 0.003, 0, 0]), (0.006, sh, sw), screen, R))
    if kind == "crt":
        depth = sw * u(rng, 0.5, 0.8)
        back = [(-thick / 2, yc - sh / 2, -sw / 2), (-thick / 2, yc - sh / 2, sw / 2), (-thick / 2, yc + sh / 2, -sw / 2), (-thick / 2, yc + sh / 2, sw / 2),
                (-depth, yc - sh / 4, -sw / 4), (-depth, yc - sh / 4, sw / 4), (-depth, yc + sh / 4, -sw / 4), (-depth, yc + sh / 4, sw / 4)]
        parts.append(hull(back, shell))
        return parts
    if kind == "panel":  # wall panel or a bare screen without a stand
        if chance(rng, 0.5):
            parts.append(box((-thick, yc, 0), (thick * 1.2, sh * 0.5, sw * 0.5), shell))
        return parts
    base_d = u(rng, 0.15, 0.25)
    if kind == "monitor":
        base_w = u(rng, 0.2, 0.35)
        if chance(rng, 0.3):
            parts.append(box((-thick, yc - sh * 0.1, 0), (thick * 1.2, sh * 0.5, sw * 0.5), shell))
        if chance(rng, 0.5):
            parts.append(box((-thick, (yc - sh * 0.2) / 2 + 0.005, 0), (0.035, yc - sh * 0.2, 0.06), shell))
        else:
            parts.append(box((-thick * 1.5, (yc - sh * 0.2) / 2 + 0.005, 0), (0.02, yc - sh * 0.2, base_w * 0.5), shell, rot_z(0.15)))
        parts.append(box((-thick * 0.5, 0.01, 0), (base_d, 0.02, base_w), shell))
    elif kind == "tv_feet":
        for sz in (-1, 1):
            z = sz * sw * u(rng, 0.3, 0.42)
            parts.append(box((0, (yc - sh / 2) / 2 + 0.01, z), (0.02, yc - sh / 2, 0.03), shell))
            parts.append(box((0, 0.01, z), (base_d, 0.02, 0.05), shell))
    elif kind == "tv_pedestal":
        parts.append(box((-thick * 0.5, (yc - sh / 2) / 2 + 0.005, 0), (0.03, yc - sh / 2 + 0.01, sw * 0.12), shell))
        parts.append(box((-thick * 0.5, 0.012, 0), (base_d, 0.024, sw * u(rng, 0.3, 0.55)), shell))
    else:  # all-in-one: a slanted foot plate behind
        foot = u(rng, 0.15, 0.22)
        parts.append(box((-thick / 2 - foot * 0.35, (yc - sh * 0.2) / 2, 0), (0.02, yc - sh * 0.2 + 0.02, sw * 0.3), shell, rot_z(0.35)))
        parts.append(box((-foot * 0.3, 0.01, 0), (foot, 0.02, sw * 0.3), shell))
    return parts


# ================================================================== speakers
SPEAKER_KINDS = {"tower": 0.36, "bookshelf": 0.27, "cube": 0.05, "centre": 0.13, "round": 0.1, "soundbar": 0.09}
# (height range, (width / height, depth / height) ranges) of the box-shaped kinds; "cube" is a subwoofer
BOX_SPEAKER_SIZES: dict[str, tuple[Range, tuple[Range, ...]]] = {
    "tower": ((0.8, 1.2), ((0.16, 0.28), (0.22, 0.36))),
    "bookshelf": ((0.28, 0.4), ((0.5, 0.72), (0.45, 0.8))),
    "cube": ((0.3, 0.45), ((0.9, 1.05), (0.85, 1.05))),
}
CENTRE_SIZE: tuple[Range, tuple[Range, ...]] = ((0.45, 0.7), ((0.28, 0.42), (0.35, 0.55)))  # width, (h / w, d / w)


def _sized(rng: Rng, main: Range, ratios: tuple[Range, ...]) -> tuple[float, tuple[float, ...]]:
    """One main dimension drawn from ``main`` and the others as drawn fractions of it, in order
    (the draw order is part of the data set: the same seed gives the same objects)."""
    size = u(rng, *main)
    return size, tuple(size * u(rng, *r) for r in ratios)


def speaker(rng: Rng) -> list[Part]:
    kind = choose(rng, SPEAKER_KINDS)
    body = wood(rng) if chance(rng, 0.4) else finish(rng, pick(rng, DARKS + WHITES[:1] + [(0.5, 0.5, 0.52)]), p_texture=0.4, p_stripes=0.05)
    cone_col = pick(rng, DARKS + METALS[:2])
    grille = mottled(rng, pick(rng, DARKS), (0.1, 0.2)) if chance(rng, 0.4) else None
    if kind == "round":  # smart / portable speaker: a cylinder or a capsule
        r = u(rng, 0.05, 0.1)
        h = r * u(rng, 1.6, 3.2)
        parts = [cylinder((0, 0, 0), (0, h, 0), r, grille or body)]
        if chance(rng, 0.5):
            parts.append(ellipsoid((0, h, 0), (r, r * 0.35, r), shade(body, 0.9)))
        return parts
    if kind == "soundbar":
        w = u(rng, 0.7, 1.1)
        h, d = w * u(rng, 0.07, 0.12), w * u(rng, 0.08, 0.14)
        parts = [box((0, h / 2, 0), (d, h, w), grille or body)]
        for sz in (-1, 1):
            parts.append(frustum((d / 2 - 0.005, h / 2, sz * w * 0.3), (d / 2 + 0.006, h / 2, sz * w * 0.3), h * 0.35, h * 0.28, cone_col))
        return parts
    if kind == "centre":  # centre channel: lying down, wider than tall
        w, (h, d) = _sized(rng, *CENTRE_SIZE)
    else:
        h, (w, d) = _sized(rng, *BOX_SPEAKER_SIZES[kind])
    stand = u(rng, 0.03, 0.08) * h if kind == "tower" and chance(rng, 0.4) else 0.0
    parts = [box((0, stand + h / 2, 0), (d, h, w), body)]
    if stand:
        parts.append(box((0, stand / 2, 0), (d * 1.15, stand, w * 1.25), cone_col))
    if grille is not None and kind != "cube":
        parts.append(box((d / 2 + 0.004, stand + h / 2, 0), (0.008, h * 0.92, w * 0.9), grille))
        return parts
    if kind == "cube":
        drivers = [(h / 2, w * 0.38)]
    elif kind == "centre":
        drivers = [(h / 2, h * 0.3)]
        for sz in (-1, 1):
            parts.append(frustum((d / 2 - 0.01, stand + h / 2, sz * w * 0.3), (d / 2 + 0.012, stand + h / 2, sz * w * 0.3), h * 0.32, h * 0.24, cone_col))
    else:
        n = 2 if kind == "bookshelf" else int(rng.integers(3, 5))
        drivers = []
        y = h - w * 0.2
        for k in range(n):
            rr = w * (0.18 if k == 0 else 0.32)
            y -= rr + (0.01 if k else 0)
            drivers.append((y, rr))
            y -= rr + 0.02
            if y < rr:
                break
    for y, rr in drivers:
        parts.append(frustum((d / 2 - 0.01, stand + y, 0), (d / 2 + 0.012, stand + y, 0), rr, rr * 0.75, cone_col))
    return parts


# ================================================================== telephones
PHONE_KINDS = {"smart": 0.8, "candybar": 0.07, "flip": 0.04, "cordless": 0.07, "desk": 0.02}
# (height range, (width / height, thickness / height) ranges) of the hand-held kinds:
# a flip phone is a closed clamshell (a thicker slab), a cordless handset long, narrow and thick
HANDSET_SIZES: dict[str, tuple[Range, tuple[Range, ...]]] = {
    "smart": ((0.12, 0.17), ((0.45, 0.56), (0.035, 0.06))),
    "candybar": ((0.1, 0.13), ((0.38, 0.48), (0.12, 0.18))),
    "flip": ((0.085, 0.1), ((0.48, 0.55), (0.17, 0.22))),
    "cordless": ((0.15, 0.2), ((0.25, 0.32), (0.12, 0.16))),
}


def telephone(rng: Rng) -> list[Part]:
    kind = choose(rng, PHONE_KINDS)
    shell = finish(rng, pick(rng, DARKS + WHITES + METALS[:1] + [(0.6, 0.1, 0.1), (0.1, 0.2, 0.5), (0.85, 0.75, 0.6)]), p_texture=0.2, p_stripes=0.0)
    screen = pick(rng, [(0.03, 0.03, 0.05), (0.08, 0.1, 0.14), (0.12, 0.16, 0.25)])
    if kind == "desk":  # a desk phone: wedge body, handset on top, keypad facing +x
        w, d = u(rng, 0.18, 0.25), u(rng, 0.16, 0.22)
        h0, h1 = u(rng, 0.03, 0.05), u(rng, 0.07, 0.1)
        body = [(-d / 2, 0, -w / 2), (-d / 2, 0, w / 2), (d / 2, 0, -w / 2), (d / 2, 0, w / 2),
                (-d / 2, h1, -w / 2), (-d / 2, h1, w / 2), (d / 2, h0, -w / 2), (d / 2, h0, w / 2)]
        parts = [hull(body, shell)]
        slope = math.atan2(h1 - h0, d)
        hx = -d * 0.25
        top = h1 + (h0 - h1) * (hx + d / 2) / d
        parts.append(box((hx, top + 0.012, 0), (0.05, 0.03, w * 0.9), shade(shell, 0.85), rot_z(-slope)))
        return parts
    h, (w, t) = _sized(rng, *HANDSET_SIZES[kind])
    tilt = u(rng, -0.05, 0.05)
    R = rot_z(tilt)
    parts = [box((0, 0, 0), (t, h, w), shell, R)]
    screen_h = h * (0.88 if kind == "smart" else 0.35)
    screen_y = 0.0 if kind == "smart" else h * 0.22
    parts.append(box(R @ np.array([t / 2 + 0.0008, screen_y, 0.0]), (0.0016, screen_h, w * 0.88), screen, R))
    if kind != "smart":
        for k in range(4):
            for j in range(3):
                parts.append(box(R @ np.array([t / 2 + 0.001, -h * 0.05 - k * h * 0.09, (j - 1) * w * 0.27]), (0.003, h * 0.06, w * 0.2), shade(shell, 0.6), R))
    if kind == "cordless" or (kind == "candybar" and chance(rng, 0.4)):  # antenna
        parts.append(cylinder(R @ np.array([0, h / 2, w * 0.3]), R @ np.array([0, h / 2 + u(rng, 0.015, 0.04), w * 0.3]), 0.005, DARKS[0]))
    return parts


__all__ = ["DISPLAY_KINDS", "PHONE_KINDS", "SPEAKER_KINDS", "WOODS", "display", "speaker", "telephone"]
