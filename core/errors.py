"""One exception family so the CLI and the GUI can catch at the edge and show one line."""

from __future__ import annotations

from pathlib import Path


class ReconError(Exception):
    """Base class: a problem the user can act on, described in one line."""


class DataError(ReconError):
    """A file or folder of a data set is missing or malformed."""

    def __init__(self, path: str | Path, problem: str | None = None):
        if problem is None:
            # Rebuilt from one message: by pickle (process pools) or by torch's DataLoader,
            # which re-raises a worker's error as ``type(err)(formatted traceback)``. Keeping
            # the type lets the CLI/GUI edge still catch it; recover "PATH: problem".
            path, problem = _split_message(str(path))
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _split_message(message: str) -> tuple[str, str]:
    lines = [ln for ln in message.strip().splitlines() if ln.strip()]
    last = lines[-1].strip() if lines else ""
    if len(lines) > 1 and ": " in last and last.split(": ", 1)[0].endswith(("Error", "Cancelled")):
        last = last.split(": ", 1)[1]  # "core.errors.DataError: PATH: problem" -> "PATH: problem"
    path, _, problem = last.partition(": ")
    return path, problem or "error"


class CheckpointError(DataError):
    """A checkpoint is unreadable or belongs to another model / class list."""


class Cancelled(ReconError):
    """A long operation was cancelled through its CancelToken."""
