"""Reading the 3D-R2N2 ShapeNet layout: object discovery, view metadata and RGBA renderings.

Discovery pairs ``ShapeNetRendering/<synset>/<id>/rendering`` with
``ShapeNetVox32/<synset>/<id>/model.binvox``. Real downloads are often incomplete (an object
with renderings but no voxels, a missing PNG), so broken objects are skipped and counted by
reason instead of failing a long training run; a missing root or a requested class with no
usable object is an error, because nothing sensible can follow from it.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.errors import DataError
from core.geometry.camera import ViewParams
from core.io.binvox import read_binvox
from core.spec import (
    BINVOX_FILE,
    GRID_SIZE,
    METADATA_FILE,
    RENDER_SIZE,
    RENDERING_DIR,
    RENDERING_SUBDIR,
    VIEW_NAMES,
    VIEWS_PER_OBJECT,
    VOXEL_DIR,
)
from core.taxonomy import NAME_TO_SYNSET, resolve_classes

log = logging.getLogger(__name__)


# skip reasons, as counted in Discovery.skipped
SKIP_NO_VOXELS = "no voxel file"
SKIP_NO_RENDERINGS = "no rendering folder"
SKIP_MISSING_PNG = "missing PNG views"
SKIP_NO_METADATA = "no rendering_metadata.txt"
SKIP_EMPTY_CLASS = "empty class folder"
SKIP_MISSING_CLASS = "class folder missing"


@dataclass(frozen=True)
class ObjectRecord:
    """One object with both halves present: 24 renderings + metadata, and a 32³ binvox."""

    synset: str
    class_name: str
    object_id: str
    image_dir: Path
    binvox_path: Path

    @property
    def key(self) -> str:
        """``synset/object_id``: the identity used by splits and checkpoints."""
        return f"{self.synset}/{self.object_id}"

    @property
    def metadata_path(self) -> Path:
        """``rendering/rendering_metadata.txt``: the 24 view parameters of this object."""
        return self.image_dir / METADATA_FILE

    def png_path(self, view: int) -> Path:
        """The render of view ``view`` (0..23): ``rendering/NN.png``."""
        return self.image_dir / VIEW_NAMES[view]


@dataclass
class Discovery:
    """Objects found under ``root`` for ``classes`` (names in synset order) and what was skipped."""

    root: Path
    classes: list[str]
    objects: list[ObjectRecord]
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, ObjectRecord]:
        """The objects by ``synset/object_id`` (how splits and checkpoints name them)."""
        return {o.key: o for o in self.objects}

    def counts(self) -> dict[str, int]:
        """Objects per class name (classes with none are absent)."""
        return dict(Counter(o.class_name for o in self.objects))


def _list_dirs(path: Path) -> list[str]:
    try:
        with os.scandir(path) as it:
            return sorted(e.name for e in it if e.is_dir() and not e.name.startswith("."))
    except FileNotFoundError:
        return []


def _list_files(path: Path) -> set[str] | None:
    try:
        with os.scandir(path) as it:
            return {e.name for e in it if e.is_file()}
    except (FileNotFoundError, NotADirectoryError):
        return None


def discover(root: str | Path, classes: str | Sequence[str] | None = None) -> Discovery:
    """Find usable objects under ``root``.

    ``classes`` None means "whichever of the 13 classes are present" (absent ones are counted
    as skipped); an explicit list (names, synsets, "7", "13") requires every class to yield at
    least one object, else DataError naming the class folder.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(root, "data set root not found")
    render_root, vox_root = root / RENDERING_DIR, root / VOXEL_DIR
    for sub in (render_root, vox_root):
        if not sub.is_dir():
            raise DataError(sub, f"missing folder (a 3D-R2N2 root holds {RENDERING_DIR}/ and {VOXEL_DIR}/)")
    explicit = classes is not None
    names = resolve_classes(classes)

    objects: list[ObjectRecord] = []
    skipped: Counter[str] = Counter()
    examples: dict[str, Path] = {}

    def skip(reason: str, path: Path) -> None:
        skipped[reason] += 1
        examples.setdefault(reason, path)

    present: list[str] = []
    for name in names:
        synset = NAME_TO_SYNSET[name]
        rdir, vdir = render_root / synset, vox_root / synset
        if not rdir.is_dir() and not vdir.is_dir():
            if explicit:
                raise DataError(rdir, f"class folder for '{name}' not found")
            skip(SKIP_MISSING_CLASS, rdir)
            continue
        r_ids, v_ids = set(_list_dirs(rdir)), set(_list_dirs(vdir))
        if not r_ids and not v_ids:
            skip(SKIP_EMPTY_CLASS, rdir)
        found = 0
        for oid in sorted(r_ids | v_ids):
            image_dir = rdir / oid / RENDERING_SUBDIR
            binvox = vdir / oid / BINVOX_FILE
            files = _list_files(image_dir) if oid in r_ids else None
            if files is None:
                skip(SKIP_NO_RENDERINGS, image_dir)
            elif oid not in v_ids or not binvox.is_file():
                skip(SKIP_NO_VOXELS, binvox)
            elif METADATA_FILE not in files:
                skip(SKIP_NO_METADATA, image_dir / METADATA_FILE)
            elif not files.issuperset(VIEW_NAMES):
                skip(SKIP_MISSING_PNG, image_dir)
            else:
                objects.append(ObjectRecord(synset, name, oid, image_dir, binvox))
                found += 1
        if found:
            present.append(name)
        elif explicit:
            raise DataError(rdir, f"no usable objects for class '{name}' (each needs {VIEWS_PER_OBJECT} PNGs, {METADATA_FILE} and {VOXEL_DIR}/{synset}/<id>/{BINVOX_FILE})")
    if not objects:
        raise DataError(render_root, f"no usable objects for classes {', '.join(names)}")

    class_level = (SKIP_EMPTY_CLASS, SKIP_MISSING_CLASS)
    messages = [
        f"skipped {n} {'class folder' if reason in class_level else 'object'}{'s' if n > 1 else ''}: {reason} (e.g. {examples[reason]})"
        for reason, n in sorted(skipped.items())
    ]
    for reason, m in zip(sorted(skipped), messages):
        if explicit or reason != SKIP_MISSING_CLASS:  # "whichever are present": absence is expected
            log.warning(m)
    return Discovery(root, present if not explicit else names, objects, dict(skipped), messages)


