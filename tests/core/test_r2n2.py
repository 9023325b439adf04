import logging
import shutil

import numpy as np
import pytest
from PIL import Image

from core.errors import DataError
from core.io.binvox import Voxels, write_binvox
from core.io.r2n2 import (
    SKIP_EMPTY_CLASS,
    SKIP_MISSING_CLASS,
    SKIP_MISSING_PNG,
    SKIP_NO_METADATA,
    SKIP_NO_RENDERINGS,
    SKIP_NO_VOXELS,
    discover,
    load_rgba,
    load_voxels,
    metadata_array,
    read_metadata,
)

CHAIR = "03001627"


@pytest.fixture
def copy_root(real_r2n2_root, tmp_path):
    """A writable copy of the real sample, to break files in."""
    root = tmp_path / "r2n2"
    shutil.copytree(real_r2n2_root, root)
    return root


def first_object(root):
    return sorted((root / "ShapeNetRendering" / CHAIR).iterdir())[0]


def test_discover_real_sample(real_r2n2_root):
    d = discover(real_r2n2_root, ["chair"])
    assert d.classes == ["chair"] and d.skipped == {} and d.warnings == []
    assert len(d.objects) == 3
    ids = sorted(p.name for p in (real_r2n2_root / "ShapeNetVox32" / CHAIR).iterdir())
    assert [o.object_id for o in d.objects] == ids
    for o in d.objects:
        assert (o.synset, o.class_name) == (CHAIR, "chair")
        assert o.key == f"{CHAIR}/{o.object_id}"
        assert o.image_dir == real_r2n2_root / "ShapeNetRendering" / CHAIR / o.object_id / "rendering"
        assert o.binvox_path.is_file() and o.png_path(23).is_file() and o.metadata_path.is_file()


def test_default_classes_are_those_present(real_r2n2_root, caplog):
    with caplog.at_level(logging.WARNING):
        d = discover(real_r2n2_root)
    assert d.classes == ["chair"] and len(d.objects) == 3
    assert d.skipped == {SKIP_MISSING_CLASS: 12}
    # counted and described, but not logged: "whichever classes are present" expects absences
    assert any("12 class folders: class folder missing" in w for w in d.warnings)
    assert "class folder missing" not in caplog.text


def test_read_real_metadata_and_images(real_r2n2_root):
    obj = discover(real_r2n2_root, "chair").objects[0]
    views = read_metadata(obj.metadata_path)
    assert len(views) == 24
    first = obj.metadata_path.read_text().splitlines()[0].split()
    assert views[0].azimuth == pytest.approx(float(first[0])) and views[0].distance == pytest.approx(float(first[3]))
    arr = metadata_array(obj.metadata_path)
    assert arr.shape == (24, 5) and arr.dtype == np.float32
    assert np.all((arr[:, 1] > 20) & (arr[:, 1] < 35)) and np.all(arr[:, 4] == 25)
    rgba = load_rgba(obj.png_path(0))
    assert rgba.shape == (137, 137, 4) and rgba.dtype == np.uint8
    assert rgba[0, 0, 3] == 0 and rgba[..., 3].max() == 255
    assert load_voxels(obj.binvox_path).shape == (32, 32, 32)


def test_missing_root_and_halves(tmp_path, copy_root):
    with pytest.raises(DataError, match=f"{tmp_path / 'nowhere'}: data set root not found"):
        discover(tmp_path / "nowhere")
    shutil.rmtree(copy_root / "ShapeNetVox32")
    with pytest.raises(DataError, match="ShapeNetVox32: missing folder"):
        discover(copy_root)


def test_requested_class_without_objects_names_class_folder(copy_root):
    with pytest.raises(DataError, match=r"ShapeNetRendering/02691156: class folder for 'airplane' not found"):
        discover(copy_root, ["chair", "airplane"])
    (copy_root / "ShapeNetRendering" / "02691156").mkdir()
    (copy_root / "ShapeNetVox32" / "02691156").mkdir()
    d = discover(copy_root)  # an empty class folder is a counted skip by default...
    assert d.skipped[SKIP_EMPTY_CLASS] == 1 and d.classes == ["chair"] and len(d.objects) == 3
    with pytest.raises(DataError, match=r"ShapeNetRendering/02691156: no usable objects for class 'airplane'"):
        discover(copy_root, ["airplane", "chair"])  # ...and an error when asked for


def clone_object(root, new_id):
    """Copy the first chair under ``new_id`` (both halves); returns (rendering dir, voxel dir)."""
    src = first_object(root)
    rdir = root / "ShapeNetRendering" / CHAIR / new_id
    vdir = root / "ShapeNetVox32" / CHAIR / new_id
    shutil.copytree(src, rdir)
    shutil.copytree(root / "ShapeNetVox32" / CHAIR / src.name, vdir)
    return rdir / "rendering", vdir


