"""``TrainConfig``: every knob of a training run, as plain data (TOML in, dict into checkpoints).

Precedence: dataclass defaults < preset < TOML file < explicit overrides (CLI flags, GUI form).
Presets are plain dicts so the experiment runner can read, print and extend them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Union

import tomllib

from core.data.splits import DEFAULT_RATIOS
from core.errors import DataError, ReconError
from core.models.registry import ModelConfig
from core.spec import (
    BCE_WEIGHT,
    CE_WEIGHT_BY_CLASS_SET,
    DEFAULT_THRESHOLD,
    IOU_THRESHOLDS,
    LEARNING_RATE,
    VIEWS_PER_OBJECT,
)
from core.taxonomy import ALL_CLASSES, SEVEN_CLASSES, resolve_classes

Views = Union[str, int]  # "all" | 1..VIEWS_PER_OBJECT

# Presets reproduce the paper's settings or make CPU work practical. Keys are TrainConfig fields.
PRESETS: dict[str, dict[str, Any]] = {
    # "Single-view 3D reconstruction supported by classification": Adam, the paper's a and b (core.spec)
    **{f"paper-{n}": {"classes": n, "epochs": 150, "batch_size": 64, "lr": LEARNING_RATE, "ce_weight": CE_WEIGHT_BY_CLASS_SET[n],
                      "bce_weight": BCE_WEIGHT, "views": "all", "encoder": "r2n2"} for n in ("13", "7")},
    # a few minutes on a laptop CPU: fast encoder, a subset of views per object per epoch
    "cpu-small": {"epochs": 8, "batch_size": 32, "lr": LEARNING_RATE, "views": 4, "val_views": 2, "encoder": "fast", "num_workers": 0},
    # seconds: smoke tests and demos of the pipeline, not of accuracy
    "smoke": {"epochs": 1, "batch_size": 8, "views": 1, "val_views": 1, "encoder": "fast", "num_workers": 0, "max_steps_per_epoch": 2},
}

LR_SCHEDULES = ("constant", "cosine", "onecycle")

# The command-line spelling of each field whose CLI flag differs from "--" + name with dashes.
CLI_FLAGS: dict[str, str] = {
    "data_root": "--data",
    "num_workers": "--workers",
    "save_every_steps": "--save-every",
    "out_dir": "--out",
    "name": "--out",
    "time_limit": "--time-limit",
}


def cli_flag(key: str) -> str:
    """``lr`` → ``--lr``, ``num_workers`` → ``--workers``: how the CLI spells a config field."""
    return CLI_FLAGS.get(key, "--" + key.replace("_", "-"))


class ConfigError(ReconError, ValueError):
    """A training option has a value of the wrong type or outside its range.

    ``key`` is the TrainConfig field; ``problem`` says what is allowed. The message names the
    option as the user wrote it: the CLI flag, or the TOML file and key (see
    :func:`build_train_config`). Also a ValueError, so older ``except ValueError`` still works.
    """

    def __init__(self, key: str, problem: str, where: str | None = None):
        self.key = key
        self.problem = problem
        self.where = where or key
        super().__init__(f"{self.where}: {problem}")


@dataclass
class TrainConfig:
    # what to train
    """Every setting of a training run, validated on construction (``ConfigError`` names the
    first bad field); stored in ``config.json`` and in every checkpoint so a run can be resumed
    or reproduced from the file alone.
    """

    model: str = "proposed"  # a registered model name (core.models.registry)
    classes: list[str] = field(default_factory=lambda: resolve_classes("13"))
    encoder: str = "fast"  # one of the model descriptor's encoder options
    embed_dim: int = 128
    fusion: str = "concat"
    dropout: float = 0.0
    width_scale: float = 1.0
    # data
    data_root: str = ""
    split_file: str | None = None  # JSON from core.data.splits; made from split_seed/ratios if None
    split_seed: int = 0
    split_ratios: tuple[float, float, float] = DEFAULT_RATIOS
    views: Views = "all"  # train views per object per epoch
    val_views: Views = 4  # fixed views per val object
    augment: bool = True
    num_workers: int = 0
    # optimisation
    epochs: int = 150
    batch_size: int = 64
    lr: float = LEARNING_RATE
    weight_decay: float = 0.0
    ce_weight: float = CE_WEIGHT_BY_CLASS_SET["13"]  # a in a·CE + b·BCE (models with a classifier)
    bce_weight: float = BCE_WEIGHT  # b
    max_steps_per_epoch: int = 0  # 0 = the whole epoch
    lr_schedule: str = "constant"  # "constant" | "cosine" (to 1% of lr) | "onecycle" (rise to lr over 30%, cosine down)
    warmup_steps: int = 0  # linear warm-up from lr/100 over the first N steps (constant / cosine)
    time_limit: float = 0.0  # minutes of training (cumulative over resumes); 0 = no limit
    channels_last: bool = True  # CUDA: 2D convs in channels-last layout (faster tensor-core kernels)
    seed: int = 0
    deterministic: bool = True  # CPU: torch.use_deterministic_algorithms during the run
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N"
    amp: bool = True  # mixed precision on CUDA (ignored on CPU)
    # bookkeeping
    out_dir: str = "runs"
    name: str = "run"
    resume: str | None = None  # a last.pt to continue from
    thresholds: tuple[float, ...] = IOU_THRESHOLDS
    select_threshold: float = DEFAULT_THRESHOLD  # best.pt = highest val IoU at this threshold
    save_every_steps: int = 0  # also write last.pt every N steps (0 = at epoch ends only)
    log_every_steps: int = 10
    best_half: bool = True  # store best.pt weights as fp16 (small files for the GUI)
    tensorboard: bool = True  # only if the tensorboard package is installed

    def __post_init__(self) -> None:
        _check_types(self)
        self.classes = _check_classes(self.classes)
        self.split_ratios = _check_ratios(self.split_ratios)  # type: ignore[assignment]
        self.thresholds = tuple(float(t) for t in self.thresholds)
        for t in self.thresholds + (self.select_threshold,):
            if not (math.isfinite(t) and 0.0 < t < 1.0):
                key = "select_threshold" if t == self.select_threshold else "thresholds"
                raise ConfigError(key, f"IoU thresholds must lie strictly between 0 and 1, got {t}")
        self.views = _check_views("views", self.views)
        self.val_views = _check_views("val_views", self.val_views)
        for name in ("epochs", "batch_size"):
            _at_least(name, getattr(self, name), 1)
        _at_least("num_workers", self.num_workers, 0)
        for name in ("max_steps_per_epoch", "save_every_steps", "log_every_steps"):
            if getattr(self, name) != 0:  # 0 keeps its meaning ("off" / "the whole epoch")
                _at_least(name, getattr(self, name), 1, " (or 0 for off)")
        _at_least("warmup_steps", self.warmup_steps, 0)
        _positive_finite("lr", self.lr)
        for name in ("ce_weight", "bce_weight", "weight_decay", "time_limit"):
            _non_negative_finite(name, getattr(self, name))
        if self.bce_weight == 0 and self.ce_weight == 0:
            raise ConfigError("bce_weight", "the loss weights cannot both be 0 (nothing would be learned)")
        _finite("width_scale", self.width_scale)
        if not 0.0 < self.width_scale <= 4.0:
            raise ConfigError("width_scale", f"must be a number in (0, 4], got {self.width_scale}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError("lr_schedule", f"must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}")
        if self.select_threshold not in self.thresholds:
            self.thresholds = tuple(sorted(set(self.thresholds) | {self.select_threshold}))
        try:
            self.model_config()  # validates model/encoder/fusion/embed_dim now, not mid-run
        except ConfigError:
            raise
        except ValueError as exc:
            raise ConfigError(_model_option_in(str(exc)), str(exc)) from None

    @property
    def run_dir(self) -> Path:
        """The run's folder, ``out_dir/name`` (see ``core.train.run_folder.RunFolder``)."""
        return Path(self.out_dir) / self.name

    def model_config(self) -> ModelConfig:
        """The architecture part of this config. ValueError (naming the option) if the model's
        descriptor does not allow its encoder, fusion or embedding size."""
        return ModelConfig(name=self.model, classes=list(self.classes), encoder=self.encoder, embed_dim=self.embed_dim,
                           fusion=self.fusion, dropout=self.dropout, width_scale=self.width_scale)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples as lists) for ``config.json`` and checkpoints."""
        d = asdict(self)
        d["split_ratios"] = list(self.split_ratios)
        d["thresholds"] = list(self.thresholds)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        """Build from plain values; ``ConfigError`` (a ValueError) names the first bad field."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(unknown[0], f"unknown training option(s): {', '.join(unknown)}")
        return cls(**data)

    def replace(self, **changes: Any) -> "TrainConfig":
        """A validated copy with ``changes`` applied (ConfigError naming a bad field)."""
        return TrainConfig.from_dict({**self.to_dict(), **changes})


