"""`recon eval --checkpoint C --data DIR`: IoU per class, accuracy, and the mean-shape reference."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def views_arg(text: str) -> str | int:
    """argparse type: 'all' or a number of views per object (1..24)."""
    if text.strip().lower() == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'all' or a number 1..24, got {text!r}") from None
    if not 1 <= n <= 24:
        raise argparse.ArgumentTypeError(f"views must be 1..24, got {n}")
    return n


def thresholds_arg(text: str) -> list[float]:
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or not all(0.0 < v < 1.0 for v in values):
        raise argparse.ArgumentTypeError("thresholds must lie strictly between 0 and 1")
    return values


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a checkpoint on a data set split",
                       description="Voxel IoU per class at several thresholds (class- and instance-averaged), classification accuracy, and the mean-shape reference row.")
    p.add_argument("--checkpoint", "-c", required=True, type=Path)
    p.add_argument("--data", "-d", required=True, type=Path, help="data set root in the 3D-R2N2 layout")
    p.add_argument("--split", default="test", choices=("train", "val", "test"))
    p.add_argument("--split-file", type=Path, help="split JSON (default: the split the checkpoint was trained with)")
    p.add_argument("--views", type=views_arg, default="all", help="'all' 24 views per object, or N fixed views per object for speed")
    p.add_argument("--thresholds", type=thresholds_arg, default=[0.3, 0.4, 0.5], help="comma-separated IoU thresholds (default 0.3,0.4,0.5)")
    p.add_argument("--out", "-o", type=Path, help="write the report as JSON here")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--workers", type=int, default=0, help="data loader worker processes (default 0)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true", help="print the JSON report instead of the table")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.evaluate import evaluate
    from core.progress import TqdmProgress

    with TqdmProgress("evaluating", unit="img", disable=args.quiet or args.json) as bar:
        report = evaluate(args.checkpoint, args.data, split=args.split, thresholds=args.thresholds, split_file=args.split_file,
                          views=args.views, batch_size=args.batch_size, num_workers=args.workers, device=args.device, progress=bar)
    if args.out:
        report.save(args.out)
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(report.format_table())
        if args.out:
            print(f"wrote {args.out}")
    return 0
