"""DistributedDataParallel on CPU: two gloo processes train the same run as torchrun would."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from core.train.checkpoint import load_checkpoint
from core.train.distributed import ResumableShardSampler
from core.train.events import read_metrics

pytestmark = pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(), reason="torch.distributed with gloo is not available")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, cfg_dict: dict, out: str) -> None:
    # the environment torchrun would set
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import core.train.trainer as trainer_mod
    from core.train.config import TrainConfig

    saves = []
    real_save = trainer_mod.save_checkpoint

    def counting_save(path, *args, **kwargs):
        saves.append(Path(path).name)
        return real_save(path, *args, **kwargs)

    trainer_mod.save_checkpoint = counting_save
    t = trainer_mod.Trainer(TrainConfig.from_dict(cfg_dict))
    assert t.dist.world_size == world and t.dist.rank == rank
    t.fit()
    params = {k: v.detach().clone() for k, v in t.raw_model.named_parameters()}
    torch.save({"params": params, "saves": saves, "steps": t.global_step}, Path(out) / f"rank{rank}.pt")


def test_two_gloo_ranks_keep_identical_weights_and_rank0_writes_once(tiny_synth_root, tmp_path):
    from core.train.config import TrainConfig

    cfg = TrainConfig(
        data_root=str(tiny_synth_root), out_dir=str(tmp_path), name="ddp", classes=["chair", "table"], epochs=1, batch_size=2, views=4,
        val_views=1, split_ratios=(0.34, 0.33, 0.33), max_steps_per_epoch=2, num_workers=0, seed=5, log_every_steps=1, device="cpu",
    )
    mp.spawn(_worker, args=(2, _free_port(), cfg.to_dict(), str(tmp_path)), nprocs=2, join=True)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert r0["steps"] == r1["steps"] == 2
    assert r0["params"].keys() == r1["params"].keys()
    assert all(torch.equal(r0["params"][k], r1["params"][k]) for k in r0["params"])
    # weights moved from their (seeded, identical) initial values
    from core.models.registry import build_model

    torch.manual_seed(5)
    init = dict(build_model(cfg.model_config()).named_parameters())
    assert any(not torch.equal(init[k], r0["params"][k]) for k in init)
    # rank 0 alone writes: last.pt and best.pt once each for the one epoch, nothing from rank 1
    assert sorted(r0["saves"]) == ["best.pt", "last.pt"] and r1["saves"] == []
    run = tmp_path / "ddp"
    ck = load_checkpoint(run / "last.pt")
    assert ck.raw["extra"]["world_size"] == 2 and ck.global_step == 2
    assert all(torch.equal(ck.model.state_dict()[k], r0["params"][k]) for k in r0["params"])
    steps = [r["step"] for r in read_metrics(run / "metrics.jsonl") if r["kind"] == "step"]
    assert steps == [1, 2]  # one line per step, not one per rank
    assert json.loads((run / "splits.json").read_text())["split_id"] == ck.split_id


def test_shard_sampler_partitions_each_epoch_and_resumes_mid_epoch():
    a = ResumableShardSampler(10, True, seed=1, rank=0, world_size=2)
    b = ResumableShardSampler(10, True, seed=1, rank=1, world_size=2)
    for s in (a, b):
        s.set_epoch(3)
    ia, ib = [i for i, _ in a], [i for i, _ in b]
    assert sorted(ia + ib) == list(range(10)) and len(ia) == len(ib) == 5
    a.set_epoch(4)
    assert [i for i, _ in a] != ia  # reshuffled per epoch
    a.set_epoch(3, start=2)
    assert [i for i, _ in a] == ia[2:] and all(e == 3 for _, e in a)
    odd = ResumableShardSampler(5, False, seed=0, rank=1, world_size=2)
    assert len(odd) == 3 and [i for i, _ in odd] == [1, 3, 0]  # padded like DistributedSampler


def test_one_process_shard_sampler_visits_what_the_epoch_sampler_visits():
    from core.data.dataset import EpochSampler

    plain = EpochSampler(17, True, seed=5, start_epoch=2)
    shard = ResumableShardSampler(17, True, seed=5)
    for epoch in (2, 3):
        shard.set_epoch(epoch)
        assert list(plain) == list(shard)  # the same (index, epoch) pairs: one order rule
    assert [i for i, _ in EpochSampler(6, False)] == list(range(6))
