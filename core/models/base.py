"""Types every reconstruction model shares: its config, its output, its base class."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple, Optional

import torch
from torch import nn


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model's architecture; stored in every checkpoint.

    ``name`` must be a registered model (``core.models.registry.model_names()``) and the
    fields its descriptor lists in ``options`` must take one of the allowed values; raises
    ValueError naming the option and the choices otherwise.
    """

    name: str = "proposed"  # a registered model name
    classes: list[str] = field(default_factory=list)
    encoder: str = "fast"  # image encoder, see the model's descriptor options
    embed_dim: int = 128  # embedding size
    fusion: str = "concat"  # proposed only: how the two embeddings are joined
    dropout: float = 0.0  # proposed only: dropout before the class logits
    width_scale: float = 1.0  # fast encoder only: channel multiplier

    def __post_init__(self) -> None:
        from core.models.registry import get_descriptor  # the registry imports this module

        descriptor = get_descriptor(self.name)
        if self.embed_dim <= 0:
            raise ValueError(f"embed_dim must be positive, got {self.embed_dim}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        self.classes = list(self.classes)
        descriptor.check(self)

    @property
    def num_classes(self) -> int:
        """Length of the class list (the classifier's output size)."""
        return len(self.classes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (what checkpoints store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        """Inverse of :meth:`to_dict`; unknown keys are ignored (older/newer files). ValueError/TypeError on bad values."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class ModelOutput(NamedTuple):
    """occupancy_logits: B×1×32×32×32 in [x, y, z]; class_logits: B×C or None (no classifier)."""

    occupancy_logits: torch.Tensor
    class_logits: Optional[torch.Tensor] = None


class ReconModel(nn.Module):
    """Base class: ``forward(images B×3×127×127 (normalised, core.data.transforms), priors B×1×32×32×32 or None) -> ModelOutput``.

    ``needs_prior``/``has_classifier`` mirror the model's registry descriptor (the registry
    reads them as defaults when a model is registered by class).
    """

    needs_prior: bool = False
    has_classifier: bool = False

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config

    @property
    def classes(self) -> list[str]:
        """Class names in label order (``config.classes``)."""
        return self.config.classes

    def forward(self, images: torch.Tensor, priors: Optional[torch.Tensor] = None) -> ModelOutput:  # pragma: no cover
        """images B×3×127×127 → ModelOutput (occupancy logits B×1×32×32×32, class logits B×C or None)."""
        raise NotImplementedError
