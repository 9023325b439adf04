"""Write a procedural data set in the exact 3D-R2N2 layout (renderings + 32³ binvox).

Determinism: each object's random stream is seeded from (seed, class index, object index)
via ``numpy.random.SeedSequence``, and its id is a hash of the same triple, so the same seed
gives byte-identical files whatever the number of worker processes. Each object is written
into a scratch folder under ``ROOT/.synth-tmp`` and then renamed into place, so an
interrupted run never leaves half an object in the layout.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import DataError
from core.geometry.camera import ViewParams
from core.io.binvox import write_binvox
from core.progress import CancelToken, ProgressCallback, report
from core.spec import (
    GRID_SIZE,
    METADATA_FILE,
    RENDERING_DIR,
    RENDERING_SUBDIR,
    RENDERINGS_LIST_FILE,
    VIEWS_PER_OBJECT,
    VOXEL_DIR,
)
from core.synth.families import FAMILIES
from core.synth.parts import bounds, normalise, thicken
from core.synth.render import Lighting, render_parts
from core.synth.voxelize import voxelize
from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET, resolve_classes

SCRATCH = ".synth-tmp"
PNG_COMPRESS_LEVEL = 1
# every part at least this many voxels of the final 32³ grid thick: real ShapeNet parts at 32³
# are rarely thinner, and thinner ones render far narrower than the voxel columns they produce
MIN_PART_VOXELS = 1.5


@dataclass
class SynthReport:
    """What ``generate_dataset`` wrote and how fast."""

    root: Path
    classes: list[str]
    objects_per_class: int
    seed: int
    workers: int
    objects: int = 0
    views: int = 0
    seconds: float = 0.0
    per_class: dict[str, int] = field(default_factory=dict)

    @property
    def views_per_second(self) -> float:
        return self.views / self.seconds if self.seconds > 0 else 0.0

    @property
    def objects_per_second(self) -> float:
        return self.objects / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (f"wrote {self.objects} objects ({len(self.classes)} classes × {self.objects_per_class}), {self.views} views to {self.root} "
                f"in {self.seconds:.1f} s ({self.views_per_second:.0f} views/s, {self.workers} worker{'s' if self.workers != 1 else ''})")


def object_id(seed: int, class_name: str, index: int) -> str:
    """Deterministic 32-hex id, like ShapeNet's md5-style model ids."""
    return hashlib.md5(f"recon-synth/{seed}/{class_name}/{index}".encode()).hexdigest()


def object_rng(seed: int, class_name: str, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), ALL_CLASSES.index(class_name), int(index)]))


def sample_views(rng: np.random.Generator, n: int = VIEWS_PER_OBJECT) -> list[ViewParams]:
    """The real set's camera distribution: azimuth uniform, elevation 25–30°, distance 0.65–0.9."""
    az = rng.uniform(0.0, 360.0, n)
    el = rng.uniform(25.0, 30.0, n)
    dist = rng.uniform(0.65, 0.9, n)
    return [ViewParams(round(float(a), 6), round(float(e), 6), 0.0, round(float(d), 6), 25.0) for a, e, d in zip(az, el, dist)]


def sample_lighting(rng: np.random.Generator) -> Lighting:
    """Per-object light within the soft, frontal lighting of the real renders: ambient and key
    intensities ±20 %, the key light moved about its default place up-left of the camera, and
    highlights from matte to the glossy sheen of leather and plastic."""
    return Lighting(ambient=float(rng.uniform(0.26, 0.4)), key=float(rng.uniform(0.5, 0.72)), fill=float(rng.uniform(0.14, 0.3)),
                    specular=float(rng.uniform(0.05, 0.4)), key_right=float(rng.uniform(-0.6, 0.1)), key_up=float(rng.uniform(0.35, 0.8)),
                    shininess=float(rng.uniform(10.0, 48.0)))


def build_object(class_name: str, rng: np.random.Generator):
    """Parts of one object, normalised like ShapeNet (bbox centred, unit diagonal), with no
    part thinner than ``MIN_PART_VOXELS`` voxels of the grid it will be voxelised on.

    The voxel size is only known after normalising, and widening a part at the object's edge
    can move the bounds, so widen and renormalise twice (the second pass changes sizes by
    well under a percent)."""
    parts = normalise(FAMILIES[class_name](rng))
    for _ in range(2):
        lo, hi = bounds(parts)
        parts = normalise(thicken(parts, MIN_PART_VOXELS * float((hi - lo).max()) / GRID_SIZE))
    return parts