def read_metadata(path: str | Path) -> list[ViewParams]:
    """The 24 camera lines of ``rendering_metadata.txt``; DataError names file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        raise DataError(path, "metadata file not found") from None
    except OSError as exc:
        raise DataError(path, f"cannot read metadata ({exc.strerror})") from None
    numbered = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if len(numbered) != VIEWS_PER_OBJECT:
        raise DataError(path, f"expected {VIEWS_PER_OBJECT} metadata lines, found {len(numbered)} (one line per view)")
    views = []
    for number, line in numbered:
        problem = metadata_line_problem(line)
        if problem:
            raise DataError(path, f"line {number}: {problem}")
        views.append(ViewParams.from_line(line))
    return views


def metadata_line_problem(line: str) -> str | None:
    """Why one ``azimuth elevation in_plane distance fov`` line is unusable, or None.

    The camera is built from these numbers (``core.geometry.camera``): a NaN, an elevation
    beyond the poles or a distance <= 0 would put it at NaN or behind the object."""
    parts = line.split()
    if len(parts) != 5:
        return f"expected 5 numbers 'azimuth elevation in_plane distance fov', found {len(parts)} fields"
    values = []
    for name, text in zip(METADATA_FIELDS, parts):
        try:
            v = float(text)
        except ValueError:
            return f"{name} {text[:20]!r} is not a number"
        if not math.isfinite(v):
            return f"{name} is {text[:20]!r}, not a finite number"
        values.append(v)
    _az, elevation, _roll, distance, fov = values
    if not -90.0 <= elevation <= 90.0:
        return f"elevation {elevation:g} is outside [-90, 90] degrees"
    if distance <= 0.0:
        return f"distance {distance:g} is not positive"
    if not 0.0 < fov < 180.0:
        return f"field of view {fov:g} must lie between 0 and 180 degrees"
    return None


METADATA_FIELDS = ("azimuth", "elevation", "in_plane", "distance", "fov")


def metadata_array(path: str | Path) -> np.ndarray:
    """``read_metadata`` as a (24, 5) float32 array (azimuth, elevation, in_plane, distance, fov)."""
    return np.array([[v.azimuth, v.elevation, v.in_plane, v.distance, v.fov] for v in read_metadata(path)], dtype=np.float32)


def load_rgba(path: str | Path) -> np.ndarray:
    """A rendering as (137, 137, 4) uint8; DataError if unreadable, another size or not RGBA."""
    path = Path(path)
    try:
        with Image.open(path) as im:
            if im.size != (RENDER_SIZE, RENDER_SIZE):
                raise DataError(path, f"image is {im.size[0]}x{im.size[1]}, expected {RENDER_SIZE}x{RENDER_SIZE}")
            if im.mode != "RGBA":
                raise DataError(path, f"image mode is {im.mode}, expected RGBA (transparent background)")
            arr = np.asarray(im)
    except FileNotFoundError:
        raise DataError(path, "image file not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(path, f"corrupt or unreadable image ({exc})") from None
    return arr


def load_voxels(path: str | Path) -> np.ndarray:
    """A ShapeNetVox32 grid as (32, 32, 32) bool ``[x, y, z]``; DataError for other sizes."""
    return read_binvox(path, expect_dim=GRID_SIZE).data


__all__ = [
    "ObjectRecord", "Discovery", "discover", "read_metadata", "metadata_array", "load_rgba", "load_voxels",
    "VIEWS_PER_OBJECT", "GRID_SIZE", "RENDERING_DIR", "VOXEL_DIR",
]
