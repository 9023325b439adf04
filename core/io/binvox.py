"""binvox read/write (the ShapeNetVox32 format), as grids indexed ``[x, y, z]`` with y up.

The run-length stream stores the first axis slowest, then the third, then the second fastest,
so the raw ``reshape(dims)`` is ``[x, z, y]``; one ``transpose(0, 2, 1)`` gives ``[x, y, z]``.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import DataError


@dataclass
class Voxels:
    """A boolean occupancy grid ``[x, y, z]`` plus the binvox placement (translate, scale)."""

    data: np.ndarray
    translate: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: float = 1.0
    dims: tuple[int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.data = np.asarray(self.data).astype(bool, copy=False)
        if self.data.ndim != 3:
            raise ValueError(f"voxel grid must be 3-D, got shape {self.data.shape}")
        self.dims = tuple(int(d) for d in self.data.shape)  # type: ignore[assignment]


def _parse(buf: bytes, path: str | Path) -> Voxels:
    stream = io.BytesIO(buf)

    def line() -> str:
        raw = stream.readline()
        if not raw:
            raise DataError(path, "not a binvox file (header ends early)")
        return raw.decode("ascii", errors="replace").strip()

    if not line().startswith("#binvox"):
        raise DataError(path, "not a binvox file (missing '#binvox' header)")
    dims = translate = scale = None
    while True:
        ln = line()
        if ln.startswith("dim"):
            try:
                dims = tuple(int(v) for v in ln.split()[1:4])
            except ValueError:
                raise DataError(path, f"malformed binvox 'dim' line: {ln!r}") from None
        elif ln.startswith("translate"):
            translate = tuple(float(v) for v in ln.split()[1:4])
        elif ln.startswith("scale"):
            scale = float(ln.split()[1])
        elif ln.startswith("data"):
            break
        elif ln:
            raise DataError(path, f"unexpected binvox header line: {ln!r}")
    if dims is None or len(dims) != 3 or min(dims) <= 0:
        raise DataError(path, "binvox header has no valid 'dim' line")
    raw = np.frombuffer(stream.read(), dtype=np.uint8)
    if raw.size % 2:
        raw = raw[:-1] if raw[-1:].tobytes() in (b"\n", b"\r") else raw
    if raw.size == 0 or raw.size % 2:
        raise DataError(path, "binvox data is truncated (odd number of run-length bytes)")
    values, counts = raw[::2], raw[1::2]
    n = int(np.prod(dims))
    total = int(counts.sum(dtype=np.int64))
    if total != n:
        raise DataError(path, f"binvox data has {total} voxels, header 'dim {dims[0]} {dims[1]} {dims[2]}' needs {n} (truncated or corrupt)")
    flat = np.repeat(values.astype(bool), counts)
    grid = flat.reshape(dims).transpose(0, 2, 1)
    return Voxels(np.ascontiguousarray(grid), tuple(translate or (0.0, 0.0, 0.0)), float(scale if scale is not None else 1.0))


def read_binvox(path: str | Path, expect_dim: int | None = None) -> Voxels:
    """Read a binvox file; ``expect_dim`` (e.g. 32) rejects grids of another size."""
    path = Path(path)
    try:
        buf = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "binvox file not found") from None
    except OSError as exc:
        raise DataError(path, f"cannot read binvox file ({exc.strerror})") from None
    vox = _parse(buf, path)
    if expect_dim is not None and vox.dims != (expect_dim,) * 3:
        raise DataError(path, f"binvox grid is {'x'.join(map(str, vox.dims))}, expected {expect_dim}x{expect_dim}x{expect_dim}")
    return vox


def encode_binvox(vox: Voxels) -> bytes:
    """Serialise to binvox bytes (runs of at most 255)."""
    dx, dy, dz = vox.dims
    flat = vox.data.transpose(0, 2, 1).reshape(-1).astype(np.uint8)
    # run boundaries
    change = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [flat.size]]))
    out = bytearray()
    for start, length in zip(starts.tolist(), lengths.tolist()):
        value = int(flat[start])
        while length > 0:
            run = min(length, 255)
            out += bytes((value, run))
            length -= run
    tx, ty, tz = vox.translate
    header = f"#binvox 1\ndim {dx} {dz} {dy}\ntranslate {tx:g} {ty:g} {tz:g}\nscale {vox.scale:g}\ndata\n"
    return header.encode("ascii") + bytes(out)


def write_binvox(path: str | Path, vox: Voxels) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(encode_binvox(vox))
    os.replace(tmp, path)
