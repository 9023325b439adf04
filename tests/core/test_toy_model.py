"""A model registered from outside ``core`` goes through the whole command line unchanged:
train, evaluate, predict and export, with the prior logic taken from its descriptor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from core.cli import main as cli_main
from core.models.base import ModelConfig, ModelOutput, ReconModel
from core.models.registry import get_descriptor, model_names, register_model, unregister_model
from tests.core.trained import private_root

torch.set_num_threads(1)


class ToyModel(ReconModel):
    """Pooled pixels → 16 features → class logits and an 8³ grid blown up to 32³, plus the prior.

    No ``needs_prior``/``has_classifier`` here: the registry's descriptor says so."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.features = nn.Sequential(nn.AvgPool2d(8), nn.Flatten(), nn.Linear(3 * 15 * 15, 16), nn.ReLU())
        self.classifier = nn.Linear(16, config.num_classes)
        self.decoder = nn.Linear(16, 8 ** 3)
        self.prior_gain = nn.Parameter(torch.ones(1))

    def forward(self, images: torch.Tensor, priors: torch.Tensor | None = None) -> ModelOutput:
        z = self.features(images)
        occ = self.decoder(z).view(-1, 1, 8, 8, 8)
        for dim in (2, 3, 4):
            occ = occ.repeat_interleave(4, dim=dim)
        if priors is not None:
            occ = occ + self.prior_gain * (priors.view(-1, 1, 32, 32, 32).to(occ.dtype) * 4 - 2)
        return ModelOutput(occ, self.classifier(z))


@pytest.fixture(scope="module")
def toy():
    register_model("toy", lambda cfg: ToyModel(cfg), label="Toy (test)", needs_prior=True, has_classifier=True,
                   options={"encoder": ("fast",)}, description="a registry test model")
    yield get_descriptor("toy")
    unregister_model("toy")


@pytest.mark.slow
def test_registered_model_trains_evaluates_predicts_and_exports_through_the_cli(toy, tiny_synth_root, tmp_path, capsys):
    assert "toy" in model_names() and toy.needs_prior
    root = private_root(tiny_synth_root, tmp_path / "private")
    run = tmp_path / "runs" / "toy"
    assert cli_main(["train", "--data", str(root), "--model", "toy", "--classes", "chair,table", "--preset", "smoke",
                     "--out", str(run), "--quiet"]) == 0
    assert "trained toy" in capsys.readouterr().out
    payload = torch.load(run / "best.pt", weights_only=True)
    assert payload["model_config"]["name"] == "toy"
    assert tuple(payload["priors"].shape) == (2, 32, 32, 32)  # computed because the descriptor says needs_prior

    assert cli_main(["eval", "--checkpoint", str(run / "best.pt"), "--data", str(root), "--views", "2",
                     "--out", str(tmp_path / "eval.json"), "--quiet"]) == 0
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["model"]["name"] == "toy"
    capsys.readouterr()

    image = next(Path(root, "ShapeNetRendering").glob("*/*/rendering/00.png"))
    out = tmp_path / "pred"
    assert cli_main(["predict", str(image), "--checkpoint", str(run / "best.pt"), "--prior-class", "chair",
                     "--out", str(out), "--formats", "obj,ply,glb", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result["probabilities"]) == {"chair", "table"}
    assert result["model"] == "toy" and result["prior_class"] == "chair" and result["mesh_faces"] > 0
    assert {"binvox", "npy", "obj", "ply", "glb"} <= set(result["files"])
    assert all(Path(f).is_file() and Path(f).stat().st_size > 0 for f in result["files"].values())
    # the prior reaches the model: another prior class, another shape
    assert cli_main(["predict", str(image), "--checkpoint", str(run / "best.pt"), "--prior-class", "table",
                     "--out", str(tmp_path / "pred-table"), "--formats", "obj"]) == 0
    capsys.readouterr()
    assert not np.array_equal(np.load(out / "00.npy"), np.load(tmp_path / "pred-table" / "00.npy"))

    # a checkpoint of the toy model names it when the toy is not registered (no silent fallback)
    unregister_model("toy")
    try:
        assert cli_main(["predict", str(image), "--checkpoint", str(run / "best.pt"), "--prior-class", "chair",
                         "--out", str(tmp_path / "p2")]) == 2
        assert "unknown model 'toy'" in capsys.readouterr().err
    finally:
        register_model(toy)
