"""Chairs and tables: sub-types with their own proportions, in the canonical pose.

Chairs have their back at low x and the seat opening toward +x, width along z; tables have
their length along z. Sizes are in metres. The sub-type weights and size ranges are set so
that a generated set's class-mean voxel grid matches the real ShapeNetVox32 statistics
(``real_stats``): real chairs and tables vary so much that almost no voxel is occupied in
half of them, and chairs are fuller than a plain side chair because armchairs and club
chairs are common.
"""

from __future__ import annotations

import math

import numpy as np

from core.synth.kit import (
    DARKS,
    FABRICS,
    LEATHERS,
    METALS,
    WHITES,
    Range,
    Rng,
    chance,
    choose,
    finish,
    four_legs,
    mottled,
    pick,
    shade,
    star_base,
    u,
    wood,
)
from core.synth.parts import Part, box, cylinder, rot_z

# ================================================================== chairs
CHAIR_KINDS = {"side": 0.3, "armchair": 0.2, "office": 0.14, "cantilever": 0.07, "stool": 0.11, "club": 0.08, "lounge": 0.07, "row": 0.03}


def _upholstery(rng: Rng):
    return mottled(rng, pick(rng, FABRICS + LEATHERS))


def _frame(rng: Rng):
    return wood(rng) if chance(rng, 0.6) else pick(rng, METALS + DARKS)


def _back(rng: Rng, x_back: float, y_seat: float, height: float, width: float, thick: float, tilt: float, seat_col, frame) -> list[Part]:
    """A chair back standing on the seat's rear edge at ``x_back``, leaning back by ``tilt``:
    solid panel, slats between two posts, or a framed panel."""
    R = rot_z(tilt)
    cx = x_back + thick / 2 - math.sin(tilt) * height / 2
    cy = y_seat + height / 2 * math.cos(tilt) - 0.01
    style = choose(rng, {"solid": 0.55, "slats": 0.25, "frame": 0.2})
    if style == "solid":
        return [box((cx, cy, 0), (thick, height, width), seat_col, R)]
    posts_w = max(0.03, width * 0.07)
    parts = [box((cx, cy, sz * (width / 2 - posts_w / 2)), (thick, height, posts_w), frame, R) for sz in (-1, 1)]
    top_h = u(rng, 0.05, 0.14)
    parts.append(box(np.array([cx, cy, 0]) + R @ np.array([0, height / 2 - top_h / 2, 0]), (thick, top_h, width), seat_col, R))
    if style == "slats":
        n = int(rng.integers(2, 6))
        for k in range(n):
            z = -width / 2 + posts_w + (width - 2 * posts_w) * (k + 0.5) / n
            parts.append(box((cx, cy - top_h / 2, z), (thick * 0.7, height - top_h, 0.025), frame, R))
    else:
        parts.append(box(np.array([cx, cy, 0]) + R @ np.array([0, -height * 0.1, 0]), (thick * 0.6, height * 0.3, width), seat_col, R))
    return parts