# ----------------------------------------------------------------------------- validation
_INT_FIELDS = ("embed_dim", "split_seed", "num_workers", "epochs", "batch_size", "max_steps_per_epoch", "seed",
               "save_every_steps", "log_every_steps", "warmup_steps")
_FLOAT_FIELDS = ("dropout", "width_scale", "lr", "weight_decay", "ce_weight", "bce_weight", "select_threshold", "time_limit")
_BOOL_FIELDS = ("augment", "deterministic", "amp", "best_half", "tensorboard", "channels_last")
_STR_FIELDS = ("model", "encoder", "fusion", "data_root", "device", "out_dir", "name", "lr_schedule")
_OPTIONAL_STR_FIELDS = ("split_file", "resume")


def _check_types(cfg: "TrainConfig") -> None:
    """Coerce exact-valued numbers (3.0 → 3, 3 → 3.0) and refuse anything else by field name."""
    for name in _INT_FIELDS:
        v = getattr(cfg, name)
        if isinstance(v, float) and math.isfinite(v) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise ConfigError(name, f"must be a whole number, got {v!r}")
        setattr(cfg, name, v)
    for name in _FLOAT_FIELDS:
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(name, f"must be a number, got {v!r}")
        setattr(cfg, name, float(v))
    for name in _BOOL_FIELDS:
        if not isinstance(getattr(cfg, name), bool):
            raise ConfigError(name, f"must be true or false, got {getattr(cfg, name)!r}")
    for name in _STR_FIELDS:
        if not isinstance(getattr(cfg, name), str):
            raise ConfigError(name, f"must be a string, got {getattr(cfg, name)!r}")
    for name in _OPTIONAL_STR_FIELDS:
        v = getattr(cfg, name)
        if v is not None and not isinstance(v, str):
            raise ConfigError(name, f"must be a path string, got {v!r}")
    if isinstance(cfg.thresholds, (str, bytes)) or not hasattr(cfg.thresholds, "__iter__") or not all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in cfg.thresholds):
        raise ConfigError("thresholds", f"must be a list of numbers, got {cfg.thresholds!r}")


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ConfigError(name, f"must be a finite number, got {value}")


