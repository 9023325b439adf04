"""The model registry is the one list of models: descriptors, validation and CLI choices."""

from __future__ import annotations

import argparse

import pytest

from core.models.base import ReconModel
from core.models.baseline import BaselineModel
from core.models.registry import (
    ModelConfig,
    ModelDescriptor,
    build_model,
    get_descriptor,
    model_descriptors,
    model_names,
    option_values,
    register_model,
    unregister_model,
)


def test_builtin_descriptors_match_their_models():
    assert model_names()[:2] == ("baseline", "proposed")
    assert [d.name for d in model_descriptors()] == list(model_names())
    for desc in model_descriptors()[:2]:
        model = build_model(ModelConfig(name=desc.name, classes=["chair", "car"]))
        assert (model.needs_prior, model.has_classifier) == (desc.needs_prior, desc.has_classifier)
        assert desc.label and desc.options["encoder"] == ("fast", "r2n2")
    assert get_descriptor("proposed").options["fusion"] == ("concat", "sum")
    assert "fusion" not in get_descriptor("baseline").options


def test_unknown_name_and_option_values_name_the_choices():
    with pytest.raises(ValueError, match="unknown model 'pix2vox'; choose one of baseline, proposed"):
        get_descriptor("pix2vox")
    with pytest.raises(ValueError, match="embed_dim 64 for model 'proposed'; choose one of 128, 256"):
        ModelConfig(name="proposed", embed_dim=64)
    ModelConfig(name="baseline", fusion="anything")  # not an option of the baseline: not checked


def test_register_by_name_defaults_from_class_and_cleans_up():
    class Tiny(BaselineModel):
        pass

    desc = register_model("tiny-reg", Tiny, label="Tiny", options={"encoder": ["fast"]})
    try:
        assert desc == get_descriptor("tiny-reg") and isinstance(desc, ModelDescriptor)
        assert desc.needs_prior and not desc.has_classifier and desc.options == {"encoder": ("fast",)}
        assert model_names()[-1] == "tiny-reg"
        assert isinstance(build_model(ModelConfig(name="tiny-reg", classes=["chair"])), ReconModel)
        with pytest.raises(ValueError, match="image encoder 'r2n2' for model 'tiny-reg'; choose one of fast"):
            ModelConfig(name="tiny-reg", encoder="r2n2")
        # the CLI choices follow the registry
        from core.commands import train as train_cmd

        parser = argparse.ArgumentParser()
        train_cmd.add_parser(parser.add_subparsers())
        action = next(a for sub in parser._subparsers._group_actions for p in sub.choices.values()
                      for a in p._actions if a.dest == "model")
        assert "tiny-reg" in action.choices
    finally:
        unregister_model("tiny-reg")
    assert "tiny-reg" not in model_names() and option_values("encoder") == ("fast", "r2n2")


@pytest.mark.parametrize("args,kwargs,match", [
    (("",), {"builder": BaselineModel}, "non-empty name"),
    (("x",), {}, "needs a builder"),
    (("x", BaselineModel), {"colour": "red"}, "unknown descriptor field"),
    (("x", BaselineModel), {"options": {"depth": (1, 2)}}, "not ModelConfig fields"),
])
def test_register_rejects_bad_descriptors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        register_model(*args, **kwargs)
    assert "x" not in model_names()
