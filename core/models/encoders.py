"""2D image encoders (127×127 RGB → feature map) and the 3D shape-prior encoder.

Two image backbones share one interface, ``ImageBackbone(x) -> B×C×h×w`` with ``out_channels``
and ``out_size``:

- ``r2n2``: the deep residual encoder of 3D-R2N2 (Choy et al. 2016) as used by Wallace &
  Hariharan: a 7×7 conv at full 127×127 resolution, 96–256 channels, residual pairs with 1×1
  shortcuts, leaky ReLU, 2×2 max pooling after every stage, a BatchNorm closing each stage
  (trains stably at lr 1e-3). Faithful, and slow on a CPU.
- ``fast``: a compact residual net for CPUs (strided 5×5 stem, BatchNorm, ReLU, 24–192
  channels, stride-2 convs instead of pooling). About a tenth of the multiply-adds.

Heads on top turn the map into an embedding: ``FlattenHead`` keeps where things are (the
reconstruction path needs it), ``GlobalPoolHead`` keeps what is there (the classifier).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ENCODERS = ("fast", "r2n2")


# --------------------------------------------------------------------------------------
# r2n2 (faithful, normalised)
# --------------------------------------------------------------------------------------
class _R2N2Stage(nn.Module):
    """conv-a → lrelu → conv-b (+ 1×1 shortcut) → max-pool 2 → lrelu → BatchNorm.

    3D-R2N2's residual stage, closed by a BatchNorm as in the classification paper's own
    implementation (conv → pool → LeakyReLU → BatchNorm). Without it activations grow with
    depth until a decoder BatchNorm variance overflows (1e15 seen at the paper's lr 1e-3):
    every stage now hands the next one unit-scale features.
    """

    def __init__(self, cin: int, cout: int, kernel_a: int = 3, shortcut: bool = True):
        super().__init__()
        self.conv_a = nn.Conv2d(cin, cout, kernel_a, padding=kernel_a // 2)
        self.conv_b = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if shortcut else None
        self.pool = nn.MaxPool2d(2, ceil_mode=True)
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.leaky_relu(self.conv_a(x), 0.1)
        y = self.conv_b(y)
        if self.shortcut is not None:
            y = y + self.shortcut(x)
        # pooling before the activation: same result (both monotone), a quarter of the work
        return self.norm(F.leaky_relu(self.pool(y), 0.1))


class R2N2Backbone(nn.Module):
    """127 → 64 → 32 → 16 → 8 → 4 → 2; channels 96,128,256,256,256,256 (3D-R2N2 'res' net).

    ``width_scale`` < 1 narrows every stage (tests; the paper's network is 1.0).
    """

    widths = (96, 128, 256, 256, 256, 256)

    def __init__(self, width_scale: float = 1.0) -> None:
        super().__init__()
        stages = []
        cin = 3
        for i, w in enumerate(self.widths):
            cout = w if width_scale == 1.0 else max(4, int(round(w * width_scale)))
            # 3D-R2N2 has shortcuts on stages 2, 3 and 5; the first uses a 7×7 conv
            stages.append(_R2N2Stage(cin, cout, kernel_a=7 if i == 0 else 3, shortcut=i in (1, 2, 4)))
            cin = cout
        self.stages = nn.Sequential(*stages)
        self.out_channels = cin
        self.out_size = 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B,3,127,127) normalised images → (B,C,2,2) features."""
        return self.stages(x)


# --------------------------------------------------------------------------------------
# fast (default)
# --------------------------------------------------------------------------------------
def _conv_bn(cin: int, cout: int, kernel: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, bias=False), nn.BatchNorm2d(cout))


class _FastBlock(nn.Module):
    """Stride-2 3×3 conv-BN-ReLU then a 3×3 conv-BN with an identity shortcut."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.down = _conv_bn(cin, cout, 3, 2)
        self.conv = _conv_bn(cout, cout, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.down(x), inplace=True)
        return F.relu(y + self.conv(y), inplace=True)


class FastBackbone(nn.Module):
    """127 → 64 (stem) → 32 → 16 → 8 → 4; BN everywhere so it trains fast with Adam."""

    def __init__(self, widths: tuple[int, ...] = (24, 48, 96, 192)):
        super().__init__()
        self.stem = nn.Sequential(_conv_bn(3, widths[0], 5, 2), nn.ReLU(inplace=True))
        blocks = []
        cin = widths[0]
        for cout in widths:
            blocks.append(_FastBlock(cin, cout))
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.out_channels = cin
        self.out_size = 4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B,3,127,127) normalised images → (B,C,4,4) features."""
        return self.blocks(self.stem(x))


def build_backbone(kind: str, width_scale: float = 1.0) -> nn.Module:
    """The image backbone ``kind`` (``fast`` or ``r2n2``) with channel widths scaled by
    ``width_scale``; ValueError naming the choices for another kind.
    """
    if kind == "r2n2":
        return R2N2Backbone(width_scale)
    if kind == "fast":
        widths = tuple(max(8, int(round(w * width_scale / 8)) * 8) for w in (24, 48, 96, 192))
        return FastBackbone(widths)
    raise ValueError(f"unknown image encoder {kind!r}; choose one of {', '.join(ENCODERS)}")


# --------------------------------------------------------------------------------------
# heads: feature map → embedding
# --------------------------------------------------------------------------------------
class FlattenHead(nn.Module):
    """Spatially aware embedding: flatten the small map, FC, leaky ReLU."""

    def __init__(self, channels: int, size: int, embed_dim: int, reduce_to: int | None = None):
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduce_to, 1) if reduce_to else None
        c = reduce_to or channels
        self.fc = nn.Linear(c * size * size, embed_dim)

    def forward(self, fmap: torch.Tensor) -> torch.Tensor:
        """(B,C,S,S) feature map → (B,embed_dim) embedding."""
        if self.reduce is not None:
            fmap = F.leaky_relu(self.reduce(fmap), 0.1)
        return F.leaky_relu(self.fc(fmap.flatten(1)), 0.1)


