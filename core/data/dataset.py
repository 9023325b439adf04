"""``R2N2Dataset``: one item per (object, view), and ``make_loader`` for reproducible loading.

Speed: voxels (and, with ``cameras=True``, view metadata) are decoded once per object and kept
in memory (packed bits, 4 KiB an object); an item is then one PNG decode plus a few numpy
operations.

Cameras are read only where they are used: training and evaluation need the picture and the
voxels, never the camera, so by default ``rendering_metadata.txt`` is not opened and a damaged
one does not stop them (discovery only checks that it exists). With ``cameras=True`` each item
carries its ``view_params`` and a bad metadata file is a DataError naming the file and line. Reproducibility:
augmentation and the choice of views draw from a generator seeded by (seed, epoch, index), so
results do not depend on the number of workers. ``make_loader``'s sampler hands the epoch to
the workers with each index, which also holds with persistent workers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal, Sequence, Union

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from core.data.splits import SPLIT_NAMES, Splits
from core.data.transforms import WHITE, AugmentConfig, eval_transform, train_transform
from core.errors import DataError
from core.io.r2n2 import (
    Discovery,
    ObjectRecord,
    discover,
    load_rgba,
    load_voxels,
    metadata_array,
)
from core.progress import CancelToken, ProgressCallback, report
from core.spec import GRID_SIZE, VIEWS_PER_OBJECT
from core.taxonomy import NAME_TO_SYNSET, resolve_classes

log = logging.getLogger(__name__)

Views = Union[Literal["all"], int]


@dataclass
class _ObjectData:
    packed_voxels: np.ndarray  # uint8 (4096,), np.packbits of the bool [x, y, z] grid
    views: np.ndarray | None  # float32 (24, 5) metadata; None unless the dataset reads cameras


class R2N2Dataset(Dataset):
    """Items: ``image`` float32 (3,127,127), ``voxels`` float32 (1,32,32,32) [x,y,z] y up,
    ``label`` int (index into ``classes``), ``view`` int, ``key`` "synset/object_id", and
    with ``cameras=True`` ``view_params`` float32 (5,) (azimuth, elevation, in-plane, distance,
    fov from ``rendering_metadata.txt``, read only then).

    ``views="all"`` gives all 24 views of every object; an int k gives k views per object per
    epoch (fresh ones each epoch for the train split, fixed ones for val/test).
    ``background`` forces one composite colour (3 floats in [0,1]); by default training uses a
    random colour and evaluation white. Objects listed in ``splits`` but absent on disk raise
    DataError (``missing="error"``) or are counted in ``self.missing`` (``missing="skip"``).
    """

    def __init__(
        self,
        root: str | Path,
        classes: str | Sequence[str] | None,
        split: str,
        splits: Splits,
        augment: bool = False,
        views: Views = "all",
        seed: int = 0,
        background: Sequence[float] | None = None,
        discovery: Discovery | None = None,
        augment_config: AugmentConfig = AugmentConfig(),
        missing: Literal["error", "skip"] = "error",
        cameras: bool = False,
    ):
        if split not in SPLIT_NAMES:
            raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLIT_NAMES)}")
        if views != "all" and not (isinstance(views, int) and 1 <= views <= VIEWS_PER_OBJECT):
            raise ValueError(f"views must be 'all' or an int in 1..{VIEWS_PER_OBJECT}, got {views!r}")
        self.root = Path(root)
        self.classes = resolve_classes(classes)
        self.split = split
        self.splits = splits
        self.augment = augment
        self.views = views
        self.seed = int(seed)
        self.background = None if background is None else tuple(float(c) for c in background)
        self.augment_config = augment_config
        self.cameras = bool(cameras)
        self.fixed_views = split != "train"
        self.epoch = 0
        if discovery is None:
            discovery = discover(self.root, self.classes)
        self.discovery = discovery

        synset_label = {NAME_TO_SYNSET[n]: i for i, n in enumerate(self.classes)}
        by_key = discovery.by_key()
        wanted = [k for k in splits.keys(split) if k.split("/", 1)[0] in synset_label]
        absent = [k for k in wanted if k not in by_key]
        self.missing = len(absent)
        if absent:
            where = splits.source or self.root
            msg = f"{len(absent)} of {len(wanted)} '{split}' objects are not in the data set at {self.root} (e.g. {absent[0]})"
            if missing == "error":
                raise DataError(where, msg)
            log.warning("%s: %s; skipped", where, msg)
        self.records: list[ObjectRecord] = [by_key[k] for k in sorted(wanted) if k in by_key]
        if not self.records:
            raise DataError(splits.source or self.root, f"split '{split}' has no objects of classes {', '.join(self.classes)}")
        self.labels = np.array([synset_label[r.synset] for r in self.records], dtype=np.int64)
        self.views_per_object = VIEWS_PER_OBJECT if views == "all" else int(views)
        self._cache: dict[int, _ObjectData] = {}

    # -- sizes and lookup -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.records) * self.views_per_object

    def set_epoch(self, epoch: int) -> None:
        """Epoch for plain integer indexing (``make_loader`` passes it with each index instead)."""
        self.epoch = int(epoch)

    def locate(self, index: int, epoch: int | None = None) -> tuple[int, int]:
        """Item index -> (object index, view number)."""
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        obj, slot = divmod(index, self.views_per_object)
        if self.views == "all":
            return obj, slot
        ep = 0 if self.fixed_views else (self.epoch if epoch is None else epoch)
        order = np.random.default_rng([self.seed, ep, obj, 1]).permutation(VIEWS_PER_OBJECT)
        return obj, int(order[slot])

    def object_data(self, obj: int) -> _ObjectData:
        """Object ``obj``'s voxels (bit-packed 32³) and, with ``cameras=True``, its (24,5) view
        parameters, read once and cached (DataError naming the file if either is damaged).
        """
        data = self._cache.get(obj)
        if data is None:
            rec = self.records[obj]
            views = metadata_array(rec.metadata_path) if self.cameras else None
            data = _ObjectData(np.packbits(load_voxels(rec.binvox_path)), views)
            self._cache[obj] = data
        return data

    def voxel_grid(self, obj: int) -> np.ndarray:
        """bool (32,32,32) ``[x, y, z]`` of object ``obj`` (cached)."""
        return np.unpackbits(self.object_data(obj).packed_voxels)[: GRID_SIZE**3].reshape((GRID_SIZE,) * 3).astype(bool)

    def preload(self, progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> None:
        """Decode every object's voxels and metadata now (e.g. before forking workers, which
        then share the cache copy-on-write) instead of lazily in each worker."""
        n = len(self.records)
        for i in range(n):
            if cancel is not None:
                cancel.raise_if_cancelled()
            self.object_data(i)
            if i % 64 == 0 or i == n - 1:
                report(progress, i + 1, n, "decoding voxels")

    # -- items ------------------------------------------------------------------------------
    def __getitem__(self, index: int | tuple[int, int]) -> dict:
        if isinstance(index, tuple):
            index, epoch = index
        else:
            epoch = self.epoch
        obj, view = self.locate(int(index), epoch)
        data = self.object_data(obj)
        rec = self.records[obj]
        rgba = load_rgba(rec.png_path(view))
        if self.augment:
            rng = np.random.default_rng([self.seed, epoch, int(index), 2])
            image = train_transform(rgba, rng, self.augment_config, self.background)
        else:
            image = eval_transform(rgba, self.background or WHITE)
        bits = np.unpackbits(data.packed_voxels)[: GRID_SIZE**3]
        voxels = torch.from_numpy(bits.astype(np.float32).reshape(1, GRID_SIZE, GRID_SIZE, GRID_SIZE))
        item = {
            "image": image,
            "voxels": voxels,
            "label": int(self.labels[obj]),
            "view": view,
            "key": rec.key,
        }
        if data.views is not None:
            item["view_params"] = torch.from_numpy(data.views[view].copy())
        return item


def epoch_order(length: int, shuffle: bool, seed: int, epoch: int) -> list[int]:
    """The order in which one epoch visits ``length`` items: ``0..length-1``, or a permutation
    drawn from ``(seed, epoch)`` alone, so every sampler, rank and worker count (and a resumed
    run) sees the same sequence."""
    if not shuffle:
        return list(range(length))
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch))
    return torch.randperm(length, generator=g).tolist()


class EpochSampler(Sampler):
    """Yields ``(index, epoch)`` pairs, shuffled per epoch from ``seed``; the epoch advances
    each time the loader is iterated, and travels with the index to (persistent) workers."""

    def __init__(self, length: int, shuffle: bool, seed: int = 0, start_epoch: int = 0):
        self.length = length
        self.shuffle = shuffle
        self.seed = int(seed)
        self.epoch = int(start_epoch)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[tuple[int, int]]:
        epoch = self.epoch
        self.epoch += 1
        for i in epoch_order(self.length, self.shuffle, self.seed, epoch):
            yield (i, epoch)


def worker_init(worker_id: int) -> None:
    """DataLoader ``worker_init_fn``: one intra-op thread per worker (no oversubscription on
    small machines) and a distinct legacy numpy seed (augmentation itself does not use it)."""
    torch.set_num_threads(1)
    np.random.seed(torch.initial_seed() % 2**32)



def make_loader(
    dataset: R2N2Dataset,
    batch_size: int = 64,
    shuffle: bool | None = None,
    num_workers: int = 2,
    seed: int | None = None,
    start_epoch: int = 0,
    drop_last: bool = False,
    persistent_workers: bool = True,
    pin_memory: bool = False,
    multiprocessing_context: str | None = None,
    sampler: Sampler | None = None,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """The project's one DataLoader factory: batches of ``dataset`` with worker processes set up
    by :func:`worker_init` (one thread each, kept alive between epochs with
    ``persistent_workers``, 4 batches prefetched).

    ``sampler`` defaults to an :class:`EpochSampler` (shuffled for the train split unless
    ``shuffle`` says otherwise; ``loader.sampler.epoch`` is the next epoch, set it to resume);
    the trainer passes its own sharded sampler and a ``generator`` so creating an iterator does
    not consume the global RNG."""
    if sampler is None:
        if shuffle is None:
            shuffle = dataset.split == "train"
        sampler = EpochSampler(len(dataset), shuffle, dataset.seed if seed is None else seed, start_epoch)
    kwargs: dict = {}
    if num_workers > 0:
        kwargs = dict(persistent_workers=persistent_workers, worker_init_fn=worker_init, prefetch_factor=4, multiprocessing_context=multiprocessing_context)
    if generator is not None:
        kwargs["generator"] = generator
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=num_workers, drop_last=drop_last, pin_memory=pin_memory, **kwargs)