def side_chair(rng: Rng) -> list[Part]:
    """A plain four-legged dining or kitchen chair."""
    frame = _frame(rng)
    seat_col = _upholstery(rng) if chance(rng, 0.5) else frame
    w, d, h, t = u(rng, 0.4, 0.54), u(rng, 0.38, 0.56), u(rng, 0.4, 0.5), u(rng, 0.03, 0.06)
    leg_r = u(rng, 0.012, 0.022)
    parts = [box((0, h - t / 2, 0), (d, t, w), seat_col)]
    ix, iz = u(rng, 0.01, 0.07), u(rng, 0.01, 0.07)  # legs set in by different amounts, so feet do not line up across chairs
    legs = four_legs(d / 2 - leg_r - ix, w / 2 - leg_r - iz, h - t + 0.005, leg_r, frame, rng, square=chance(rng, 0.5), splay=u(rng, 0.0, 0.05))
    if chance(rng, 0.4):  # rear legs kicked back, as on many dining chairs: the back no longer marks the rear edge
        kick = u(rng, 0.04, 0.12)
        legs = legs[2:]  # four_legs lists the two rear (low x) legs first
        for sz in (-1, 1):
            z = sz * (w / 2 - leg_r - iz)
            legs.append(cylinder((-d / 2 + leg_r + ix, h - t, z), (-d / 2 - kick, 0.0, z), leg_r, frame))
    parts += legs
    if chance(rng, 0.35):  # stretchers
        yy = u(rng, 0.08, 0.2)
        for sz in (-1, 1):
            parts.append(box((0, yy, sz * (w / 2 - leg_r - iz)), (d - leg_r * 2 - 2 * ix, leg_r * 1.3, leg_r * 1.3), frame))
    parts += _back(rng, -d / 2, h, u(rng, 0.25, 0.75), w * u(rng, 0.85, 1.0), u(rng, 0.025, 0.06), u(rng, 0.0, 0.2), seat_col, frame)
    return parts


def armchair(rng: Rng) -> list[Part]:
    """An upholstered armchair on legs: cushion seat, padded back, arms on posts or panels."""
    fabric = _upholstery(rng)
    frame = _frame(rng)
    w, d = u(rng, 0.55, 0.72), u(rng, 0.52, 0.7)
    h, t = u(rng, 0.38, 0.48), u(rng, 0.05, 0.14)
    parts = [box((0, h - t / 2, 0), (d, t, w), fabric)]
    leg_r = u(rng, 0.015, 0.03)
    parts += four_legs(d / 2 - u(rng, 0.02, 0.1), w / 2 - u(rng, 0.02, 0.1), h - t + 0.005, leg_r, frame, rng, square=chance(rng, 0.5), splay=u(rng, 0.0, 0.04))
    bt = u(rng, 0.06, 0.14)
    back_h = u(rng, 0.4, 0.75)
    parts.append(box((-d / 2 + bt / 2 - 0.02, h + back_h / 2 - 0.02, 0), (bt, back_h, w), fabric, rot_z(u(rng, 0.0, 0.15))))
    arm_w = u(rng, 0.05, 0.12)
    arm_top = h + u(rng, 0.16, 0.26)
    panel = chance(rng, 0.5)
    for sz in (-1, 1):
        z = sz * (w / 2 + arm_w / 2 - 0.01)
        if panel:  # upholstered side from below the seat to the arm top
            y0 = h - t - u(rng, 0.0, 0.12)
            parts.append(box((0, (y0 + arm_top) / 2, z), (d, arm_top - y0, arm_w), fabric))
        else:
            parts.append(box((0, arm_top - 0.02, z), (d * u(rng, 0.85, 1.0), 0.04, arm_w), frame))
            parts.append(box((d / 2 - 0.05, (h + arm_top) / 2 - 0.02, z), (0.04, arm_top - h, 0.04), frame))
    return parts


def office_chair(rng: Rng) -> list[Part]:
    """A swivel chair: five-star base on castors, gas column, padded seat and tall back."""
    pad = mottled(rng, pick(rng, DARKS + FABRICS[:2] + LEATHERS[:2]))
    metal = pick(rng, DARKS + METALS[:2])
    w, d = u(rng, 0.46, 0.54), u(rng, 0.44, 0.52)
    h, t = u(rng, 0.45, 0.55), u(rng, 0.06, 0.1)
    parts = [box((0, h - t / 2, 0), (d, t, w), pad)]
    parts.append(cylinder((0, 0.07, 0), (0, h - t + 0.01, 0), u(rng, 0.02, 0.035), metal))
    parts += star_base(0.07, u(rng, 0.27, 0.34), 5, metal, 0.022)
    back_h = u(rng, 0.4, 0.7)
    gap = u(rng, 0.04, 0.1)
    bt = u(rng, 0.04, 0.08)
    tilt = u(rng, 0.05, 0.22)
    bx = -d / 2 + bt / 2 - math.sin(tilt) * (gap + back_h / 2)
    parts.append(box((bx, h + gap + back_h / 2, 0), (bt, back_h, w * u(rng, 0.8, 1.0)), pad, rot_z(tilt)))
    parts.append(box((-d / 2 + 0.01, h + gap / 2, 0), (0.03, gap + 0.04, 0.06), metal))  # back support
    if chance(rng, 0.6):  # arms: post and pad
        arm_top = h + u(rng, 0.18, 0.25)
        for sz in (-1, 1):
            z = sz * (w / 2 + 0.03)
            parts.append(box((0, (h + arm_top) / 2 - 0.02, z), (0.04, arm_top - h, 0.03), metal))
            parts.append(box((0.02, arm_top, z), (d * 0.55, 0.03, 0.06), pad))
    return parts


