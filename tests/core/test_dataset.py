import shutil

import numpy as np
import pytest
import torch

from core.data.dataset import R2N2Dataset, make_loader
from core.data.splits import Splits, make_splits, save_splits, load_splits
from core.data.transforms import denormalize
from core.errors import DataError
from core.geometry.camera import ViewParams, project_voxels_mask, silhouette_iou
from core.io.binvox import Voxels, read_binvox, write_binvox
from core.io.r2n2 import discover, load_rgba, read_metadata

CHAIR = "03001627"


@pytest.fixture(scope="module")
def real(real_r2n2_root):
    d = discover(real_r2n2_root, "chair")
    return real_r2n2_root, d, make_splits(d, (1.0, 0.0, 0.0))  # all three chairs in train


def test_items_of_the_real_sample(real):
    root, d, splits = real
    ds = R2N2Dataset(root, ["chair"], "train", splits, augment=False, discovery=d, cameras=True)
    assert len(ds) == 3 * 24
    item = ds[30]
    assert item["image"].shape == (3, 127, 127) and item["image"].dtype == torch.float32
    assert item["voxels"].shape == (1, 32, 32, 32) and item["voxels"].dtype == torch.float32
    assert set(torch.unique(item["voxels"]).tolist()) == {0.0, 1.0}
    assert item["label"] == 0 and item["view"] == 6 and item["key"] == ds.records[1].key
    meta = read_metadata(ds.records[1].metadata_path)[6]
    np.testing.assert_allclose(item["view_params"].numpy(), [meta.azimuth, meta.elevation, meta.in_plane, meta.distance, meta.fov], rtol=1e-6)
    assert item["view_params"].dtype == torch.float32
    np.testing.assert_array_equal(item["voxels"][0].numpy() > 0, read_binvox(ds.records[1].binvox_path).data)
    img = denormalize(item["image"])
    assert np.all(img[0, 0] == 255)  # eval composite over white
    assert -3 < item["image"].min() and item["image"].max() < 3


def test_image_voxels_and_view_params_agree_in_all_24_views(real):
    """What the model sees (image) and what it must predict (voxels, seen from view_params)
    are the same object from the same camera: projected voxels cover the non-white pixels."""
    root, d, splits = real
    ds = R2N2Dataset(root, "chair", "train", splits, discovery=d, cameras=True)
    for obj in range(3):
        scale = read_binvox(ds.records[obj].binvox_path).scale
        ious = []
        for view in range(24):
            item = ds[obj * 24 + view]
            assert item["view"] == view
            vp = ViewParams(*item["view_params"].tolist())
            mask = project_voxels_mask(item["voxels"][0].numpy() > 0.5, vp, scale)[5:132, 5:132]
            foreground = np.any(denormalize(item["image"]) != 255, axis=-1)
            ious.append(silhouette_iou(mask, foreground))
            alpha = load_rgba(ds.records[obj].png_path(view))[5:132, 5:132, 3] > 0
            assert np.array_equal(foreground, alpha) or silhouette_iou(foreground, alpha) > 0.97
        assert min(ious) > 0.85, ious


def test_views_per_epoch(real):
    root, d, _ = real
    splits = Splits(0, (0.5, 0.0, 0.5), train=[o.key for o in d.objects], val=[], test=[o.key for o in d.objects])
    train = R2N2Dataset(root, "chair", "train", splits, views=3, discovery=d)
    assert len(train) == 9
    epoch0 = [train[(i, 0)]["view"] for i in range(9)]
    epoch1 = [train[(i, 1)]["view"] for i in range(9)]
    for obj in range(3):
        assert len(set(epoch0[obj * 3:obj * 3 + 3])) == 3  # distinct views of one object
    assert epoch0 != epoch1
    test = R2N2Dataset(root, "chair", "test", splits, views=3, discovery=d)
    assert [test[(i, 0)]["view"] for i in range(9)] == [test[(i, 5)]["view"] for i in range(9)]
    with pytest.raises(ValueError, match="views"):
        R2N2Dataset(root, "chair", "test", splits, views=25, discovery=d)


