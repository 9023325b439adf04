"""Class shape priors: the mean 32³ occupancy of each class's training objects.

The baseline (Wallace & Hariharan 2019) conditions on these; computing them from the TRAIN
split only keeps test shapes out of the model's inputs. They are cached next to the data set
(``ROOT/.recon_cache/priors-<split_id>-<classes hash>-<files hash>.npy``) because a 13-class
pass reads tens of thousands of binvox files. The files hash covers the size and mtime of every
train binvox, so regenerating the data set (same ids, new shapes) never reuses a stale prior.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from core.data.splits import Splits
from core.errors import DataError
from core.io.r2n2 import Discovery, discover, load_voxels
from core.progress import CancelToken, ProgressCallback, report
from core.spec import CACHE_DIR, GRID_SIZE
from core.taxonomy import NAME_TO_SYNSET, resolve_classes

log = logging.getLogger(__name__)



def classes_hash(classes: Sequence[str]) -> str:
    """A short stable id of a class list (order matters): part of the prior cache's file name."""
    return hashlib.sha1(",".join(classes).encode()).hexdigest()[:8]


def _train_records(discovery: Discovery, splits: Splits, names: Sequence[str]) -> tuple[list, list[str]]:
    """(records of the train keys present, train keys of these classes missing on disk)."""
    by_key = discovery.by_key()
    synsets = {NAME_TO_SYNSET[n] for n in names}
    wanted = [k for k in splits.train if k.split("/", 1)[0] in synsets]
    return [by_key[k] for k in wanted if k in by_key], [k for k in wanted if k not in by_key]


def _files_hash(records) -> str:
    h = hashlib.sha1()
    for rec in records:
        try:
            st = os.stat(rec.binvox_path)
            h.update(f"{rec.key}:{st.st_size}:{st.st_mtime_ns};".encode())
        except OSError:
            h.update(f"{rec.key}:missing;".encode())
    return h.hexdigest()[:8]


def prior_cache_path(discovery: Discovery, splits: Splits, classes: Sequence[str]) -> Path:
    """Where ``compute_priors`` caches the priors of these train files."""
    names = list(classes)
    records, _ = _train_records(discovery, splits, names)
    return Path(discovery.root) / CACHE_DIR / f"priors-{splits.split_id}-{classes_hash(names)}-{_files_hash(records)}.npy"


def prior_from_shapes(paths: Sequence[str | Path]) -> np.ndarray:
    """Mean of k binvox grids -> float32 (32,32,32) in [0,1] (few-shot priors)."""
    if not paths:
        raise ValueError("prior_from_shapes needs at least one binvox file")
    total = np.zeros((GRID_SIZE,) * 3, dtype=np.float64)
    for p in paths:
        total += load_voxels(p)
    return (total / len(paths)).astype(np.float32)


def compute_priors(
    source,
    splits: Splits,
    classes: str | Sequence[str] | None = None,
    cache: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """float32 (C,32,32,32) class-mean occupancy over ``splits.train``, in ``classes`` order.

    ``source`` is a data set root, a ``Discovery`` or an ``R2N2Dataset`` (anything with a
    ``.discovery``). Train objects missing on disk are skipped with a warning; a class with no
    train object at all is a DataError. The cache is reused when present and well formed.
    """
    if hasattr(source, "discovery"):
        classes = source.classes if classes is None else classes
        source = source.discovery
    if classes is None and isinstance(source, Discovery):
        classes = source.classes
    names = resolve_classes(classes)
    discovery = source if isinstance(source, Discovery) else discover(source, names)
    path = prior_cache_path(discovery, splits, names)
    if cache:
        cached = _read_cache(path, len(names))
        if cached is not None:
            report(progress, 1, 1, "class priors (cached)")
            return cached

    records, lost = _train_records(discovery, splits, names)
    index = {NAME_TO_SYNSET[n]: i for i, n in enumerate(names)}
    if lost:
        log.warning("%s: %d train object(s) of the split are not on disk (e.g. %s); priors use the rest", discovery.root, len(lost), lost[0])
    sums = np.zeros((len(names),) + (GRID_SIZE,) * 3, dtype=np.float64)
    counts = np.zeros(len(names), dtype=np.int64)
    for done, rec in enumerate(records, 1):
        if cancel is not None:
            cancel.raise_if_cancelled()
        c = index[rec.synset]
        sums[c] += load_voxels(rec.binvox_path)
        counts[c] += 1
        if done % 50 == 0 or done == len(records):
            report(progress, done, len(records), "class priors")
    empty = [n for n, k in zip(names, counts) if k == 0]
    if empty:
        raise DataError(discovery.root, f"no training objects for class(es) {', '.join(empty)} in split {splits.split_id}")
    priors = (sums / counts[:, None, None, None]).astype(np.float32)
    if cache:
        _write_cache(path, priors)
        stale_prefix = path.name.rsplit("-", 1)[0] + "-"
        for old in path.parent.glob(stale_prefix + "*.npy"):
            if old != path:  # the same split and classes over older files
                old.unlink(missing_ok=True)
    return priors


def _read_cache(path: Path, n_classes: int) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable prior cache (%s); recomputing", path, exc)
        return None
    if arr.shape != (n_classes,) + (GRID_SIZE,) * 3 or arr.dtype != np.float32:
        log.warning("%s: prior cache has shape %s %s; recomputing", path, arr.shape, arr.dtype)
        return None
    return arr


def _write_cache(path: Path, priors: np.ndarray) -> None:
    """Atomic write; a read-only data set only costs the cache, so that is a warning."""
    from core.io.atomic import OutputError, write_with

    def _npy(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.save(f, priors, allow_pickle=False)

    try:
        write_with(path, _npy)
    except OutputError as exc:
        log.warning("cannot write the class-prior cache (%s); priors are recomputed next time", exc)