def cantilever_chair(rng: Rng) -> list[Part]:
    """A tubular cantilever frame: floor runners, front uprights, no back legs."""
    metal = pick(rng, METALS + DARKS)
    seat_col = wood(rng) if chance(rng, 0.4) else mottled(rng, pick(rng, FABRICS + LEATHERS))
    w, d, h = u(rng, 0.42, 0.5), u(rng, 0.42, 0.5), u(rng, 0.43, 0.47)
    r = u(rng, 0.011, 0.016)
    t = u(rng, 0.02, 0.05)
    front = d / 2 + u(rng, 0.02, 0.08)
    parts = [box((0, h - t / 2, 0), (d, t, w), seat_col)]
    back_h = u(rng, 0.35, 0.5)
    tilt = u(rng, 0.05, 0.2)
    top = np.array([-d / 2 - math.sin(tilt) * back_h, h + back_h * math.cos(tilt), 0.0])
    for sz in (-1, 1):
        z = sz * (w / 2 - r)
        parts.append(cylinder((-d / 2 + 0.02, r, z), (front, r, z), r, metal))  # runner
        parts.append(cylinder((front, r, z), (d / 2 - 0.02, h - t, z), r, metal))  # upright
        parts.append(cylinder((d / 2, h - t, z), (-d / 2, h - t, z), r, metal))  # seat rail
        parts.append(cylinder((-d / 2, h - t, z), top + np.array([0, 0, z]), r, metal))  # back post
    bt = u(rng, 0.02, 0.05)
    parts.append(box((-d / 2 - math.sin(tilt) * back_h * 0.6, h + back_h * 0.6 * math.cos(tilt), 0), (bt, back_h * 0.6, w), seat_col, rot_z(tilt)))
    return parts


def stool_with_back(rng: Rng) -> list[Part]:
    """A bar or counter stool: high seat on legs or a column, footrest, low back."""
    frame = _frame(rng)
    seat_col = _upholstery(rng) if chance(rng, 0.5) else frame
    h = u(rng, 0.6, 0.8)
    t = u(rng, 0.03, 0.07)
    round_seat = chance(rng, 0.5)
    r = u(rng, 0.17, 0.22)
    w = d = 2 * r
    parts = [cylinder((0, h - t, 0), (0, h, 0), r, seat_col) if round_seat else box((0, h - t / 2, 0), (d, t, w), seat_col)]
    if chance(rng, 0.6):
        leg_r = u(rng, 0.012, 0.02)
        off = r * 0.62
        parts += four_legs(off, off, h - t + 0.005, leg_r, frame, rng, square=chance(rng, 0.4), splay=u(rng, 0.02, 0.07))
        yy = u(rng, 0.22, 0.32)
        for sz in (-1, 1):
            parts.append(box((0, yy, sz * (off + 0.03)), (2 * off + 0.06, leg_r * 1.5, leg_r * 1.5), frame))
            parts.append(box((sz * (off + 0.03), yy, 0), (leg_r * 1.5, leg_r * 1.5, 2 * off + 0.06), frame))
    else:
        metal = pick(rng, METALS + DARKS)
        parts.append(cylinder((0, 0.02, 0), (0, h - t + 0.01, 0), u(rng, 0.025, 0.04), metal))
        parts.append(cylinder((0, 0.0, 0), (0, 0.03, 0), r * u(rng, 0.8, 1.1), metal))
        parts.append(cylinder((0, 0.26, 0), (0, 0.28, 0), r * 0.75, metal))
    back_h = u(rng, 0.18, 0.35)
    parts += _back(rng, -d / 2, h, back_h, w * u(rng, 0.7, 0.95), u(rng, 0.025, 0.05), u(rng, 0.05, 0.2), seat_col, frame)
    return parts


