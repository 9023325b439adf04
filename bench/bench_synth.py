"""Generator throughput: views/s and objects/s of `generate_dataset` for 1 and N workers, plus
the per-view cost of the two stages (ray-cast render, PNG encode) and per-object voxelisation.

    python bench/bench_synth.py [--objects-per-class 4] [--workers 1,2]

Prints a table and writes bench/results/synth.json. The target is the demo set
(13 classes × 150 objects × 24 views = 46,800 views) in under 3 minutes on 2 cores, i.e.
≥ 260 views/s with 2 workers.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from core.synth.render import render_parts  # noqa: E402
from core.synth.voxelize import voxelize  # noqa: E402
from core.synth.writer import PNG_COMPRESS_LEVEL, build_object, generate_dataset, object_rng, sample_views  # noqa: E402
from core.taxonomy import ALL_CLASSES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "synth.json"
DEMO_OBJECTS_PER_CLASS = 150
DEMO_VIEWS = 13 * DEMO_OBJECTS_PER_CLASS * 24
TARGET_VIEWS_PER_S = round(DEMO_VIEWS / 180)


def _cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the pool's workers): unlike wall
    time, it does not grow when other jobs share the cores."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def stage_costs(seed: int = 0) -> dict:
    """Single-process milliseconds per view (render, PNG) and per object (voxelise)."""
    render_s = png_s = vox_s = 0.0
    views = 0
    for name in ALL_CLASSES:
        rng = object_rng(seed, name, 0)
        parts = build_object(name, rng)
        t = time.perf_counter()
        voxelize(parts)
        vox_s += time.perf_counter() - t
        for view in sample_views(rng)[:8]:
            t = time.perf_counter()
            rgba = render_parts(parts, view)
            render_s += time.perf_counter() - t
            t = time.perf_counter()
            Image.fromarray(rgba, "RGBA").save(io.BytesIO(), format="PNG", compress_level=PNG_COMPRESS_LEVEL)
            png_s += time.perf_counter() - t
            views += 1
    return {"render_ms_per_view": 1e3 * render_s / views, "png_ms_per_view": 1e3 * png_s / views, "voxelize_ms_per_object": 1e3 * vox_s / len(ALL_CLASSES)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objects-per-class", type=int, default=4)
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="comma list of worker counts")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    worker_counts = sorted({max(1, int(w)) for w in args.workers.split(",")})

    stages = stage_costs(args.seed)
    rows = []
    for workers in worker_counts:
        cpu0 = _cpu_seconds()
        with tempfile.TemporaryDirectory() as tmp:
            rep = generate_dataset(Path(tmp) / "r2n2", args.objects_per_class, args.seed, workers=workers)
        cpu = _cpu_seconds() - cpu0
        rows.append({"cpu_seconds": round(cpu, 2), "views_per_cpu_s": round(rep.views / cpu, 1), "workers": workers, "objects": rep.objects, "views": rep.views, "seconds": round(rep.seconds, 2),
                     "views_per_s": round(rep.views_per_second, 1), "objects_per_s": round(rep.objects_per_second, 2),
                     "demo_set_minutes": round(DEMO_VIEWS / rep.views_per_second / 60, 2)})

    print(f"stages (1 process): render {stages['render_ms_per_view']:.1f} ms/view, PNG {stages['png_ms_per_view']:.1f} ms/view, "
          f"voxelise {stages['voxelize_ms_per_object']:.1f} ms/object")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cores (wall-clock rates drop when others share them; views per CPU-second do not)")
    print(f"{'workers':>7} {'objects':>7} {'views':>6} {'seconds':>8} {'views/s':>8} {'objects/s':>9} {'views/cpu-s':>11} {'demo set (min)':>14}")
    for r in rows:
        print(f"{r['workers']:>7} {r['objects']:>7} {r['views']:>6} {r['seconds']:>8.2f} {r['views_per_s']:>8.1f} {r['objects_per_s']:>9.2f} "
              f"{r['views_per_cpu_s']:>11.1f} {r['demo_set_minutes']:>14.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"bench": "synth", "objects_per_class": args.objects_per_class, "cpu_count": os.cpu_count(),
                                   "machine": platform.platform(), "load_average": round(load, 2), "python": platform.python_version(),
                                   "target_views_per_s": TARGET_VIEWS_PER_S, "demo_objects_per_class": DEMO_OBJECTS_PER_CLASS, "stages": {k: round(v, 2) for k, v in stages.items()}, "runs": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
