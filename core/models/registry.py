"""Model registry: one descriptor per architecture, the single home of "which models exist".

A :class:`ModelDescriptor` says everything the rest of the project needs to know about a model
without building it: its name and label (CLI choices, GUI combos and comparison slots), its
builder, whether it needs a class prior (the trainer computes priors and checkpoints carry them
only then), whether it has a classifier, and the allowed values of its options (``ModelConfig``
validates against them; the CLI and GUI offer them). Checkpoints store ``ModelConfig.to_dict()``
and rebuild through :func:`build_model`, so a file alone is enough to predict.

Adding a model from outside ``core``::

    from core.models.registry import register_model
    register_model("tiny", TinyModel, label="Tiny", options={"encoder": ("fast",)})
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable

from core.models.base import ModelConfig, ModelOutput, ReconModel
from core.models.baseline import BaselineModel
from core.models.encoders import ENCODERS
from core.models.proposed import ProposedModel

EMBED_DIMS = (128, 256)  # the paper's two embedding sizes
_OPTION_WORDS = {"encoder": "image encoder"}  # option name -> words in error messages


@dataclass(frozen=True)
class ModelDescriptor:
    """What the project knows about one architecture before building it.

    ``options`` maps a ``ModelConfig`` field to its allowed values, e.g.
    ``{"encoder": ("fast", "r2n2"), "fusion": ("concat", "sum"), "embed_dim": (128, 256)}``;
    fields not listed are not constrained (and not offered) for this model.
    """

    name: str
    label: str
    builder: Callable[[ModelConfig], ReconModel]
    needs_prior: bool
    has_classifier: bool
    options: dict[str, tuple] = field(default_factory=dict)
    description: str = ""

    def check(self, cfg: ModelConfig) -> None:
        """Raise ValueError naming the option and its allowed values if ``cfg`` breaks one."""
        for option, allowed in self.options.items():
            value = getattr(cfg, option)
            if value not in allowed:
                choices = ", ".join(str(a) for a in allowed)
                what = _OPTION_WORDS.get(option, option)
                raise ValueError(f"unknown {what} {value!r} for model {self.name!r}; choose one of {choices}")


_DESCRIPTORS: dict[str, ModelDescriptor] = {}


def register_model(name_or_descriptor: str | ModelDescriptor, builder: Callable[[ModelConfig], ReconModel] | None = None,
                   **fields_: Any) -> ModelDescriptor:
    """Register (or replace) a model; returns its descriptor.

    Either pass a ready :class:`ModelDescriptor`, or a name, a builder and any descriptor field
    as keyword (``label`` defaults to the name; ``needs_prior``/``has_classifier`` default to the
    builder's class attributes of the same name, else False; ``options`` to ``{}``).
    Raises ValueError for an empty name, a missing builder, unknown keywords or an option that
    is not a ``ModelConfig`` field.
    """
    if isinstance(name_or_descriptor, ModelDescriptor):
        if builder is not None or fields_:
            raise ValueError("register_model: pass a ModelDescriptor alone, or a name with a builder and fields")
        desc = name_or_descriptor
    else:
        name = str(name_or_descriptor or "").strip()
        if not name:
            raise ValueError("register_model: a model needs a non-empty name")
        if builder is None:
            raise ValueError(f"register_model: model {name!r} needs a builder (a callable ModelConfig -> ReconModel)")
        allowed = {f.name for f in fields(ModelDescriptor)} - {"name", "builder"}
        unknown = sorted(set(fields_) - allowed)
        if unknown:
            raise ValueError(f"register_model: unknown descriptor field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        desc = ModelDescriptor(
            name=name,
            label=str(fields_.get("label") or name),
            builder=builder,
            needs_prior=bool(fields_.get("needs_prior", getattr(builder, "needs_prior", False))),
            has_classifier=bool(fields_.get("has_classifier", getattr(builder, "has_classifier", False))),
            options={k: tuple(v) for k, v in dict(fields_.get("options") or {}).items()},
            description=str(fields_.get("description", "")),
        )
    config_fields = {f.name for f in fields(ModelConfig)} - {"name", "classes"}
    bad = sorted(set(desc.options) - config_fields)
    if bad:
        raise ValueError(f"register_model: option(s) {', '.join(bad)} of model {desc.name!r} are not ModelConfig fields "
                         f"({', '.join(sorted(config_fields))})")
    _DESCRIPTORS[desc.name] = desc
    return desc


def unregister_model(name: str) -> None:
    """Forget a model (tests that register a temporary one clean up with this)."""
    _DESCRIPTORS.pop(name, None)


def get_descriptor(name: str) -> ModelDescriptor:
    """The descriptor of ``name``; ValueError naming the registered choices if unknown."""
    try:
        return _DESCRIPTORS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(_DESCRIPTORS)}") from None


def model_descriptors() -> tuple[ModelDescriptor, ...]:
    """Every registered model, in registration order (baseline, proposed, then any added)."""
    return tuple(_DESCRIPTORS.values())


def model_names() -> tuple[str, ...]:
    """Names of every registered model, in registration order."""
    return tuple(_DESCRIPTORS)


def option_values(option: str) -> tuple:
    """Union of the allowed values of ``option`` over all models, first-seen order (CLI choices)."""
    seen: dict[Any, None] = {}
    for desc in _DESCRIPTORS.values():
        for value in desc.options.get(option, ()):
            seen.setdefault(value, None)
    return tuple(seen)


def available_models() -> list[str]:
    """Names of the registered models (kept for older callers; prefer :func:`model_names`)."""
    return list(_DESCRIPTORS)


def build_model(cfg: ModelConfig) -> ReconModel:
    """A freshly initialised model for ``cfg`` (CPU, train mode). ValueError for an unknown name.

    The model's ``needs_prior``/``has_classifier`` are set from its descriptor, so every
    consumer that asks the model (checkpoint loading, prediction, evaluation) agrees with the
    registry even when the builder is a plain function.
    """
    desc = get_descriptor(cfg.name)
    model = desc.builder(cfg)
    model.needs_prior = desc.needs_prior
    model.has_classifier = desc.has_classifier
    return model


def count_parameters(model) -> int:
    """Number of parameters (trainable or not)."""
    return sum(p.numel() for p in model.parameters())


register_model(ModelDescriptor(
    name="baseline", label="Baseline (shape prior)", builder=BaselineModel, needs_prior=True, has_classifier=False,
    options={"encoder": tuple(ENCODERS), "embed_dim": EMBED_DIMS},
    description="Wallace & Hariharan (ICCV 2019): image embedding + the class's mean shape, one decoder.",
))
register_model(ModelDescriptor(
    name="proposed", label="Proposed (classification)", builder=ProposedModel, needs_prior=False, has_classifier=True,
    options={"encoder": tuple(ENCODERS), "embed_dim": EMBED_DIMS, "fusion": ("concat", "sum")},
    description="A classifier's embedding joined to a reconstruction embedding; no prior at test time.",
))


def __getattr__(name: str):
    if name == "MODEL_NAMES":  # old constant, now derived from the registry
        return model_names()
    raise AttributeError(name)


__all__ = [
    "ModelConfig",
    "ModelDescriptor",
    "ModelOutput",
    "ReconModel",
    "available_models",
    "build_model",
    "count_parameters",
    "get_descriptor",
    "model_descriptors",
    "model_names",
    "option_values",
    "register_model",
    "unregister_model",
]
