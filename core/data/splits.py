"""Train/val/test splits by object (never by view), reproducible from a seed or a JSON file.

Within each class, objects are ordered by a hash of ``(seed, key)`` and cut by the ratios.
Ordering by hash rather than shuffling a list keeps a class's split unchanged when objects of
other classes are added, and makes the result independent of discovery order.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from core.errors import DataError
from core.io.atomic import write_text
from core.io.r2n2 import Discovery

log = logging.getLogger(__name__)

SplitName = Literal["train", "val", "test"]
SPLIT_NAMES: tuple[str, ...] = ("train", "val", "test")
DEFAULT_RATIOS = (0.75, 0.05, 0.2)
FORMAT_VERSION = 1


@dataclass
class Splits:
    """Object keys (``synset/object_id``) per split; ``split_id`` is a hash of the three lists."""

    seed: int
    ratios: tuple[float, float, float]
    train: list[str]
    val: list[str]
    test: list[str]
    source: Path | None = field(default=None, compare=False)

    @property
    def split_id(self) -> str:
        """A 10-hex-digit id of the three key lists (order-free): checkpoints record it so an
        evaluation can tell whether it uses the split the model was trained with.
        """
        payload = json.dumps([sorted(self.train), sorted(self.val), sorted(self.test)]).encode()
        return hashlib.sha1(payload).hexdigest()[:10]

    def keys(self, split: str) -> list[str]:
        """The ``synset/object_id`` keys of ``split`` (train, val or test); ValueError for another name."""
        if split not in SPLIT_NAMES:
            raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLIT_NAMES)}")
        return list(getattr(self, split))

    def missing(self, discovery: Discovery, split: str | None = None) -> list[str]:
        """Keys of ``split`` (all splits if None) whose class was discovered but whose object was not."""
        present = set(o.key for o in discovery.objects)
        synsets = {o.synset for o in discovery.objects}
        names = SPLIT_NAMES if split is None else (split,)
        return [k for s in names for k in getattr(self, s) if k.split("/", 1)[0] in synsets and k not in present]


def _rank(seed: int, key: str) -> str:
    return hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()


def _check_ratios(ratios: Iterable[float]) -> tuple[float, float, float]:
    r = tuple(float(x) for x in ratios)
    if len(r) != 3 or min(r) < 0 or abs(sum(r) - 1.0) > 1e-6:
        raise ValueError(f"split ratios must be three non-negative numbers summing to 1, got {r}")
    return r  # type: ignore[return-value]


def split_keys(keys: Iterable[str], ratios=DEFAULT_RATIOS, seed: int = 0) -> Splits:
    """Split ``synset/object_id`` keys, stratified by synset."""
    r = _check_ratios(ratios)
    per_class: dict[str, list[str]] = defaultdict(list)
    for k in set(keys):
        per_class[k.split("/", 1)[0]].append(k)
    train: list[str] = []
    val: list[str] = []
    test: list[str] = []
    for synset in sorted(per_class):
        ordered = sorted(per_class[synset], key=lambda k: (_rank(seed, k), k))
        n = len(ordered)
        n_test = round(n * r[2])
        n_val = min(round(n * r[1]), n - n_test)
        n_train = n - n_val - n_test
        train += ordered[:n_train]
        val += ordered[n_train:n_train + n_val]
        test += ordered[n_train + n_val:]
    return Splits(seed, r, sorted(train), sorted(val), sorted(test))


def make_splits(discovery: Discovery, ratios=DEFAULT_RATIOS, seed: int = 0) -> Splits:
    """Splits of every discovered object (use a 13-class discovery; a class subset reuses it)."""
    return split_keys((o.key for o in discovery.objects), ratios, seed)


def save_splits(splits: Splits, path: str | Path) -> None:
    """Write JSON atomically; the file alone reproduces the split. ``OutputError`` names the
    path when it cannot be written."""
    path = Path(path)
    doc = {
        "format": FORMAT_VERSION,
        "split_id": splits.split_id,
        "seed": splits.seed,
        "ratios": list(splits.ratios),
        "train": sorted(splits.train),
        "val": sorted(splits.val),
        "test": sorted(splits.test),
    }
    write_text(path, json.dumps(doc, indent=1))


def load_splits(path: str | Path) -> Splits:
    """Read a split file; DataError names the file for anything malformed."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(path, "split file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(path, f"not a readable split file ({exc})") from None
    if not isinstance(doc, dict):
        raise DataError(path, "split file must hold a JSON object")
    try:
        lists = {s: doc[s] for s in SPLIT_NAMES}
        seed = int(doc.get("seed", 0))
        ratios = tuple(float(x) for x in doc.get("ratios", DEFAULT_RATIOS))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(path, f"split file lacks or mangles field {exc}") from None
    for name, keys in lists.items():
        if not isinstance(keys, list) or not all(isinstance(k, str) and "/" in k for k in keys):
            raise DataError(path, f"'{name}' must be a list of 'synset/object_id' strings")
    seen: dict[str, str] = {}
    for name, keys in lists.items():
        for k in keys:
            if k in seen:
                raise DataError(path, f"object {k} is in both '{seen[k]}' and '{name}'")
            seen[k] = name
    splits = Splits(seed, ratios, list(lists["train"]), list(lists["val"]), list(lists["test"]), source=path)  # type: ignore[arg-type]
    stored = doc.get("split_id")
    if stored is not None and stored != splits.split_id:
        log.warning("%s: stored split_id %s differs from its contents (%s); the file was edited", path, stored, splits.split_id)
    return splits