def club_chair(rng: Rng) -> list[Part]:
    """A sofa-like club chair: one upholstered block with thick arms and back."""
    fabric = _upholstery(rng)
    cushion = fabric if chance(rng, 0.6) else shade(fabric, 1.15)
    w, d = u(rng, 0.72, 0.92), u(rng, 0.72, 0.9)
    leg_h = u(rng, 0.0, 0.15)
    seat = u(rng, 0.36, 0.44)
    total = u(rng, 0.72, 1.0)
    arm_w = u(rng, 0.08, 0.16)
    arm_top = u(rng, 0.5, 0.64)
    bt = u(rng, 0.1, 0.2)
    y0 = leg_h
    parts = [box((-0.02, (y0 + seat - 0.08) / 2, 0), (d - 0.06, seat - 0.08 - y0, w - 0.04), fabric)]
    parts.append(box((bt / 2, seat - 0.04, 0), (d - bt, 0.09, w - 2 * arm_w), cushion))
    parts.append(box((-d / 2 + bt / 2, (y0 + total) / 2, 0), (bt, total - y0, w), fabric, rot_z(u(rng, 0.0, 0.08))))
    for sz in (-1, 1):
        parts.append(box((0, (y0 + arm_top) / 2, sz * (w / 2 - arm_w / 2)), (d, arm_top - y0, arm_w), fabric))
    if leg_h > 0.03:
        parts += four_legs(d / 2 - 0.06, w / 2 - 0.06, y0 + 0.01, 0.025, wood(rng) if chance(rng, 0.6) else pick(rng, DARKS), rng, square=chance(rng, 0.5))
    else:
        y_plinth = max(leg_h, 0.02)
        parts.append(box((0, y_plinth / 2, 0), (d - 0.05, y_plinth, w - 0.05), pick(rng, DARKS)))
    return parts


def lounge_chair(rng: Rng) -> list[Part]:
    """A low, deep, reclined lounge chair on a sled or four short legs: deeper than tall."""
    fabric = _upholstery(rng)
    frame = _frame(rng)
    w, d = u(rng, 0.6, 0.8), u(rng, 0.7, 0.95)
    h, t = u(rng, 0.28, 0.38), u(rng, 0.08, 0.14)
    recline = u(rng, 0.05, 0.15)  # the seat tips back
    parts = [box((0, h - t / 2, 0), (d, t, w), fabric, rot_z(-recline))]
    back_h = u(rng, 0.45, 0.7)
    tilt = u(rng, 0.35, 0.6)
    bt = u(rng, 0.07, 0.14)
    y_back = h - math.sin(recline) * d / 2
    parts.append(box((-d / 2 - math.sin(tilt) * back_h / 2 + bt / 2, y_back + math.cos(tilt) * back_h / 2 - 0.03, 0), (bt, back_h, w), fabric, rot_z(tilt)))
    if chance(rng, 0.5):
        for sz in (-1, 1):
            z = sz * (w / 2 - 0.02)
            parts.append(cylinder((-d / 2, 0.015, z), (d / 2, 0.015, z), 0.015, frame))
            parts.append(cylinder((-d / 2 + 0.05, 0.015, z), (-d / 2 + 0.05, y_back - t, z), 0.015, frame))
            parts.append(cylinder((d / 2 - 0.08, 0.015, z), (d / 2 - 0.08, h - t, z), 0.015, frame))
    else:
        parts += four_legs(d / 2 - 0.06, w / 2 - 0.05, h - t - 0.02, u(rng, 0.015, 0.025), frame, rng, square=chance(rng, 0.5), splay=u(rng, 0.0, 0.05))
    return parts


