"""`recon` — the headless command line: synth | train | eval | predict | experiment.

Each subcommand lives in ``core/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Errors from ``core`` (ReconError) become one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from core import __version__
from core.errors import Cancelled, ReconError

COMMANDS = ("synth", "train", "eval", "predict", "experiment")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recon", description="Single-view 3D reconstruction: data, training, evaluation, prediction.")
    parser.add_argument("--version", action="version", version=f"recon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"core.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.commands.{name}":
                continue  # command not available in this build
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ReconError as exc:
        if isinstance(exc, Cancelled):
            print("recon: cancelled", file=sys.stderr)
            return 130
        print(f"recon {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recon: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
