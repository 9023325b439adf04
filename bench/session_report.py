"""Helpers of ``bench/gpu_session.sh``: the predicted-prior ablation and the session summary.

    python bench/session_report.py ablation --proposed P.pt --baseline B.pt --data HELDOUT --out X.json [--device cuda]
    python bench/session_report.py summary --work WORK --out summary.json

``ablation``: the baseline evaluated on every object of a data set twice, once with the prior of
the TRUE class (the paper's protocol) and once with the prior of the class the proposed model's
classifier PREDICTS (what a user of the app gets), so the two models compare on equal terms.
``summary``: one JSON (and a compact printout) of the held-out evaluations, the paper-13 run's
validation curve against its re-evaluation, the predicted-prior ablation and the throughput rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THRESHOLD = "0.4"
MEAN_SHAPE = "mean-shape"  # core.evaluate.MEAN_SHAPE (not imported: the summary needs no torch)


def ablation(args: argparse.Namespace) -> int:
    import torch
    from torch import nn

    from core.data.dataset import R2N2Dataset
    from core.data.splits import Splits
    from core.evaluate import evaluate_model
    from core.io.r2n2 import discover
    from core.models.registry import ModelOutput
    from core.train.checkpoint import load_checkpoint

    device = torch.device(args.device)
    prop = load_checkpoint(args.proposed, map_location=device, expect_model="proposed")
    base = load_checkpoint(args.baseline, map_location=device, expect_model="baseline")
    if prop.classes != base.classes:
        raise SystemExit("the two checkpoints were trained on different class lists")
    classes = list(base.classes)
    discovery = discover(args.data)
    keys = sorted(o.key for o in discovery.objects if o.class_name in classes)
    splits = Splits(0, (0.0, 0.0, 1.0), [], [], keys)
    views = "all" if args.views == "all" else int(args.views)
    dataset = R2N2Dataset(args.data, classes, "test", splits, augment=False, views=views, discovery=discovery)
    priors_t = torch.as_tensor(base.priors, dtype=torch.float32, device=device)

    class PredictedPrior(nn.Module):
        """The baseline fed the prior of the class the proposed model predicts."""

        needs_prior = True
        has_classifier = False

        def __init__(self) -> None:
            super().__init__()
            self.proposed, self.baseline = prop.model, base.model

        def forward(self, images, priors=None):
            predicted = self.proposed(images).class_logits.argmax(1)
            return ModelOutput(self.baseline(images, priors_t[predicted].unsqueeze(1)).occupancy_logits, None)

    thresholds = (0.3, 0.4, 0.5)
    true_row, _, _ = evaluate_model(base.model, dataset, base.priors, None, thresholds, args.batch_size, args.workers, device)
    pred_row, _, _ = evaluate_model(PredictedPrior().eval(), dataset, base.priors, None, thresholds, args.batch_size, args.workers, device)
    doc = {"data": str(args.data), "objects": len(keys), "views": views, "classes": classes,
           "baseline_true_prior": asdict(true_row), "baseline_predicted_prior": asdict(pred_row),
           "proposed_checkpoint": str(args.proposed), "baseline_checkpoint": str(args.baseline)}
    Path(args.out).write_text(json.dumps(doc, indent=1))
    print(f"baseline IoU@{THRESHOLD} class-mean: true-class prior {true_row.class_mean[THRESHOLD]:.3f}, "
          f"predicted-class prior {pred_row.class_mean[THRESHOLD]:.3f}")
    return 0


def _read(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _rows(report: dict) -> dict[str, dict]:
    return {r["name"]: r for r in report.get("rows", [])}


def _metrics(run_dir: Path) -> list[dict]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("kind") == "epoch":
            out.append({k: rec.get(k) for k in ("epoch", "step", "train_loss", "val_loss", "val_iou", "val_iou_class_mean", "val_accuracy", "seconds", "partial")})
    return out


def summary(args: argparse.Namespace) -> int:
    work = Path(args.work)
    ev, runs, bench = work / "eval", work / "runs", work / "bench"
    doc: dict = {"heldout": {}, "paper13": {}, "ablation": None, "bench": {}, "runs": {}}
    print("\n== summary ==")
    for model in ("proposed", "baseline"):
        rep = _read(ev / f"{model}_heldout.json")
        if rep is None:
            print(f"{model}: no held-out evaluation")
            continue
        rows = _rows(rep)
        m = next((r for n, r in rows.items() if n != MEAN_SHAPE), None)
        ref = rows.get(MEAN_SHAPE)
        entry = {"class_mean_iou@0.4": m["class_mean"][THRESHOLD] if m else None,
                 "mean_shape_class_mean_iou@0.4": ref["class_mean"][THRESHOLD] if ref else None,
                 "accuracy": m.get("accuracy") if m else None,
                 "per_class_iou@0.4": {c: v[THRESHOLD] for c, v in (m or {}).get("per_class", {}).items()},
                 "mean_shape_per_class_iou@0.4": {c: v[THRESHOLD] for c, v in (ref or {}).get("per_class", {}).items()},
                 "objects": sum(rep.get("objects_per_class", {}).values()), "class_mean": m["class_mean"] if m else None}
        if entry["class_mean_iou@0.4"] is not None and entry["mean_shape_class_mean_iou@0.4"] is not None:
            entry["margin_over_mean_shape"] = entry["class_mean_iou@0.4"] - entry["mean_shape_class_mean_iou@0.4"]
        doc["heldout"][model] = entry
        acc = "" if entry["accuracy"] is None else f", accuracy {entry['accuracy']:.3f}"
        print(f"{model:9} held-out ({entry['objects']} objects, all views): IoU@0.4 class-mean {entry['class_mean_iou@0.4']:.3f} "
              f"vs mean shape {entry['mean_shape_class_mean_iou@0.4']:.3f} ({entry.get('margin_over_mean_shape', float('nan')):+.3f}){acc}")
    abl = _read(ev / "baseline_predicted_prior_heldout.json")
    if abl:
        doc["ablation"] = abl
        print(f"baseline with the predicted class's prior: IoU@0.4 class-mean {abl['baseline_predicted_prior']['class_mean'][THRESHOLD]:.3f} "
              f"(true class's prior {abl['baseline_true_prior']['class_mean'][THRESHOLD]:.3f})")
    for name in ("proposed", "baseline", "paper13"):
        hist = _metrics(runs / name)
        cfg = _read(runs / name / "config.json") or {}
        doc["runs"][name] = {"epochs": hist, "config": cfg}
        if hist:
            best = max((h for h in hist if h.get("val_iou") is not None), key=lambda h: h["val_iou"], default=None)
            last = hist[-1]
            print(f"{name:9} {len(hist)} epoch records, step {last['step']}, last train loss {last['train_loss']:.4f}"
                  + (f", best val IoU@0.4 {best['val_iou']:.3f} (class-mean {best['val_iou_class_mean']:.3f}) at epoch {best['epoch']}" if best else ""))
    val, test = _read(ev / "paper13_val.json"), _read(ev / "paper13_test.json")
    hist = doc["runs"].get("paper13", {}).get("epochs") or []
    best = max((h for h in hist if h.get("val_iou") is not None), key=lambda h: h["val_iou"], default=None)
    if val or test:
        p = {}
        for tag, rep in (("val", val), ("test", test)):
            if rep:
                m = next((r for n, r in _rows(rep).items() if n != MEAN_SHAPE), None)
                ref = _rows(rep).get(MEAN_SHAPE)
                p[tag] = {"instance_mean_iou@0.4": m["instance_mean"][THRESHOLD], "class_mean_iou@0.4": m["class_mean"][THRESHOLD],
                          "accuracy": m.get("accuracy"), "mean_shape_class_mean_iou@0.4": ref["class_mean"][THRESHOLD] if ref else None}
        if best:
            p["best_epoch_val_curve"] = {"val_iou@0.4": best["val_iou"], "val_iou_class_mean": best["val_iou_class_mean"],
                                         "val_accuracy": best.get("val_accuracy"), "epoch": best["epoch"]}
        doc["paper13"] = p
        if "val" in p and best:
            print(f"paper13   eval of best.pt on val (all views): IoU@0.4 {p['val']['instance_mean_iou@0.4']:.3f} "
                  f"(class-mean {p['val']['class_mean_iou@0.4']:.3f}) vs its val curve {best['val_iou']:.3f} "
                  f"(class-mean {best['val_iou_class_mean']:.3f}; 4 fixed views)")
        if "test" in p:
            print(f"paper13   test split: IoU@0.4 class-mean {p['test']['class_mean_iou@0.4']:.3f}, accuracy {p['test']['accuracy']}")
    for f in sorted(bench.glob("*.json")) if bench.is_dir() else []:
        b = _read(f)
        if not b:
            continue
        doc["bench"][f.stem] = b
        for enc, rows in b.get("encoders", {}).items():
            cells = ", ".join(f"{v} {r['img_per_s']:.0f}" if "img_per_s" in r else f"{v} error" for v, r in rows.items())
            print(f"bench {enc:5} img/s (batch {b.get('batch')}): {cells}")
    Path(args.out).write_text(json.dumps(doc, indent=1, default=str))
    print(f"wrote {args.out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ablation")
    a.add_argument("--proposed", required=True)
    a.add_argument("--baseline", required=True)
    a.add_argument("--data", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--device", default="cpu")
    a.add_argument("--views", default="all")
    a.add_argument("--batch-size", type=int, default=256)
    a.add_argument("--workers", type=int, default=4)
    s = sub.add_parser("summary")
    s.add_argument("--work", required=True)
    s.add_argument("--out", required=True)
    args = ap.parse_args()
    return ablation(args) if args.cmd == "ablation" else summary(args)


if __name__ == "__main__":
    sys.exit(main())
