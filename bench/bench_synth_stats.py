"""Class statistics of a generated set beside the real ShapeNetVox32 table.

    python bench/bench_synth_stats.py [--objects-per-class 150] [--seed 1] [--data ROOT]

For every class: mean occupancy of the class-mean voxel grid, the share of voxels with
class mean ≥ 0.5, and the box of the voxels with class mean ≥ 0.2 — real (or, for the six
classes without published class means, the derived target) beside generated. A fresh set is
generated in memory (voxels only, through the writer's own build + voxelise path); ``--data``
reads the binvox files of an existing R2N2 folder instead (e.g. the demo set). Prints a table
and writes bench/results/synth_stats.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from core.synth.real_stats import REFERENCE  # noqa: E402
from core.synth.stats import format_box, mean_grid, mismatches, stats_of_mean  # noqa: E402
from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "synth_stats.json"


def folder_mean(root: Path, name: str) -> tuple[np.ndarray | None, int]:
    from core.io.binvox import read_binvox

    paths = sorted((root / "ShapeNetVox32" / NAME_TO_SYNSET[name]).glob("*/model.binvox"))
    if not paths:
        return None, 0
    total = np.zeros((32, 32, 32))
    for p in paths:
        total += read_binvox(p, expect_dim=32).data
    return total / len(paths), len(paths)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objects-per-class", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, help="an R2N2 folder to measure instead of a fresh set")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    rows = []
    start = time.perf_counter()
    for name in ALL_CLASSES:
        if args.data is not None:
            mean, n = folder_mean(args.data, name)
            if mean is None:
                continue
        else:
            n = args.objects_per_class
            mean = mean_grid(name, n, args.seed)
        s = stats_of_mean(mean, n)
        ref = REFERENCE[name]
        rows.append({"class": name, "source": ref.source, "objects": n,
                     "mean_occupancy": {"reference": ref.mean_occupancy, "generated": round(s.mean_occupancy, 4)},
                     "share_ge_half": {"reference": ref.share_ge_half, "generated": round(s.share_ge_half, 4)},
                     "box_ge_0_2": {"reference": ref.box, "generated": s.box},
                     "matches": not mismatches(name, s), "problems": mismatches(name, s)})
    seconds = time.perf_counter() - start

    print(f"{'class':<11} {'ref':<7} {'n':>4} | {'occupancy ref':>13} {'gen':>6} | {'share≥0.5 ref':>13} {'gen':>6} | {'box ≥0.2 ref':<24} {'gen':<24} ok")
    for r in rows:
        share_ref = "–" if r["share_ge_half"]["reference"] is None else f"{r['share_ge_half']['reference']:.3f}"
        print(f"{r['class']:<11} {r['source']:<7} {r['objects']:>4} | {r['mean_occupancy']['reference']:>13.3f} {r['mean_occupancy']['generated']:>6.3f} | "
              f"{share_ref:>13} {r['share_ge_half']['generated']:>6.3f} | {format_box(r['box_ge_0_2']['reference']):<24} "
              f"{format_box(r['box_ge_0_2']['generated']):<24} {'yes' if r['matches'] else 'NO'}")
    print(f"{sum(r['matches'] for r in rows)}/{len(rows)} classes within 25 % occupancy and 3 voxels per box edge ({seconds:.1f} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"bench": "synth_stats", "seed": args.seed, "data": str(args.data) if args.data else None,
                                    "objects_per_class": args.objects_per_class if args.data is None else None,
                                    "python": platform.python_version(), "seconds": round(seconds, 1), "classes": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
