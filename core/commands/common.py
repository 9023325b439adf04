"""Option types and output checks shared by the commands (argparse level: the message names
the option, and a bad output path is refused before any work is done)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from core.io.atomic import OutputError


def int_at_least(minimum: int):
    """argparse ``type``: an integer >= ``minimum`` (argparse adds the option's name)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {'0 or more' if minimum == 0 else f'at least {minimum}'}, got {value}")
        return value

    parse.__name__ = f"int>={minimum}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def _first_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def precheck_output_file(path: str | Path) -> Path:
    """Refuse an output file path that cannot work, without creating anything: a folder, a
    parent that is a file, or a folder the user cannot write. Raises ``OutputError``."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(path, "is a folder, not a file")
    anchor = _first_existing(path.parent if str(path.parent) else Path("."))
    if not anchor.is_dir():
        raise OutputError(path, f"{anchor} exists and is not a folder")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise OutputError(path, f"cannot write into {anchor}: permission denied")
    return path


def precheck_output_dir(path: str | Path) -> Path:
    """Like ``precheck_output_file`` for an output folder: refuse an existing non-folder or an
    unwritable place before any work (the folder itself is made when the results are written)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "exists and is not a folder")
    anchor = _first_existing(path)
    if not anchor.is_dir():
        raise OutputError(path, f"{anchor} exists and is not a folder")
    if not os.access(anchor, os.W_OK | os.X_OK):
        what = "cannot write into the folder" if anchor == path.absolute() else "cannot create it"
        raise OutputError(path, f"{what}: permission denied")
    return path


class ProgressBar:
    """The command's progress bar (tqdm) on a terminal: shown from the first progress event and
    wiped when the command fails, so a bad input still ends in exactly one stderr line. Not
    drawn at all when stderr is a file or a pipe (logs would keep every frame)."""

    def __init__(self, desc: str, unit: str = "it", disable: bool = False):
        import sys

        isatty = getattr(sys.stderr, "isatty", None)
        self.desc, self.unit = desc, unit
        self.disable = disable or not (callable(isatty) and isatty())
        self._bar = None

    def __call__(self, event) -> None:
        if self.disable:
            return
        if self._bar is None:
            from core.progress import TqdmProgress

            self._bar = TqdmProgress(self.desc, unit=self.unit)
        self._bar(event)

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._bar is None:
            return
        inner = getattr(self._bar, "_bar", None)
        if exc_type is not None and inner is not None:
            inner.leave = False  # clear the bar's line: the error is what the user must see
        self._bar.close()
