"""Shared 3D decoder: embedding → FC → 4³ grid → three stride-2 transposed 3D convs → 32³ logits.

The last transposed conv emits the single logit channel directly: a 3×3×3 conv at 32³ after it
would cost ten times the rest of the decoder on a CPU (no fast kernel for few channels).

Both models end here so that the comparison isolates what goes *into* the decoder (a prior
vs a classification embedding). Output axes are [x, y, z] like the binvox grids: the decoder
has no built-in orientation, the loss against [x, y, z] targets defines it.
"""

from __future__ import annotations

import torch
from torch import nn


class VoxelDecoder(nn.Module):
    """Embedding (B,in_dim) → occupancy logits (B,1,32,32,32): an FC to a 4³ grid of ``widths[0]``
    channels, then stride-2 transposed 3D convs (4→8→16→32).
    """

    def __init__(self, in_dim: int, widths: tuple[int, int, int] = (96, 48, 24)):
        super().__init__()
        c0 = widths[0]
        self.c0 = c0
        self.fc = nn.Sequential(nn.Linear(in_dim, c0 * 4 * 4 * 4), nn.ReLU(inplace=True))
        layers: list[nn.Module] = []
        cin = c0
        for cout in widths[1:]:  # 4 → 8 → 16
            layers += [
                nn.ConvTranspose3d(cin, cout, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm3d(cout),
                nn.ReLU(inplace=True),
            ]
            cin = cout
        layers.append(nn.ConvTranspose3d(cin, 1, 4, stride=2, padding=1))  # 16 → 32, logits
        self.deconvs = nn.Sequential(*layers)

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        """(B,in_dim) embedding → (B,1,32,32,32) occupancy logits (apply a sigmoid for probabilities)."""
        grid = self.fc(embedding).view(-1, self.c0, 4, 4, 4)
        return self.deconvs(grid)
