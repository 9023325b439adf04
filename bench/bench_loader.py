"""Loader throughput: samples/s through R2N2Dataset + DataLoader (batch 64) for 0/1/2 workers,
augmentation on and off, on a generated data set (or the real sample, replicated).

    python bench/bench_loader.py [--root DIR] [--objects-per-class 4] [--batches 40]

Prints a table and writes bench/results/loader.json. The target is ≥ 500 samples/s with 2
workers on a 2-core machine; the first batch (worker start-up, cold caches) is timed apart.
On a shared machine the rate depends on the load (recorded); CPU ms per sample does not, and
2000 / (CPU ms per sample) is the rate two free cores would sustain.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data.dataset import R2N2Dataset, make_loader  # noqa: E402
from core.data.splits import make_splits  # noqa: E402
from core.io.r2n2 import discover  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "loader.json"


def build_root(root: Path, objects_per_class: int, seed: int) -> str:
    """Generated data if the synth writer is available, else the real sample copied ×N."""
    if (root / "ShapeNetRendering").is_dir():
        return f"existing root {root}"
    try:
        from core.synth.writer import generate_dataset
    except ImportError:
        generate_dataset = None
    if generate_dataset is not None:
        t = time.perf_counter()
        generate_dataset(root, objects_per_class, seed, workers=os.cpu_count())
        print(f"generated {objects_per_class}/class x 13 classes in {time.perf_counter() - t:.1f} s")
        return f"synth {objects_per_class}/class x 13"
    real = REPO / "tests" / "data" / "real_r2n2"
    copies = max(1, objects_per_class * 13 // 3)
    for src in sorted(real.glob("ShapeNetVox32/*/*")):
        synset = src.parent.name
        for i in range(copies):
            new_id = f"{src.name[:-4]}{i:04d}"
            for top in ("ShapeNetRendering", "ShapeNetVox32"):
                shutil.copytree(real / top / synset / src.name, root / top / synset / new_id)
    return "real sample replicated"


def cpu_seconds() -> float:
    """CPU time of this process plus its reaped children (the loader workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(ds: R2N2Dataset, workers: int, batch_size: int, batches: int) -> dict:
    """Wall-clock rate after the first batch, and CPU cost per sample over the whole run
    (which, unlike the rate, hardly depends on what else the machine is running)."""
    cpu0 = cpu_seconds()
    loader = make_loader(ds, batch_size=batch_size, num_workers=workers, shuffle=True, seed=0)
    t0 = time.perf_counter()
    it = iter(loader)
    first_n = next(it)["image"].shape[0]
    first = time.perf_counter() - t0
    n, t1 = 0, time.perf_counter()
    for _ in range(batches):
        try:
            batch = next(it)
        except StopIteration:
            it = iter(loader)
            batch = next(it)
        n += batch["image"].shape[0]
    steady = time.perf_counter() - t1
    del it, loader, batch
    gc.collect()  # shuts the workers down, so their CPU time is counted
    cpu_ms = (cpu_seconds() - cpu0) * 1e3 / (n + first_n)
    return {"workers": workers, "augment": ds.augment, "samples": n, "seconds": round(steady, 3),
            "samples_per_s": round(n / steady, 1), "first_batch_s": round(first, 3), "cpu_ms_per_sample": round(cpu_ms, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=None, help="existing or new R2N2 root (default: a temp dir)")
    ap.add_argument("--objects-per-class", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    tmp = None
    root = args.root
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-loader-")
        root = Path(tmp.name)
    try:
        source = build_root(root, args.objects_per_class, seed=0)
        d = discover(root)
        splits = make_splits(d, (1.0, 0.0, 0.0))
        rows = []
        for augment in (False, True):
            ds = R2N2Dataset(root, d.classes, "train", splits, augment=augment, discovery=d)
            for workers in args.workers:
                row = measure(ds, workers, args.batch_size, args.batches)
                rows.append(row)
                print(f"workers={row['workers']} augment={str(row['augment']):5s} {row['samples_per_s']:8.1f} samples/s"
                      f"  {row['cpu_ms_per_sample']:6.3f} CPU ms/sample  (first batch {row['first_batch_s']:.2f} s, {row['samples']} samples)", flush=True)
        result = {
            "data": source, "objects": len(d.objects), "items": len(d.objects) * 24, "batch_size": args.batch_size,
            "cpu_count": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "machine": platform.processor() or platform.machine(), "torch": torch.__version__, "rows": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
        print(f"wrote {args.out}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