def test_augmentation_reproducible_per_seed_and_epoch(real):
    root, d, splits = real
    ds = R2N2Dataset(root, "chair", "train", splits, augment=True, seed=1, discovery=d)
    assert torch.equal(ds[(4, 0)]["image"], ds[(4, 0)]["image"])
    assert not torch.equal(ds[(4, 0)]["image"], ds[(4, 1)]["image"])
    other = R2N2Dataset(root, "chair", "train", splits, augment=True, seed=2, discovery=d)
    assert not torch.equal(ds[(4, 0)]["image"], other[(4, 0)]["image"])
    black = R2N2Dataset(root, "chair", "train", splits, augment=False, background=(0, 0, 0), discovery=d)
    assert np.all(denormalize(black[0]["image"])[0, 0] == 0)


def test_loader_batches_same_with_and_without_workers(real):
    root, d, splits = real
    ds = R2N2Dataset(root, "chair", "train", splits, augment=True, seed=3, discovery=d, cameras=True)
    runs = []
    for workers in (0, 2):
        loader = make_loader(ds, batch_size=16, num_workers=workers, seed=3)
        epochs = [list(loader)[:2] for _ in range(2)]
        runs.append(epochs)
        assert loader.sampler.epoch == 2
    first, second = runs
    for e in range(2):
        for ba, bb in zip(first[e], second[e]):
            assert ba["key"] == bb["key"] and torch.equal(ba["image"], bb["image"]) and torch.equal(ba["view"], bb["view"])
    b = first[0][0]
    assert b["image"].shape == (16, 3, 127, 127) and b["voxels"].shape == (16, 1, 32, 32, 32)
    assert b["label"].dtype == torch.int64 and b["view_params"].shape == (16, 5) and len(b["key"]) == 16
    assert first[0][0]["key"] != first[1][0]["key"]  # reshuffled each epoch


def test_split_objects_missing_on_disk(real, tmp_path):
    root, d, splits = real
    gone = f"{CHAIR}/{'0' * 32}"
    edited = Splits(0, splits.ratios, splits.train + [gone], [], [])
    path = tmp_path / "split.json"
    save_splits(edited, path)
    loaded = load_splits(path)
    with pytest.raises(DataError, match=rf"split.json: 1 of 4 'train' objects are not in the data set .*{gone}"):
        R2N2Dataset(root, "chair", "train", loaded, discovery=d)
    ds = R2N2Dataset(root, "chair", "train", loaded, discovery=d, missing="skip")
    assert ds.missing == 1 and len(ds) == 72
    with pytest.raises(DataError, match="split 'val' has no objects of classes chair"):
        R2N2Dataset(root, "chair", "val", splits, discovery=d)


def test_broken_files_surface_as_data_errors_naming_them(real_r2n2_root, tmp_path):
    root = tmp_path / "r2n2"
    shutil.copytree(real_r2n2_root, root)
    d = discover(root, "chair")
    ds = R2N2Dataset(root, "chair", "train", make_splits(d, (1.0, 0.0, 0.0)), discovery=d, cameras=True)
    write_binvox(ds.records[0].binvox_path, Voxels(np.ones((16, 16, 16), bool)))
    with pytest.raises(DataError, match=r"model.binvox: binvox grid is 16x16x16"):
        ds[0]
    ds.records[1].png_path(2).write_bytes(b"\x89PNG broken")
    with pytest.raises(DataError, match=r"02.png: corrupt or unreadable image"):
        ds[24 + 2]
    lines = ds.records[2].metadata_path.read_text().splitlines()
    ds.records[2].metadata_path.write_text("\n".join(lines[:20]))
    with pytest.raises(DataError, match=r"rendering_metadata.txt: expected 24 metadata lines, found 20"):
        ds[48]



def test_items_without_cameras_never_open_the_metadata(real_r2n2_root, tmp_path):
    """Training and evaluation do not use the camera: a damaged rendering_metadata.txt does not
    stop them; asked for cameras, the same file is named with its line."""
    root = tmp_path / "r2n2"
    shutil.copytree(real_r2n2_root, root)
    d = discover(root, "chair")
    splits = make_splits(d, (1.0, 0.0, 0.0))
    lines = d.objects[0].metadata_path.read_text().splitlines()
    lines[6] = "12.5 20 0 nan 25"
    d.objects[0].metadata_path.write_text("\n".join(lines) + "\n")
    plain = R2N2Dataset(root, "chair", "train", splits, discovery=d)
    item = plain[6]
    assert "view_params" not in item and item["voxels"].shape == (1, 32, 32, 32)
    with pytest.raises(DataError, match=r"rendering_metadata.txt: line 7: .*distance"):
        R2N2Dataset(root, "chair", "train", splits, discovery=d, cameras=True)[6]