def seat_row(rng: Rng) -> list[Part]:
    """Two or three upholstered seats side by side (waiting-room or loveseat style): ShapeNet's
    chair class holds such rows, the only chairs whose length runs along z."""
    fabric = _upholstery(rng)
    n = int(rng.choice([2, 3]))
    sw, d = u(rng, 0.5, 0.62), u(rng, 0.5, 0.65)
    h, t = u(rng, 0.4, 0.46), u(rng, 0.08, 0.14)
    back_h = u(rng, 0.3, 0.45)
    bt = u(rng, 0.08, 0.14)
    L = n * sw
    parts = []
    for k in range(n):
        z = -L / 2 + sw * (k + 0.5)
        parts.append(box((0, h - t / 2, z), (d, t, sw - 0.01), fabric))
        parts.append(box((-d / 2 + bt / 2, h + back_h / 2 - 0.02, z), (bt, back_h, sw - 0.01), fabric))
    parts.append(box((0, (h - t) / 2 + 0.04, 0), (d * 0.9, h - t - 0.08, L * 0.98), shade(fabric, 0.85)))
    arm_top = h + u(rng, 0.12, 0.22)
    for sz in (-1, 1):
        parts.append(box((0, arm_top / 2, sz * (L / 2 + 0.04)), (d, arm_top, 0.08), fabric))
    return parts


CHAIRS = {"row": seat_row, "lounge": lounge_chair, "side": side_chair, "armchair": armchair, "office": office_chair, "cantilever": cantilever_chair, "stool": stool_with_back, "club": club_chair}


def chair(rng: Rng) -> list[Part]:
    return CHAIRS[choose(rng, CHAIR_KINDS)](rng)


# ================================================================== tables
TABLE_KINDS = {"dining": 0.3, "square": 0.05, "coffee": 0.22, "pedestal": 0.08, "round_legs": 0.06, "trestle": 0.07, "desk": 0.12, "side": 0.04}


def _top_material(rng: Rng):
    return wood(rng) if chance(rng, 0.6) else finish(rng, pick(rng, WHITES + [(0.2, 0.2, 0.2), (0.6, 0.7, 0.75)]), p_texture=0.4, p_stripes=0.0)


def _leg_material(rng: Rng, top):
    return top if chance(rng, 0.5) else (wood(rng) if chance(rng, 0.4) else pick(rng, METALS + DARKS))


def _slab_top(rng: Rng, length: Range, depth_ratio: Range, height: Range, thickness: Range, material) -> tuple[float, float, float, float, Part]:
    """A rectangular top: length L, depth D (a fraction of L), height h, thickness t drawn in that
    order (the draw order is part of the data set), and the slab itself."""
    L = u(rng, *length)
    D = L * u(rng, *depth_ratio)
    h = u(rng, *height)
    t = u(rng, *thickness)
    return L, D, h, t, box((0, h - t / 2, 0), (D, t, L), material)


def _rect_legs(rng: Rng, L: float, D: float, h: float, t: float, top, legs) -> list[Part]:
    leg_r = u(rng, 0.015, 0.035)
    # overhangs vary along each side independently, so legs do not line up across tables
    ix, iz = D * u(rng, 0.03, 0.32), L * u(rng, 0.02, 0.3)
    parts = four_legs(D / 2 - ix, L / 2 - iz, h - t + 0.005, leg_r, legs, rng, square=chance(rng, 0.6), splay=u(rng, 0.0, 0.06))
    if chance(rng, 0.5):  # apron
        parts.append(box((0, h - t - 0.04, 0), (D - 2 * ix, 0.08, L - 2 * iz), legs))
    if chance(rng, 0.25):  # lower shelf
        parts.append(box((0, h * u(rng, 0.15, 0.3), 0), (D - 2 * ix, 0.02, L - 2 * iz), top))
    return parts


