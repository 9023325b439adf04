"""One small generator per ShapeNet class: ``rng -> list[Part]`` in the canonical pose.

Canonical pose (as measured on the real class means): +y up, objects face +x (airplane nose
and boat bow at +x, chair back at low x with the seat opening to +x, screens facing +x, car
and rifle length along x, sofa and bench length along z). Sizes are in rough metres; the
writer normalises every object to a unit bounding-box diagonal afterwards and widens
any part thinner than 1.5 voxels of the 32³ grid (``writer.MIN_PART_VOXELS``), so thin parts
may be drawn at their real size here.

Variety is deliberate: proportions, part counts, optional parts and sub-types all vary per
object, and every part's colour comes from a class-plausible palette with jitter, so that a
classifier and a reconstructor have something to learn.
"""

from __future__ import annotations

import colorsys
import math
from typing import Callable

import numpy as np

from core.synth.parts import (
    Part,
    box,
    cylinder,
    ellipsoid,
    extrude_xy,
    extrude_xz,
    frustum,
    hull,
    rot_x,
    rot_y,
    rot_z,
    sphere,
)

Rng = np.random.Generator

# ---------------------------------------------------------------- colours
WOODS = [(0.55, 0.36, 0.2), (0.7, 0.5, 0.3), (0.4, 0.25, 0.14), (0.82, 0.66, 0.45), (0.3, 0.18, 0.1)]
METALS = [(0.7, 0.7, 0.72), (0.45, 0.46, 0.5), (0.2, 0.2, 0.22), (0.85, 0.85, 0.87)]
DARKS = [(0.12, 0.12, 0.13), (0.2, 0.2, 0.22), (0.08, 0.08, 0.1), (0.28, 0.28, 0.3)]
FABRICS = [(0.62, 0.12, 0.12), (0.2, 0.3, 0.55), (0.35, 0.5, 0.3), (0.75, 0.7, 0.6), (0.5, 0.5, 0.52), (0.25, 0.25, 0.3), (0.85, 0.55, 0.2), (0.55, 0.4, 0.6)]
BRIGHTS = [(0.8, 0.1, 0.1), (0.1, 0.25, 0.7), (0.9, 0.9, 0.9), (0.15, 0.15, 0.15), (0.75, 0.75, 0.78), (0.9, 0.75, 0.1), (0.1, 0.5, 0.25), (0.5, 0.1, 0.4)]
WHITES = [(0.92, 0.92, 0.92), (0.85, 0.86, 0.9), (0.95, 0.93, 0.88)]


def pick(rng: Rng, palette, jitter: float = 0.06) -> tuple[float, float, float]:
    """A palette colour with a small random shift in hue, saturation and value."""
    r, g, b = palette[int(rng.integers(len(palette)))]
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h = (h + rng.normal(0, jitter * 0.3)) % 1.0
    s = float(np.clip(s * (1 + rng.normal(0, jitter * 2)), 0, 1))
    v = float(np.clip(v * (1 + rng.normal(0, jitter * 2)), 0.03, 1))
    return colorsys.hsv_to_rgb(h, s, v)


def shade(colour, factor: float) -> tuple[float, float, float]:
    return tuple(float(np.clip(c * factor, 0, 1)) for c in colour)  # type: ignore[return-value]


