"""``TrainConfig``: every knob of a training run, as plain data (TOML in, dict into checkpoints).

Precedence: dataclass defaults < preset < TOML file < explicit overrides (CLI flags, GUI form).
Presets are plain dicts so the experiment runner can read, print and extend them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Union

import tomllib

from core.models.registry import ModelConfig
from core.spec import CE_WEIGHT_BY_CLASS_SET
from core.taxonomy import ALL_CLASSES, SEVEN_CLASSES, resolve_classes

Views = Union[str, int]  # "all" | 1..24

# Presets reproduce the paper's settings or make CPU work practical. Keys are TrainConfig fields.
PRESETS: dict[str, dict[str, Any]] = {
    # "Single-view 3D reconstruction supported by classification": Adam lr 1e-3, a=0.05, b=1 (13 classes)
    "paper-13": {"classes": "13", "epochs": 150, "batch_size": 64, "lr": 1e-3, "ce_weight": 0.05, "bce_weight": 1.0, "views": "all", "encoder": "r2n2"},
    # the 7-class setting uses a much smaller classification weight
    "paper-7": {"classes": "7", "epochs": 150, "batch_size": 64, "lr": 1e-3, "ce_weight": 0.001, "bce_weight": 1.0, "views": "all", "encoder": "r2n2"},
    # a few minutes on a laptop CPU: fast encoder, a subset of views per object per epoch
    "cpu-small": {"epochs": 8, "batch_size": 32, "lr": 1e-3, "views": 4, "val_views": 2, "encoder": "fast", "num_workers": 0},
    # seconds: smoke tests and demos of the pipeline, not of accuracy
    "smoke": {"epochs": 1, "batch_size": 8, "views": 1, "val_views": 1, "encoder": "fast", "num_workers": 0, "max_steps_per_epoch": 2},
}
DEFAULT_CE_WEIGHT = CE_WEIGHT_BY_CLASS_SET  # the paper's a, by class set (core.spec)


@dataclass
class TrainConfig:
    # what to train
    model: str = "proposed"  # "baseline" | "proposed"
    classes: list[str] = field(default_factory=lambda: resolve_classes("13"))
    encoder: str = "fast"  # "fast" | "r2n2"
    embed_dim: int = 128
    fusion: str = "concat"
    dropout: float = 0.0
    width_scale: float = 1.0
    # data
    data_root: str = ""
    split_file: str | None = None  # JSON from core.data.splits; made from split_seed/ratios if None
    split_seed: int = 0
    split_ratios: tuple[float, float, float] = (0.75, 0.05, 0.2)
    views: Views = "all"  # train views per object per epoch
    val_views: Views = 4  # fixed views per val object
    augment: bool = True
    num_workers: int = 0
    # optimisation
    epochs: int = 150
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.0
    ce_weight: float = 0.05  # a in a·CE + b·BCE (proposed only)
    bce_weight: float = 1.0  # b
    max_steps_per_epoch: int = 0  # 0 = the whole epoch
    seed: int = 0
    deterministic: bool = True  # CPU: torch.use_deterministic_algorithms during the run
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N"
    amp: bool = True  # mixed precision on CUDA (ignored on CPU)
    # bookkeeping
    out_dir: str = "runs"
    name: str = "run"
    resume: str | None = None  # a last.pt to continue from
    thresholds: tuple[float, ...] = (0.3, 0.4, 0.5)
    select_threshold: float = 0.4  # best.pt = highest val IoU at this threshold
    save_every_steps: int = 0  # also write last.pt every N steps (0 = at epoch ends only)
    log_every_steps: int = 10
    best_half: bool = True  # store best.pt weights as fp16 (small files for the GUI)
    tensorboard: bool = True  # only if the tensorboard package is installed

    def __post_init__(self) -> None:
        self.classes = resolve_classes(self.classes)
        self.split_ratios = tuple(float(r) for r in self.split_ratios)  # type: ignore[assignment]
        self.thresholds = tuple(float(t) for t in self.thresholds)
        self.views = _check_views("views", self.views)
        self.val_views = _check_views("val_views", self.val_views)
        for name in ("epochs", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if self.ce_weight < 0 or self.bce_weight < 0:
            raise ValueError("loss weights must be non-negative")
        if self.select_threshold not in self.thresholds:
            self.thresholds = tuple(sorted(set(self.thresholds) | {self.select_threshold}))
        self.model_config()  # validates model/encoder/fusion/embed_dim now, not mid-run

    @property
    def run_dir(self) -> Path:
        return Path(self.out_dir) / self.name

    def model_config(self) -> ModelConfig:
        from core.models.encoders import ENCODERS

        if self.encoder not in ENCODERS:
            raise ValueError(f"unknown image encoder {self.encoder!r}; choose one of {', '.join(ENCODERS)}")
        return ModelConfig(name=self.model, classes=list(self.classes), encoder=self.encoder, embed_dim=self.embed_dim,
                           fusion=self.fusion, dropout=self.dropout, width_scale=self.width_scale)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["split_ratios"] = list(self.split_ratios)
        d["thresholds"] = list(self.thresholds)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown training option(s): {', '.join(unknown)}")
        return cls(**data)

    def replace(self, **changes: Any) -> "TrainConfig":
        return TrainConfig.from_dict({**self.to_dict(), **changes})


def _check_views(name: str, value: Views) -> Views:
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return "all"
        value = int(value)
    if not 1 <= int(value) <= 24:
        raise ValueError(f"{name} must be 'all' or 1..24, got {value}")
    return int(value)


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file of TrainConfig fields (top level or under a [train] table)."""
    from core.errors import DataError

    path = Path(path)
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        raise DataError(path, "config file not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(path, f"not a readable TOML file ({exc})") from None
    doc = doc.get("train", doc)
    known = {f.name for f in fields(TrainConfig)} | {"preset"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise DataError(path, f"unknown training option(s): {', '.join(unknown)}")
    return doc


def build_train_config(preset: str | None = None, config_file: str | Path | None = None, **overrides: Any) -> TrainConfig:
    """defaults < preset < TOML file < overrides (None values in overrides are ignored).

    The class-loss weight follows the paper unless set explicitly: 0.05 for the 13 classes,
    0.001 for the 7-class subset. A TOML file may name its own ``preset``.
    """
    values: dict[str, Any] = {}
    file_values = load_toml(config_file) if config_file else {}
    preset = overrides.pop("preset", None) or preset or file_values.pop("preset", None)
    file_values.pop("preset", None)
    if preset:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        values.update(PRESETS[preset])
    values.update(file_values)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "ce_weight" not in values and values.get("classes") is not None:
        names = set(resolve_classes(values["classes"]))
        if names == set(SEVEN_CLASSES):
            values["ce_weight"] = DEFAULT_CE_WEIGHT["7"]
        elif names == set(ALL_CLASSES):
            values["ce_weight"] = DEFAULT_CE_WEIGHT["13"]
    for key in ("data_root", "out_dir", "split_file", "resume"):
        if values.get(key) is not None:
            values[key] = str(values[key])
    return TrainConfig.from_dict(values)


def paper_config(num_classes: int = 13, model: str = "proposed", **overrides: Any) -> TrainConfig:
    """The paper's setting for 13 or 7 classes."""
    return build_train_config(preset=f"paper-{num_classes}", model=model, **overrides)


def cpu_small_config(model: str = "proposed", **overrides: Any) -> TrainConfig:
    return build_train_config(preset="cpu-small", model=model, **overrides)
