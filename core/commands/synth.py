"""`recon synth`: write a procedural ShapeNet stand-in in the 3D-R2N2 layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.commands.common import (
    ProgressBar,
    non_negative_int,
    positive_int,
    precheck_output_dir,
)
from core.errors import DataError
from core.synth.writer import generate_dataset
from core.taxonomy import resolve_classes


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``synth`` to the ``recon`` subcommands."""
    parser = subparsers.add_parser(
        "synth",
        help="generate a procedural ShapeNet stand-in (R2N2 layout)",
        description="Generate procedural objects of the 13 ShapeNet classes in the 3D-R2N2 layout: "
        "24 RGBA renderings (137×137) with rendering_metadata.txt per object and a 32³ model.binvox. "
        "The same seed always gives the same files.",
    )
    parser.add_argument("--out", type=Path, required=True, help="root folder to write (new, empty, or an existing R2N2 root)")
    parser.add_argument("--objects-per-class", type=positive_int, default=40, metavar="N", help="objects per class (default 40)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--classes", default="13", help="'13' (default), '7', or a comma list of names / synset ids")
    parser.add_argument("--workers", type=positive_int, default=None, metavar="K", help="worker processes (default: all CPU cores)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Generate the procedural data set as the flags say; 0 when done."""
    precheck_output_dir(args.out)  # an existing file or an unwritable place: refused before generating
    try:
        classes = resolve_classes(args.classes)
    except ValueError as exc:
        raise DataError(args.out, f"--classes: {exc}") from None
    with ProgressBar("synth", unit="obj", disable=args.quiet) as bar:
        rep = generate_dataset(args.out, args.objects_per_class, args.seed, classes=classes, workers=args.workers, progress=bar)
    print(rep.summary())
    return 0