def write_object(root: Path, class_name: str, index: int, seed: int) -> str:
    """Generate, render and voxelise one object, then move it into the layout atomically."""
    rng = object_rng(seed, class_name, index)
    parts = build_object(class_name, rng)
    views = sample_views(rng)
    light = sample_lighting(rng)
    synset = NAME_TO_SYNSET[class_name]
    oid = object_id(seed, class_name, index)
    scratch = root / SCRATCH / f"{synset}_{oid}"
    if scratch.exists():
        shutil.rmtree(scratch)
    render_dir = scratch / "render" / RENDERING_SUBDIR
    render_dir.mkdir(parents=True)
    vox_dir = scratch / "vox"
    vox_dir.mkdir()
    for k, view in enumerate(views):
        rgba = render_parts(parts, view, light=light)
        Image.fromarray(rgba, "RGBA").save(render_dir / f"{k:02d}.png", compress_level=PNG_COMPRESS_LEVEL)
    (render_dir / RENDERINGS_LIST_FILE).write_text("".join(f"{k:02d}.png\n" for k in range(len(views))))
    (render_dir / METADATA_FILE).write_text("".join(v.to_line() + "\n" for v in views))
    write_binvox(vox_dir / "model.binvox", voxelize(parts))
    for src, top in ((scratch / "vox", VOXEL_DIR), (scratch / "render", RENDERING_DIR)):
        dest = root / top / synset / oid
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(src, dest)
    shutil.rmtree(scratch, ignore_errors=True)
    return oid


def _write_task(args: tuple[str, str, int, int]) -> tuple[str, str]:
    root, class_name, index, seed = args
    return class_name, write_object(Path(root), class_name, index, seed)


def _worker_init() -> None:
    """Keep each worker single-threaded: the pool already uses every core."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - optional
        pass


def _pool_context():
    """``fork`` is fastest, but forking a process that runs other threads (a GUI calling from
    a worker thread) can deadlock the children; use a fork server there instead."""
    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() > 1 and "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def check_output_root(out: Path) -> None:
    """Refuse a file, or a non-empty folder that is not already an R2N2 root."""
    if out.exists() and not out.is_dir():
        raise DataError(out, "output path exists and is not a folder")
    if out.is_dir():
        entries = [p.name for p in out.iterdir()]
        if entries and not ({RENDERING_DIR, VOXEL_DIR} & set(entries)):
            raise DataError(out, f"folder is not empty and is not an R2N2 root (no {RENDERING_DIR}/ or {VOXEL_DIR}/); choose an empty or new folder")


def generate_dataset(
    out: Path | str,
    objects_per_class: int,
    seed: int,
    classes: list[str] | str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> SynthReport:
    """Write ``objects_per_class`` objects for each class into ``out`` (R2N2 layout).

    ``classes``: names / aliases / synsets, "7" or "13" (default: all 13). ``workers``: process
    count (default ``os.cpu_count()``; 1 runs in this process). Existing objects with the same
    ids are replaced; other objects in the root are left alone.
    """
    out = Path(out)
    if objects_per_class < 1:
        raise ValueError(f"objects_per_class must be ≥ 1, got {objects_per_class}")
    try:
        names = resolve_classes(classes)
    except ValueError as exc:
        raise DataError(out, f"bad class list: {exc}") from None
    check_output_root(out)
    workers = max(1, int(workers or os.cpu_count() or 1))
    out.mkdir(parents=True, exist_ok=True)
    for top in (RENDERING_DIR, VOXEL_DIR):
        (out / top).mkdir(exist_ok=True)
    tasks = [(str(out), name, i, int(seed)) for name in names for i in range(objects_per_class)]
    rep = SynthReport(out, names, objects_per_class, int(seed), workers, per_class={n: 0 for n in names})
    start = time.perf_counter()
    total = len(tasks)
    report(progress, 0, total, "synth")

    def done_one(class_name: str) -> None:
        rep.objects += 1
        rep.views += VIEWS_PER_OBJECT
        rep.per_class[class_name] += 1
        elapsed = time.perf_counter() - start
        report(progress, rep.objects, total, "synth", views_per_s=rep.views / max(elapsed, 1e-9))

    try:
        if workers == 1:
            for task in tasks:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                done_one(_write_task(task)[0])
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_worker_init) as pool:
                pending = set()
                queue = iter(tasks)
                try:
                    for task in queue:  # keep a bounded number in flight so cancel is prompt
                        pending.add(pool.submit(_write_task, task))
                        if len(pending) >= 2 * workers:
                            break
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in finished:
                            done_one(fut.result()[0])
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        for task in queue:
                            pending.add(pool.submit(_write_task, task))
                            if len(pending) >= 2 * workers:
                                break
                except BaseException:
                    for fut in pending:
                        fut.cancel()
                    raise
    finally:
        shutil.rmtree(out / SCRATCH, ignore_errors=True)
        rep.seconds = time.perf_counter() - start
    return rep
