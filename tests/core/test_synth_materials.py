"""Textures and lighting of the generator: visible, deterministic, and never touching geometry."""

from __future__ import annotations

import numpy as np

from core.geometry.camera import ViewParams
from core.synth.kit import mottled, striped, wood
from core.synth.parts import Material, Texture, box, normalise
from core.synth.render import DEFAULT_LIGHTING, Lighting, render_parts
from core.synth.voxelize import voxelize
from core.synth.writer import build_object, object_rng, sample_lighting

VIEW = ViewParams(35.0, 27.0, 0.0, 0.75)
BROWN = (0.55, 0.36, 0.2)


def _object_pixels(rgba: np.ndarray) -> np.ndarray:
    return rgba[rgba[..., 3] == 255][:, :3].astype(float)


def _within_face_spread(plain: np.ndarray, other: np.ndarray) -> float:
    """Mean over the plain render's faces of the other render's luminance spread in them."""
    solid = plain[..., 3] == 255
    faces = plain[solid][:, :3]
    lum = other[solid][:, :3].astype(float).mean(axis=1)
    spreads = [lum[(faces == f).all(axis=1)].std() for f in np.unique(faces, axis=0) if (faces == f).all(axis=1).sum() > 100]
    return float(np.mean(spreads))


def test_textures_vary_the_colour_but_not_the_shape() -> None:
    rng = np.random.default_rng(0)
    plain = normalise([box((0, 0, 0), (0.6, 0.3, 0.9), BROWN)])
    for material in (wood(rng, BROWN), striped(rng, BROWN, (0.9, 0.9, 0.9)), mottled(rng, BROWN, (0.3, 0.3))):
        textured = normalise([box((0, 0, 0), (0.6, 0.3, 0.9), material)])
        a, b = render_parts(plain, VIEW), render_parts(textured, VIEW)
        assert np.array_equal(a[..., 3], b[..., 3]), material.texture.kind  # same silhouette
        assert np.array_equal(voxelize(plain).data, voxelize(textured).data)
        # each face of the plain box is one flat shade (so its colour names the face); the
        # texture varies the colour within a face
        assert _within_face_spread(a, a) < 0.5
        assert _within_face_spread(a, b) > 3, material.texture.kind
        assert np.array_equal(b, render_parts(textured, VIEW))  # deterministic


def test_texture_survives_thickening_and_normalising() -> None:
    tex = Texture("grain", (1.0, 0.0, 0.0), 8.0, 0.3)
    part = box((0, 0, 0), (0.5, 0.001, 0.3), Material(BROWN, tex))
    assert part.thickened(0.05).texture is tex
    assert normalise([part])[0].texture is tex
    assert part.colour == BROWN


def test_lighting_changes_shading_only() -> None:
    parts = build_object("chair", object_rng(0, "chair", 1))
    dim = render_parts(parts, VIEW, light=Lighting(ambient=0.2, key=0.4, fill=0.1, specular=0.0))
    bright = render_parts(parts, VIEW, light=Lighting(ambient=0.45, key=0.75, fill=0.3))
    assert np.array_equal(dim[..., 3], bright[..., 3])
    assert _object_pixels(bright).mean() > _object_pixels(dim).mean() + 10
    assert np.array_equal(render_parts(parts, VIEW), render_parts(parts, VIEW, light=DEFAULT_LIGHTING))


def test_sampled_lighting_stays_within_the_real_renders_range() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        light = sample_lighting(rng)
        assert 0.26 <= light.ambient <= 0.4 and 0.5 <= light.key <= 0.72 and 0.0 <= light.specular <= 0.4
        assert light.ambient + light.key + light.fill <= 1.45  # a lit face never washes out to white
