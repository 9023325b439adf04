import json

import pytest

from core.data.splits import load_splits, make_splits, save_splits, split_keys
from core.errors import DataError
from core.io.r2n2 import discover


def keys(synset, n, prefix="o"):
    return [f"{synset}/{prefix}{i:04d}" for i in range(n)]


A, B = "02691156", "03001627"


@pytest.mark.parametrize("ratios,expected", [((0.75, 0.05, 0.2), (75, 5, 20)), ((0.6, 0.2, 0.2), (60, 20, 20))])
def test_ratios_per_class_disjoint_and_complete(ratios, expected):
    all_keys = keys(A, 100) + keys(B, 100)
    s = split_keys(all_keys, ratios, seed=3)
    for synset in (A, B):
        got = tuple(sum(k.startswith(synset) for k in part) for part in (s.train, s.val, s.test))
        assert got == expected
    assert set(s.train) | set(s.val) | set(s.test) == set(all_keys)
    assert len(s.train) + len(s.val) + len(s.test) == len(all_keys)


def test_small_classes_still_get_a_test_object():
    s = split_keys(keys(A, 3), seed=0)
    assert (len(s.train), len(s.val), len(s.test)) == (2, 0, 1)


def test_deterministic_seedable_and_order_independent():
    k = keys(A, 50) + keys(B, 50)
    s1 = split_keys(k, seed=1)
    assert split_keys(list(reversed(k)), seed=1) == s1
    assert split_keys(k, seed=1).split_id == s1.split_id
    s2 = split_keys(k, seed=2)
    assert s2.test != s1.test and s2.split_id != s1.split_id


def test_stable_when_another_class_grows():
    before = split_keys(keys(A, 40) + keys(B, 10), seed=0)
    after = split_keys(keys(A, 40) + keys(B, 90) + keys("04379243", 30), seed=0)
    for part in ("train", "val", "test"):
        assert [k for k in getattr(after, part) if k.startswith(A)] == [k for k in getattr(before, part) if k.startswith(A)]


def test_bad_ratios():
    with pytest.raises(ValueError, match="sum"):
        split_keys(keys(A, 4), (0.5, 0.5, 0.5))


def test_file_round_trip_reproduces_the_split(tmp_path, real_r2n2_root):
    s = make_splits(discover(real_r2n2_root, "chair"), (0.34, 0.33, 0.33), seed=5)
    assert (len(s.train), len(s.val), len(s.test)) == (1, 1, 1)
    path = tmp_path / "sub" / "split.json"
    save_splits(s, path)
    back = load_splits(path)
    assert back == s and back.split_id == s.split_id and back.source == path
    assert json.loads(path.read_text())["split_id"] == s.split_id


def test_malformed_split_files_name_the_file(tmp_path):
    path = tmp_path / "split.json"
    with pytest.raises(DataError, match="split.json: split file not found"):
        load_splits(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match="split.json: not a readable split file"):
        load_splits(path)
    path.write_text(json.dumps({"train": [], "val": []}))
    with pytest.raises(DataError, match="split.json: split file lacks or mangles field 'test'"):
        load_splits(path)
    path.write_text(json.dumps({"train": [f"{A}/x"], "val": [], "test": [f"{A}/x"]}))
    with pytest.raises(DataError, match=f"split.json: object {A}/x is in both 'train' and 'test'"):
        load_splits(path)
    path.write_text(json.dumps({"train": [3], "val": [], "test": []}))
    with pytest.raises(DataError, match="split.json: 'train' must be a list"):
        load_splits(path)
