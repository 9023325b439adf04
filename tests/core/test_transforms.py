import numpy as np
import pytest
import torch

from core.data.transforms import (
    INPUT_SIZE,
)
from core.data.transforms import (
    MEAN,
    STD,
    AugmentConfig,
    composite,
    denormalize,
    eval_transform,
    normalize,
    train_transform,
)

NO_COLOUR_JITTER = AugmentConfig(brightness=0, contrast=0, saturation=0)


def coordinate_image():
    """Opaque RGBA whose red = row and green = column: the output tells where the crop was."""
    rgba = np.full((137, 137, 4), 255, np.uint8)
    rgba[..., 0] = np.arange(137)[:, None]
    rgba[..., 1] = np.arange(137)[None, :]
    rgba[..., 2] = 50
    return rgba


def test_eval_is_centre_crop_over_white():
    out = eval_transform(coordinate_image())
    assert out.shape == (3, INPUT_SIZE, INPUT_SIZE) and out.dtype == torch.float32
    img = denormalize(out)
    assert img[0, 0, 0] == 5 and img[0, 0, 1] == 5 and img[-1, -1, 0] == 131
    clear = np.zeros((137, 137, 4), np.uint8)
    assert np.all(denormalize(eval_transform(clear)) == 255)


def test_composite_blends_by_alpha():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[0, 0, 3] = 255
    rgba[0, 1, 3] = 51  # 20 %
    out = composite(rgba, (0.0, 0.0, 1.0))
    np.testing.assert_allclose(out[0, 0], [1, 0, 0], atol=1e-6)
    np.testing.assert_allclose(out[0, 1], [0.2, 0, 0.8], atol=1e-6)
    np.testing.assert_allclose(out[1, 1], [0, 0, 1], atol=1e-6)


def test_normalize_uses_mean_std_and_denormalize_inverts():
    rgb = np.random.default_rng(0).random((5, 7, 3)).astype(np.float32)
    t = normalize(rgb)
    assert t.shape == (3, 5, 7)
    np.testing.assert_allclose(t[:, 2, 3].numpy(), (rgb[2, 3] - MEAN) / STD, rtol=1e-5)
    back = denormalize(t)
    assert back.dtype == np.uint8 and np.abs(back.astype(float) - rgb * 255).max() <= 0.51
    assert denormalize(torch.stack([t, t])).shape == (2, 5, 7, 3)


def test_train_crop_jitter_spans_plus_minus_5_px():
    rgba = coordinate_image()
    tops, lefts = set(), set()
    for seed in range(200):
        img = denormalize(train_transform(rgba, np.random.default_rng(seed), NO_COLOUR_JITTER))
        tops.add(int(img[0, 0, 0]))
        lefts.add(int(img[0, 0, 1]))
    assert tops == set(range(11)) and lefts == set(range(11))


def test_train_background_is_random_and_untouched_by_colour_jitter():
    rgba = np.zeros((137, 137, 4), np.uint8)
    rgba[40:90, 40:90] = (200, 60, 30, 255)
    colours = []
    for seed in range(20):
        img = denormalize(train_transform(rgba, np.random.default_rng(seed)))
        corner = img[:20, :20].reshape(-1, 3)
        assert np.all(corner == corner[0])  # one flat colour
        colours.append(tuple(corner[0]))
    assert len(set(colours)) == 20 and (255, 255, 255) not in colours
    fixed = denormalize(train_transform(rgba, np.random.default_rng(0), background=(0, 0, 0)))
    assert np.all(fixed[:20, :20] == 0)


def test_colour_jitter_changes_the_object_within_range():
    rgba = np.zeros((137, 137, 4), np.uint8)
    rgba[30:100, 30:100] = (200, 60, 30, 255)
    centres = set()
    for seed in range(10):
        t = train_transform(rgba, np.random.default_rng(seed), AugmentConfig(crop_jitter=0, random_background=False))
        centres.add(tuple(denormalize(t)[63, 63]))
        assert torch.isfinite(t).all()
    assert len(centres) == 10
    plain = denormalize(train_transform(rgba, np.random.default_rng(0), AugmentConfig(0, False, 0, 0, 0)))
    assert tuple(plain[63, 63]) == (200, 60, 30)


def test_same_generator_state_same_output_and_shape_checks():
    rgba = coordinate_image()
    a = train_transform(rgba, np.random.default_rng(7))
    b = train_transform(rgba, np.random.default_rng(7))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="137x137 RGBA"):
        eval_transform(rgba[..., :3])
    with pytest.raises(ValueError, match="137x137 RGBA"):
        train_transform(rgba[:100], np.random.default_rng(0))


def real_like_rgba(seed=0):
    """A shaded disc with soft (partial alpha) edges on a transparent background."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:137, :137]
    r = np.hypot(yy - 68, xx - 70)
    rgba = np.zeros((137, 137, 4), np.uint8)
    rgba[..., :3] = rng.integers(0, 256, (137, 137, 3))
    rgba[..., 3] = np.clip((45 - r) * 40, 0, 255).astype(np.uint8)
    return rgba


def test_fast_paths_match_the_public_float_pipeline():
    """eval/train_transform compute plane by plane; they must equal normalize(composite(...))
    (the path photos take) with colour jitter defined step by step."""
    from core.data.transforms import color_jitter, crop

    rgba = real_like_rgba()
    for bg in ((1.0, 1.0, 1.0), (0.2, 0.5, 0.9)):
        ref = normalize(composite(crop(rgba), bg))
        torch.testing.assert_close(eval_transform(rgba, bg), ref, atol=1e-5, rtol=0)
    cfg = AugmentConfig(crop_jitter=5, brightness=0.3, contrast=0.3, saturation=0.3)
    for seed in range(5):
        got = train_transform(rgba, np.random.default_rng(seed), cfg)
        rng = np.random.default_rng(seed)
        top, left = 5 + rng.integers(-5, 6, size=2)
        bg = rng.random(3)
        c = crop(rgba, int(top), int(left))
        alpha = c[..., 3:].astype(np.float32) / 255
        jittered = color_jitter(c[..., :3].astype(np.float32) / 255, rng, 0.3, 0.3, 0.3, alpha)
        ref = normalize(jittered * alpha + bg.astype(np.float32) * (1 - alpha))
        torch.testing.assert_close(got, ref, atol=1e-4, rtol=0)


def test_colour_jitter_is_brightness_then_contrast_then_saturation():
    from core.data.transforms import color_jitter

    rgb = np.random.default_rng(1).random((6, 5, 3)).astype(np.float32) * 0.5 + 0.2
    luma = np.array([0.299, 0.587, 0.114])
    out = color_jitter(rgb, np.random.default_rng(4), 0.3, 0.3, 0.3)
    b, c, s = np.random.default_rng(4).uniform(0.7, 1.3, size=3)
    x = rgb * b
    m = (x @ luma).mean()
    x = (x - m) * c + m
    g = (x @ luma)[..., None]
    x = np.clip((x - g) * s + g, 0, 1)
    np.testing.assert_allclose(out, x, atol=1e-5)