def _positive_finite(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(name, f"must be a positive finite number, got {value}")


def _non_negative_finite(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(name, f"must be a finite number of 0 or more, got {value}")


def _at_least(name: str, value: int, minimum: int, note: str = "") -> None:
    if value < minimum:
        raise ConfigError(name, f"must be {minimum} or more{note}, got {value}")


def _check_classes(value: Any) -> list[str]:
    if isinstance(value, int) and not isinstance(value, bool) and value in (7, 13):
        value = str(value)  # TOML ``classes = 13``
    ok = isinstance(value, str) or (isinstance(value, (list, tuple)) and all(isinstance(c, str) for c in value))
    if not ok:
        raise ConfigError("classes", f"must be '13', '7', a comma list or a list of class names, got {value!r}")
    try:
        names = resolve_classes(value)
    except (KeyError, ValueError) as exc:
        raise ConfigError("classes", str(exc).strip("'\"")) from None
    dupes = sorted({c for c in names if names.count(c) > 1})
    if dupes:
        raise ConfigError("classes", f"names a class twice ({', '.join(dupes)})")
    return names


def _check_ratios(value: Any) -> tuple[float, float, float]:
    bad = isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 3 or not all(
        isinstance(r, (int, float)) and not isinstance(r, bool) for r in value)
    if bad:
        raise ConfigError("split_ratios", f"must be three numbers (train, val, test) summing to 1, got {value!r}")
    ratios = tuple(float(r) for r in value)
    if not all(math.isfinite(r) and r >= 0 for r in ratios) or abs(sum(ratios) - 1.0) > 1e-6 or ratios[0] <= 0:
        raise ConfigError("split_ratios", f"must be three non-negative numbers summing to 1 with a non-empty train share, got {list(ratios)}")
    return ratios  # type: ignore[return-value]


def _model_option_in(message: str) -> str:
    for key in ("encoder", "fusion", "embed_dim", "dropout", "model"):
        if key in message:
            return key
    return "model"


def _check_views(name: str, value: Views) -> Views:
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return "all"
        try:
            value = int(value)
        except ValueError:
            raise ConfigError(name, f"must be 'all' or a whole number 1..{VIEWS_PER_OBJECT}, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= VIEWS_PER_OBJECT:
        raise ConfigError(name, f"must be 'all' or a whole number 1..{VIEWS_PER_OBJECT}, got {value!r}")
    return int(value)


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file of TrainConfig fields (top level or under a [train] table)."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        raise DataError(path, "config file not found") from None
    except IsADirectoryError:
        raise DataError(path, "is a folder, not a TOML config file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(path, f"not a readable TOML file ({exc})") from None
    doc = doc.get("train", doc)
    if not isinstance(doc, dict):
        raise DataError(path, "the [train] entry must be a table of training options")
    known = {f.name for f in fields(TrainConfig)} | {"preset"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise DataError(path, f"unknown training option(s): {', '.join(unknown)}")
    return doc


def build_train_config(preset: str | None = None, config_file: str | Path | None = None, **overrides: Any) -> TrainConfig:
    """defaults < preset < TOML file < overrides (None values in overrides are ignored).

    A bad value raises ``ConfigError`` naming the CLI flag (``--lr: must be a positive finite
    number, got nan``) when it came from ``overrides``, or ``DataError`` naming the TOML file
    and key when it came from ``config_file``.

    The class-loss weight follows the paper unless set explicitly (``core.spec``:
    ``CE_WEIGHT_BY_CLASS_SET``, 0.05 for the 13 classes, 0.001 for the 7-class subset). A TOML file may name its own ``preset``.
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
        try:
            names = set(resolve_classes(values["classes"]))
        except (AttributeError, KeyError, TypeError, ValueError):
            names = set()  # a bad class list: TrainConfig below reports it, naming where it came from
        if names == set(SEVEN_CLASSES):
            values["ce_weight"] = CE_WEIGHT_BY_CLASS_SET["7"]
        elif names == set(ALL_CLASSES):
            values["ce_weight"] = CE_WEIGHT_BY_CLASS_SET["13"]
    for key in ("data_root", "out_dir", "split_file", "resume"):
        if values.get(key) is not None and isinstance(values[key], Path):
            values[key] = str(values[key])
    try:
        return TrainConfig.from_dict(values)
    except ConfigError as exc:
        given = {k for k, v in overrides.items() if v is not None}
        if exc.key in given:  # a flag or form field: name it as the CLI spells it
            raise ConfigError(exc.key, exc.problem, cli_flag(exc.key)) from None
        if config_file and exc.key in file_values:
            raise DataError(Path(config_file), f"{exc.key}: {exc.problem}") from None
        if preset and exc.key in PRESETS[preset]:
            raise ConfigError(exc.key, exc.problem, f"preset {preset!r}: {exc.key}") from None
        raise


def paper_config(num_classes: int = 13, model: str = "proposed", **overrides: Any) -> TrainConfig:
    """The paper's setting for 13 or 7 classes."""
    return build_train_config(preset=f"paper-{num_classes}", model=model, **overrides)


def cpu_small_config(model: str = "proposed", **overrides: Any) -> TrainConfig:
    """The ``cpu-small`` preset for ``model`` with ``overrides`` (a quick CPU run)."""
    return build_train_config(preset="cpu-small", model=model, **overrides)