def dining_table(rng: Rng, L=None, D=None, h=None) -> list[Part]:
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    L = L or u(rng, 1.2, 2.2)
    D = D or L * u(rng, 0.4, 0.75)
    h = h or u(rng, 0.72, 0.78)
    t = u(rng, 0.025, 0.06)
    return [box((0, h - t / 2, 0), (D, t, L), top)] + _rect_legs(rng, L, D, h, t, top, legs)


def square_table(rng: Rng) -> list[Part]:
    s = u(rng, 0.75, 1.0)
    return dining_table(rng, L=s, D=s * u(rng, 0.9, 1.0), h=u(rng, 0.72, 0.76))


def coffee_table(rng: Rng) -> list[Part]:
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    L, h = u(rng, 0.9, 1.4), u(rng, 0.35, 0.48)
    D = L * u(rng, 0.45, 0.7)
    t = u(rng, 0.03, 0.07)
    parts = [box((0, h - t / 2, 0), (D, t, L), top)]
    if chance(rng, 0.75):
        parts += _rect_legs(rng, L, D, h, t, top, legs)
    else:  # two slab ends and a shelf
        for sz in (-1, 1):
            parts.append(box((0, (h - t) / 2, sz * (L / 2 - u(rng, 0.04, 0.2))), (D * 0.9, h - t + 0.01, u(rng, 0.03, 0.07)), legs))
        if chance(rng, 0.6):
            parts.append(box((0, h * 0.2, 0), (D * 0.9, 0.025, L - 0.1), top))
    return parts


def pedestal_table(rng: Rng) -> list[Part]:
    """One central column: round bistro / dining tables, sometimes a rectangular top."""
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    h = u(rng, 0.7, 0.77)
    t = u(rng, 0.025, 0.05)
    if chance(rng, 0.75):
        r = u(rng, 0.45, 0.7)
        parts = [cylinder((0, h - t, 0), (0, h, 0), r, top)]
        foot = r
    else:
        L = u(rng, 0.9, 1.4)
        D = L * u(rng, 0.5, 0.75)
        parts = [box((0, h - t / 2, 0), (D, t, L), top)]
        foot = D / 2
    parts.append(cylinder((0, 0.02, 0), (0, h - t + 0.005, 0), u(rng, 0.035, 0.08), legs))
    if chance(rng, 0.5):
        parts.append(cylinder((0, 0, 0), (0, 0.035, 0), foot * u(rng, 0.45, 0.7), legs))
    else:
        parts += star_base(0.04, foot * 0.65, int(rng.choice([3, 4])), legs, 0.03)
    return parts


def round_legs_table(rng: Rng) -> list[Part]:
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    h = u(rng, 0.45, 0.76)
    r = u(rng, 0.35, 0.6)
    t = u(rng, 0.025, 0.05)
    parts = [cylinder((0, h - t, 0), (0, h, 0), r, top)]
    n = int(rng.choice([3, 4]))
    lr = u(rng, 0.015, 0.03)
    turn = u(rng, 0.0, 2 * math.pi)
    spread = u(rng, 0.45, 0.8)
    for k in range(n):
        a = 2 * math.pi * k / n + turn
        rr = r * spread
        parts.append(cylinder((rr * 1.15 * math.cos(a), 0, rr * 1.15 * math.sin(a)), (rr * math.cos(a), h - t + 0.005, rr * math.sin(a)), lr, legs))
    return parts


