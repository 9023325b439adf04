"""One small generator per ShapeNet class: ``rng -> list[Part]`` in the canonical pose.

Canonical pose (as measured on the real class means): +y up, objects face +x (airplane nose
and boat bow at +x, chair back at low x with the seat opening to +x, screens facing +x, car
and rifle length along x, sofa and bench length along z). Sizes are in rough metres; the
writer normalises every object to a unit bounding-box diagonal afterwards and widens
any part thinner than 1.5 voxels of the 32³ grid (``writer.MIN_PART_VOXELS``), so thin parts
may be drawn at their real size here.

Variety is deliberate: proportions, part counts, optional parts and sub-types all vary per
object, and every part's colour comes from a class-plausible palette with jitter (often with
a procedural texture, ``kit``), so that a classifier and a reconstructor have something to
learn. Chairs and tables live in ``furniture``, displays, speakers and telephones in
``devices``; their sub-type weights and proportions are calibrated against the real class
statistics in ``real_stats`` (checked by ``stats`` and the tests). ``FAMILIES`` maps every
class name to its generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from core.synth.devices import display, speaker, telephone
from core.synth.furniture import chair, table
from core.synth.kit import (  # noqa: F401  (re-exported: families share these helpers)
    BRIGHTS,
    DARKS,
    FABRICS,
    METALS,
    WHITES,
    WOODS,
    Rng,
    chance,
    choose,
    finish,
    four_legs,
    mottled,
    pick,
    shade,
    star_base,
    striped,
    u,
)
from core.synth.kit import wood as wood_material
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
    rot_z,
    sphere,
)


# ---------------------------------------------------------------- classes
def airplane(rng: Rng) -> list[Part]:
    body = finish(rng, pick(rng, WHITES + METALS[:2] + [(0.3, 0.35, 0.3)]), p_texture=0.2, p_stripes=0.15)
    accent = pick(rng, BRIGHTS + DARKS)
    kind = rng.choice(["airliner", "airliner", "jet", "prop"])
    length = 1.0
    r = u(rng, 0.036, 0.055) if kind != "jet" else u(rng, 0.034, 0.048)
    nose_len = u(rng, 0.08, 0.16)
    tail_len = u(rng, 0.16, 0.28)
    x_front, x_back = length / 2 - nose_len, -length / 2 + tail_len
    parts = [
        cylinder((x_back, 0, 0), (x_front, 0, 0), r, body),
        ellipsoid((x_front, 0, 0), (nose_len, r, r), body),
        frustum((x_back, 0, 0), (-length / 2, r * 0.6, 0), r, r * u(rng, 0.2, 0.45), body),
    ]
    wing_y = rng.choice([-0.6, 0.0, 0.6]) * r
    span = u(rng, 0.65, 1.05) if kind != "jet" else u(rng, 0.45, 0.7)
    root = u(rng, 0.12, 0.22) if kind != "jet" else u(rng, 0.26, 0.38)
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
    wood = wood_material(rng, pick(rng, WOODS + [(0.35, 0.4, 0.3)])) if chance(rng, 0.8) else finish(rng, pick(rng, METALS + WHITES))
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
    body = wood_material(rng) if chance(rng, 0.5) else finish(rng, pick(rng, WHITES + [(0.3, 0.3, 0.32), (0.6, 0.62, 0.6)]), p_texture=0.3, p_stripes=0.0)
    front = shade(body, u(rng, 0.85, 1.1)) if chance(rng, 0.7) else pick(rng, WOODS + WHITES)
    handle = pick(rng, METALS)
    kind = choose(rng, {"wardrobe": 0.2, "sideboard": 0.2, "drawers": 0.25, "nightstand": 0.15, "shelf": 0.2})
    if kind == "wardrobe":
        w, h, d = u(rng, 0.8, 1.4), u(rng, 1.6, 2.1), u(rng, 0.5, 0.7)
    elif kind == "sideboard":
        w, h, d = u(rng, 1.2, 2.0), u(rng, 0.6, 0.9), u(rng, 0.45, 0.6)
    elif kind in ("drawers", "nightstand"):
        w, h, d = (u(rng, 0.6, 1.1), u(rng, 0.7, 1.3), u(rng, 0.45, 0.6)) if kind == "drawers" else (u(rng, 0.4, 0.6), u(rng, 0.45, 0.7), u(rng, 0.35, 0.5))
        kind = "drawers"
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
    # ShapeNet's cars are mostly saloons, hatchbacks and sports cars, with SUVs, pickups and a few vans;
    # the width and heights below make the class mean about 14 voxels wide and 12 tall, as measured
    paint = finish(rng, pick(rng, BRIGHTS, 0.08), p_texture=0.25, p_stripes=0.12)
    glass = pick(rng, DARKS + [(0.25, 0.3, 0.38)])
    tyre = (0.08, 0.08, 0.09)
    kind = choose(rng, {"sedan": 0.34, "hatchback": 0.16, "suv": 0.18, "sports": 0.16, "pickup": 0.1, "van": 0.06})
    L = {"hatchback": u(rng, 3.6, 4.2), "van": u(rng, 4.5, 5.2)}.get(kind, u(rng, 4.2, 5.2))
    W = L * {"hatchback": u(rng, 0.38, 0.44)}.get(kind, u(rng, 0.35, 0.41))
    body_h = {"sedan": 0.6, "hatchback": 0.62, "suv": 0.8, "sports": 0.45, "van": 0.9, "pickup": 0.78}[kind] * u(rng, 0.9, 1.1)
    clear = {"sedan": 0.16, "hatchback": 0.16, "suv": 0.28, "sports": 0.1, "van": 0.2, "pickup": 0.3}[kind] * u(rng, 0.9, 1.15)
    wheel_r = u(rng, 0.3, 0.36) * (1.15 if kind in ("suv", "pickup") else 1.0)
    if kind == "hatchback":  # a hatchback is a short van-like cabin on a saloon body
        kind_cab = "suv"
    else:
        kind_cab = kind
    y0, y1 = clear, clear + body_h
    nose = u(rng, 0.15, 0.3) * body_h
    profile = [(-L / 2, y0 + 0.05), (-L / 2 + 0.15, y0), (L / 2 - 0.2, y0), (L / 2, y0 + body_h * 0.25), (L / 2 - 0.05, y1 - nose), (L / 2 - 0.4, y1), (-L / 2 + 0.1, y1), (-L / 2, y1 - 0.1)]
    parts = [extrude_xy(profile, W / 2, paint)]
    cab_h = {"sedan": 0.52, "hatchback": 0.6, "suv": 0.72, "sports": 0.38, "van": 0.95, "pickup": 0.7}[kind] * u(rng, 0.9, 1.1)
    if kind_cab in ("van", "suv"):
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


def lamp(rng: Rng) -> list[Part]:
    metal = pick(rng, METALS + DARKS + [(0.75, 0.6, 0.3)])
    shade_col = finish(rng, pick(rng, WHITES + FABRICS + [(0.9, 0.85, 0.6)]), p_texture=0.5, p_stripes=0.08)
    kind = choose(rng, {"floor": 0.3, "table": 0.3, "desk": 0.4})
    parts: list[Part] = []
    base_r = u(rng, 0.1, 0.18) if kind == "floor" else u(rng, 0.07, 0.13)
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
        body_r = u(rng, 0.05, 0.1)
        parts.append(ellipsoid((0, base_h + body_h / 2, 0), (body_r, body_h / 2, body_r), shade(metal, 1.1)))
        top = base_h + body_h + u(rng, 0.1, 0.2)
        parts.append(cylinder((0, base_h + body_h * 0.9, 0), (0, top, 0), pole_r, metal))
        sh = u(rng, 0.18, 0.3)
        parts.append(frustum((0, top - sh * 0.6, 0), (0, top + sh * 0.4, 0), u(rng, 0.12, 0.21), u(rng, 0.07, 0.13), shade_col))
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


def rifle(rng: Rng) -> list[Part]:
    metal = pick(rng, DARKS + METALS[1:3])
    wood = wood_material(rng, pick(rng, WOODS + DARKS)) if chance(rng, 0.7) else pick(rng, DARKS)
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
    fabric = finish(rng, pick(rng, FABRICS + [(0.35, 0.22, 0.12), (0.15, 0.15, 0.15)]), p_texture=0.7, p_stripes=0.08)
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


def watercraft(rng: Rng) -> list[Part]:
    hull_col = finish(rng, pick(rng, WHITES + [(0.1, 0.15, 0.35), (0.6, 0.1, 0.1), (0.2, 0.2, 0.2), (0.5, 0.35, 0.2)]), p_texture=0.2, p_stripes=0.25)
    deck_col = wood_material(rng) if chance(rng, 0.6) else pick(rng, WHITES)
    super_col = pick(rng, WHITES + METALS[:1])
    kind = choose(rng, {"sail": 0.16, "motor": 0.32, "ship": 0.32, "row": 0.2})
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
        mast_h = L * u(rng, 0.55, 0.95)
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