def test_data_error_from_a_worker_process_keeps_its_type_and_file(real_r2n2_root, tmp_path):
    root = tmp_path / "r2n2"
    shutil.copytree(real_r2n2_root, root)
    d = discover(root, "chair")
    ds = R2N2Dataset(root, "chair", "train", make_splits(d, (1.0, 0.0, 0.0)), discovery=d)
    ds.records[0].png_path(3).write_bytes(b"junk")
    with pytest.raises(DataError) as info:
        for _ in make_loader(ds, batch_size=8, num_workers=1, shuffle=False, persistent_workers=False):
            pass
    assert info.value.path == ds.records[0].png_path(3)
    assert info.value.problem.startswith("corrupt or unreadable image")

# -- generated data (13 classes × 3 objects) -------------------------------------------------
from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET, resolve_classes  # noqa: E402


@pytest.fixture(scope="module")
def synth(tiny_synth_root):
    d = discover(tiny_synth_root)
    return tiny_synth_root, d, make_splits(d, seed=0)


def test_synth_discovery_and_class_indices(synth):
    root, d, splits = synth
    assert d.classes == list(ALL_CLASSES) and d.skipped == {}
    assert d.counts() == {name: 3 for name in ALL_CLASSES}
    assert (len(splits.train), len(splits.val), len(splits.test)) == (26, 0, 13)
    ds = R2N2Dataset(root, "13", "train", splits, discovery=d)
    assert len(ds) == 26 * 24
    for obj, rec in enumerate(ds.records):
        assert ds.labels[obj] == ALL_CLASSES.index(rec.class_name)
    item = ds[5 * 24 + 3]
    assert ALL_CLASSES[item["label"]] == ds.records[5].class_name and item["key"].startswith(ds.records[5].synset)


def test_synth_seven_class_subset_reuses_the_13_class_split(synth):
    root, d, splits = synth
    seven = resolve_classes("7")
    d7 = discover(root, "7")
    assert d7.classes == seven and len(d7.objects) == 21
    ds = R2N2Dataset(root, "7", "test", splits, discovery=d7)
    synsets = {NAME_TO_SYNSET[n] for n in seven}
    assert len(ds.records) == 7 and all(r.synset in synsets for r in ds.records)
    assert sorted(ds.labels.tolist()) == list(range(7))
    for obj, rec in enumerate(ds.records):
        assert seven[ds.labels[obj]] == rec.class_name
    assert [r.key for r in ds.records] == sorted(k for k in splits.test if k.split("/")[0] in synsets)


def test_synth_split_reproducible_and_file_round_trip(synth, tmp_path):
    root, d, splits = synth
    assert make_splits(discover(root), seed=0) == splits
    other = make_splits(d, (0.6, 0.2, 0.2), seed=0)
    assert (len(other.train), len(other.val), len(other.test)) == (13, 13, 13)
    save_splits(other, tmp_path / "split.json")
    loaded = load_splits(tmp_path / "split.json")
    assert loaded.split_id == other.split_id
    a = R2N2Dataset(root, None, "val", other, discovery=d)
    b = R2N2Dataset(root, None, "val", loaded)
    assert [r.key for r in a.records] == [r.key for r in b.records]
    assert torch.equal(a[17]["image"], b[17]["image"])


def test_synth_items_show_their_voxels_from_their_camera(synth):
    """Per class, the projected voxels match the image better from the item's own view than
    from the opposite side (a wrong view/metadata pairing would fail this)."""
    root, d, splits = synth
    ds = R2N2Dataset(root, None, "train", splits, discovery=d, cameras=True)
    good, wrong = [], []
    for obj in range(0, len(ds.records), 2):
        item = ds[obj * 24 + 7]
        scale = read_binvox(ds.records[obj].binvox_path).scale
        occ = item["voxels"][0].numpy() > 0.5
        fg = np.any(denormalize(item["image"]) != 255, axis=-1)
        vp = ViewParams(*item["view_params"].tolist())
        good.append(silhouette_iou(project_voxels_mask(occ, vp, scale)[5:132, 5:132], fg))
        turned = ViewParams(vp.azimuth + 90, vp.elevation, vp.in_plane, vp.distance)
        wrong.append(silhouette_iou(project_voxels_mask(occ, turned, scale)[5:132, 5:132], fg))
    assert np.mean(good) > 0.75 and min(good) > 0.4, good
    assert np.mean(good) > np.mean(wrong) + 0.15
