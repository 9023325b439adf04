"""Self-contained checkpoints: weights + everything needed to predict, evaluate or resume.

One file answers "what is this model?" (model config, classes, split id, project version,
training config, metrics history) and, for a model that needs a class prior, carries the
priors it was trained with, so prediction needs no data set. Files are written through ``core.io.atomic``
(temp name + rename) so a crash or a full disk never leaves a half-written ``last.pt`` nor a
temp file. Loading uses ``weights_only=True``: a checkpoint holds tensors and plain Python
values only, and no code in a file is ever run.

Numerics: a checkpoint is never written holding a NaN or infinite tensor; half-precision files
keep buffers (BatchNorm statistics) and any weight outside the fp16 range in fp32; loading
checks that every tensor is finite and that the class list, the priors and the weights fit
the model, and says which file and which entry is wrong in one line.
"""

from __future__ import annotations

import errno
import math
import os
import random
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch

import core
from core.errors import CheckpointError
from core.io.atomic import write_with
from core.models.registry import ModelConfig, ReconModel, build_model
from core.spec import GRID_SIZE

_BUILD_LOCK = threading.Lock()

FORMAT = "recon-gui-checkpoint"
FORMAT_VERSION = 1


@dataclass
class LoadedCheckpoint:
    """A checkpoint read back and checked: the rebuilt model (eval mode) and everything the file
    says about how it was made; ``raw`` keeps the optimizer/RNG state a resume needs.
    """

    path: Path
    model: ReconModel  # eval mode, on map_location
    model_config: ModelConfig
    train_config: dict[str, Any]
    classes: list[str]
    priors: Optional[np.ndarray]  # float32 (C,32,32,32) for a model that needs a prior, else None
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
        """True for a resumable ``last.pt`` (it holds optimizer state); False for weights only (``best.pt``)."""
        return self.raw.get("optimizer") is not None


# ----------------------------------------------------------------------------- RNG state
def capture_rng_state() -> dict[str, Any]:
    """The torch, numpy, Python (and CUDA, if present) RNG states as tensors and plain values,
    so a ``weights_only`` load can restore them and a resumed run draws the same numbers.
    """
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
    """Restore what :func:`capture_rng_state` captured (an empty state is a no-op; the CUDA part
    only when CUDA is available).
    """
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
FP16_MAX = float(torch.finfo(torch.float16).max)  # 65504


def _atomic_torch_save(obj: Any, path: Path) -> None:
    """torch.save through core.io.atomic: OutputError naming ``path`` ("no space left on
    device") on failure, no temp file left behind."""
    write_with(path, lambda tmp: torch.save(obj, tmp))


def _state_dict(model: torch.nn.Module, half: bool) -> dict[str, torch.Tensor]:
    """CPU copy of the weights; ``half`` stores parameters as fp16 except those outside the
    fp16 range, and always keeps buffers (BatchNorm running statistics, whose variance can
    legitimately exceed 65504) in their own precision."""
    module = getattr(model, "module", model)  # unwrap DistributedDataParallel
    sd = module.state_dict()
    buffers = {name for name, _ in module.named_buffers()}
    out = {}
    for k, v in sd.items():
        v = v.detach().cpu()
        fits = v.numel() == 0 or float(v.abs().max()) <= FP16_MAX
        out[k] = v.half() if half and v.is_floating_point() and k not in buffers and fits else v.clone()
    return out


