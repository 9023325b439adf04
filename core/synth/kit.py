"""Shared pieces of the class families: palettes, random helpers, materials, common parts.

Materials give parts some of the surface variety of real ShapeNet textures: wood with grain,
fabric and plastic with a soft mottle, painted parts with an occasional stripe. Patterns are
procedural (``parts.Texture``) and cost a few sines per shaded pixel.
"""

from __future__ import annotations

import colorsys
import math

import numpy as np

from core.synth.parts import (
    Material,
    Part,
    Texture,
    box,
    cylinder,
    rot_x,
    rot_z,
    sphere,
)

Rng = np.random.Generator
Range = tuple[float, float]  # (low, high) of a uniform draw

# ---------------------------------------------------------------- colours
WOODS = [(0.55, 0.36, 0.2), (0.7, 0.5, 0.3), (0.4, 0.25, 0.14), (0.82, 0.66, 0.45), (0.3, 0.18, 0.1)]
METALS = [(0.7, 0.7, 0.72), (0.45, 0.46, 0.5), (0.2, 0.2, 0.22), (0.85, 0.85, 0.87)]
DARKS = [(0.12, 0.12, 0.13), (0.2, 0.2, 0.22), (0.08, 0.08, 0.1), (0.28, 0.28, 0.3)]
FABRICS = [(0.62, 0.12, 0.12), (0.2, 0.3, 0.55), (0.35, 0.5, 0.3), (0.75, 0.7, 0.6), (0.5, 0.5, 0.52), (0.25, 0.25, 0.3), (0.85, 0.55, 0.2), (0.55, 0.4, 0.6)]
BRIGHTS = [(0.8, 0.1, 0.1), (0.1, 0.25, 0.7), (0.9, 0.9, 0.9), (0.15, 0.15, 0.15), (0.75, 0.75, 0.78), (0.9, 0.75, 0.1), (0.1, 0.5, 0.25), (0.5, 0.1, 0.4)]
WHITES = [(0.92, 0.92, 0.92), (0.85, 0.86, 0.9), (0.95, 0.93, 0.88)]
LEATHERS = [(0.35, 0.2, 0.12), (0.1, 0.09, 0.09), (0.55, 0.35, 0.2), (0.7, 0.65, 0.58)]


def pick(rng: Rng, palette, jitter: float = 0.06) -> tuple[float, float, float]:
    """A palette colour with a small random shift in hue, saturation and value."""
    r, g, b = palette[int(rng.integers(len(palette)))]
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h = (h + rng.normal(0, jitter * 0.3)) % 1.0
    s = float(np.clip(s * (1 + rng.normal(0, jitter * 2)), 0, 1))
    v = float(np.clip(v * (1 + rng.normal(0, jitter * 2)), 0.03, 1))
    return colorsys.hsv_to_rgb(h, s, v)


def shade(colour, factor: float):
    """The colour (or Material) brightened or darkened by ``factor``."""
    if isinstance(colour, Material):
        return Material(shade(colour.rgb, factor), colour.texture)
    return tuple(float(np.clip(c * factor, 0, 1)) for c in colour)


def u(rng: Rng, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def chance(rng: Rng, p: float) -> bool:
    return bool(rng.random() < p)


def choose(rng: Rng, weights: dict[str, float]) -> str:
    """A key of ``weights`` drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


# ---------------------------------------------------------------- materials
def _unit(rng: Rng, main_axis: int | None = None) -> tuple[float, float, float]:
    v = rng.normal(0, 0.25, 3)
    if main_axis is not None:
        v[main_axis] += 1.0
    v /= np.linalg.norm(v)
    return (float(v[0]), float(v[1]), float(v[2]))


def wood(rng: Rng, colour=None) -> Material:
    """Wood colour with grain rings along a random (mostly local-x or -z) direction."""
    rgb = colour if colour is not None else pick(rng, WOODS)
    return Material(rgb, Texture("grain", _unit(rng, int(rng.choice([0, 2]))), u(rng, 6.0, 14.0), u(rng, 0.15, 0.35), phase=u(rng, 0, 6.28)))


def mottled(rng: Rng, colour, contrast: tuple[float, float] = (0.06, 0.16)) -> Material:
    """Fabric, leather or plastic: a soft low-frequency mottle."""
    return Material(colour, Texture("noise", _unit(rng), u(rng, 3.0, 9.0), u(rng, *contrast), phase=u(rng, 0, 6.28)))


def striped(rng: Rng, colour, second=None) -> Material:
    """Painted bands (racing stripes, upholstery stripes, hull lines)."""
    second = second if second is not None else pick(rng, WHITES + DARKS + BRIGHTS)
    return Material(colour, Texture("stripes", _unit(rng, int(rng.integers(3))), u(rng, 2.0, 6.0), 1.0, second=second, phase=u(rng, 0, 6.28)))


def finish(rng: Rng, colour, p_texture: float = 0.6, p_stripes: float = 0.1):
    """Plain colour, mottled, or striped at random: for parts whose material varies."""
    r = rng.random()
    if r < p_stripes:
        return striped(rng, colour)
    if r < p_stripes + p_texture:
        return mottled(rng, colour)
    return colour


# ---------------------------------------------------------------- shared parts
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
