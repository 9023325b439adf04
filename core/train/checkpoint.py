"""Self-contained checkpoints: weights + everything needed to predict, evaluate or resume.

One file answers "what is this model?" (model config, classes, split id, project version,
training config, metrics history) and, for the baseline, carries the class priors it was
trained with, so prediction needs no data set. Files are written to a temp name and renamed
(``os.replace``) so a crash never leaves a half-written ``last.pt``. Loading uses
``weights_only=True``: a checkpoint holds tensors and plain Python values only.
"""

from __future__ import annotations

import os
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch

import core
from core.errors import CheckpointError
from core.models.registry import ModelConfig, ReconModel, build_model

_BUILD_LOCK = threading.Lock()

FORMAT = "recon-gui-checkpoint"
FORMAT_VERSION = 1


@dataclass
class LoadedCheckpoint:
    path: Path
    model: ReconModel  # eval mode, on map_location
    model_config: ModelConfig
    train_config: dict[str, Any]
    classes: list[str]
    priors: Optional[np.ndarray]  # float32 (C,32,32,32) for the baseline, else None
    history: list[dict[str, Any]]
    split_id: Optional[str]
    project_version: str
    epoch: int  # next epoch to run (= epochs completed unless mid-epoch)
    step_in_epoch: int  # batches of ``epoch`` already done (0 at an epoch boundary)
    global_step: int
    best_metric: Optional[float]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)  # optimizer/RNG state for resuming

    @property
    def has_training_state(self) -> bool:
        return self.raw.get("optimizer") is not None


