"""Model registry: a name in a config → an nn.Module (Pix2Vox / occupancy-networks style).

New architectures register a builder here; checkpoints store ``ModelConfig.to_dict()`` and
rebuild through ``build_model`` so that a file alone is enough to predict.
"""

from __future__ import annotations

from typing import Callable

from core.models.base import MODEL_NAMES, ModelConfig, ModelOutput, ReconModel
from core.models.baseline import BaselineModel
from core.models.proposed import ProposedModel

_BUILDERS: dict[str, Callable[[ModelConfig], ReconModel]] = {
    "baseline": BaselineModel,
    "proposed": ProposedModel,
}


def register_model(name: str, builder: Callable[[ModelConfig], ReconModel]) -> None:
    _BUILDERS[name] = builder


def available_models() -> list[str]:
    return list(_BUILDERS)


def build_model(cfg: ModelConfig) -> ReconModel:
    try:
        builder = _BUILDERS[cfg.name]
    except KeyError:
        raise ValueError(f"unknown model {cfg.name!r}; choose one of {', '.join(_BUILDERS)}") from None
    return builder(cfg)


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = [
    "MODEL_NAMES",
    "ModelConfig",
    "ModelOutput",
    "ReconModel",
    "build_model",
    "register_model",
    "available_models",
    "count_parameters",
]