class GlobalPoolHead(nn.Module):
    """Position-invariant embedding: global average pool, FC, leaky ReLU."""

    def __init__(self, channels: int, embed_dim: int):
        super().__init__()
        self.fc = nn.Linear(channels, embed_dim)

    def forward(self, fmap: torch.Tensor) -> torch.Tensor:
        """(B,C,S,S) feature map → (B,embed_dim) embedding."""
        return F.leaky_relu(self.fc(fmap.mean(dim=(2, 3))), 0.1)


class ImageEncoder(nn.Module):
    """backbone + head: B×3×127×127 → B×embed_dim."""

    def __init__(self, kind: str, embed_dim: int, pooling: str = "flatten", width_scale: float = 1.0):
        super().__init__()
        self.backbone = build_backbone(kind, width_scale)
        c, s = self.backbone.out_channels, self.backbone.out_size
        if pooling == "flatten":
            self.head = FlattenHead(c, s, embed_dim)
        elif pooling == "global":
            self.head = GlobalPoolHead(c, embed_dim)
        else:
            raise ValueError(f"unknown pooling {pooling!r}")
        self.embed_dim = embed_dim

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B,3,127,127) normalised images → (B,embed_dim) embedding."""
        return self.head(self.backbone(images))


# --------------------------------------------------------------------------------------
# 3D prior encoder (baseline)
# --------------------------------------------------------------------------------------
class PriorEncoder(nn.Module):
    """Mean-voxel prior 1×32³ → embedding: three stride-2 3D convs (32→16→8→4), flatten, FC."""

    def __init__(self, embed_dim: int, widths: tuple[int, int, int] = (16, 32, 64)):
        super().__init__()
        layers: list[nn.Module] = []
        cin = 1
        for cout in widths:
            layers += [nn.Conv3d(cin, cout, 4, stride=2, padding=1), nn.LeakyReLU(0.1, inplace=True)]
            cin = cout
        self.convs = nn.Sequential(*layers)
        self.fc = nn.Linear(cin * 4 * 4 * 4, embed_dim)

    def forward(self, prior: torch.Tensor) -> torch.Tensor:
        """(B,1,32,32,32) prior occupancy in [0,1] → (B,embed_dim) embedding."""
        return F.leaky_relu(self.fc(self.convs(prior).flatten(1)), 0.1)
