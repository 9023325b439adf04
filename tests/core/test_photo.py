import numpy as np
import pytest
from PIL import Image

from core.data.photo import TARGET_EXTENT, WORK_SIDE, estimate_backdrop, fit_to_canvas, prepare_image
from core.data.transforms import denormalize, eval_transform
from core.errors import DataError

CHAIR = "ShapeNetRendering/03001627/1a38407b3036795d19fb4103277a6b93/rendering/03.png"


@pytest.fixture()
def render(real_r2n2_root) -> np.ndarray:
    return np.asarray(Image.open(real_r2n2_root / CHAIR))


def _photo(render: np.ndarray, size=(640, 480), backdrop=(236, 232, 224), obj_px=380, at=(150, 60), noise=3.0, seed=0):
    """A "photo": the render scaled up, composited on an off-white backdrop, with sensor noise.
    Returns the RGB picture and the true object mask at its resolution."""
    obj = Image.fromarray(render, "RGBA").resize((obj_px, obj_px), Image.Resampling.LANCZOS)
    pic = Image.new("RGB", size, backdrop)
    pic.paste(obj, at, obj)
    mask = np.zeros(size[::-1], bool)
    mask[at[1]:at[1] + obj_px, at[0]:at[0] + obj_px] = np.asarray(obj)[..., 3] > 127
    if not noise:
        return np.asarray(pic), mask
    noisy = np.asarray(pic, np.float64) + np.random.default_rng(seed).normal(0, noise, (size[1], size[0], 3))
    return noisy.clip(0, 255).astype(np.uint8), mask


def _object_mask(preview: np.ndarray) -> np.ndarray:
    return preview.min(axis=-1) < 245


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_r2n2_render_takes_exactly_the_evaluation_path(real_r2n2_root, render):
    prep = prepare_image(real_r2n2_root / CHAIR)
    assert prep.method == "render" and "used as it is" in prep.note
    assert prep.tensor.shape == (3, 127, 127) and prep.tensor.dtype.is_floating_point
    np.testing.assert_array_equal(prep.tensor.numpy(), eval_transform(render).numpy())
    # the preview is what the model sees, before normalising
    assert np.abs(prep.preview.astype(int) - denormalize(prep.tensor).astype(int)).max() <= 1


def test_alpha_picture_is_cropped_and_scaled_like_a_render(render):
    big = Image.fromarray(render, "RGBA").resize((600, 600), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (900, 700), (0, 0, 0, 0))
    canvas.paste(big, (250, 20))
    prep = prepare_image(canvas)
    assert prep.method == "alpha" and "alpha channel" in prep.note
    ys, xs = np.nonzero(prep.rgba[..., 3] > 8)
    extent = max(np.ptp(ys), np.ptp(xs)) + 1
    assert abs(extent - TARGET_EXTENT) <= 4
    assert abs((ys.min() + ys.max()) / 2 - 68) <= 3 and abs((xs.min() + xs.max()) / 2 - 68) <= 3
    # same result as fitting the original render: the pipeline is scale-invariant
    ref = fit_to_canvas(render)
    assert _iou(_object_mask(prep.preview), _object_mask(prepare_image(Image.fromarray(ref)).preview)) > 0.9