def u(rng: Rng, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def chance(rng: Rng, p: float) -> bool:
    return bool(rng.random() < p)


# ---------------------------------------------------------------- shared bits
def four_legs(x_half: float, z_half: float, top_y: float, radius: float, colour, rng: Rng, square: bool, splay: float = 0.0, bottom: float = 0.0) -> list[Part]:
    """Four legs from the floor to ``top_y`` at (±x_half, ±z_half), optionally splayed."""
    parts = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            top = np.array([sx * x_half, top_y, sz * z_half])
            foot = np.array([sx * (x_half + splay), bottom, sz * (z_half + splay)])
            if square:
                mid = (top + foot) / 2
                length = np.linalg.norm(top - foot)
                tilt_z = math.atan2(foot[0] - top[0], top_y - bottom)
                tilt_x = -math.atan2(foot[2] - top[2], top_y - bottom)
                parts.append(box(mid, (2 * radius, length, 2 * radius), colour, rot_x(tilt_x) @ rot_z(-tilt_z)))
            else:
                parts.append(cylinder(foot, top, radius, colour))
    return parts


def star_base(y_hub: float, reach: float, n_arms: int, colour, thickness: float) -> list[Part]:
    """Office-chair style base: arms radiating from a hub, with small feet."""
    parts = [cylinder((0, y_hub - thickness, 0), (0, y_hub + thickness, 0), thickness * 1.6, colour)]
    for k in range(n_arms):
        a = 2 * math.pi * k / n_arms + 0.3
        tip = np.array([reach * math.cos(a), thickness, reach * math.sin(a)])
        parts.append(cylinder((0, y_hub, 0), tip, thickness * 0.8, colour))
        parts.append(sphere(tip, thickness * 1.05, colour))
    return parts


# ---------------------------------------------------------------- classes
def airplane(rng: Rng) -> list[Part]:
    body = pick(rng, WHITES + METALS[:2] + [(0.3, 0.35, 0.3)])
    accent = pick(rng, BRIGHTS + DARKS)
    kind = rng.choice(["airliner", "airliner", "jet", "prop"])
    length = 1.0
    r = u(rng, 0.045, 0.065) if kind != "jet" else u(rng, 0.04, 0.055)
    nose_len = u(rng, 0.08, 0.16)
    tail_len = u(rng, 0.16, 0.28)
    x_front, x_back = length / 2 - nose_len, -length / 2 + tail_len
    parts = [
        cylinder((x_back, 0, 0), (x_front, 0, 0), r, body),
        ellipsoid((x_front, 0, 0), (nose_len, r, r), body),
        frustum((x_back, 0, 0), (-length / 2, r * 0.6, 0), r, r * u(rng, 0.2, 0.45), body),
    ]
    wing_y = rng.choice([-0.6, 0.0, 0.6]) * r
    span = u(rng, 0.75, 1.15) if kind != "jet" else u(rng, 0.45, 0.7)
    root = u(rng, 0.14, 0.24) if kind != "jet" else u(rng, 0.3, 0.42)
    tip = root * (u(rng, 0.25, 0.5) if kind != "prop" else u(rng, 0.6, 0.95))
    sweep = u(rng, 0.08, 0.28) if kind == "airliner" else (u(rng, 0.2, 0.35) if kind == "jet" else u(rng, -0.02, 0.05))
    wx = u(rng, -0.05, 0.08) if kind != "jet" else u(rng, -0.15, -0.05)
    thick = u(rng, 0.012, 0.022)
    dihedral = u(rng, 0.0, 0.08)
    for sz in (-1, 1):
        z_tip = sz * span / 2
        profile = [(wx + root / 2, 0.0), (wx - root / 2, 0.0), (wx - sweep - tip / 2 - (root - tip) * 0.1, z_tip), (wx - sweep + tip / 2 - (root - tip) * 0.1, z_tip)]
        parts.append(extrude_xz(profile, wing_y - thick / 2, wing_y + thick / 2, body, rotation=rot_x(sz * dihedral)))
    # tail: fin and stabilisers
    fin_h = u(rng, 0.1, 0.2)
    fin_root = tail_len * u(rng, 0.7, 1.0)
    fin_x0 = -length / 2 + 0.01
    fin = [(fin_x0, r * 0.3), (fin_x0 + fin_root, r * 0.3), (fin_x0 + fin_root * 0.35, r + fin_h), (fin_x0 + 0.02, r + fin_h)]
    parts.append(extrude_xy(fin, thick * 0.5, accent))
    stab_span = span * u(rng, 0.25, 0.4)
    stab_root = fin_root * u(rng, 0.5, 0.8)
    t_tail = chance(rng, 0.25)
    stab_y = (r + fin_h * 0.95) if t_tail else r * 0.4
    sx0 = fin_x0 + (0.02 if t_tail else 0.0)
    for sz in (-1, 1):
        prof = [(sx0 + stab_root, 0.0), (sx0, 0.0), (sx0, sz * stab_span / 2), (sx0 + stab_root * 0.45, sz * stab_span / 2)]
        parts.append(extrude_xz(prof, stab_y - thick * 0.4, stab_y + thick * 0.4, body))
    # engines
    if kind == "airliner":
        n_eng = int(rng.choice([2, 2, 4]))
        eng_r = u(rng, 0.022, 0.035)
        offsets = [0.3] if n_eng == 2 else [0.22, 0.4]
        for off in offsets:
            for sz in (-1, 1):
                z = sz * off * span / 2 * 1.3
                ex = wx - sweep * abs(z) / (span / 2) + 0.02
                ey = wing_y - eng_r * 1.3
                parts.append(cylinder((ex - 0.1, ey, z), (ex + 0.05, ey, z), eng_r, accent))
                parts.append(box((ex, (ey + wing_y) / 2, z), (0.06, eng_r * 1.4, 0.01), body))
    elif kind == "prop":
        for sz in (-1, 1):
            z = sz * span * u(rng, 0.15, 0.22)
            parts.append(cylinder((wx - 0.05, wing_y, z), (wx + root * 0.75, wing_y, z), r * 0.5, body))
            parts.append(box((wx + root * 0.75 + 0.005, wing_y, z), (0.008, 0.16, 0.02), accent))
    return parts


def bench(rng: Rng) -> list[Part]:
    wood = pick(rng, WOODS + [(0.35, 0.4, 0.3)])
    frame = pick(rng, METALS + DARKS + WOODS)
    length = u(rng, 1.1, 1.8)
    depth = u(rng, 0.32, 0.5)
    height = u(rng, 0.38, 0.48)
    seat_t = u(rng, 0.03, 0.06)
    parts: list[Part] = []
    if chance(rng, 0.5):
        parts.append(box((0, height - seat_t / 2, 0), (depth, seat_t, length), wood))
    else:  # slatted seat
        n = int(rng.integers(3, 6))
        gap = depth / n
        for k in range(n):
            x = -depth / 2 + gap * (k + 0.5)
            parts.append(box((x, height - seat_t / 2, 0), (gap * 0.8, seat_t, length), wood))
        parts.append(box((0, height - seat_t * 1.5, -length / 2 + 0.08), (depth, seat_t, 0.05), frame))
        parts.append(box((0, height - seat_t * 1.5, length / 2 - 0.08), (depth, seat_t, 0.05), frame))
    legs = rng.choice(["four", "slab", "six"])
    leg_t = u(rng, 0.025, 0.05)
    if legs == "slab":
        for sz in (-1, 1):
            parts.append(box((0, (height - seat_t) / 2, sz * (length / 2 - 0.08)), (depth * 0.9, height - seat_t + 0.01, leg_t * 1.3), frame))
    else:
        xs = depth / 2 - leg_t * 1.5
        zs = [length / 2 - 0.08, -(length / 2 - 0.08)] + ([0.0] if legs == "six" else [])
        for z in zs:
            for sx in (-1, 1):
                parts.append(box((sx * xs, (height - seat_t) / 2, z), (leg_t, height - seat_t + 0.01, leg_t), frame))
    if chance(rng, 0.55):  # back rest at low x
        back_h = u(rng, 0.25, 0.45)
        tilt = u(rng, 0.05, 0.25)
        bx = -depth / 2 + 0.03
        parts.append(box((bx - math.sin(tilt) * back_h / 2, height + back_h / 2, 0), (0.03, back_h, length), wood, rot_z(tilt)))
        for sz in (-1, 1):
            parts.append(box((bx - math.sin(tilt) * back_h / 2 - 0.015, height + back_h / 2 - 0.02, sz * (length / 2 - 0.08)), (0.035, back_h + 0.04, 0.04), frame, rot_z(tilt)))
        if chance(rng, 0.5):  # arms
            for sz in (-1, 1):
                parts.append(box((0, height + 0.2, sz * (length / 2 - 0.03)), (depth, 0.035, 0.05), frame))
                parts.append(box((depth / 2 - 0.04, height + 0.1, sz * (length / 2 - 0.03)), (0.035, 0.2, 0.035), frame))
    return parts


def cabinet(rng: Rng) -> list[Part]:
    body = pick(rng, WOODS + WHITES + [(0.3, 0.3, 0.32), (0.6, 0.62, 0.6)])
    front = shade(body, u(rng, 0.85, 1.1)) if chance(rng, 0.7) else pick(rng, WOODS + WHITES)
    handle = pick(rng, METALS)
    kind = rng.choice(["wardrobe", "sideboard", "drawers", "shelf"])
    if kind == "wardrobe":
        w, h, d = u(rng, 0.8, 1.4), u(rng, 1.6, 2.1), u(rng, 0.45, 0.65)
    elif kind == "sideboard":
        w, h, d = u(rng, 1.2, 2.0), u(rng, 0.6, 0.9), u(rng, 0.4, 0.55)
    elif kind == "drawers":
        w, h, d = u(rng, 0.6, 1.1), u(rng, 0.7, 1.3), u(rng, 0.4, 0.55)
    else:
        w, h, d = u(rng, 0.6, 1.0), u(rng, 0.9, 1.8), u(rng, 0.35, 0.5)
    leg_h = u(rng, 0.05, 0.18) if chance(rng, 0.45) else 0.0
    y0 = leg_h
    parts = [box((0, y0 + h / 2, 0), (d, h, w), body)]
    if chance(rng, 0.5):
        parts.append(box((0.01, y0 + h + 0.015, 0), (d + 0.04, 0.03, w + 0.04), shade(body, 0.9)))
    if leg_h:
        parts += four_legs(d / 2 - 0.04, w / 2 - 0.04, y0 + 0.01, 0.02, pick(rng, METALS + DARKS), rng, square=chance(rng, 0.5))
    fx = d / 2 + 0.008
    if kind == "drawers":
        n = int(rng.integers(3, 7))
        cols = 1 if w < 0.8 else int(rng.choice([1, 2]))
        dh = (h - 0.06) / n
        for k in range(n):
            for c in range(cols):
                zc = (c - (cols - 1) / 2) * w / cols
                yc = y0 + 0.03 + dh * (k + 0.5)
                parts.append(box((fx, yc, zc), (0.016, dh * 0.88, w / cols - 0.04), front))
                parts.append(box((fx + 0.015, yc, zc), (0.02, 0.02, min(0.15, w / cols * 0.4)), handle))
    elif kind == "shelf" and chance(rng, 0.6):  # open shelves: frame + boards, no front
        parts = [box((0, y0 + h / 2, sz * (w / 2 - 0.01)), (d, h, 0.02), body) for sz in (-1, 1)]
        parts.append(box((-d / 2 + 0.01, y0 + h / 2, 0), (0.02, h, w), body))
        n = int(rng.integers(3, 6))
        for k in range(n + 1):
            parts.append(box((0, y0 + 0.01 + k * (h - 0.02) / n, 0), (d, 0.02, w), body))
    else:
        n_doors = 2 if w > 0.7 else 1
        door_h = h - 0.04 if kind != "sideboard" or chance(rng, 0.5) else h * 0.65
        yc = y0 + 0.02 + door_h / 2
        for k in range(n_doors):
            zc = (k - (n_doors - 1) / 2) * w / n_doors
            parts.append(box((fx, yc, zc), (0.016, door_h, w / n_doors - 0.02), front))
            hz = zc + (w / n_doors / 2 - 0.06) * (1 if k == 0 and n_doors == 2 else -1) * (-1)
            parts.append(box((fx + 0.015, yc, hz), (0.02, min(0.25, door_h * 0.3), 0.02), handle))
        if door_h < h - 0.1:
            parts.append(box((fx, y0 + door_h + (h - door_h) / 2 + 0.01, 0), (0.016, h - door_h - 0.04, w - 0.02), front))
    return parts


def car(rng: Rng) -> list[Part]:
    paint = pick(rng, BRIGHTS, 0.08)
    glass = pick(rng, DARKS + [(0.25, 0.3, 0.38)])
    tyre = (0.08, 0.08, 0.09)
    kind = rng.choice(["sedan", "sedan", "suv", "sports", "van", "pickup"])
    L = u(rng, 3.8, 5.0)
    W = u(rng, 1.7, 2.0)
    body_h = {"sedan": 0.65, "suv": 0.85, "sports": 0.5, "van": 0.9, "pickup": 0.8}[kind] * u(rng, 0.9, 1.1)
    clear = {"sedan": 0.18, "suv": 0.3, "sports": 0.12, "van": 0.2, "pickup": 0.32}[kind] * u(rng, 0.9, 1.15)
    wheel_r = u(rng, 0.3, 0.38) * (1.15 if kind in ("suv", "pickup") else 1.0)
    y0, y1 = clear, clear + body_h
    nose = u(rng, 0.15, 0.3) * body_h
    profile = [(-L / 2, y0 + 0.05), (-L / 2 + 0.15, y0), (L / 2 - 0.2, y0), (L / 2, y0 + body_h * 0.25), (L / 2 - 0.05, y1 - nose), (L / 2 - 0.4, y1), (-L / 2 + 0.1, y1), (-L / 2, y1 - 0.1)]
    parts = [extrude_xy(profile, W / 2, paint)]
    cab_h = {"sedan": 0.55, "suv": 0.75, "sports": 0.42, "van": 0.95, "pickup": 0.7}[kind] * u(rng, 0.9, 1.1)
    if kind in ("van", "suv"):
        c0, c1 = -L / 2 + 0.1, L / 2 - u(rng, 0.9, 1.5)
        slope_f, slope_b = u(rng, 0.3, 0.6), u(rng, 0.02, 0.12)
    elif kind == "pickup":
        c0, c1 = -L * 0.05, L / 2 - 1.1
        slope_f, slope_b = 0.35, 0.05
    else:
        c0, c1 = -L / 2 + u(rng, 0.6, 1.1), L / 2 - u(rng, 1.1, 1.6)
        slope_f, slope_b = u(rng, 0.5, 0.9), u(rng, 0.3, 0.7)
    wt = W / 2 - u(rng, 0.08, 0.2)
    top_w = wt - u(rng, 0.05, 0.15)
    cab = [(c0, y1 - 0.02, -wt), (c0, y1 - 0.02, wt), (c1, y1 - 0.02, -wt), (c1, y1 - 0.02, wt),
           (c0 + slope_b, y1 + cab_h, -top_w), (c0 + slope_b, y1 + cab_h, top_w), (c1 - slope_f, y1 + cab_h, -top_w), (c1 - slope_f, y1 + cab_h, top_w)]
    parts.append(hull(cab, glass))
    parts.append(box(((c0 + slope_b + c1 - slope_f) / 2, y1 + cab_h - 0.02, 0), (c1 - slope_f - c0 - slope_b + 0.02, 0.05, 2 * top_w + 0.02), paint))
    if kind == "pickup":
        parts.append(box((-L / 4 - 0.05, y1 + 0.12, 0), (L / 2 - 0.3, 0.24, W - 0.1), shade(paint, 0.85)))
    axle_f = L / 2 - u(rng, 0.7, 0.95)
    axle_b = -L / 2 + u(rng, 0.7, 0.95)
    for x in (axle_f, axle_b):
        for sz in (-1, 1):
            z = sz * (W / 2 - 0.12)
            parts.append(cylinder((x, wheel_r, z - 0.12), (x, wheel_r, z + 0.12), wheel_r, tyre))
            parts.append(cylinder((x, wheel_r, z + sz * 0.1), (x, wheel_r, z + sz * 0.125), wheel_r * 0.6, METALS[0]))
    if kind == "sports" and chance(rng, 0.5):
        parts.append(box((-L / 2 + 0.15, y1 + 0.22, 0), (0.25, 0.03, W * 0.9), paint))
        for sz in (-1, 1):
            parts.append(box((-L / 2 + 0.18, y1 + 0.1, sz * W * 0.3), (0.05, 0.22, 0.04), DARKS[0]))
    return parts


def chair(rng: Rng) -> list[Part]:
    seat_col = pick(rng, FABRICS + WOODS)
    frame = pick(rng, WOODS + METALS + DARKS) if chance(rng, 0.7) else seat_col
    back_col = seat_col if chance(rng, 0.75) else pick(rng, FABRICS + WOODS)
    w = u(rng, 0.42, 0.6)
    d = u(rng, 0.4, 0.55)
    h = u(rng, 0.4, 0.5)
    t = u(rng, 0.03, 0.09)
    parts = [box((0, h - t / 2, 0), (d, t, w), seat_col)]
    base = rng.choice(["four", "four", "four", "pedestal", "sled"])
    leg_r = u(rng, 0.012, 0.028)
    if base == "four":
        parts += four_legs(d / 2 - leg_r * 1.5, w / 2 - leg_r * 1.5, h - t + 0.005, leg_r, frame, rng, square=chance(rng, 0.5), splay=u(rng, 0.0, 0.05))
        if chance(rng, 0.35):  # stretchers
            yy = u(rng, 0.08, 0.2)
            for sz in (-1, 1):
                parts.append(box((0, yy, sz * (w / 2 - leg_r * 1.5)), (d - leg_r * 2, leg_r * 1.3, leg_r * 1.3), frame))
    elif base == "pedestal":
        col = pick(rng, METALS + DARKS)
        parts.append(cylinder((0, 0.06, 0), (0, h - t + 0.01, 0), u(rng, 0.02, 0.035), col))
        parts += star_base(0.06, u(rng, 0.25, 0.33), int(rng.choice([4, 5, 5])), col, 0.022)
    else:
        for sz in (-1, 1):
            z = sz * (w / 2 - 0.02)
            parts.append(cylinder((-d / 2 + 0.03, 0.015, z), (d / 2 - 0.02, 0.015, z), 0.015, frame))
            parts.append(cylinder((-d / 2 + 0.05, 0.015, z), (-d / 2 + 0.05, h - t + 0.01, z), 0.015, frame))
            parts.append(cylinder((d / 2 - 0.05, 0.015, z), (d / 2 - 0.05, h - t + 0.01, z), 0.015, frame))
    back_h = u(rng, 0.35, 0.65)
    tilt = u(rng, 0.0, 0.25)
    bt = u(rng, 0.025, 0.07)
    bx = -d / 2 + bt / 2
    style = rng.choice(["solid", "solid", "slats", "frame"])
    cx = bx - math.sin(tilt) * back_h / 2
    cy = h + back_h / 2 * math.cos(tilt) - 0.01
    R = rot_z(tilt)
    if style == "solid":
        parts.append(box((cx, cy, 0), (bt, back_h, w * u(rng, 0.85, 1.0)), back_col, R))
    else:
        posts_w = 0.035
        for sz in (-1, 1):
            parts.append(box((cx, cy, sz * (w / 2 - posts_w / 2)), (bt, back_h, posts_w), frame, R))
        top_h = u(rng, 0.05, 0.14)
        top_c = np.array([cx, cy, 0]) + R @ np.array([0, back_h / 2 - top_h / 2, 0])
        parts.append(box(top_c, (bt, top_h, w), back_col, R))
        if style == "slats":
            n = int(rng.integers(2, 6))
            for k in range(n):
                z = -w / 2 + posts_w + (w - 2 * posts_w) * (k + 0.5) / n
                parts.append(box((cx, cy - top_h / 2, z), (bt * 0.7, back_h - top_h, 0.025), frame, R))
        else:
            mid_c = np.array([cx, cy, 0]) + R @ np.array([0, -back_h * 0.1, 0])
            parts.append(box(mid_c, (bt * 0.6, back_h * 0.25, w), back_col, R))
    if chance(rng, 0.35):  # arm rests
        arm_h = u(rng, 0.18, 0.26)
        for sz in (-1, 1):
            z = sz * (w / 2 + 0.02)
            parts.append(box((0, h + arm_h, z), (d * 0.9, 0.035, 0.05), frame))
            parts.append(box((d / 2 - 0.06, h + arm_h / 2, z), (0.035, arm_h, 0.035), frame))
    return parts


def display(rng: Rng) -> list[Part]:
    shell = pick(rng, DARKS + WHITES[:1] + METALS[:2])
    screen = pick(rng, [(0.05, 0.06, 0.08), (0.1, 0.12, 0.18), (0.15, 0.2, 0.3)])
    aspect = float(rng.choice([4 / 3, 16 / 10, 16 / 9, 21 / 9]))
    sw = u(rng, 0.45, 0.75)
    sh = sw / aspect
    crt = chance(rng, 0.15)
    thick = u(rng, 0.02, 0.05)
    bez = u(rng, 0.01, 0.035)
    stand_h = u(rng, 0.08, 0.2)
    yc = stand_h + sh / 2 + bez
    tilt = u(rng, -0.12, 0.05)
    R = rot_z(tilt)
    parts = [box((0, yc, 0), (thick, sh + 2 * bez, sw + 2 * bez), shell, R)]
    parts.append(box(np.array([0, yc, 0]) + R @ np.array([thick / 2 + 0.003, 0, 0]), (0.006, sh, sw), screen, R))
    if crt:
        depth = sw * u(rng, 0.6, 0.9)
        back = [(-thick / 2, yc - sh / 2, -sw / 2), (-thick / 2, yc - sh / 2, sw / 2), (-thick / 2, yc + sh / 2, -sw / 2), (-thick / 2, yc + sh / 2, sw / 2),
                (-depth, yc - sh / 4, -sw / 4), (-depth, yc - sh / 4, sw / 4), (-depth, yc + sh / 4, -sw / 4), (-depth, yc + sh / 4, sw / 4)]
        parts.append(hull(back, shell))
        parts.append(box((-depth / 2, stand_h / 2 + 0.01, 0), (depth * 0.6, stand_h + 0.02, sw * 0.5), shell))
        return parts
    elif chance(rng, 0.3):
        parts.append(box((-thick, yc - sh * 0.1, 0), (thick * 1.2, sh * 0.5, sw * 0.5), shell))
    neck = rng.choice(["post", "slab", "wide"])
    base_d = u(rng, 0.15, 0.25)
    base_w = u(rng, 0.2, 0.4)
    if neck == "post":
        parts.append(box((-thick, (yc - sh * 0.2) / 2 + 0.005, 0), (0.035, yc - sh * 0.2, 0.06), shell))
        parts.append(box((-thick * 0.5, 0.01, 0), (base_d, 0.02, base_w), shell))
    elif neck == "slab":
        parts.append(box((-thick * 1.5, (yc - sh * 0.2) / 2 + 0.005, 0), (0.02, yc - sh * 0.2, base_w * 0.5), shell, rot_z(0.15)))
        parts.append(box((-thick * 0.5, 0.01, 0), (base_d, 0.02, base_w), shell))
    else:  # two feet at the sides
        for sz in (-1, 1):
            z = sz * sw * 0.35
            parts.append(box((0, (yc - sh / 2) / 2 + 0.01, z), (0.02, yc - sh / 2, 0.03), shell))
            parts.append(box((0, 0.01, z), (base_d, 0.02, 0.05), shell))
    return parts


def lamp(rng: Rng) -> list[Part]:
    metal = pick(rng, METALS + DARKS + [(0.75, 0.6, 0.3)])
    shade_col = pick(rng, WHITES + FABRICS + [(0.9, 0.85, 0.6)])
    kind = rng.choice(["floor", "table", "desk", "desk"])
    parts: list[Part] = []
    base_r = u(rng, 0.1, 0.18)
    base_h = u(rng, 0.02, 0.05)
    if chance(rng, 0.7):
        parts.append(cylinder((0, 0, 0), (0, base_h, 0), base_r, metal))
    else:
        parts.append(box((0, base_h / 2, 0), (base_r * 1.6, base_h, base_r * 1.6), metal))
    pole_r = u(rng, 0.008, 0.018)
    if kind == "floor":
        top = u(rng, 1.2, 1.7)
        parts.append(cylinder((0, base_h * 0.5, 0), (0, top, 0), pole_r, metal))
        sh = u(rng, 0.2, 0.35)
        r_top, r_bot = u(rng, 0.1, 0.18), u(rng, 0.18, 0.28)
        parts.append(frustum((0, top - sh * 0.6, 0), (0, top + sh * 0.4, 0), r_bot, r_top, shade_col))
    elif kind == "table":
        body_h = u(rng, 0.2, 0.35)
        body_r = u(rng, 0.07, 0.13)
        parts.append(ellipsoid((0, base_h + body_h / 2, 0), (body_r, body_h / 2, body_r), shade(metal, 1.1)))
        top = base_h + body_h + u(rng, 0.1, 0.2)
        parts.append(cylinder((0, base_h + body_h * 0.9, 0), (0, top, 0), pole_r, metal))
        sh = u(rng, 0.18, 0.3)
        parts.append(frustum((0, top - sh * 0.6, 0), (0, top + sh * 0.4, 0), u(rng, 0.15, 0.25), u(rng, 0.08, 0.15), shade_col))
    else:  # articulated desk lamp: two arm segments and a cone head facing +x
        a1 = u(rng, 0.25, 0.45)
        a2 = u(rng, 0.25, 0.4)
        ang1 = u(rng, -0.5, 0.15)
        ang2 = u(rng, 0.6, 1.3)
        joint = np.array([a1 * math.sin(ang1), base_h + a1 * math.cos(ang1), 0.0])
        head = joint + np.array([a2 * math.sin(ang2), a2 * math.cos(ang2), 0.0])
        parts.append(cylinder((0, base_h * 0.5, 0), joint, pole_r, metal))
        parts.append(sphere(joint, pole_r * 1.8, metal))
        parts.append(cylinder(joint, head, pole_r, metal))
        aim = np.array([u(rng, 0.2, 0.9), -1.0, 0.0])
        aim /= np.linalg.norm(aim)
        hl = u(rng, 0.1, 0.18)
        parts.append(frustum(head - aim * 0.02, head + aim * hl, u(rng, 0.025, 0.045), u(rng, 0.06, 0.11), shade_col))
    return parts


def speaker(rng: Rng) -> list[Part]:
    cabinet_col = pick(rng, DARKS + WOODS + WHITES[:1])
    cone_col = pick(rng, DARKS + METALS[:2])
    kind = rng.choice(["bookshelf", "tower", "cube", "round"])
    if kind == "round":
        r = u(rng, 0.08, 0.14)
        h = u(rng, 0.2, 0.5)
        parts = [cylinder((0, 0, 0), (0, h, 0), r, cabinet_col)]
        if chance(rng, 0.5):
            parts.append(ellipsoid((0, h, 0), (r, r * 0.5, r), cone_col))
        return parts
    w = {"bookshelf": u(rng, 0.18, 0.28), "tower": u(rng, 0.2, 0.3), "cube": u(rng, 0.3, 0.45)}[kind]
    h = {"bookshelf": u(rng, 0.28, 0.4), "tower": u(rng, 0.8, 1.2), "cube": w * u(rng, 0.9, 1.1)}[kind]
    d = {"bookshelf": u(rng, 0.2, 0.3), "tower": u(rng, 0.25, 0.35), "cube": w * u(rng, 0.9, 1.1)}[kind]
    parts = [box((0, h / 2, 0), (d, h, w), cabinet_col)]
    if kind == "cube":
        drivers = [(h / 2, w * 0.38)]
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
        parts.append(frustum((d / 2 - 0.01, y, 0), (d / 2 + 0.012, y, 0), rr, rr * 0.75, cone_col))
    if kind == "tower" and chance(rng, 0.5):
        parts.append(box((0, 0.015, 0), (d * 1.2, 0.03, w * 1.2), cone_col))
    return parts


def rifle(rng: Rng) -> list[Part]:
    metal = pick(rng, DARKS + METALS[1:3])
    wood = pick(rng, WOODS + DARKS)
    L = u(rng, 0.9, 1.3)
    rec_len = L * u(rng, 0.22, 0.32)
    rec_h = L * u(rng, 0.07, 0.1)
    rec_w = L * u(rng, 0.05, 0.07)
    stock_len = L * u(rng, 0.22, 0.3)
    rx0 = -L / 2 + stock_len
    parts = [box((rx0 + rec_len / 2, 0, 0), (rec_len, rec_h, rec_w), metal)]
    # barrel (+ optional handguard) toward +x
    barrel_r = u(rng, 0.011, 0.017)
    parts.append(cylinder((rx0 + rec_len - 0.01, rec_h * 0.2, 0), (L / 2, rec_h * 0.2, 0), barrel_r, metal))
    if chance(rng, 0.85):
        hg = (L / 2 - rx0 - rec_len) * u(rng, 0.45, 0.8)
        parts.append(box((rx0 + rec_len + hg / 2 - 0.005, rec_h * 0.05, 0), (hg, rec_h * 0.75, rec_w * 0.9), wood))
    # stock: a wedge from the receiver down to a butt plate
    drop = u(rng, 0.0, 0.05)
    butt_h = L * u(rng, 0.11, 0.16)
    sw = rec_w
    parts.append(hull([(rx0 + 0.01, rec_h / 2, -sw / 2), (rx0 + 0.01, rec_h / 2, sw / 2), (rx0 + 0.01, -rec_h / 2, -sw / 2), (rx0 + 0.01, -rec_h / 2, sw / 2),
                       (-L / 2, rec_h / 2 - drop, -sw / 2), (-L / 2, rec_h / 2 - drop, sw / 2), (-L / 2, rec_h / 2 - drop - butt_h, -sw / 2), (-L / 2, rec_h / 2 - drop - butt_h, sw / 2)], wood))
    # pistol grip, trigger guard, magazine
    if chance(rng, 0.6):
        parts.append(box((rx0 + 0.02, -rec_h / 2 - 0.04, 0), (0.035, 0.1, rec_w * 0.8), wood, rot_z(0.35)))
    if chance(rng, 0.6):
        mag_h = u(rng, 0.06, 0.15)
        parts.append(box((rx0 + rec_len * 0.65, -rec_h / 2 - mag_h / 2 + 0.01, 0), (0.04, mag_h, rec_w * 0.7), metal, rot_z(u(rng, -0.35, 0.0))))
    if chance(rng, 0.5):  # scope
        sr = u(rng, 0.014, 0.022)
        sl = rec_len * u(rng, 1.0, 1.5)
        sy = rec_h / 2 + sr + 0.02
        sx = rx0 + rec_len / 2
        parts.append(cylinder((sx - sl / 2, sy, 0), (sx + sl / 2, sy, 0), sr, metal))
        parts.append(frustum((sx + sl / 2, sy, 0), (sx + sl / 2 + 0.04, sy, 0), sr, sr * 1.4, metal))
        for k in (-1, 1):
            parts.append(box((sx + k * sl * 0.25, rec_h / 2 + 0.01, 0), (0.015, 0.04, 0.015), metal))
    if chance(rng, 0.2):  # bipod
        bx = L / 2 - L * 0.15
        for sz in (-1, 1):
            parts.append(cylinder((bx, 0, 0), (bx + 0.03, -0.14, sz * 0.06), 0.01, metal))
    return parts


def sofa(rng: Rng) -> list[Part]:
    fabric = pick(rng, FABRICS + [(0.35, 0.22, 0.12), (0.15, 0.15, 0.15)])
    cushion = fabric if chance(rng, 0.7) else shade(fabric, 1.2)
    leg_col = pick(rng, WOODS + DARKS + METALS)
    length = u(rng, 1.4, 2.4)
    depth = u(rng, 0.75, 1.0)
    leg_h = u(rng, 0.02, 0.15)
    base_h = u(rng, 0.2, 0.32)
    back_h = u(rng, 0.3, 0.5)
    back_t = u(rng, 0.12, 0.25)
    arm_w = u(rng, 0.08, 0.22)
    arm_h = u(rng, 0.15, 0.3)
    y0 = leg_h
    parts = [box((0, y0 + base_h / 2, 0), (depth, base_h, length), fabric)]
    parts.append(box((-depth / 2 + back_t / 2, y0 + base_h + back_h / 2 - 0.02, 0), (back_t, back_h + 0.04, length), fabric, rot_z(u(rng, 0.0, 0.12))))
    has_arms = chance(rng, 0.85)
    inner = length - (2 * arm_w if has_arms else 0)
    if has_arms:
        for sz in (-1, 1):
            parts.append(box((0, y0 + (base_h + arm_h) / 2, sz * (length / 2 - arm_w / 2)), (depth, base_h + arm_h, arm_w), fabric))
    n = int(rng.choice([1, 2, 3, 3]))
    ch = u(rng, 0.06, 0.12)
    for k in range(n):
        z = -inner / 2 + inner * (k + 0.5) / n
        parts.append(box((back_t / 2, y0 + base_h + ch / 2 - 0.01, z), (depth - back_t - 0.02, ch, inner / n - 0.02), cushion))
    if chance(rng, 0.3):  # chaise (L-shape) extension toward +x at one end
        sz = 1 if chance(rng, 0.5) else -1
        ext = u(rng, 0.5, 0.8)
        zc = sz * (length / 2 - (arm_w if has_arms else 0) - 0.35)
        parts.append(box((depth / 2 + ext / 2 - 0.02, y0 + base_h / 2, zc), (ext, base_h, 0.7), fabric))
    if leg_h > 0.04:
        parts += four_legs(depth / 2 - 0.06, length / 2 - 0.06, y0 + 0.01, 0.025, leg_col, rng, square=chance(rng, 0.5))
    else:
        parts.append(box((0, y0 / 2 + 0.005, 0), (depth - 0.05, y0 + 0.01, length - 0.05), leg_col))
    return parts


def table(rng: Rng) -> list[Part]:
    top_col = pick(rng, WOODS + WHITES + [(0.2, 0.2, 0.2), (0.6, 0.7, 0.75)])
    leg_col = top_col if chance(rng, 0.5) else pick(rng, METALS + DARKS + WOODS)
    kind = rng.choice(["dining", "dining", "coffee", "desk", "round"])
    h = {"dining": u(rng, 0.7, 0.8), "coffee": u(rng, 0.35, 0.5), "desk": u(rng, 0.7, 0.78), "round": u(rng, 0.5, 0.78)}[kind]
    t = u(rng, 0.025, 0.07)
    parts: list[Part] = []
    if kind == "round":
        r = u(rng, 0.35, 0.65)
        parts.append(cylinder((0, h - t, 0), (0, h, 0), r, top_col))
        base = rng.choice(["pedestal", "legs"])
        if base == "pedestal":
            parts.append(cylinder((0, 0.02, 0), (0, h - t + 0.005, 0), u(rng, 0.03, 0.07), leg_col))
            if chance(rng, 0.5):
                parts.append(cylinder((0, 0, 0), (0, 0.03, 0), r * u(rng, 0.4, 0.7), leg_col))
            else:
                parts += star_base(0.04, r * 0.6, int(rng.choice([3, 4])), leg_col, 0.03)
        else:
            n = int(rng.choice([3, 4]))
            for k in range(n):
                a = 2 * math.pi * k / n + 0.4
                rr = r * 0.6
                parts.append(cylinder((rr * 1.1 * math.cos(a), 0, rr * 1.1 * math.sin(a)), (rr * math.cos(a), h - t + 0.005, rr * math.sin(a)), 0.022, leg_col))
        return parts
    L = {"dining": u(rng, 1.2, 2.0), "coffee": u(rng, 0.8, 1.3), "desk": u(rng, 1.1, 1.6)}[kind]
    D = {"dining": u(rng, 0.7, 1.0), "coffee": u(rng, 0.45, 0.7), "desk": u(rng, 0.55, 0.75)}[kind]
    # long side along z or x varies in ShapeNet; keep length along z (facing +x like desks)
    parts.append(box((0, h - t / 2, 0), (D, t, L), top_col))
    style = rng.choice(["legs", "legs", "trestle", "panel"]) if kind != "desk" else rng.choice(["legs", "panel"])
    leg_r = u(rng, 0.018, 0.045)
    inset = u(rng, 0.03, 0.12)
    if style == "legs":
        parts += four_legs(D / 2 - inset, L / 2 - inset, h - t + 0.005, leg_r, leg_col, rng, square=chance(rng, 0.6))
        if chance(rng, 0.5):  # apron
            parts.append(box((0, h - t - 0.04, 0), (D - 2 * inset, 0.08, L - 2 * inset), leg_col))
        if chance(rng, 0.3):  # lower shelf
            parts.append(box((0, h * 0.25, 0), (D - 2 * inset, 0.02, L - 2 * inset), top_col))
    elif style == "trestle":
        for sz in (-1, 1):
            z = sz * (L / 2 - inset - 0.05)
            parts.append(box((0, (h - t) / 2, z), (0.06, h - t + 0.01, 0.06), leg_col))
            parts.append(box((0, 0.025, z), (D * 0.8, 0.05, 0.07), leg_col))
        parts.append(box((0, h * 0.35, 0), (0.05, 0.05, L - 2 * inset - 0.1), leg_col))
    else:  # panel sides (desks) with an optional drawer block
        for sz in (-1, 1):
            parts.append(box((0, (h - t) / 2, sz * (L / 2 - 0.03)), (D * 0.95, h - t + 0.01, 0.03), leg_col))
        if chance(rng, 0.5):
            parts.append(box((0, h * 0.55, L / 2 - 0.25), (D * 0.9, h * 0.8 - t, 0.4), leg_col))
        if chance(rng, 0.6):
            parts.append(box((-D / 2 + 0.03, h * 0.55, 0), (0.015, h * 0.5, L - 0.06), leg_col))
    return parts


def telephone(rng: Rng) -> list[Part]:
    shell = pick(rng, DARKS + WHITES + METALS[:1] + [(0.6, 0.1, 0.1), (0.1, 0.2, 0.5)])
    screen = pick(rng, [(0.03, 0.03, 0.05), (0.08, 0.1, 0.14)])
    kind = rng.choice(["smart", "smart", "smart", "candybar", "desk"])
    if kind == "desk":  # a desk phone: wedge body, handset on top, screen/keypad facing +x
        w, d = u(rng, 0.18, 0.25), u(rng, 0.16, 0.22)
        h0, h1 = u(rng, 0.03, 0.05), u(rng, 0.07, 0.1)
        body = [(-d / 2, 0, -w / 2), (-d / 2, 0, w / 2), (d / 2, 0, -w / 2), (d / 2, 0, w / 2),
                (-d / 2, h1, -w / 2), (-d / 2, h1, w / 2), (d / 2, h0, -w / 2), (d / 2, h0, w / 2)]
        parts = [hull(body, shell)]
        slope = math.atan2(h1 - h0, d)

        def top(x: float) -> float:  # height of the sloped top at x
            return h1 + (h0 - h1) * (x + d / 2) / d

        hx = -d * 0.25
        parts.append(box((hx, top(hx) + 0.012, 0), (0.05, 0.03, w * 0.9), shade(shell, 0.85), rot_z(-slope)))
        for k in range(3):
            kx = d * (0.02 + 0.12 * k)
            for j in range(3):
                parts.append(box((kx, top(kx) + 0.002, (j - 1) * 0.03), (0.025, 0.01, 0.02), screen, rot_z(-slope)))
        return parts
    h = u(rng, 0.11, 0.17) if kind == "smart" else u(rng, 0.1, 0.14)
    w = h * (u(rng, 0.45, 0.56) if kind == "smart" else u(rng, 0.38, 0.45))
    t = u(rng, 0.007, 0.012) if kind == "smart" else u(rng, 0.015, 0.025)
    tilt = u(rng, -0.08, 0.08)
    R = rot_z(tilt)
    parts = [box((0, 0, 0), (t, h, w), shell, R)]
    if kind == "smart":
        parts.append(box(R @ np.array([t / 2 + 0.0008, 0.0, 0.0]), (0.0016, h * 0.88, w * 0.9), screen, R))
        if chance(rng, 0.4):  # camera bump on the back
            parts.append(box(R @ np.array([-t / 2 - 0.001, h * 0.38, w * 0.25]), (0.003, 0.02, 0.02), DARKS[2], R))
    else:
        parts.append(box(R @ np.array([t / 2 + 0.001, h * 0.22, 0.0]), (0.002, h * 0.35, w * 0.8), screen, R))
        for k in range(4):
            for j in range(3):
                parts.append(box(R @ np.array([t / 2 + 0.001, -h * 0.05 - k * h * 0.09, (j - 1) * w * 0.27]), (0.003, h * 0.06, w * 0.2), shade(shell, 0.6), R))
        if chance(rng, 0.5):
            parts.append(cylinder(R @ np.array([0, h / 2, w * 0.3]), R @ np.array([0, h / 2 + u(rng, 0.02, 0.05), w * 0.3]), 0.005, DARKS[0]))
    return parts


def watercraft(rng: Rng) -> list[Part]:
    hull_col = pick(rng, WHITES + [(0.1, 0.15, 0.35), (0.6, 0.1, 0.1), (0.2, 0.2, 0.2), (0.5, 0.35, 0.2)])
    deck_col = pick(rng, WOODS + WHITES)
    super_col = pick(rng, WHITES + METALS[:1])
    kind = rng.choice(["sail", "motor", "ship", "row"])
    L = u(rng, 1.0, 1.6)
    B = L * (u(rng, 0.18, 0.3) if kind != "ship" else u(rng, 0.12, 0.18))
    D = L * u(rng, 0.1, 0.17)
    bow = L * u(rng, 0.15, 0.3)
    deck = [(L / 2, 0.0), (L / 2 - bow, -B / 2), (-L / 2 + 0.05 * L, -B / 2), (-L / 2, -B * 0.35), (-L / 2, B * 0.35), (-L / 2 + 0.05 * L, B / 2), (L / 2 - bow, B / 2)]
    keel_len = L * u(rng, 0.5, 0.8)
    keel_w = B * u(rng, 0.1, 0.4)
    verts = [(x, D, z) for x, z in deck] + [(-L / 2 + 0.08 * L, 0.0, -keel_w / 2), (-L / 2 + 0.08 * L, 0.0, keel_w / 2),
                                            (-L / 2 + 0.08 * L + keel_len, 0.0, -keel_w / 2), (-L / 2 + 0.08 * L + keel_len, 0.0, keel_w / 2)]
    parts = [hull(verts, hull_col)]
    if kind != "row":
        parts.append(hull([(x * 0.97, D - 0.005, z * 0.9) for x, z in deck] + [(x * 0.97, D + 0.006, z * 0.9) for x, z in deck], deck_col))
    if kind == "sail":
        mast_h = L * u(rng, 0.8, 1.3)
        mx = L * u(rng, 0.0, 0.15)
        parts.append(cylinder((mx, D, 0), (mx, D + mast_h, 0), 0.01, METALS[0]))
        sail = [(mx - 0.01, D + 0.08), (mx - 0.01, D + mast_h * 0.95), (mx - L * u(rng, 0.3, 0.45), D + 0.08)]
        parts.append(extrude_xy(sail, 0.004, WHITES[2]))
        if chance(rng, 0.6):
            jib = [(mx + 0.01, D + mast_h * 0.85), (mx + 0.01, D + 0.06), (L / 2 - 0.03, D + 0.06)]
            parts.append(extrude_xy(jib, 0.004, WHITES[2]))
        parts.append(box((-L * 0.05, D + 0.04, 0), (L * 0.25, 0.08, B * 0.45), super_col))
        parts.append(box((-L * 0.05, -D * 0.5, 0), (L * 0.2, D, 0.02), hull_col))
    elif kind == "motor":
        cl = L * u(rng, 0.3, 0.45)
        ch = D * u(rng, 0.6, 1.1)
        cx = -L * u(rng, 0.0, 0.15)
        prof = [(cx - cl / 2, D), (cx + cl / 2, D), (cx + cl / 2 - ch * 0.8, D + ch), (cx - cl / 2 + 0.02, D + ch)]
        parts.append(extrude_xy(prof, B * 0.35, super_col))
        if chance(rng, 0.6):
            parts.append(extrude_xy([(cx - cl / 3, D + ch), (cx + cl / 5, D + ch), (cx, D + ch * 1.6), (cx - cl / 3, D + ch * 1.6)], B * 0.28, super_col))
    elif kind == "ship":
        n = int(rng.integers(1, 4))
        sx = -L * 0.2
        for k in range(n):
            lvl_len = L * 0.3 * (1 - 0.25 * k)
            parts.append(box((sx, D + D * 0.5 * (k + 0.5), 0), (lvl_len, D * 0.5, B * (0.7 - 0.1 * k)), super_col))
        top = D + D * 0.5 * n
        for k in range(int(rng.integers(1, 3))):
            fx = sx - L * 0.05 + k * L * 0.1
            parts.append(frustum((fx, top - 0.01, 0), (fx, top + D * u(rng, 0.6, 1.0), 0), B * 0.13, B * 0.11, pick(rng, BRIGHTS)))
        if chance(rng, 0.7):
            parts.append(cylinder((sx + L * 0.15, D, 0), (sx + L * 0.15, top + D * 1.5, 0), 0.008, METALS[1]))
    else:  # rowing boat: benches and oars over the hull
        for k in range(int(rng.integers(1, 4))):
            parts.append(box((-L * 0.25 + k * L * 0.2, D + 0.01, 0), (0.06, 0.025, B * 0.85), deck_col))
        if chance(rng, 0.6):
            ox = -L * 0.05
            for sz in (-1, 1):
                parts.append(cylinder((ox - L * 0.12, D * 0.4, sz * B * 1.1), (ox + L * 0.08, D + 0.02, sz * B * 0.35), 0.008, deck_col))
    return parts


FAMILIES: dict[str, Callable[[Rng], list[Part]]] = {
    "airplane": airplane,
    "bench": bench,
    "cabinet": cabinet,
    "car": car,
    "chair": chair,
    "display": display,
    "lamp": lamp,
    "speaker": speaker,
    "rifle": rifle,
    "sofa": sofa,
    "table": table,
    "telephone": telephone,
    "watercraft": watercraft,
}
