"""Multi-process training helpers: torchrun environment, DDP wrapping, sharded resumable sampling.

Launch with ``torchrun --nproc-per-node N -m core.cli train ...`` (or any launcher that sets
RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT). One process per GPU with NCCL;
on CPU, gloo. Only rank 0 writes checkpoints and logs; every rank sees the same seeded
permutation and takes its own slice, like ``DistributedSampler``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

import torch
import torch.distributed as dist
from torch.utils.data import Sampler


@dataclass
class DistInfo:
    """This process's place in a ``torchrun`` job (rank 0 of 1 when not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    initialized_here: bool = False

    @property
    def is_main(self) -> bool:
        """True on rank 0, the process that logs and writes files."""
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        """True when more than one process trains together."""
        return self.world_size > 1


def init_distributed(device_type: str) -> DistInfo:
    """Join the process group described by the environment (no-op for a single process)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", str(rank)))
    created = False
    if not dist.is_initialized():
        backend = "nccl" if device_type == "cuda" and dist.is_nccl_available() else "gloo"
        dist.init_process_group(backend=backend, rank=rank, world_size=world)
        created = True
    return DistInfo(dist.get_rank(), dist.get_world_size(), local, created)


def shutdown_distributed(info: DistInfo) -> None:
    """Leave the process group, if this process created it."""
    if info.initialized_here and dist.is_initialized():
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    """Wait for every rank (no-op for a single process)."""
    if info.enabled:
        dist.barrier()


def all_mean(value: float, info: DistInfo) -> float:
    """Mean of a scalar over ranks (float64 on CPU: gloo and nccl both accept it via the device)."""
    if not info.enabled:
        return float(value)
    t = torch.tensor([float(value)], dtype=torch.float64)
    if dist.get_backend() == "nccl":
        t = t.cuda()
    dist.all_reduce(t)
    return float(t.item()) / info.world_size


def gather_objects(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's ``obj`` (picklable), in rank order; ``[obj]`` for one process."""
    if not info.enabled:
        return [obj]
    out: list[Any] = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(obj: Any, info: DistInfo) -> Any:
    """Rank 0's ``obj`` on every rank (pickled; no-op for a single process)."""
    if not info.enabled:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


class ResumableShardSampler(Sampler):
    """Yields ``(index, epoch)`` for ``R2N2Dataset``: a per-epoch order from ``seed``
    (``core.data.dataset.epoch_order``, as ``EpochSampler``), padded to a multiple of the world size,
    this rank's slice, starting ``start`` positions in (to resume mid-epoch exactly)."""

    def __init__(self, length: int, shuffle: bool, seed: int, rank: int = 0, world_size: int = 1):
        self.length = length
        self.shuffle = shuffle
        self.seed = int(seed)
        self.rank = rank
        self.world_size = world_size
        self.epoch = 0
        self.start = 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """Draw ``epoch``'s order next, skipping its first ``start`` positions of this rank's shard
        (a run resumed mid-epoch continues exactly where it stopped).
        """
        self.epoch = int(epoch)
        self.start = int(start)

    def _shard(self) -> list[int]:
        from core.data.dataset import epoch_order

        order = epoch_order(self.length, self.shuffle, self.seed, self.epoch)
        if self.world_size > 1:
            pad = (-len(order)) % self.world_size
            order = order + order[:pad]
            order = order[self.rank :: self.world_size]
        return order

    def shard_size(self) -> int:
        """Items per rank in a full epoch (the length rounded up to a multiple of the world size)."""
        return -(-self.length // self.world_size)

    def __len__(self) -> int:
        return max(0, self.shard_size() - self.start)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for i in self._shard()[self.start :]:
            yield (i, self.epoch)
