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


# ----------------------------------------------------------------------------- r2n2 stability
def _stage_scales(backbone, images):
    """Standard deviation of every stage's output (train mode: batch statistics)."""
    scales, h = [], images
    for stage in backbone.stages:
        h = stage(h)
        scales.append(float(h.std()))
    return scales


def test_r2n2_activation_scale_stays_order_one_through_every_stage():
    """Unnormalised, the stage outputs shrank to 0.009 at init and then grew in training until
    a decoder BatchNorm variance overflowed fp16; each stage now hands on unit-scale features."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(name="proposed", classes=CLASSES, encoder="r2n2")).train()
    images = torch.randn(4, 3, 127, 127, generator=torch.Generator().manual_seed(2)) * 0.5
    with torch.no_grad():
        for encoder in (model.class_encoder, model.recon_encoder):  # both image encoders
            scales = _stage_scales(encoder.backbone, images)
            assert len(scales) == 6
            assert all(0.3 < s < 3.0 for s in scales), scales
            emb = encoder(images)
            assert torch.isfinite(emb).all() and 0.05 < float(emb.std()) < 10.0
        out = model(images)
    assert torch.isfinite(out.occupancy_logits).all() and float(out.occupancy_logits.abs().max()) < 50


def test_width_scaled_r2n2_trains_stably_at_the_papers_learning_rate():
    """Adam at lr 1e-3 (the paper's) for 200 steps: the loss stays finite, never spikes above its
    start, falls, and the features keep their scale (the unnormalised encoder sat at chance)."""
    from core.models.encoders import ImageEncoder
    from core.train.trainer import make_optimizer

    torch.manual_seed(0)
    encoder = ImageEncoder("r2n2", 32, pooling="global", width_scale=0.1)  # 10..26 channels
    head = torch.nn.Linear(32, 13)
    opt = make_optimizer(list(encoder.parameters()) + list(head.parameters()), lr=1e-3)
    g = torch.Generator().manual_seed(1)
    images = torch.randn(48, 3, 31, 31, generator=g)  # small pictures: ceil-mode pooling takes any size
    labels = torch.randint(0, 13, (48,), generator=g)
    losses = []
    for _ in range(200):
        idx = torch.randint(0, 48, (8,), generator=g)
        loss = F.cross_entropy(head(encoder(images[idx])), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(np.isfinite(losses))
    assert max(losses) < 2 * losses[0] + 1.0, max(losses)
    assert np.mean(losses[-20:]) < 0.6 * np.mean(losses[:20]), (np.mean(losses[:20]), np.mean(losses[-20:]))
    with torch.no_grad():
        scales = _stage_scales(encoder.backbone, images[:8])
    assert all(0.2 < s < 5.0 for s in scales), scales


def test_fast_encoder_keeps_its_state_dict_layout():
    """Shipped fast-encoder checkpoints must keep loading: no key or shape of ``fast`` changed."""
    from core.train.checkpoint import load_checkpoint
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "resources" / "checkpoints"
    for name in ("proposed", "baseline"):
        path = root / f"{name}.pt"
        if path.is_file():
            ck = load_checkpoint(path)
            assert ck.model_config.encoder == "fast"
