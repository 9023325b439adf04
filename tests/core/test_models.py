"""Models: shapes, flags, config validation, registry, and that each one can fit a batch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import metrics
from core.models.registry import ModelConfig, ModelOutput, available_models, build_model, count_parameters
from core.taxonomy import ALL_CLASSES

torch.set_num_threads(1)
CLASSES = list(ALL_CLASSES)


def _inputs(b=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, 3, 127, 127, generator=g), torch.rand(b, 1, 32, 32, 32, generator=g)


@pytest.mark.parametrize("encoder", ["fast", "r2n2"])
@pytest.mark.parametrize("name", ["baseline", "proposed"])
def test_forward_shapes_and_flags(name, encoder):
    model = build_model(ModelConfig(name=name, classes=CLASSES, encoder=encoder)).eval()
    images, priors = _inputs()
    with torch.inference_mode():
        out = model(images, priors if model.needs_prior else None)
    assert isinstance(out, ModelOutput)
    assert out.occupancy_logits.shape == (2, 1, 32, 32, 32)
    assert model.needs_prior == (name == "baseline")
    assert model.has_classifier == (name == "proposed")
    if model.has_classifier:
        assert out.class_logits.shape == (2, len(CLASSES))
    else:
        assert out.class_logits is None
    assert torch.isfinite(out.occupancy_logits).all()


def test_baseline_requires_and_uses_the_prior():
    model = build_model(ModelConfig(name="baseline", classes=CLASSES)).eval()
    images, priors = _inputs()
    with pytest.raises(ValueError, match="prior"):
        model(images)
    with torch.inference_mode():
        a = model(images, priors).occupancy_logits
        b = model(images, torch.zeros_like(priors)).occupancy_logits
        c = model(images, priors[:, 0]).occupancy_logits  # B×32³ is accepted too
    assert not torch.allclose(a, b)
    assert torch.allclose(a, c)


@pytest.mark.parametrize("fusion,embed", [("concat", 128), ("sum", 128), ("concat", 256), ("sum", 256)])
def test_proposed_fusion_and_embedding_size(fusion, embed):
    model = build_model(ModelConfig(name="proposed", classes=["chair", "table"], fusion=fusion, embed_dim=embed, dropout=0.3))
    assert model.decoder.fc[0].in_features == (2 * embed if fusion == "concat" else embed)
    assert model.classifier[-1].out_features == 2
    out = model.eval()(_inputs()[0])
    assert out.class_logits.shape == (2, 2)


def test_fast_encoder_is_much_cheaper_than_r2n2():
    fast = build_model(ModelConfig(name="proposed", classes=CLASSES, encoder="fast"))
    r2n2 = build_model(ModelConfig(name="proposed", classes=CLASSES, encoder="r2n2"))
    assert count_parameters(fast) < count_parameters(r2n2)
    # demo checkpoints must stay small: fp16 weights of the default model under 15 MB
    assert count_parameters(fast) * 2 < 15e6
    from torch.utils.flop_counter import FlopCounterMode

    flops = {}
    for name, m in (("fast", fast), ("r2n2", r2n2)):
        with FlopCounterMode(display=False) as fc, torch.no_grad():
            m.eval()(torch.zeros(1, 3, 127, 127))
        flops[name] = fc.get_total_flops()
    assert flops["r2n2"] > 10 * flops["fast"]


def test_r2n2_encoder_is_faithful_to_the_paper_widths():
    model = build_model(ModelConfig(name="baseline", classes=CLASSES, encoder="r2n2"))
    convs = [m for m in model.image_encoder.backbone.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size != (1, 1)]
    assert convs[0].kernel_size == (7, 7) and convs[0].out_channels == 96
    assert sorted({c.out_channels for c in convs}) == [96, 128, 256]


def test_config_validation_and_round_trip():
    cfg = ModelConfig(name="proposed", classes=("chair", "car"), fusion="sum", embed_dim=256, dropout=0.5)
    assert ModelConfig.from_dict(cfg.to_dict() | {"unknown_future_field": 1}) == cfg
    with pytest.raises(ValueError, match="unknown model"):
        ModelConfig(name="pix2vox")
    with pytest.raises(ValueError, match="fusion"):
        ModelConfig(fusion="mean")
    with pytest.raises(ValueError, match="image encoder"):
        build_model(ModelConfig(classes=CLASSES, encoder="resnet"))
    assert set(available_models()) >= {"baseline", "proposed"}


@pytest.mark.parametrize("name", ["baseline", "proposed"])
def test_overfits_one_batch(name):
    """A few Adam steps on one fixed batch must drive the loss well down and IoU up."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(name=name, classes=["chair", "table"]))
    images, _ = _inputs(4, seed=1)
    gt = torch.zeros(4, 1, 32, 32, 32)
    gt[:, :, 8:24, 4:20, 10:22] = 1  # a box: learnable from any image
    gt[2:, :, 8:24, 20:28, 10:22] = 1  # a taller box for the second class
    labels = torch.tensor([0, 0, 1, 1])
    priors = gt.mean(0, keepdim=True).expand(4, -1, -1, -1, -1)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(25):
        out = model(images, priors if model.needs_prior else None)
        loss = F.binary_cross_entropy_with_logits(out.occupancy_logits, gt)
        if out.class_logits is not None:
            loss = loss + 0.05 * F.cross_entropy(out.class_logits, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0], losses
    with torch.no_grad():  # train mode: batch statistics, as in the fitted steps
        prob = torch.sigmoid(model(images, priors if model.needs_prior else None).occupancy_logits)
    assert metrics.voxel_iou(prob, gt, 0.5).min() > 0.7
