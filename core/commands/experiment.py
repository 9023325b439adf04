"""`recon experiment --preset cpu-small --data DIR --out DIR`: the paper's three tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.commands.common import ProgressBar


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``experiment`` to the ``recon`` subcommands (presets and run keys from ``core.experiment``)."""
    from core.experiment import PRESETS, RUN_BY_KEY

    p = sub.add_parser("experiment", help="reproduce the paper's three tables (six training runs) as a Markdown report",
                       description="Train and evaluate the baseline and proposed models as in the paper's tables 1-3 and write "
                                   "OUT/report.md, OUT/results.json and training-curve plots. Finished runs are reused, interrupted "
                                   "ones resume. If --data holds no data set, one is generated there first.")
    p.add_argument("--preset", default="cpu-small", choices=tuple(PRESETS),
                   help="; ".join(f"{k}: {v.description}" for k, v in PRESETS.items()))
    p.add_argument("--data", "-d", required=True, type=Path, help="data set root (3D-R2N2 layout); generated if empty")
    p.add_argument("--out", "-o", required=True, type=Path, help="experiment folder (runs, report)")
    p.add_argument("--runs", help=f"comma-separated subset of runs: {', '.join(RUN_BY_KEY)}")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice; 1 is far faster when other jobs share the cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the experiment (or the ``--runs`` subset) and print the verdicts and the report's path; 0 when done."""
    from core.experiment import run_experiment, verdicts

    if args.threads:
        import torch

        torch.set_num_threads(max(1, args.threads))
    runs = [r.strip() for r in args.runs.split(",") if r.strip()] if args.runs else None
    with ProgressBar(f"experiment {args.preset}", unit="", disable=args.quiet) as bar:
        result = run_experiment(args.preset, args.data, args.out, progress=bar, runs=runs)
    print(f"experiment '{result.preset}' finished in {result.seconds / 60:.1f} min")
    for line in verdicts(result.runs):
        print(line)
    print(f"report: {result.report_path}")
    return 0
