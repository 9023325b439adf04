"""Sim-to-real check: the demo models, trained on generated data, on real 3D-R2N2 renders.

    python bench/bench_sim2real.py --tag before|after [--proposed P] [--baseline P] [--data ROOT]

Every view of every object under ``--data`` (default: the three real chairs in
tests/data/real_r2n2, 24 views each) goes through ``core.predict.Predictor`` exactly as a
picture dropped on the app does. Reported:
- the proposed model's classification: accuracy against the object's class, and how often
  each class comes out on top;
- voxel IoU at 0.3 / 0.4 / 0.5 against the real ``model.binvox``: the proposed model, the
  baseline given the prior of the class the proposed model predicts (what the app does), the
  baseline given the true class's prior, and the true class's prior alone (the trivial
  reference the baseline starts from).
Prints a table and writes bench/results/sim2real_<tag>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch

from core.io.binvox import read_binvox
from core.io.r2n2 import discover
from core.metrics import voxel_iou
from core.predict import Predictor
from core.spec import IOU_THRESHOLDS, VIEWS_PER_OBJECT

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "tests" / "data" / "real_r2n2"
CHECKPOINTS = REPO / "resources" / "checkpoints"
RESULTS = REPO / "bench" / "results"
ROWS = ("proposed", "baseline_predicted_prior", "baseline_true_prior", "true_prior_only")


def _ious(prob: np.ndarray, gt: np.ndarray) -> dict[str, float]:
    return {f"{t:.1f}": float(voxel_iou(prob, gt, t)) for t in IOU_THRESHOLDS}


def run(data: Path, proposed_path: Path, baseline_path: Path) -> dict:
    proposed = Predictor.load(proposed_path)
    baseline = Predictor.load(baseline_path)
    records = discover(data).objects
    per_image = []
    for rec in records:
        true_class = rec.class_name
        gt = read_binvox(rec.binvox_path).data
        prior_only = baseline.priors[baseline.classes.index(true_class)].cpu().numpy() if true_class in baseline.classes else None
        for png in (rec.png_path(v) for v in range(VIEWS_PER_OBJECT)):
            p = proposed.predict(png)
            b_pred = baseline.predict(png, probabilities=p.probabilities)
            b_true = baseline.predict(png, prior_class=true_class)
            row = {"object": rec.object_id, "view": Path(png).stem, "true": true_class, "predicted": p.predicted_class,
                   "p_true": round(float((p.probabilities or {}).get(true_class, 0.0)), 4),
                   "proposed": _ious(p.occupancy, gt), "baseline_predicted_prior": _ious(b_pred.occupancy, gt),
                   "baseline_true_prior": _ious(b_true.occupancy, gt)}
            if prior_only is not None:
                row["true_prior_only"] = _ious(prior_only, gt)
            per_image.append(row)
    summary = {"images": len(per_image), "objects": len(records),
               "accuracy": float(np.mean([r["predicted"] == r["true"] for r in per_image])),
               "mean_p_true": float(np.mean([r["p_true"] for r in per_image])),
               "top_class_histogram": dict(Counter(r["predicted"] for r in per_image).most_common()),
               "iou": {k: {t: float(np.mean([r[k][t] for r in per_image if k in r])) for t in (f"{x:.1f}" for x in IOU_THRESHOLDS)}
                       for k in ROWS if any(k in r for r in per_image)},
               "per_object": {}}
    for oid in dict.fromkeys(r["object"] for r in per_image):
        rows = [r for r in per_image if r["object"] == oid]
        summary["per_object"][oid] = {"accuracy": float(np.mean([r["predicted"] == r["true"] for r in rows])),
                                      "top_class_histogram": dict(Counter(r["predicted"] for r in rows).most_common()),
                                      "iou_0.4": {k: float(np.mean([r[k]["0.4"] for r in rows if k in r])) for k in ROWS if k in rows[0]}}
    return {"summary": summary, "per_image": per_image}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tag", required=True, help="label of this run, e.g. before or after (names the JSON file)")
    ap.add_argument("--proposed", type=Path, default=CHECKPOINTS / "proposed.pt")
    ap.add_argument("--baseline", type=Path, default=CHECKPOINTS / "baseline.pt")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="an R2N2 folder of real renders and voxels")
    ap.add_argument("--out", type=Path, help="JSON path (default bench/results/sim2real_<tag>.json)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    result = run(args.data, args.proposed, args.baseline)
    s = result["summary"]
    print(f"{s['objects']} objects, {s['images']} real renders from {args.data}")
    print(f"proposed classifier: accuracy {s['accuracy']:.3f}, mean p(true class) {s['mean_p_true']:.3f}")
    print("top class: " + ", ".join(f"{k} {v}" for k, v in s["top_class_histogram"].items()))
    print(f"{'model':<26} " + " ".join(f"{'IoU@' + t:>8}" for t in s["iou"]["proposed"]))
    for k, v in s["iou"].items():
        print(f"{k:<26} " + " ".join(f"{x:>8.3f}" for x in v.values()))
    for oid, o in s["per_object"].items():
        print(f"  {oid[:8]}: accuracy {o['accuracy']:.2f}, top {o['top_class_histogram']}, IoU@0.4 " + ", ".join(f"{k} {v:.3f}" for k, v in o["iou_0.4"].items()))
    out = args.out or RESULTS / f"sim2real_{args.tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"bench": "sim2real", "tag": args.tag, "data": str(args.data.resolve().relative_to(REPO)) if args.data.resolve().is_relative_to(REPO) else str(args.data),
           "proposed": str(args.proposed), "baseline": str(args.baseline), "python": platform.python_version(), "torch": torch.__version__,
           "seconds": round(time.perf_counter() - start, 1), **result}
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