def trestle_table(rng: Rng) -> list[Part]:
    """Two trestles (a post on a foot, under a cross bar) joined by a stretcher."""
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    L, D, h, t, slab = _slab_top(rng, (1.3, 2.2), (0.4, 0.55), (0.72, 0.78), (0.03, 0.06), top)
    inset = u(rng, 0.1, 0.4)
    parts = [slab]
    for sz in (-1, 1):
        z = sz * (L / 2 - inset)
        if chance(rng, 0.5):
            parts.append(box((0, (h - t) / 2, z), (u(rng, 0.05, 0.12), h - t + 0.01, 0.06), legs))
        else:  # an X of two crossed boards
            a = math.atan2(D * 0.8, h - t)
            for s in (-1, 1):
                parts.append(box((0, (h - t) / 2, z), (0.05, (h - t) / math.cos(a), 0.05), legs, rot_z(s * a)))
        parts.append(box((0, 0.025, z), (D * u(rng, 0.55, 0.85), 0.05, 0.07), legs))
        parts.append(box((0, h - t - 0.025, z), (D * 0.85, 0.05, 0.07), legs))
    parts.append(box((0, h * u(rng, 0.3, 0.65), 0), (0.05, 0.05, L - 2 * inset), legs))
    return parts


def desk(rng: Rng) -> list[Part]:
    """A desk: panel sides or a drawer pedestal, often a modesty panel at the back."""
    top = _top_material(rng)
    body = top if chance(rng, 0.6) else pick(rng, WHITES + DARKS + METALS[:2])
    L, D, h, t, slab = _slab_top(rng, (1.1, 1.7), (0.4, 0.6), (0.72, 0.77), (0.025, 0.05), top)
    parts = [slab]
    style = choose(rng, {"panels": 0.3, "pedestal": 0.35, "legs": 0.35})
    if style == "legs":
        parts += _rect_legs(rng, L, D, h, t, top, body)
    elif style == "panels":
        inset = u(rng, 0.03, 0.2)
        for sz in (-1, 1):
            parts.append(box((0, (h - t) / 2, sz * (L / 2 - inset)), (D * 0.9, h - t + 0.01, 0.03), body))
    else:
        side = 1 if chance(rng, 0.5) else -1
        pw = u(rng, 0.35, 0.5)
        parts.append(box((u(rng, 0.0, 0.1) * D, (h - t) / 2, side * (L / 2 - pw / 2 - u(rng, 0.01, 0.08))), (D * u(rng, 0.7, 0.9), h - t + 0.01, pw), body))
        parts += [box((0, (h - t) / 2, -side * (L / 2 - 0.04)), (0.04, h - t + 0.01, 0.04), body),
                  box((D / 2 - 0.06, (h - t) / 2, -side * (L / 2 - 0.04)), (0.04, h - t + 0.01, 0.04), body)]
    if style != "legs" and chance(rng, 0.5):
        parts.append(box((-D / 2 + 0.03, h * 0.65, 0), (0.015, h * 0.35, L * 0.8), body))
    return parts


def side_table(rng: Rng) -> list[Part]:
    """A small end or night table, about as tall as it is long."""
    top = _top_material(rng)
    legs = _leg_material(rng, top)
    L, D, h, t, slab = _slab_top(rng, (0.45, 0.65), (0.7, 1.0), (0.5, 0.65), (0.02, 0.04), top)
    parts = [slab]
    parts += four_legs(D / 2 - 0.04, L / 2 - 0.04, h - t + 0.005, u(rng, 0.015, 0.03), legs, rng, square=chance(rng, 0.6))
    if chance(rng, 0.6):
        parts.append(box((0, h * u(rng, 0.2, 0.4), 0), (D - 0.06, 0.02, L - 0.06), top))
    return parts


TABLES = {"dining": dining_table, "square": square_table, "coffee": coffee_table, "pedestal": pedestal_table, "round_legs": round_legs_table,
          "trestle": trestle_table, "desk": desk, "side": side_table}


def table(rng: Rng) -> list[Part]:
    return TABLES[choose(rng, TABLE_KINDS)](rng)
