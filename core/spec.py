"""The domain's fixed facts, in one place: sizes of the 3D-R2N2 layout, the paper's loss weights.

Every module that needs one of these numbers or names imports it from here, so a change (a
new grid size, another crop) is made once. Values are those of the public 3D-R2N2 ShapeNet
set (renders, voxels) and of the papers this project reproduces.
"""

from __future__ import annotations

# --- the rendered views -----------------------------------------------------------------
RENDER_SIZE = 137  # px, square RGBA PNGs as shipped in ShapeNetRendering
INPUT_SIZE = 127  # px, what the models read: a 127×127 crop of the render
CROP_OFFSET = (RENDER_SIZE - INPUT_SIZE) // 2  # 5: the centre crop; training jitters ±5 px
VIEWS_PER_OBJECT = 24  # 00.png … 23.png
VIEW_NAMES: tuple[str, ...] = tuple(f"{i:02d}.png" for i in range(VIEWS_PER_OBJECT))

# --- the voxel grid -----------------------------------------------------------------------
GRID_SIZE = 32  # ShapeNetVox32: 32³ occupancy, indexed [x, y, z] with y up
GRID_SHAPE: tuple[int, int, int] = (GRID_SIZE, GRID_SIZE, GRID_SIZE)

# --- folder and file names of the layout --------------------------------------------------
RENDERING_DIR = "ShapeNetRendering"
VOXEL_DIR = "ShapeNetVox32"
RENDERING_SUBDIR = "rendering"
METADATA_FILE = "rendering_metadata.txt"
RENDERINGS_LIST_FILE = "renderings.txt"
BINVOX_FILE = "model.binvox"
CACHE_DIR = ".recon_cache"  # per-data-set caches (class priors), inside the data root

# --- the paper's training settings ----------------------------------------------------------
# L = a·CE + b·BCE; a depends on the class count (0.05 for 13 classes, 0.001 for 7).
CE_WEIGHT_BY_CLASS_SET: dict[str, float] = {"13": 0.05, "7": 0.001}
BCE_WEIGHT = 1.0
LEARNING_RATE = 1e-3

# --- evaluation and display ---------------------------------------------------------------
IOU_THRESHOLDS: tuple[float, ...] = (0.3, 0.4, 0.5)
DEFAULT_THRESHOLD = 0.4  # the headline IoU threshold and the viewer's default


def headline_threshold(thresholds) -> float:
    """The threshold a one-number summary reports: 0.4 when measured, else the middle one."""
    ts = sorted(float(t) for t in thresholds)
    if not ts:
        raise ValueError("no IoU thresholds")
    for t in ts:
        if abs(t - DEFAULT_THRESHOLD) < 1e-9:
            return t
    return ts[len(ts) // 2]