def first_non_finite(tensors: dict[str, Any], prefix: str = "") -> str | None:
    """Name of the first floating tensor (nested dicts/lists searched) holding NaN or ±inf."""
    for key, value in tensors.items():
        name = f"{prefix}{key}"
        if isinstance(value, torch.Tensor):
            if value.is_floating_point() and value.numel() and not bool(torch.isfinite(value).all()):
                return name
        elif isinstance(value, dict):
            found = first_non_finite(value, name + ".")
            if found:
                return found
        elif isinstance(value, (list, tuple)):
            found = first_non_finite({str(i): v for i, v in enumerate(value)}, name + ".")
            if found:
                return found
        elif isinstance(value, float) and not math.isfinite(value) and prefix.startswith("optimizer"):
            return name
    return None


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
    files; buffers and out-of-range weights stay fp32); ``optimizer``/``rng_state`` make it
    resumable. Returns the path. Raises CheckpointError (nothing written) if a weight, a prior
    or an optimizer state is not finite, OutputError naming ``path`` if the write fails."""
    path = Path(path)
    if priors is not None:
        priors = torch.as_tensor(np.asarray(priors, dtype=np.float32) if not isinstance(priors, torch.Tensor) else priors.float()).cpu().half()
        if priors.dim() != 4 or priors.shape[0] != model_config.num_classes:
            raise ValueError(f"priors must be C×32×32×32 with C={model_config.num_classes}, got {tuple(priors.shape)}")
    state = _state_dict(model, half)
    optimizer_state = optimizer.state_dict() if optimizer is not None else None
    bad = first_non_finite(state, "model_state.") or (first_non_finite({"priors": priors}) if priors is not None else None) \
        or (first_non_finite(optimizer_state.get("state", {}), "optimizer.") if optimizer_state else None)
    if bad:
        raise CheckpointError(path, f"not written: {bad} holds NaN or infinite values (the run diverged); the previous file is kept")
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "project_version": core.__version__,
        "model_config": model_config.to_dict(),
        "train_config": dict(train_config or {}),
        "classes": list(model_config.classes),
        "split_id": split_id,
        "priors": priors,
        "model_state": state,
        "weights_dtype": "float16" if half else "float32",  # buffers and out-of-range weights stay float32
        "optimizer": optimizer_state,
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
    """The raw payload; CheckpointError for a missing, truncated or foreign file.

    Only tensors and plain values are unpickled (``weights_only``): a file carrying code or
    arbitrary objects is refused without running anything, and no library warning is printed.
    """
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(path, "is a folder, not a checkpoint file")
    if not path.is_file():
        raise CheckpointError(path, "checkpoint file not found")
    if path.stat().st_size == 0:  # a run killed or a disk full while it was created
        raise CheckpointError(path, "is empty (0 bytes), not a checkpoint")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on weights_only / legacy formats: the error below says it all
            payload = torch.load(path, map_location=map_location, weights_only=True)
    except PermissionError:
        raise CheckpointError(path, "cannot read the file: permission denied") from None
    except Exception as exc:  # noqa: BLE001 - any decoding failure of a damaged file (KeyError, EOFError, ...) is reported plainly
        refused = "Weights only load failed" in str(exc) or type(exc).__name__ == "UnpicklingError"
        if refused and _file_head(path)[:1] in (b"P", b"\x80"):  # torch.save's zip or legacy pickle, not random bytes
            raise CheckpointError(path, "not a recon-gui checkpoint: it holds Python objects or code a checkpoint never has (not loaded, nothing run)") from None
        raise CheckpointError(path, f"not a readable checkpoint ({_unreadable_reason(path, exc)})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(path, "not a recon-gui checkpoint (a PyTorch file without the recon-gui header)")
    if int(payload.get("format_version", 0)) > FORMAT_VERSION:
        raise CheckpointError(path, f"written by a newer recon-gui (checkpoint format {payload['format_version']}, this build reads {FORMAT_VERSION})")
    return payload


def _file_head(path: Path) -> bytes:
    """The first 4 bytes of ``path`` (empty if unreadable): enough to tell torch's formats apart."""
    try:
        with open(path, "rb") as f:
            return f.read(4)
    except OSError:
        return b""


def _unreadable_reason(path: Path, exc: BaseException) -> str:
    """Why torch could not read ``path``, in words: the loader's own exceptions (EOFError,
    KeyError('101'), "failed finding central directory", EINVAL) say nothing to a person."""
    if isinstance(exc, OSError) and exc.errno not in (None, errno.EINVAL):
        return f"cannot read the file: {os.strerror(exc.errno).lower()}"
    if _file_head(path) == b"PK\x03\x04":  # the zip container torch.save writes, cut short or damaged inside
        return "the file is cut short or damaged; it was not written completely or was copied incompletely"
    return "not a PyTorch checkpoint file, or truncated at its start"


