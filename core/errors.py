"""One exception family so the CLI and the GUI can catch at the edge and show one line."""

from __future__ import annotations

from pathlib import Path


class ReconError(Exception):
    """Base class: a problem the user can act on, described in one line."""


class DataError(ReconError):
    """A file or folder of a data set is missing or malformed."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class CheckpointError(DataError):
    """A checkpoint is unreadable or belongs to another model / class list."""


class Cancelled(ReconError):
    """A long operation was cancelled through its CancelToken."""