# ----------------------------------------------------------------------------- RNG state
def capture_rng_state() -> dict[str, Any]:
    np_state = np.random.get_state()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]), int(np_state[3]), float(np_state[4])],
        "python": _python_state_to_plain(random.getstate()),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    if not state:
        return
    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    random.setstate(_python_state_from_plain(state["python"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _python_state_to_plain(st: tuple) -> list:
    version, internal, gauss = st
    return [version, list(internal), gauss]


def _python_state_from_plain(st: list) -> tuple:
    version, internal, gauss = st
    return (version, tuple(internal), gauss)


# ----------------------------------------------------------------------------- save
def _atomic_torch_save(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _state_dict(model: torch.nn.Module, half: bool) -> dict[str, torch.Tensor]:
    module = getattr(model, "module", model)  # unwrap DistributedDataParallel
    sd = module.state_dict()
    out = {}
    for k, v in sd.items():
        v = v.detach().cpu()
        out[k] = v.half() if half and v.is_floating_point() else v.clone()
    return out


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    model_config: ModelConfig,
    train_config: dict[str, Any] | None = None,
    *,
    split_id: str | None = None,
    priors: np.ndarray | torch.Tensor | None = None,
    history: Sequence[dict[str, Any]] = (),
    optimizer: torch.optim.Optimizer | None = None,
    scaler: Any = None,
    epoch: int = 0,
    step_in_epoch: int = 0,
    global_step: int = 0,
    best_metric: float | None = None,
    rng_state: dict[str, Any] | None = None,
    half: bool = False,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically. ``half`` stores float weights as fp16 (prediction-only
    files); ``optimizer``/``rng_state`` make it resumable. Returns the path."""
    path = Path(path)
    if priors is not None:
        priors = torch.as_tensor(np.asarray(priors, dtype=np.float32) if not isinstance(priors, torch.Tensor) else priors.float()).cpu().half()
        if priors.dim() != 4 or priors.shape[0] != model_config.num_classes:
            raise ValueError(f"priors must be C×32×32×32 with C={model_config.num_classes}, got {tuple(priors.shape)}")
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "project_version": core.__version__,
        "model_config": model_config.to_dict(),
        "train_config": dict(train_config or {}),
        "classes": list(model_config.classes),
        "split_id": split_id,
        "priors": priors,
        "model_state": _state_dict(model, half),
        "weights_dtype": "float16" if half else "float32",
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scaler": scaler.state_dict() if scaler is not None else None,
        "epoch": int(epoch),
        "step_in_epoch": int(step_in_epoch),
        "global_step": int(global_step),
        "best_metric": best_metric,
        "history": [dict(h) for h in history],
        "rng": rng_state,
        "extra": dict(extra or {}),
    }
    _atomic_torch_save(payload, path)
    return path


def export_checkpoint(src: str | Path, dst: str | Path, half: bool = True) -> Path:
    """A prediction-only copy (no optimizer/RNG state, fp16 weights by default): demo files."""
    ck = load_checkpoint(src)
    return save_checkpoint(dst, ck.model, ck.model_config, ck.train_config, split_id=ck.split_id, priors=ck.priors,
                           history=ck.history, epoch=ck.epoch, global_step=ck.global_step, best_metric=ck.best_metric, half=half)


# ----------------------------------------------------------------------------- load
def read_checkpoint_dict(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """The raw payload; CheckpointError for a missing, truncated or foreign file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "checkpoint file not found")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any decoding failure of a damaged file (KeyError, EOFError, ...) is reported, with its cause
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise CheckpointError(path, f"not a readable checkpoint (truncated or not a recon-gui file; {type(exc).__name__}: {first[:100]})") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(path, "not a recon-gui checkpoint (a PyTorch file without the recon-gui header)")
    if int(payload.get("format_version", 0)) > FORMAT_VERSION:
        raise CheckpointError(path, f"written by a newer recon-gui (checkpoint format {payload['format_version']}, this build reads {FORMAT_VERSION})")
    return payload


def load_checkpoint(
    path: str | Path,
    map_location: str | torch.device = "cpu",
    expect_model: str | None = None,
    expect_classes: Sequence[str] | None = None,
) -> LoadedCheckpoint:
    """Rebuild the model from a checkpoint (eval mode, fp32). Raises CheckpointError naming the
    file when it is another model, another class list, truncated, or not a checkpoint."""
    path = Path(path)
    payload = read_checkpoint_dict(path, map_location)
    try:
        model_config = ModelConfig.from_dict(payload["model_config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(path, f"checkpoint has an invalid model config ({exc})") from None
    if expect_model is not None and model_config.name != expect_model:
        raise CheckpointError(path, f"is a '{model_config.name}' checkpoint, not '{expect_model}'")
    classes = list(payload.get("classes") or model_config.classes)
    if expect_classes is not None and list(expect_classes) != classes:
        raise CheckpointError(path, f"was trained on classes [{', '.join(classes)}], not [{', '.join(expect_classes)}]")
    with _BUILD_LOCK:  # the GUI loads both slots on worker threads at once; build one model at a time
        model = build_model(model_config)
        state = {k: (v.float() if v.is_floating_point() else v) for k, v in payload["model_state"].items()}
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0]
            raise CheckpointError(path, f"weights do not fit the '{model_config.name}' architecture ({first[:160]})") from None
    model.to(map_location).eval()
    priors = payload.get("priors")
    priors_np = priors.float().cpu().numpy() if isinstance(priors, torch.Tensor) else None
    if model.needs_prior and priors_np is None:
        raise CheckpointError(path, "baseline checkpoint lacks its class priors")
    return LoadedCheckpoint(
        path=path,
        model=model,
        model_config=model_config,
        train_config=dict(payload.get("train_config") or {}),
        classes=classes,
        priors=priors_np,
        history=list(payload.get("history") or []),
        split_id=payload.get("split_id"),
        project_version=str(payload.get("project_version", "unknown")),
        epoch=int(payload.get("epoch", 0)),
        step_in_epoch=int(payload.get("step_in_epoch", 0)),
        global_step=int(payload.get("global_step", 0)),
        best_metric=payload.get("best_metric"),
        raw=payload,
    )