def test_white_backdrop_jpeg_photo_is_cut_out(tmp_path, render):
    rgb, truth = _photo(render)
    path = tmp_path / "chair photo.jpg"
    Image.fromarray(rgb).save(path, quality=85)
    prep = prepare_image(path)
    assert prep.method == "backdrop", prep.note
    assert "removed a plain backdrop" in prep.note and "236" in prep.note
    # bytes and open files take the same path
    assert (prepare_image(path.read_bytes()).tensor == prep.tensor).all()
    with open(path, "rb") as f:
        assert (prepare_image(f).tensor == prep.tensor).all()
    # the estimated mask matches the true silhouette at the photo's analysis resolution
    est = estimate_backdrop(np.asarray(Image.open(path).convert("RGB").resize((WORK_SIDE, WORK_SIDE * 3 // 4))))
    true_small = np.asarray(Image.fromarray(truth).resize(est.mask.shape[::-1])) > 0
    assert _iou(est.mask, true_small) > 0.9
    # and the model input looks like the render fitted the same way
    ref = prepare_image(Image.fromarray(fit_to_canvas(render)))
    assert _iou(_object_mask(prep.preview), _object_mask(ref.preview)) > 0.85


def test_busy_background_is_used_as_it_is(render):
    rng = np.random.default_rng(1)
    clutter = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    prep = prepare_image(clutter)
    assert prep.method == "as-is"
    assert "not one plain colour" in prep.note and "as it is" in prep.note
    # letterboxed: the 4:3 picture fills the width, white bands above and below
    assert (prep.preview[:8] == 255).all() and not (prep.preview[64] == 255).all()


def test_grayscale_and_palette_pictures(tmp_path, render):
    rgb, _ = _photo(render, size=(320, 240), obj_px=190, at=(70, 25))
    grey = tmp_path / "grey.png"
    Image.fromarray(rgb).convert("L").save(grey)
    prep = prepare_image(grey)
    assert prep.method == "backdrop"
    assert np.abs(prep.preview[..., 0].astype(int) - prep.preview[..., 2]).max() <= 1  # still grey
    pal = tmp_path / "palette.png"
    Image.fromarray(render, "RGBA").convert("P").save(pal)  # palette with a transparent entry
    assert prepare_image(pal).method in ("render", "alpha")


def test_sixteen_bit_picture(tmp_path, render):
    rgb, _ = _photo(render, size=(320, 240), obj_px=190, at=(70, 25))
    grey16 = (np.asarray(Image.fromarray(rgb).convert("L"), np.uint16) * 257).astype(np.uint16)
    path = tmp_path / "grey16.png"
    Image.fromarray(grey16).save(path)
    assert Image.open(path).mode.startswith("I")
    prep = prepare_image(path)
    assert prep.method == "backdrop" and "16-bit" in prep.note
    ref = prepare_image(Image.fromarray(rgb).convert("L"))
    assert np.abs(prep.preview.astype(int) - ref.preview.astype(int)).mean() < 2
    # a uint16 array works the same way
    assert prepare_image(grey16).method == "backdrop"


def test_huge_picture_is_downscaled_first(tmp_path, render):
    rgb, _ = _photo(render, size=(4000, 3000), obj_px=2400, at=(800, 300), noise=0)
    path = tmp_path / "huge.jpg"
    Image.fromarray(rgb).save(path, quality=90)
    prep = prepare_image(path)
    assert prep.method == "backdrop"
    assert "4000×3000 px picture downscaled" in prep.note


def test_exif_orientation_is_applied(tmp_path):
    pic = np.full((200, 300, 3), 240, np.uint8)
    pic[80:120, 40:200] = (200, 30, 30)  # a wide red bar, 160×40 px
    img = Image.fromarray(pic)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif.tobytes(), quality=95)
    prep = prepare_image(path)
    assert prep.method == "backdrop" and "rotated by its EXIF orientation" in prep.note
    ys, xs = np.nonzero(_object_mask(prep.preview))
    assert np.ptp(ys) > 3 * np.ptp(xs)  # displayed upright, the bar stands tall


def test_not_an_image_names_the_file(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("this is not a picture")
    with pytest.raises(DataError, match=r"notes\.png: not an image"):
        prepare_image(bad)
    with pytest.raises(DataError, match="not found"):
        prepare_image(tmp_path / "missing.jpg")
    truncated = tmp_path / "cut.png"
    full = tmp_path / "full.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 128).save(full)
    truncated.write_bytes(full.read_bytes()[:60])
    with pytest.raises(DataError, match=r"cut\.png"):
        prepare_image(truncated)
    with pytest.raises(DataError, match="<stream>: not an image"):
        prepare_image(b"definitely not a picture")
    with pytest.raises(DataError, match="image array"):
        prepare_image(np.zeros((4, 5, 6, 7)))


@pytest.mark.parametrize("name", ["chair", "lamp", "airplane"])
def test_generated_render_as_a_photo_is_cut_out(tmp_path, tiny_synth_root, name):
    """A generated object (thin lamp poles, wide wings) on a plain light-green backdrop, JPEG.

    The backdrop differs in colour from the object: a white object on an off-white backdrop
    cannot be told apart by colour (the generator paints some airplanes and lamps white)."""
    from core.taxonomy import NAME_TO_SYNSET

    obj_dir = sorted((tiny_synth_root / "ShapeNetRendering" / NAME_TO_SYNSET[name]).iterdir())[0]
    render = np.asarray(Image.open(obj_dir / "rendering" / "07.png"))
    rgb, truth = _photo(render, backdrop=(170, 210, 160), obj_px=400, at=(120, 40))
    path = tmp_path / f"{name}.jpg"
    Image.fromarray(rgb).save(path, quality=88)
    prep = prepare_image(path)
    assert prep.method == "backdrop", prep.note
    ref = prepare_image(Image.fromarray(fit_to_canvas(render)))
    assert _iou(_object_mask(prep.preview), _object_mask(ref.preview)) > 0.8


CASE_IMAGES = __import__("pathlib").Path(__file__).parents[1] / "data" / "cases" / "images"


def test_fully_transparent_picture_has_no_object(tmp_path):
    from core.data.photo import NoObjectError

    with pytest.raises(NoObjectError) as exc:
        prepare_image(CASE_IMAGES / "transparent.png")
    msg = str(exc.value)
    assert msg.startswith(str(CASE_IMAGES / "transparent.png")) and "no object in the picture" in msg
    # any size, and a nearly empty alpha (a few stray pixels) too
    stray = np.zeros((300, 500, 4), np.uint8)
    stray[10, 10] = (200, 0, 0, 255)
    Image.fromarray(stray, "RGBA").save(tmp_path / "stray.png")
    with pytest.raises(NoObjectError, match="stray.png: no object in the picture"):
        prepare_image(tmp_path / "stray.png")


def test_plain_colour_picture_has_no_object(tmp_path):
    from core.data.photo import NoObjectError

    for colour in ((255, 255, 255), (30, 90, 200)):
        Image.new("RGB", (640, 480), colour).save(tmp_path / "plain.jpg", quality=92)
        with pytest.raises(NoObjectError, match="plain.jpg: no object in the picture"):
            prepare_image(tmp_path / "plain.jpg")


def test_small_cut_out_on_a_big_transparent_canvas_is_still_an_object(render):
    canvas = np.zeros((1200, 1200, 4), np.uint8)
    small = np.asarray(Image.fromarray(render, "RGBA").resize((40, 40), Image.Resampling.LANCZOS))
    canvas[600:640, 300:340] = small
    prep = prepare_image(canvas)
    assert prep.method == "alpha"


def test_damaged_exif_is_a_note_not_a_library_warning(recwarn):
    prep = prepare_image(CASE_IMAGES / "bad_exif.jpg")
    assert "EXIF" in prep.note and prep.method == "backdrop"
    assert not [w for w in recwarn if "EXIF" in str(w.message)]


def test_invalid_exif_orientation_is_not_claimed_as_a_rotation():
    prep = prepare_image(CASE_IMAGES / "b12_exif_orient9.jpg")
    assert "rotated" not in prep.note and "orientation 9" in prep.note and "ignored" in prep.note


def test_decompression_warning_becomes_a_note(tmp_path, recwarn, monkeypatch):
    big = np.full((700, 900, 3), 255, np.uint8)
    big[200:500, 300:600] = (40, 40, 40)
    Image.fromarray(big).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 400_000)  # 630,000 px: over the warning limit, under the error one
    prep = prepare_image(tmp_path / "big.png")
    assert "very large picture" in prep.note
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
