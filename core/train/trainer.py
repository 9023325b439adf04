"""The training loop: ``train(cfg) -> TrainResult`` for both models, CPU or GPU(s).

Guarantees: a seed fixes the run on CPU (seeded model init, per-epoch shuffles, per-item
augmentation, deterministic kernels); ``last.pt`` at every epoch end (and every N steps if
asked) resumes bit-exactly, mid-epoch included; a cancel saves ``last.pt`` before raising
``Cancelled``; ``best.pt`` follows validation IoU. Under torchrun every rank trains on its
slice and rank 0 alone writes files.

Numerics: a non-finite loss stops the run at once with ``TrainingDiverged`` (one line: step,
loss, the last good ``last.pt`` kept untouched); checkpoints refuse non-finite tensors.
A wall-clock cap (``time_limit`` minutes) ends the run cleanly at a step boundary: it
validates and writes ``last.pt``/``best.pt`` as at an epoch end.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from core.errors import Cancelled, CheckpointError, ReconError
from core.metrics import class_mean, per_class_means, voxel_iou
from core.models.registry import ModelOutput, ReconModel, build_model, get_descriptor
from core.progress import CancelToken, ProgressCallback
from core.train.checkpoint import (
    capture_rng_state,
    restore_rng_state,
    save_checkpoint,
)
from core.train.config import TrainConfig
from core.train.distributed import (
    DistInfo,
    ResumableShardSampler,
    all_mean,
    barrier,
    gather_objects,
    init_distributed,
    shutdown_distributed,
)
from core.train.events import (
    EpochEvent,
    JsonlLogger,
    ProgressBridge,
    StepEvent,
    dispatch,
    make_tensorboard_logger,
    wait_if_paused,
)
from core.train.run_folder import (  # noqa: F401  (RUN_CONTROL_FIELDS: re-exported)
    RESUME_MAY_CHANGE,
    RUN_CONTROL_FIELDS,
    RunFolder,
    merge_resume,
    read_resume_checkpoint,
    resolve_splits,
    validation_gap,
)

log = logging.getLogger(__name__)



class TrainingDiverged(ReconError):
    """The loss became NaN or infinite; the run stopped without writing the bad state."""


@dataclass
class TrainResult:
    """Where a finished (or time-capped) run left its files, and how far it got."""

    run_dir: Path
    last_path: Path
    best_path: Optional[Path]
    history: list[dict[str, Any]]
    best_metric: Optional[float]
    epochs_completed: int
    global_step: int
    config: TrainConfig = field(repr=False)
    stopped_by_time_limit: bool = False  # ended by cfg.time_limit before cfg.epochs


# ----------------------------------------------------------------------------- pieces
def resolve_device(spec: str, local_rank: int = 0) -> torch.device:
    """"auto" → CUDA when present (this process's GPU under torchrun) else CPU; DeviceError
    (one line naming --device) for an unknown or absent device. See ``core.device``."""
    from core.device import resolve_device as _resolve

    return _resolve(spec, local_rank)


def lr_factor(schedule: str, progress: float, step: int, warmup_steps: int) -> float:
    """Multiplier of the base learning rate at ``step`` (0-based) and ``progress`` in [0, 1].

    constant: 1; cosine: 1 → 0.01 along a half cosine; onecycle: 0.04 → 1 over the first 30 %
    (cosine), then 1 → 0.001 (cosine). A linear warm-up from 0.01 over ``warmup_steps`` steps
    multiplies constant and cosine. ``progress`` is the larger of steps done / planned and
    time used / time limit, so a time-capped run still anneals to its end.
    """
    p = min(max(progress, 0.0), 1.0)
    if schedule == "onecycle":
        peak = 0.3
        if p < peak:
            return 0.04 + (1 - 0.04) * 0.5 * (1 - math.cos(math.pi * p / peak))
        q = (p - peak) / (1 - peak)
        return 0.001 + (1 - 0.001) * 0.5 * (1 + math.cos(math.pi * q))
    factor = 1.0 if schedule == "constant" else 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * p))
    if warmup_steps > 0 and step < warmup_steps:
        factor *= 0.01 + 0.99 * (step + 1) / warmup_steps
    return factor


def set_conv2d_channels_last(model: torch.nn.Module) -> torch.nn.Module:
    """channels-last for the 2D image encoders only (``Module.to`` would also try the 5D decoder
    weights): tensor-core convolution kernels read NHWC without transposes."""
    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.weight.data = mod.weight.data.contiguous(memory_format=torch.channels_last)
    return model


def compute_loss(out: ModelOutput, voxels: torch.Tensor, labels: torch.Tensor, ce_weight: float, bce_weight: float) -> tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
    """a·CE + b·BCE (voxel BCE averaged over voxels). CE is computed even at a=0 so that
    every parameter takes part in the graph (DistributedDataParallel requires it)."""
    bce = F.binary_cross_entropy_with_logits(out.occupancy_logits.float(), voxels)
    loss = bce_weight * bce
    ce = None
    if out.class_logits is not None:
        ce = F.cross_entropy(out.class_logits.float(), labels)
        loss = loss + ce_weight * ce
    return loss, bce, ce


def make_optimizer(params, lr: float, weight_decay: float = 0.0) -> torch.optim.Adam:
    """Adam, fused (one kernel for all tensors): on a CPU the per-tensor default costs as much as
    a sixth of a fast-encoder training step; falls back where fused kernels are unavailable."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch from one integer (numpy's seed taken modulo 2³²)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def merge_resume_config(cfg: TrainConfig, stored: dict[str, Any], checkpoint_path: Path) -> TrainConfig:
    """The checkpoint's config with the run-control fields (and a non-empty data_root) of ``cfg``;
    run dir = the checkpoint's. Other fields of ``cfg`` are ignored here (the CLI refuses them
    up front: ``core.train.run_folder.merge_resume``). CheckpointError for an invalid stored config."""
    changes = {k: getattr(cfg, k) for k in RESUME_MAY_CHANGE if hasattr(cfg, k)}
    if not cfg.data_root:
        changes.pop("data_root", None)
    return merge_resume(stored, checkpoint_path, changes)


def _tensor_batch(batch: dict, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    nb = device.type == "cuda"
    return (batch["image"].to(device, non_blocking=nb), batch["voxels"].to(device, non_blocking=nb), torch.as_tensor(batch["label"]).to(device, non_blocking=nb))


# ----------------------------------------------------------------------------- data
@dataclass
class _Data:
    train: Any
    val: Any
    splits: Any
    priors: Optional[np.ndarray]


def _prepare_data(cfg: TrainConfig, dist_info: DistInfo, progress: ProgressCallback | None, cancel: CancelToken | None) -> _Data:
    from core.data.dataset import R2N2Dataset
    from core.data.priors import compute_priors
    from core.errors import DataError
    from core.io.r2n2 import discover
    from core.taxonomy import NAME_TO_SYNSET

    if not cfg.data_root:
        raise ValueError("no data set given (data_root / --data)")
    root = Path(cfg.data_root)
    if not root.is_dir():
        raise DataError(root, "data set folder not found")
    discovery = discover(root)  # every class present: splits must not depend on the class subset
    splits = resolve_splits(discovery, cfg.split_file, train_config=cfg)  # a given file, else seed + ratios
    synsets = {NAME_TO_SYNSET[c] for c in cfg.classes}
    train = R2N2Dataset(root, cfg.classes, "train", splits, augment=cfg.augment, views=cfg.views, seed=cfg.seed, discovery=discovery)
    val = None
    gap = validation_gap(splits.val, synsets)
    if gap is None:
        val = R2N2Dataset(root, cfg.classes, "val", splits, augment=False, views=cfg.val_views, seed=cfg.seed, discovery=discovery)
    elif dist_info.is_main:
        log.warning("%s: %s; best.pt will follow the latest epoch", root, gap)
    needs_prior = get_descriptor(cfg.model).needs_prior  # the registry says which models take a class prior
    priors = compute_priors(train, splits, cfg.classes, cache=dist_info.is_main, cancel=cancel) if needs_prior else None
    return _Data(train, val, splits, priors)


def _loader(dataset, sampler, cfg: TrainConfig, device: torch.device) -> DataLoader:
    """The training loader (core.data.dataset.make_loader) with the trainer's sharded sampler."""
    from core.data.dataset import make_loader

    # Own generator: creating an iterator must not consume the global RNG (exact resume).
    gen = torch.Generator().manual_seed(cfg.seed)
    return make_loader(dataset, batch_size=cfg.batch_size, num_workers=cfg.num_workers, pin_memory=device.type == "cuda",
                       sampler=sampler, generator=gen)


# ----------------------------------------------------------------------------- trainer
class Trainer:
    """State of one run; ``fit()`` runs it. Use ``train(cfg)`` unless you need the pieces."""

    def __init__(self, cfg: TrainConfig, progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 callbacks: Sequence[Any] = (), pause: threading.Event | None = None):
        self.cancel = cancel
        self.pause = pause
        resume_payload = None
        if cfg.resume:
            resume_payload = read_resume_checkpoint(cfg.resume)
            cfg = merge_resume_config(cfg, resume_payload.get("train_config") or {}, Path(cfg.resume))
        self.cfg = cfg
        probe = resolve_device(cfg.device)  # fails early and clearly on a CPU-only machine
        self.dist = init_distributed(probe.type)
        self.device = resolve_device(cfg.device, self.dist.local_rank)
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        if self.device.type == "cuda":
            # TF32 matmuls/convs: ~2× fp32 on tensor cores at no measurable cost to IoU
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
            torch.backends.cudnn.benchmark = True
        self.run_dir = cfg.run_dir
        self.folder = RunFolder(self.run_dir)
        self.last_path = self.folder.last
        self.best_path = self.folder.best
        self.resumed = resume_payload is not None

        seed_everything(cfg.seed)
        self.data = _prepare_data(cfg, self.dist, progress, cancel)
        self.split_id = self.data.splits.split_id
        if self.dist.is_main:
            from core.io.atomic import prepare_output_dir

            prepare_output_dir(self.run_dir)  # one line naming the folder if it cannot be made
            split_path = self.folder.splits
            if not cfg.split_file:
                from core.data.splits import save_splits

                save_splits(self.data.splits, split_path)
                self.cfg = cfg = cfg.replace(split_file=str(split_path))
        barrier(self.dist)
        if not self.dist.is_main and not cfg.split_file:
            self.cfg = cfg = cfg.replace(split_file=str(self.folder.splits))

        torch.manual_seed(cfg.seed)
        self.model_config = cfg.model_config()
        model: ReconModel = build_model(self.model_config).to(self.device)
        self.channels_last = bool(cfg.channels_last and self.device.type == "cuda")
        if self.channels_last:
            set_conv2d_channels_last(model)
        self.raw_model = model
        self.priors_t = None
        if self.data.priors is not None:
            self.priors_t = torch.from_numpy(self.data.priors).unsqueeze(1).to(self.device)  # C×1×32³
        if self.dist.enabled:
            from torch.nn.parallel import DistributedDataParallel as DDP

            model = DDP(model, device_ids=[self.device.index] if self.device.type == "cuda" else None)
        self.model = model
        self.optimizer = make_optimizer(self.raw_model.parameters(), cfg.lr, cfg.weight_decay)
        self.use_amp = bool(cfg.amp and self.device.type == "cuda")
        self.amp_dtype = torch.bfloat16 if self.use_amp and torch.cuda.is_bf16_supported() else torch.float16
        self.scaler = torch.amp.GradScaler("cuda") if self.use_amp and self.amp_dtype == torch.float16 else None

        self.epoch = 0
        self.step_in_epoch = 0
        self.global_step = 0
        self.history: list[dict[str, Any]] = []
        self.best_metric: Optional[float] = None
        self.train_seconds = 0.0  # training wall time of earlier invocations (time limit, schedule)
        self.stopped_by_time = False
        if resume_payload is not None:
            self._restore(resume_payload)

        self.sampler = ResumableShardSampler(len(self.data.train), True, cfg.seed, self.dist.rank, self.dist.world_size)
        self.loader = _loader(self.data.train, self.sampler, cfg, self.device)
        per_rank = self.sampler.shard_size()
        self.steps_per_epoch = max(1, math.ceil(per_rank / cfg.batch_size))
        if cfg.max_steps_per_epoch > 0:
            self.steps_per_epoch = min(self.steps_per_epoch, cfg.max_steps_per_epoch)
        self.total_steps = self.steps_per_epoch * cfg.epochs

        self.callbacks: list[Any] = []
        self._tb = None
        if self.dist.is_main:
            if resume_payload is None:
                self.folder.metrics.unlink(missing_ok=True)  # a fresh run starts a fresh log
            self.callbacks.append(JsonlLogger(self.folder.metrics, cfg.log_every_steps))
            if cfg.tensorboard:
                self._tb = make_tensorboard_logger(self.folder.tensorboard)
                if self._tb is not None:
                    self.callbacks.append(self._tb)
            self.callbacks.append(ProgressBridge(progress, self.run_dir))
            self.callbacks.extend(callbacks)
            from core.io.atomic import write_text

            write_text(self.folder.config, json.dumps(self.cfg.to_dict(), indent=1))
            if resume_payload is not None:
                self.callbacks[0].write({"kind": "resume", "epoch": self.epoch, "step": self.global_step, "from": str(cfg.resume)})

    # -- checkpoint state -------------------------------------------------------------------
    def _restore(self, payload: dict[str, Any]) -> None:
        path = Path(self.cfg.resume)
        stored_split = payload.get("split_id")
        if stored_split and stored_split != self.split_id:
            raise CheckpointError(path, f"was trained on split {stored_split}, but the data gives split {self.split_id}")
        if list(payload.get("classes") or []) != list(self.cfg.classes):
            raise CheckpointError(path, "class list differs from the configuration")
        from core.train.checkpoint import validate_payload

        validate_payload(path, payload)  # no weights, wrong types, NaN/inf: one line naming the file
        try:
            self.raw_model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in payload["model_state"].items()})
            self.optimizer.load_state_dict(payload["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise CheckpointError(path, f"cannot restore training state ({str(exc).splitlines()[0][:160]})") from None
        if self.scaler is not None and payload.get("scaler"):
            self.scaler.load_state_dict(payload["scaler"])
        self.epoch = int(payload["epoch"])
        self.step_in_epoch = int(payload["step_in_epoch"])
        self.global_step = int(payload["global_step"])
        self.history = list(payload.get("history") or [])
        self.best_metric = payload.get("best_metric")
        self.train_seconds = float((payload.get("extra") or {}).get("train_seconds", 0.0) or 0.0)
        restore_rng_state(payload.get("rng") or {})

    def save(self, path: Path, *, weights_only: bool = False) -> Path:
        """Rank 0 writes; other ranks return the path without writing."""
        if not self.dist.is_main:
            return path
        return save_checkpoint(
            path,
            self.raw_model,
            self.model_config,
            self.cfg.to_dict(),
            split_id=self.split_id,
            priors=self.data.priors,
            history=self.history,
            optimizer=None if weights_only else self.optimizer,
            scaler=None if weights_only else self.scaler,
            epoch=self.epoch,
            step_in_epoch=self.step_in_epoch,
            global_step=self.global_step,
            best_metric=self.best_metric,
            rng_state=None if weights_only else capture_rng_state(),
            half=weights_only and self.cfg.best_half,
            extra={"world_size": self.dist.world_size, "train_seconds": self._elapsed(), "stopped_by_time_limit": self.stopped_by_time},
        )

    # -- one step ---------------------------------------------------------------------------
    def _autocast(self):
        if self.use_amp:
            return torch.autocast(device_type="cuda", dtype=self.amp_dtype)
        return contextlib.nullcontext()

    def _priors_for(self, labels: torch.Tensor) -> Optional[torch.Tensor]:
        return None if self.priors_t is None else self.priors_t[labels]

    def _elapsed(self) -> float:
        """Training seconds of this run so far, earlier invocations included."""
        start = getattr(self, "_t_start", None)
        return self.train_seconds + (time.perf_counter() - start if start is not None else 0.0)

    def _time_up(self) -> bool:
        """True once the time limit is spent; under torchrun all ranks agree (rank 0's clock rules)."""
        if self.cfg.time_limit <= 0:
            return False
        up = self._elapsed() >= self.cfg.time_limit * 60.0
        if self.dist.enabled:
            up = all_mean(1.0 if up else 0.0, self.dist) > 0.0
        return up

    def _set_lr(self) -> float:
        cfg = self.cfg
        progress = self.global_step / max(1, self.total_steps)
        if cfg.time_limit > 0:
            progress = max(progress, self._elapsed() / (cfg.time_limit * 60.0))
        lr = cfg.lr * lr_factor(cfg.lr_schedule, progress, self.global_step, cfg.warmup_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    def _diverged(self, loss: float, bce: float, ce: Optional[float]) -> TrainingDiverged:
        kept = f"the last good checkpoint {self.last_path} is kept" if self.last_path.is_file() else "no checkpoint was written"
        parts = f"bce={bce:.4g}" + ("" if ce is None else f", ce={ce:.4g}")
        return TrainingDiverged(f"training stopped at step {self.global_step + 1} (epoch {self.epoch + 1}): the loss is {loss} ({parts}), "
                                f"not a finite number; {kept}; try a lower --lr (now {self.cfg.lr:g})")

    def train_step(self, batch: dict) -> tuple[float, float, Optional[float]]:
        """One optimiser step; raises ``TrainingDiverged`` on a non-finite loss (nothing saved)."""
        images, voxels, labels = _tensor_batch(batch, self.device)
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        self._set_lr()
        self.model.train()
        with self._autocast():
            out = self.model(images, self._priors_for(labels))
        loss, bce, ce = compute_loss(out, voxels, labels, self.cfg.ce_weight, self.cfg.bce_weight)
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        values = (loss.item(), bce.item(), None if ce is None else ce.item())
        if not all(math.isfinite(v) for v in values if v is not None):
            raise self._diverged(*values)
        return values

    # -- validation -------------------------------------------------------------------------
    @torch.no_grad()
    def validate(self) -> dict[str, Any]:
        """IoU at each threshold (instance and class means), loss and accuracy on the val split."""
        if self.data.val is None:
            return {}
        ds = self.data.val
        if getattr(self, "_val_loader", None) is None:
            # built once, workers kept: re-forking them at every epoch end cost seconds per epoch on a GPU run
            sampler = ResumableShardSampler(len(ds), False, self.cfg.seed, self.dist.rank, self.dist.world_size)
            from core.data.dataset import make_loader

            self._val_loader = make_loader(ds, batch_size=self.cfg.batch_size, num_workers=min(self.cfg.num_workers, 4),
                                           pin_memory=self.device.type == "cuda", sampler=sampler)
        loader = self._val_loader
        sampler = loader.sampler
        self.model.eval()
        rows: list[tuple[int, int, float, int, list[float]]] = []  # index, label, loss, correct, ious
        position = 0
        indices = list(sampler)
        for batch in loader:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            images, voxels, labels = _tensor_batch(batch, self.device)
            if self.channels_last:
                images = images.contiguous(memory_format=torch.channels_last)
            with self._autocast():
                out = self.raw_model(images, self._priors_for(labels))
            prob = torch.sigmoid(out.occupancy_logits.float())
            per_bce = F.binary_cross_entropy_with_logits(out.occupancy_logits.float(), voxels, reduction="none").flatten(1).mean(1)
            ious = torch.stack([voxel_iou(prob, voxels, t) for t in self.cfg.thresholds], dim=1).cpu()
            correct = (out.class_logits.argmax(1) == labels).long().cpu() if out.class_logits is not None else torch.full_like(labels.cpu(), -1)
            for j in range(images.shape[0]):
                rows.append((indices[position][0], int(labels[j]), float(per_bce[j]), int(correct[j]), ious[j].tolist()))
                position += 1
        merged = {r[0]: r for part in gather_objects(rows, self.dist) for r in part}  # drop sampler padding
        rows = [merged[k] for k in sorted(merged)]
        labels = [self.cfg.classes[r[1]] for r in rows]
        result: dict[str, Any] = {"val_loss": float(np.mean([r[2] for r in rows]))}
        for ti, t in enumerate(self.cfg.thresholds):
            result[f"val_iou@{t:g}"] = float(np.mean([r[4][ti] for r in rows]))
        sel = self.cfg.thresholds.index(self.cfg.select_threshold)
        result["val_iou"] = result[f"val_iou@{self.cfg.select_threshold:g}"]
        per_class = per_class_means([r[4][sel] for r in rows], labels)
        result["val_iou_class_mean"] = class_mean(per_class)
        result["val_iou_per_class"] = per_class
        if self.raw_model.has_classifier:
            result["val_accuracy"] = float(np.mean([r[3] for r in rows]))
        return result

    # -- the loop ---------------------------------------------------------------------------
    def _check_cancel(self) -> None:
        wait_if_paused(self.pause, self.cancel)
        if self.cancel is not None and self.cancel.cancelled:
            self.save(self.last_path)
            barrier(self.dist)
            raise Cancelled(f"training cancelled; resumable checkpoint {self.last_path}")

    def fit(self) -> TrainResult:
        """Run the epochs left (all, or the rest of a resumed run) and return a :class:`TrainResult`.

        Raises ``Cancelled`` (last.pt is resumable), ``TrainingDiverged`` on a non-finite loss,
        ``OutputError`` if a checkpoint cannot be written; the deterministic-algorithms setting and
        the process group are restored on every exit.
        """
        cfg = self.cfg
        deterministic_before = torch.are_deterministic_algorithms_enabled()
        if cfg.deterministic and self.device.type == "cpu":
            torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            self._fit_epochs()
            if self.resumed and self.dist.is_main:
                self.folder.remove_stale_temps()  # a killed earlier invocation's half-written checkpoints
        finally:
            torch.use_deterministic_algorithms(deterministic_before)
            if self._tb is not None:
                self._tb.close()
            shutdown_distributed(self.dist)
        return TrainResult(self.run_dir, self.last_path, self.best_path if self.best_path.exists() else None, self.history,
                           self.best_metric, self.epoch, self.global_step, self.cfg, self.stopped_by_time)

    def _fit_epochs(self) -> None:
        cfg = self.cfg
        self._t_start = time.perf_counter()
        while self.epoch < cfg.epochs and not self.stopped_by_time:
            if self.step_in_epoch == 0 and self.global_step > 0 and self._time_up():
                self.stopped_by_time = True  # the last epoch end validated and saved; the clock ran out after it
                self.save(self.last_path)  # so last.pt says the run stopped on the time limit
                break
            t_epoch = time.perf_counter()
            self.sampler.set_epoch(self.epoch, start=self.step_in_epoch * cfg.batch_size)
            losses: list[float] = []
            if self.step_in_epoch < self.steps_per_epoch:
                for batch in self.loader:
                    self._check_cancel()
                    t0 = time.perf_counter()
                    loss, bce, ce = self.train_step(batch)
                    losses.append(loss)
                    self.step_in_epoch += 1
                    self.global_step += 1
                    if self.dist.is_main:
                        n = len(batch["label"]) * self.dist.world_size
                        event = StepEvent(self.epoch, self.global_step, self.step_in_epoch, self.steps_per_epoch, self.total_steps,
                                          loss, bce, ce, self.optimizer.param_groups[0]["lr"], n / max(time.perf_counter() - t0, 1e-9))
                        dispatch(self.callbacks, "on_step", event)
                    if cfg.save_every_steps and self.global_step % cfg.save_every_steps == 0 and self.step_in_epoch < self.steps_per_epoch:
                        self.save(self.last_path)
                    if self.step_in_epoch >= self.steps_per_epoch:
                        break
                    if self._time_up():
                        self.stopped_by_time = True
                        log.info("time limit of %g min reached at step %d; validating and saving", cfg.time_limit, self.global_step)
                        break
            self._check_cancel()
            val = self.validate()
            train_loss = all_mean(float(np.mean(losses)) if losses else float("nan"), self.dist)
            first = next((h["train_loss"] for h in self.history if math.isfinite(h.get("train_loss", float("nan")))), None)
            if self.dist.is_main and first is not None and math.isfinite(train_loss) and train_loss > 100 * max(first, 1e-3):
                log.warning("the training loss grew from %.4g (first epoch) to %.4g: the run is diverging; try a lower --lr (now %g)",
                            first, train_loss, cfg.lr)
            metric = val.get("val_iou")
            is_best = metric is None or self.best_metric is None or metric > self.best_metric
            if is_best:
                self.best_metric = metric
            record = {"epoch": self.epoch, "step": self.global_step, "train_loss": train_loss, **{k: v for k, v in val.items() if k != "val_iou_per_class"},
                      "seconds": round(time.perf_counter() - t_epoch, 3)}
            partial = self.step_in_epoch < self.steps_per_epoch  # stopped by the time limit mid-epoch
            if partial:
                record["partial"] = True
                record["stopped"] = "time limit"
            if "val_iou_per_class" in val:
                record["val_iou_per_class"] = val["val_iou_per_class"]
            self.history.append(record)
            if not partial:  # a time-capped partial epoch stays resumable mid-epoch
                self.epoch += 1
                self.step_in_epoch = 0
            if not self.stopped_by_time and self.epoch < cfg.epochs and self._time_up():
                self.stopped_by_time = True  # the clock ran out in the epoch's last step or its validation: last.pt says so
            self.save(self.last_path)
            if is_best:
                self.save(self.best_path, weights_only=True)
            barrier(self.dist)
            if self.dist.is_main:
                event = EpochEvent(record["epoch"], cfg.epochs, self.global_step, self.total_steps, train_loss, val.get("val_loss"), metric,
                                   {k.split("@")[1]: v for k, v in val.items() if k.startswith("val_iou@")}, val.get("val_iou_class_mean"),
                                   val.get("val_accuracy"), is_best, record["seconds"], str(self.last_path))
                dispatch(self.callbacks, "on_epoch", event)


def train(cfg: TrainConfig, progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
          callbacks: Sequence[Any] | None = None, pause: threading.Event | None = None) -> TrainResult:
    """Train (or resume, when ``cfg.resume`` names a last.pt) and return where the results are.

    ``progress`` gets one report per step and per epoch; ``cancel`` stops at the next step with
    a resumable last.pt; ``callbacks`` receive the typed ``StepEvent``/``EpochEvent``;
    ``pause`` (set = paused) holds the loop between steps.

    Raises ``DataError`` for a missing or damaged data set (naming the file),
    ``CheckpointError`` for a resume checkpoint that does not fit the data or the config,
    ``TrainingDiverged`` on a non-finite loss, ``OutputError`` when a file cannot be written,
    ``Cancelled`` when cancelled, and ValueError when no data set is given.
    """
    return Trainer(cfg, progress, cancel, callbacks or (), pause).fit()
