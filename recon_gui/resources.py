"""The shipped resources as the GUI sees them: demo checkpoints per model slot, the sample gallery, icons.

Where they live is decided once, in ``core.resources`` (importlib.resources over the installed
``recon_resources`` package, the source tree's ``resources/`` folder, or ``RECON_GUI_RESOURCES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import resources as _core_resources
from core.spec import BINVOX_FILE, RENDERING_DIR, RENDERING_SUBDIR, VOXEL_DIR


def resources_dir() -> Path:
    """The folder of the shipped resources (``core.resources.resources_root``)."""
    return _core_resources.resources_root()


def checkpoint_path(slot: str) -> Path:
    """The shipped demo checkpoint of ``slot`` (a registered model name); may not exist.

    ValueError naming the registered models for an unknown slot."""
    from core.models.registry import get_descriptor

    get_descriptor(slot)
    return _core_resources.checkpoint_path(slot)


def samples_root() -> Path:
    """A tiny data set in the R2N2 layout (one object per class)."""
    return _core_resources.samples_root()


def icon_path(name: str) -> Path:
    """An SVG icon of the shipped set by name."""
    return _core_resources.icon_path(name)


PHOTOS_DIR = "photos"  # beside the R2N2 folders of the samples: pictures with no ground truth
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
PHOTO_TIP = "A photo on a busy background: click to reconstruct it, then drag a rectangle around the object"


@dataclass(frozen=True)
class Sample:
    """One gallery item: a rendered view and, when known, its ground-truth voxels; ``tip``
    says what the item is for (the gallery's tool tip; empty: the path)."""

    image: Path
    binvox: Path | None
    label: str
    tip: str = ""


def ground_truth_for(image: str | Path) -> Path | None:
    """The binvox file of an image that sits in an R2N2 layout
    (ROOT/ShapeNetRendering/<synset>/<id>/rendering/NN.png -> ROOT/ShapeNetVox32/<synset>/<id>/model.binvox)."""
    p = Path(image)
    parts = p.parts
    if len(parts) < 5 or parts[-2] != RENDERING_SUBDIR or parts[-5] != RENDERING_DIR:
        return None
    root = Path(*parts[:-5])
    candidate = root / VOXEL_DIR / parts[-4] / parts[-3] / BINVOX_FILE
    return candidate if candidate.is_file() else None


def gallery_photos(root: Path | None = None) -> list[Sample]:
    """The pictures in ``root/photos`` (default: the shipped samples), sorted by name: real-photo
    cases with no ground truth, labelled by their file name ("cluttered chair (photo)")."""
    folder = (samples_root() if root is None else Path(root)) / PHOTOS_DIR
    if not folder.is_dir():
        return []
    return [Sample(p, None, f"{p.stem.replace('_', ' ')} (photo)", PHOTO_TIP)
            for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES]


def gallery_samples(root: Path | None = None, view: str = "00.png") -> list[Sample]:
    """One image per object found under ``root`` (default: the shipped samples), sorted by class.
    Renders only (each with its ground truth); ``gallery_photos`` lists the photos."""
    from core.taxonomy import SYNSETS

    root = samples_root() if root is None else Path(root)
    renderings = root / RENDERING_DIR
    if not renderings.is_dir():
        return []
    samples = []
    for synset_dir in sorted(d for d in renderings.iterdir() if d.is_dir()):
        for obj_dir in sorted(d for d in synset_dir.iterdir() if d.is_dir()):
            image = obj_dir / RENDERING_SUBDIR / view
            if image.is_file():
                name = SYNSETS.get(synset_dir.name, synset_dir.name)
                samples.append(Sample(image, ground_truth_for(image), name))
    return samples
