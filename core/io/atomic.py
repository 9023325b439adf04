"""One way to write a file: all of it or none of it, and a one-line error naming the path.

A temporary file beside the target is written and then renamed over it (atomic on POSIX), so
a crash, a kill or a full disk leaves either the old file or the new one, never half of one,
and the temporary file is removed on every failure path. OS errors become ``OutputError``,
whose message names the target and the OS reason ("No space left on device").
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from core.errors import ReconError

TEMP_PREFIX = ".recon-"
TEMP_SUFFIX = ".part"


class OutputError(ReconError):
    """An output file or folder could not be written; the message names it and says why."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


# A writer that reports a short write instead of the OS error: numpy's ``tofile`` ("32768
# requested and 5088 written"), torch's zip writer ("unexpected pos", "file write failed").
# A write that stops short is a full disk (or a full quota) in practice.
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written|unexpected pos|file write failed|PytorchStreamWriter")
DISK_FULL = "no space left on device"


def os_reason(err: BaseException) -> str:
    """The human part of a write error ("no space left on device", "permission denied"),
    without errno numbers, exception class names or a writer's internal wording."""
    if isinstance(err, OSError) and err.errno is not None:
        return DISK_FULL if err.errno == errno.ENOSPC else os.strerror(err.errno).lower()
    text = str(err)
    if _SHORT_WRITE.search(text):
        return DISK_FULL
    return text.splitlines()[0] if text else "the write failed"


def prepare_output_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) as a folder, or raise ``OutputError`` naming it.

    Refuses an existing non-folder and reports permission and disk errors in one line.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(path, "a part of this path exists and is not a folder") from None
    except OSError as err:
        raise OutputError(path, f"cannot create the folder: {os_reason(err)}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(path, "cannot write into the folder: permission denied")
    return path


def check_output_file(path: str | Path) -> Path:
    """Refuse a target that is a folder, or whose parent cannot be made; returns the path."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(path, "is a folder, not a file")
    prepare_output_dir(path.parent if str(path.parent) else Path("."))
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is removed.

    Raises ``OutputError`` (naming ``path``) for OS and serializer write errors.
    """
    path = check_output_file(path)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX + path.name + ".", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    _plain_file_mode(tmp)  # mkstemp makes 0600; the finished file gets the mode a plain open() would give
    try:
        yield tmp
        os.replace(tmp, path)
    except OutputError:
        raise
    except (OSError, RuntimeError) as err:
        raise OutputError(path, f"cannot write: {os_reason(err)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_files(folder: str | Path) -> Iterator[Path]:
    """Write a set of files all-or-nothing: yield a staging folder (inside ``folder``, so the
    final renames stay on one file system); write every file of the set there under its final
    name. When the block ends without error each file is renamed into ``folder``; on any error
    (a full disk while writing the third file, a bad value) the staging folder and everything in
    it is removed and ``folder`` is left as it was - no half set, no earlier file overwritten.

    Raises ``OutputError`` naming the final path (never the staging one), also when a final
    name is taken by a folder.
    """
    folder = prepare_output_dir(folder)
    try:
        stage = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "set.", suffix=TEMP_SUFFIX, dir=folder))
    except OSError as err:
        raise OutputError(folder, f"cannot write into the folder: {os_reason(err)}") from None
    try:
        try:
            yield stage
        except OutputError as err:
            if err.path.parent == stage:
                raise OutputError(folder / err.path.name, err.problem) from None
            raise
        staged = sorted(p for p in stage.iterdir() if p.is_file())
        for p in staged:
            if (folder / p.name).is_dir():
                raise OutputError(folder / p.name, "is a folder, not a file")
        for p in staged:
            try:
                os.replace(p, folder / p.name)
            except OSError as err:
                raise OutputError(folder / p.name, f"cannot write: {os_reason(err)}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _plain_file_mode(path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666 & ~umask)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Atomically write ``data`` to ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Atomically write UTF-8 ``text`` to ``path``."""
    return write_bytes(path, text.encode("utf-8"))


def write_with(path: str | Path, writer: Callable[[Path], None]) -> Path:
    """Atomically write ``path`` with ``writer(tmp_path)`` (e.g. ``torch.save``, ``np.save``).

    The writer must write exactly the path it is given (``np.save`` appends ``.npy`` to a name
    without it, so pass an open file instead there).
    """
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Delete temporary files left in ``folder`` by a killed writer (ours and older names)."""
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for p in folder.iterdir():
        name = p.name
        stale = (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)) or (
            name.startswith(".") and name.endswith(".tmp")
        )
        if stale and p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
        elif stale and p.is_dir() and not p.is_symlink():  # an atomic_files staging folder
            shutil.rmtree(p, ignore_errors=True)
            if not p.exists():
                removed.append(p)
    return removed


def is_disk_full(err: BaseException) -> bool:
    """True if ``err`` is an OSError for a full disk (ENOSPC), so the message can say so."""
    return isinstance(err, OSError) and err.errno == errno.ENOSPC
