"""Wallace & Hariharan (ICCV 2019): image embedding + class-prior embedding → shared decoder.

The prior is the mean 32³ occupancy of the object's class (from the training split); at test
time it comes from the true class (the paper's setting) or from a user/classifier choice.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from core.models.base import ModelConfig, ModelOutput, ReconModel
from core.models.decoder import VoxelDecoder
from core.models.encoders import ImageEncoder, PriorEncoder


class BaselineModel(ReconModel):
    """Image embedding ⊕ prior embedding → decoder. Needs a prior for every image; no classifier."""

    needs_prior = True
    has_classifier = False

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        d = config.embed_dim
        self.image_encoder = ImageEncoder(config.encoder, d, pooling="flatten", width_scale=config.width_scale)
        self.prior_encoder = PriorEncoder(d)
        self.combine = nn.Sequential(nn.Linear(2 * d, d), nn.LeakyReLU(0.1, inplace=True))
        self.decoder = VoxelDecoder(d)

    def forward(self, images: torch.Tensor, priors: Optional[torch.Tensor] = None) -> ModelOutput:
        """images B×3×127×127, priors B×1×32³ or B×32³ (occupancy in [0, 1]) → logits B×1×32³.

        ValueError without priors."""
        if priors is None:
            raise ValueError("the baseline model needs a class prior (B×1×32×32×32) for every image")
        if priors.dim() == 4:
            priors = priors.unsqueeze(1)
        z = torch.cat([self.image_encoder(images), self.prior_encoder(priors.to(images.dtype))], dim=1)
        return ModelOutput(self.decoder(self.combine(z)), None)
