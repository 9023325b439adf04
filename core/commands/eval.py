"""`recon eval --checkpoint C --data DIR`: IoU per class, accuracy, and the mean-shape reference."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands.common import (
    ProgressBar,
    non_negative_int,
    positive_int,
    precheck_output_file,
)
from core.device import device_arg, device_help
from core.spec import IOU_THRESHOLDS, VIEWS_PER_OBJECT


def views_arg(text: str) -> str | int:
    """argparse type: 'all' or a number of views per object (1..VIEWS_PER_OBJECT)."""
    if text.strip().lower() == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'all' or a number 1..{VIEWS_PER_OBJECT}, got {text!r}") from None
    if not 1 <= n <= VIEWS_PER_OBJECT:
        raise argparse.ArgumentTypeError(f"views must be 1..{VIEWS_PER_OBJECT}, got {n}")
    return n


def thresholds_arg(text: str) -> list[float]:
    """argparse type: comma-separated IoU thresholds, each strictly between 0 and 1."""
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or not all(0.0 < v < 1.0 for v in values):
        raise argparse.ArgumentTypeError("thresholds must lie strictly between 0 and 1")
    return values


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``eval`` to the ``recon`` subcommands."""
    p = sub.add_parser("eval", help="evaluate a checkpoint on a data set split",
                       description="Voxel IoU per class at several thresholds (class- and instance-averaged), classification accuracy, and the mean-shape reference row.")
    p.add_argument("--checkpoint", "-c", required=True, type=Path)
    p.add_argument("--data", "-d", required=True, type=Path, help="data set root in the 3D-R2N2 layout")
    p.add_argument("--split", default="test", choices=("train", "val", "test", "all"),
                   help="the checkpoint's split (default test), or 'all': every object of the data set, e.g. one the model never saw (no split file needed)")
    p.add_argument("--split-file", type=Path, help="split JSON (default: the split the checkpoint was trained with)")
    p.add_argument("--views", type=views_arg, default="all", help=f"'all' {VIEWS_PER_OBJECT} views per object, or N fixed views per object for speed")
    p.add_argument("--thresholds", type=thresholds_arg, default=list(IOU_THRESHOLDS),
                   help=f"comma-separated IoU thresholds (default {','.join(f'{t:g}' for t in IOU_THRESHOLDS)})")
    p.add_argument("--out", "-o", type=Path, help="write the report as JSON here")
    p.add_argument("--batch-size", type=positive_int, default=32, help="images per forward pass (default 32)")
    p.add_argument("--workers", type=non_negative_int, default=0, help="data loader worker processes (default 0)")
    p.add_argument("--device", type=device_arg, default="cpu", help=device_help("cpu"))
    p.add_argument("--json", action="store_true", help="print the JSON report instead of the table")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate as the flags say and print the table (or JSON); 0 when done. A report that cannot
    be written is still printed, then its ``OutputError`` raised (exit 2).
    """
    from core.device import resolve_device
    from core.evaluate import evaluate
    from core.io.atomic import OutputError

    device = resolve_device(args.device)
    if args.split == "all" and args.split_file is not None:
        print("recon eval: note: --split all evaluates every object; --split-file is ignored", file=sys.stderr)
    if args.out:
        precheck_output_file(args.out)  # a folder or unwritable place: refused before the work
    with ProgressBar("evaluating", unit="img", disable=args.quiet or args.json) as bar:
        report = evaluate(args.checkpoint, args.data, split=args.split, thresholds=args.thresholds, split_file=args.split_file,
                          views=args.views, batch_size=args.batch_size, num_workers=args.workers, device=str(device), progress=bar)
    if report.missing_classes:
        print(f"recon eval: note: {args.data} has no objects of {', '.join(report.missing_classes)}; "
              f"evaluated the other {len(report.classes) - len(report.missing_classes)} classes", file=sys.stderr)
    failure: OutputError | None = None
    if args.out:
        try:
            report.save(args.out)
        except OutputError as exc:
            failure = exc  # the computed report is still printed below
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(report.format_table())
        if args.out and failure is None:
            print(f"wrote {args.out}")
    if failure is not None:
        raise failure
    return 0
