import shutil

import numpy as np
import pytest

from core.data.priors import compute_priors, prior_cache_path, prior_from_shapes
from core.data.splits import Splits, make_splits
from core.errors import DataError
from core.io.binvox import Voxels, read_binvox, write_binvox
from core.io.r2n2 import discover


@pytest.fixture
def copy_root(real_r2n2_root, tmp_path):
    root = tmp_path / "r2n2"
    shutil.copytree(real_r2n2_root, root)
    return root


def manual_mean(discovery, keys):
    by_key = discovery.by_key()
    return np.mean([read_binvox(by_key[k].binvox_path).data for k in keys], axis=0)


def test_priors_use_the_train_split_only_and_are_cached(copy_root):
    d = discover(copy_root, "chair")
    splits = make_splits(d, seed=0)  # 75/5/20 of 3 chairs -> 2 train, 1 test
    assert len(splits.train) == 2 and len(splits.test) == 1
    events = []
    priors = compute_priors(d, splits, ["chair"], progress=events.append)
    assert priors.shape == (1, 32, 32, 32) and priors.dtype == np.float32
    np.testing.assert_allclose(priors[0], manual_mean(d, splits.train), atol=1e-6)
    assert not np.allclose(priors[0], manual_mean(d, [o.key for o in d.objects]))
    assert events and events[-1].done == events[-1].total == 2

    cache = prior_cache_path(d, splits, ["chair"])
    assert cache.is_file() and cache.parent.name == ".recon_cache" and splits.split_id in cache.name
    np.save(cache, np.full((1, 32, 32, 32), 0.25, np.float32))  # reuse is visible through a marker
    assert np.all(compute_priors(copy_root, splits, "chair") == 0.25)
    assert np.all(compute_priors(d, splits, "chair", cache=False) == priors)
    cache.write_bytes(b"garbage")  # unreadable cache -> recomputed and rewritten
    np.testing.assert_array_equal(compute_priors(d, splits, "chair"), priors)
    np.testing.assert_array_equal(np.load(cache), priors)
    cache.unlink()  # missing cache -> recomputed
    np.testing.assert_array_equal(compute_priors(d, splits, "chair"), priors)
    assert cache.is_file()


def test_a_different_split_gets_its_own_prior(copy_root):
    d = discover(copy_root, "chair")
    keys = [o.key for o in d.objects]
    a = Splits(0, (0.34, 0.33, 0.33), [keys[0]], [keys[1]], [keys[2]])
    b = Splits(0, (0.34, 0.33, 0.33), [keys[2]], [keys[1]], [keys[0]])
    pa, pb = compute_priors(d, a, "chair"), compute_priors(d, b, "chair")
    np.testing.assert_array_equal(pa[0], read_binvox(d.objects[0].binvox_path).data.astype(np.float32))
    np.testing.assert_array_equal(pb[0], read_binvox(d.objects[2].binvox_path).data.astype(np.float32))
    assert prior_cache_path(d, a, ["chair"]) != prior_cache_path(d, b, ["chair"])


def test_regenerated_voxels_invalidate_the_cache(copy_root):
    d = discover(copy_root, "chair")
    keys = [o.key for o in d.objects]
    splits = Splits(0, (0.34, 0.33, 0.33), [keys[0]], [keys[1]], [keys[2]])
    before = compute_priors(d, splits, "chair")
    old_cache = prior_cache_path(d, splits, ["chair"])
    grid = np.zeros((32, 32, 32), bool)
    grid[10:20, 10:20, 10:20] = True
    write_binvox(d.objects[0].binvox_path, Voxels(grid))  # same id, new shape
    after = compute_priors(d, splits, "chair")
    np.testing.assert_array_equal(after[0], grid.astype(np.float32))
    assert not np.array_equal(before, after)
    assert not old_cache.exists() and prior_cache_path(d, splits, ["chair"]).is_file()


def test_class_without_train_objects_is_an_error(copy_root):
    d = discover(copy_root, "chair")
    keys = [o.key for o in d.objects]
    with pytest.raises(DataError, match="no training objects for class\\(es\\) chair"):
        compute_priors(d, Splits(0, (0, 0.5, 0.5), [], keys[:1], keys[1:]), "chair", cache=False)


def test_prior_from_shapes_is_the_mean(real_r2n2_root):
    paths = sorted(real_r2n2_root.glob("ShapeNetVox32/*/*/model.binvox"))
    prior = prior_from_shapes(paths)
    assert prior.shape == (32, 32, 32) and prior.dtype == np.float32
    np.testing.assert_allclose(prior, np.mean([read_binvox(p).data for p in paths], axis=0), atol=1e-6)
    assert set(np.unique(prior * 3).round(4)) <= {0.0, 1.0, 2.0, 3.0}
    with pytest.raises(ValueError):
        prior_from_shapes([])


def test_synth_priors_from_train_split_and_cache_reuse(tiny_synth_root, monkeypatch):
    import core.data.priors as priors_mod
    from core.taxonomy import ALL_CLASSES

    d = discover(tiny_synth_root)
    splits = make_splits(d, seed=0)
    classes = list(ALL_CLASSES)
    priors = compute_priors(d, splits, classes)
    assert priors.shape == (13, 32, 32, 32)
    for c, name in enumerate(classes):
        train_keys = [o.key for o in d.objects if o.class_name == name and o.key in splits.train]
        assert len(train_keys) == 2
        np.testing.assert_allclose(priors[c], manual_mean(d, train_keys), atol=1e-6)
    everything = np.stack([manual_mean(d, [o.key for o in d.objects if o.class_name == n]) for n in classes])
    assert not np.allclose(priors, everything)  # test objects are not in the prior

    def no_reading(path):
        raise AssertionError(f"cache not used: read {path}")

    monkeypatch.setattr(priors_mod, "load_voxels", no_reading)
    np.testing.assert_array_equal(compute_priors(tiny_synth_root, splits, "13"), priors)
    # another class list is another cache file, so it must read the voxels again
    with pytest.raises(AssertionError, match="cache not used"):
        compute_priors(d, splits, "7")
