"""`recon` — the headless command line: synth | train | eval | predict | experiment.

Each subcommand lives in ``core/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. The promise to the user, kept here at the edge:

- exit 0: done; exit 2: bad input, option or output — one line on stderr naming the file or
  option and the problem, no traceback (option errors included, without the usage block);
  exit 130: cancelled or interrupted; exit 1: an unexpected bug (the traceback is kept so
  it can be reported).
- library warnings never reach the terminal; the project's own warnings are one
  ``recon CMD: warning: ...`` line each.
- a reader that stops early (``recon predict ... --json | head``) ends the run quietly.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings

from core.errors import Cancelled, ReconError
from core.resources import package_version

COMMANDS = ("synth", "train", "eval", "predict", "experiment")
EXIT_OK, EXIT_BUG, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


class OneLineParser(argparse.ArgumentParser):
    """argparse with option errors as one line ("recon eval: error: argument --batch-size: ...")
    and exit 2, like every other bad input; ``--help`` still prints the usage."""

    def error(self, message: str):  # type: ignore[override]
        """Print the option error as one line naming the command, and exit 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message.splitlines()[0] if message else 'bad arguments'} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``recon`` parser: one subcommand per name in ``COMMANDS`` whose module this build has."""
    parser = OneLineParser(prog="recon", description="Single-view 3D reconstruction: data, training, evaluation, prediction.")
    parser.add_argument("--version", action="version", version=f"recon {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"core.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.commands.{name}":
                continue  # command not available in this build
            raise
        module.add_parser(sub)
    return parser


class _WarningLine(logging.Handler):
    """The project's log warnings as ``recon CMD: warning: message`` (first line only)."""

    def __init__(self, command: str):
        super().__init__(logging.WARNING)
        self.command = command

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage().strip().splitlines()
            print(f"recon {self.command}: warning: {text[0] if text else ''}", file=sys.stderr)
        except Exception:  # a log line must never end the run
            pass


def _quiet_libraries() -> None:
    """Library warnings (Pillow EXIF/decompression, torch serialization, VTK) are not the
    user's business: the project reports what matters in its own words."""
    warnings.simplefilter("ignore")  # forked data loader workers inherit the filter


def main(argv: list[str] | None = None) -> int:
    """Run ``recon`` with ``argv`` (default: the command line) and return its exit code: 0 done,
    2 for bad input (a ``ReconError``: one line on stderr, no traceback), 130 when cancelled or
    interrupted, 141 when stdout's reader went away.
    """
    with warnings.catch_warnings():
        _quiet_libraries()
        parser = build_parser()
        args = parser.parse_args(argv)
        core_log = logging.getLogger("core")
        handler = _WarningLine(args.command)
        core_log.addHandler(handler)
        saved_propagate = core_log.propagate
        core_log.propagate = False
        try:
            return int(args.run(args) or 0)
        except ReconError as exc:
            if isinstance(exc, Cancelled):
                print("recon: cancelled", file=sys.stderr)
                return EXIT_CANCELLED
            print(f"recon {args.command}: error: {_one_line(exc)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            print("recon: interrupted", file=sys.stderr)
            return EXIT_CANCELLED
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        finally:
            core_log.removeHandler(handler)
            core_log.propagate = saved_propagate


def _one_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def _silence_stdout() -> None:
    """After the reader of stdout went away, point stdout at /dev/null so the interpreter's
    final flush does not raise again (the Python docs' recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
