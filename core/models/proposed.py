"""Single-view reconstruction supported by classification.

Two networks read the same image: a classifier (global pooling → embedding → class logits)
whose embedding carries "what kind of object", and a reconstruction encoder (spatial
features → embedding) carrying "what this one looks like". Their embeddings are concatenated
or summed and decoded to 32³. Trained with a·CE + b·BCE, it needs no prior at test time.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from core.models.base import ModelConfig, ModelOutput, ReconModel
from core.models.decoder import VoxelDecoder
from core.models.encoders import ImageEncoder


class ProposedModel(ReconModel):
    """Classifier branch + reconstruction branch, fused by ``config.fusion``; no prior.

    ValueError at construction without a class list."""

    needs_prior = False
    has_classifier = True

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        if config.num_classes < 1:
            raise ValueError("the proposed model needs a class list")
        d = config.embed_dim
        self.class_encoder = ImageEncoder(config.encoder, d, pooling="global", width_scale=config.width_scale)
        self.classifier = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(d, config.num_classes))
        self.recon_encoder = ImageEncoder(config.encoder, d, pooling="flatten", width_scale=config.width_scale)
        self.decoder = VoxelDecoder(2 * d if config.fusion == "concat" else d)

    def forward(self, images: torch.Tensor, priors: Optional[torch.Tensor] = None) -> ModelOutput:
        """images B×3×127×127 → occupancy logits B×1×32³ and class logits B×C (``priors`` is ignored)."""
        g = self.class_encoder(images)
        r = self.recon_encoder(images)
        fused = torch.cat([g, r], dim=1) if self.config.fusion == "concat" else g + r
        return ModelOutput(self.decoder(fused), self.classifier(g))