def test_incomplete_objects_are_skipped_and_counted(copy_root, caplog):
    r, _ = clone_object(copy_root, "a" * 32)
    (r / "05.png").unlink()
    r, _ = clone_object(copy_root, "b" * 32)
    (r / "rendering_metadata.txt").unlink()
    _, v = clone_object(copy_root, "c" * 32)
    (v / "model.binvox").unlink()
    r, _ = clone_object(copy_root, "d" * 32)
    shutil.rmtree(r.parent)  # voxels without renderings
    r, _ = clone_object(copy_root, "e" * 32)
    shutil.rmtree(r)  # object folder without its rendering/ folder
    with caplog.at_level(logging.WARNING):
        d = discover(copy_root, "chair")
    assert len(d.objects) == 3 and all(o.object_id[0] not in "abcde" for o in d.objects)
    assert d.skipped == {SKIP_MISSING_PNG: 1, SKIP_NO_METADATA: 1, SKIP_NO_VOXELS: 1, SKIP_NO_RENDERINGS: 2}
    assert len(d.warnings) == 4
    assert f"1 object: missing PNG views (e.g. {copy_root / 'ShapeNetRendering' / CHAIR / ('a' * 32) / 'rendering'})" in caplog.text
    assert "2 objects: no rendering folder" in caplog.text


def test_metadata_with_wrong_line_count_or_bad_line(copy_root):
    meta = first_object(copy_root) / "rendering" / "rendering_metadata.txt"
    lines = meta.read_text().splitlines()
    meta.write_text("\n".join(lines[:23]) + "\n")
    with pytest.raises(DataError, match=r"rendering_metadata.txt: expected 24 metadata lines, found 23"):
        read_metadata(meta)
    meta.write_text("\n".join(lines + lines[:1]) + "\n")
    with pytest.raises(DataError, match=r"rendering_metadata.txt: expected 24 metadata lines, found 25"):
        read_metadata(meta)
    lines[2] = "12.5 twenty 0 0.8 25"
    meta.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"rendering_metadata.txt: line 3: "):
        read_metadata(meta)


@pytest.mark.parametrize("bad, words", [
    ("12.5 95 0 0.8 25", "elevation 95 is outside [-90, 90]"),
    ("12.5 -90.5 0 0.8 25", "elevation -90.5 is outside"),
    ("nan 20 0 0.8 25", "azimuth is 'nan', not a finite number"),
    ("12.5 20 0 0 25", "distance 0 is not positive"),
    ("12.5 20 0 -0.8 25", "distance -0.8 is not positive"),
    ("12.5 20 0 inf 25", "distance is 'inf'"),
    ("12.5 20 0 0.8", "expected 5 numbers"),
    ("12.5 20 0 0.8 25 7", "found 6 fields"),
    ("12.5 20 inf 0.8 25", "in_plane is 'inf'"),
    ("12.5 20 0 0.8 0", "field of view 0"),
])
def test_metadata_values_that_break_the_camera_are_refused_at_read(copy_root, bad, words):
    """Out-of-range or non-finite numbers would put the camera at NaN or behind the object."""
    meta = first_object(copy_root) / "rendering" / "rendering_metadata.txt"
    lines = meta.read_text().splitlines()
    lines[4] = bad
    meta.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as exc:
        read_metadata(meta)
    msg = str(exc.value)
    assert msg.startswith(f"{meta}: line 5: ") and words in msg and "\n" not in msg


def test_metadata_edge_values_are_accepted():
    from core.io.r2n2 import metadata_line_problem

    assert metadata_line_problem("0 90 0 0.5 25") is None
    assert metadata_line_problem("359.9 -90 -10 3 25") is None


def test_bad_pngs_name_the_file(copy_root):
    r = first_object(copy_root) / "rendering"
    good = load_rgba(r / "00.png")
    Image.fromarray(good[:128, :128]).save(r / "01.png")
    with pytest.raises(DataError, match=r"01.png: image is 128x128, expected 137x137"):
        load_rgba(r / "01.png")
    Image.fromarray(good[..., :3]).save(r / "02.png")
    with pytest.raises(DataError, match=r"02.png: image mode is RGB, expected RGBA"):
        load_rgba(r / "02.png")
    data = (r / "03.png").read_bytes()
    (r / "03.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"03.png: corrupt or unreadable image"):
        load_rgba(r / "03.png")
    (r / "04.png").write_bytes(b"not a png at all")
    with pytest.raises(DataError, match=r"04.png: corrupt or unreadable image"):
        load_rgba(r / "04.png")
    with pytest.raises(DataError, match=r"99.png: image file not found"):
        load_rgba(r / "99.png")


def test_binvox_of_wrong_size_names_the_file(tmp_path):
    path = tmp_path / "model.binvox"
    write_binvox(path, Voxels(np.ones((16, 16, 16), bool)))
    with pytest.raises(DataError, match=r"model.binvox: binvox grid is 16x16x16, expected 32x32x32"):
        load_voxels(path)