def validate_payload(path: Path, payload: dict[str, Any]) -> tuple[ModelConfig, list[str], dict[str, torch.Tensor]]:
    """Check a raw payload before building anything -> (model config, classes, model_state).

    One-line CheckpointError naming ``path`` for: no weights, weights that are not a dict of
    tensors, a model config of the wrong type or values, a class list that is not unique
    strings, and any non-finite tensor (weights or priors: what a diverged run leaves).
    """
    state = payload.get("model_state")
    if state is None:
        raise CheckpointError(path, "holds no weights (no model_state entry)")
    if not isinstance(state, dict) or not state or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointError(path, "model_state is not a table of named weight tensors")
    raw_config = payload.get("model_config")
    if not isinstance(raw_config, dict):
        raise CheckpointError(path, f"model_config must be a table of model settings, got {type(raw_config).__name__}")
    try:
        model_config = ModelConfig.from_dict(raw_config)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(path, f"checkpoint has an invalid model config ({str(exc).splitlines()[0][:160]})") from None
    classes = payload.get("classes") or model_config.classes
    if not isinstance(classes, (list, tuple)) or not classes or not all(isinstance(c, str) and c for c in classes):
        raise CheckpointError(path, f"class list must be a list of names, got {classes!r:.80}")
    classes = list(classes)
    dupes = sorted({c for c in classes if classes.count(c) > 1})
    if dupes:
        raise CheckpointError(path, f"class list names {', '.join(dupes)} more than once")
    if model_config.classes and list(model_config.classes) != classes:
        n, m = len(classes), len(model_config.classes)
        if n != m:
            from core.models.registry import get_descriptor

            outputs = "outputs" if get_descriptor(model_config.name).has_classifier else "class priors"
            raise CheckpointError(path, f"{n} class names for a model with {m} {outputs}")
        raise CheckpointError(path, "its class list differs from the one its model was built with (names or order)")
    model_config.classes = classes
    bad = first_non_finite(state)
    if bad:
        raise CheckpointError(path, f"its weights are not finite ({bad} holds NaN or infinite values: the run that wrote it diverged)")
    priors = payload.get("priors")
    if priors is not None and not isinstance(priors, torch.Tensor):
        raise CheckpointError(path, f"priors must be a tensor, got {type(priors).__name__}")
    if isinstance(priors, torch.Tensor) and first_non_finite({"priors": priors}):
        raise CheckpointError(path, "its class priors hold NaN or infinite values")
    return model_config, classes, state


def _check_outputs(path: Path, model: torch.nn.Module, num_classes: int) -> None:
    """The classifier's output count must equal the number of class names (else the names
    would label the wrong probabilities)."""
    head = getattr(model, "classifier", None)
    last = [m for m in head.modules() if isinstance(m, torch.nn.Linear)][-1:] if isinstance(head, torch.nn.Module) else []
    if last and last[0].out_features != num_classes:
        raise CheckpointError(path, f"{num_classes} class names for a model with {last[0].out_features} outputs")


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
    model_config, classes, state = validate_payload(path, payload)
    if expect_model is not None and model_config.name != expect_model:
        raise CheckpointError(path, f"is a '{model_config.name}' checkpoint, not '{expect_model}'")
    if expect_classes is not None and list(expect_classes) != classes:
        raise CheckpointError(path, f"was trained on classes [{', '.join(classes)}], not [{', '.join(expect_classes)}]")
    with _BUILD_LOCK:  # the GUI loads both slots on worker threads at once; build one model at a time
        try:
            model = build_model(model_config)
        except (ValueError, TypeError) as exc:
            raise CheckpointError(path, f"holds a model config this build cannot make ({str(exc).splitlines()[0][:160]})") from None
        state = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0]
            raise CheckpointError(path, f"weights do not fit the '{model_config.name}' architecture ({first[:160]})") from None
    _check_outputs(path, model, len(classes))
    model.to(map_location).eval()
    priors = payload.get("priors")
    priors_np = priors.float().cpu().numpy() if isinstance(priors, torch.Tensor) else None
    if model.needs_prior and priors_np is None:  # set from the model's descriptor by build_model
        from core.models.registry import get_descriptor

        raise CheckpointError(path, f"lacks the class priors its model ({get_descriptor(model_config.name).label}) needs")
    if priors_np is not None and priors_np.shape != (len(classes), GRID_SIZE, GRID_SIZE, GRID_SIZE):
        raise CheckpointError(path, f"priors have shape {tuple(priors_np.shape)}, expected {len(classes)}×{GRID_SIZE}×{GRID_SIZE}×{GRID_SIZE} "
                                    f"(one {GRID_SIZE}³ grid per class)")
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
