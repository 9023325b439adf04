"""Types every reconstruction model shares: its config, its output, its base class."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple, Optional

import torch
from torch import nn

MODEL_NAMES = ("baseline", "proposed")


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model's architecture; stored in every checkpoint."""

    name: str = "proposed"  # "baseline" | "proposed"
    classes: list[str] = field(default_factory=list)
    encoder: str = "fast"  # "fast" | "r2n2"
    embed_dim: int = 128  # 128 | 256
    fusion: str = "concat"  # proposed only: "concat" | "sum"
    dropout: float = 0.0  # proposed only: dropout before the class logits
    width_scale: float = 1.0  # fast encoder only: channel multiplier

    def __post_init__(self) -> None:
        if self.name not in MODEL_NAMES:
            raise ValueError(f"unknown model {self.name!r}; choose one of {', '.join(MODEL_NAMES)}")
        if self.fusion not in ("concat", "sum"):
            raise ValueError(f"unknown fusion {self.fusion!r}; choose concat or sum")
        if self.embed_dim <= 0:
            raise ValueError(f"embed_dim must be positive, got {self.embed_dim}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        self.classes = list(self.classes)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ModelOutput(NamedTuple):
    """occupancy_logits: B×1×32×32×32 in [x, y, z]; class_logits: B×C or None (no classifier)."""

    occupancy_logits: torch.Tensor
    class_logits: Optional[torch.Tensor] = None


class ReconModel(nn.Module):
    """Base class: ``forward(images, priors=None) -> ModelOutput``."""

    needs_prior: bool = False
    has_classifier: bool = False

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config

    @property
    def classes(self) -> list[str]:
        return self.config.classes

    def forward(self, images: torch.Tensor, priors: Optional[torch.Tensor] = None) -> ModelOutput:  # pragma: no cover
        raise NotImplementedError
