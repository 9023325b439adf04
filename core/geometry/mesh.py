"""Occupancy grids -> triangle / quad meshes, and mesh / voxel files.

All meshes live in the world frame of ``core.geometry.camera``: voxel index ``i`` of an
``[x, y, z]`` grid of side ``n`` has its centre at ``((i + 0.5) / n - 0.5) * scale``, so a
mesh drawn with the R2N2 camera lands on the rendered silhouette.

Pure numpy (plus skimage's marching cubes); files are written by hand so the formats stay
small, binary where sensible, and independent of any GUI toolkit.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from core.errors import DataError

MESH_FORMATS = ("obj", "ply", "stl", "glb")
VOXEL_FORMATS = ("binvox", "npy")


def index_to_world(index_coords: np.ndarray, n: int, scale: float = 1.0) -> np.ndarray:
    """Continuous voxel index coordinates (voxel centres at integers) -> world coordinates."""
    return ((np.asarray(index_coords, dtype=np.float64) + 0.5) / n - 0.5) * scale


def _check_grid(occ: np.ndarray) -> np.ndarray:
    occ = np.asarray(occ)
    if occ.ndim != 3:
        raise ValueError(f"occupancy grid must be 3-D, got shape {occ.shape}")
    if len(set(occ.shape)) != 1:
        raise ValueError(f"occupancy grid must be a cube, got shape {occ.shape}")
    return occ


def occupancy_to_mesh(occ: np.ndarray, threshold: float = 0.4, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Marching cubes at ``threshold`` -> (verts (N,3) float32 world, faces (M,3) int32).

    The grid is padded with one empty layer so shapes touching the border still close
    (a watertight surface); an empty or sub-threshold grid gives empty arrays.
    """
    from skimage.measure import marching_cubes

    grid = _check_grid(occ).astype(np.float32, copy=False)
    n = grid.shape[0]
    if grid.size == 0 or float(grid.max()) <= threshold:
        return np.zeros((0, 3), np.float32), np.zeros((0, 3), np.int32)
    padded = np.pad(grid, 1, mode="constant", constant_values=0.0)
    # With a constant interior (all 1 except padding) level must lie strictly inside the range.
    verts, faces, _normals, _values = marching_cubes(padded, level=float(threshold), allow_degenerate=False)
    world = index_to_world(verts - 1.0, n, scale).astype(np.float32)
    # skimage orients triangles so their normals follow the gradient (toward high occupancy);
    # flip the winding so normals point outward, as mesh viewers and printers expect.
    return world, np.ascontiguousarray(faces[:, ::-1]).astype(np.int32)


# The 6 face directions of a cube: (axis, sign) and the 4 corner offsets of that face,
# ordered counter-clockwise when seen from outside (outward normal).
_FACE_CORNERS = {
    (0, -1): [(0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)],
    (0, +1): [(1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)],
    (1, -1): [(0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)],
    (1, +1): [(0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)],
    (2, -1): [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)],
    (2, +1): [(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)],
}


def voxel_cube_mesh(occ: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Occupied voxels as cubes, exposed faces only -> (verts (N,3) float32, quads (M,4) int32).

    Faces between two occupied voxels are dropped, so a 32³ grid stays a few thousand quads
    (fast to draw). Vertices are shared between quads. One voxel = 8 vertices, 6 quads.
    """
    solid = _check_grid(occ).astype(bool, copy=False)
    n = solid.shape[0]
    padded = np.pad(solid, 1, mode="constant", constant_values=False)
    inner = padded[1:-1, 1:-1, 1:-1]
    corner_ids: list[np.ndarray] = []
    for (axis, sign), corners in _FACE_CORNERS.items():
        neighbour = np.roll(padded, -sign, axis=axis)[1:-1, 1:-1, 1:-1]
        idx = np.argwhere(inner & ~neighbour)  # (F,3) voxel indices with this face exposed
        if len(idx) == 0:
            continue
        quad = idx[:, None, :] + np.asarray(corners)[None, :, :]  # (F,4,3) corner lattice coords
        corner_ids.append(np.ravel_multi_index(quad.reshape(-1, 3).T, (n + 1,) * 3).reshape(-1, 4))
    if not corner_ids:
        return np.zeros((0, 3), np.float32), np.zeros((0, 4), np.int32)
    flat = np.concatenate(corner_ids)
    unique, inverse = np.unique(flat, return_inverse=True)
    lattice = np.stack(np.unravel_index(unique, (n + 1,) * 3), axis=-1)
    verts = (lattice / n - 0.5) * scale  # lattice point k sits at a voxel border
    return verts.astype(np.float32), inverse.reshape(-1, 4).astype(np.int32)


def triangulate(faces: np.ndarray) -> np.ndarray:
    """(M,3) triangles pass through; (M,4) quads are split into (2M,3) triangles (same winding)."""
    faces = np.asarray(faces)
    if faces.ndim != 2 or faces.shape[1] not in (3, 4):
        raise ValueError(f"faces must be (M,3) triangles or (M,4) quads, got shape {faces.shape}")
    if faces.shape[1] == 3:
        return faces.astype(np.int32, copy=False)
    return np.concatenate([faces[:, [0, 1, 2]], faces[:, [0, 2, 3]]]).astype(np.int32)


def face_normals(verts: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Unit normals (M,3) of triangles by the right-hand rule (zero for degenerate faces)."""
    v = np.asarray(verts, dtype=np.float64)
    t = np.asarray(tris)
    nrm = np.cross(v[t[:, 1]] - v[t[:, 0]], v[t[:, 2]] - v[t[:, 0]])
    length = np.linalg.norm(nrm, axis=1, keepdims=True)
    return np.divide(nrm, length, out=np.zeros_like(nrm), where=length > 0)


def to_polydata(verts: np.ndarray, faces: np.ndarray):
    """A ``pyvista.PolyData`` of triangles or quads (for viewers; pyvista imported lazily)."""
    import pyvista as pv

    faces = np.asarray(faces)
    k = faces.shape[1] if faces.ndim == 2 else 3
    cells = np.hstack([np.full((len(faces), 1), k, dtype=np.int64), faces.astype(np.int64)]).ravel()
    return pv.PolyData(np.asarray(verts, dtype=np.float32), cells if len(faces) else None)


# ----------------------------------------------------------------------------- mesh files


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _obj_bytes(verts: np.ndarray, faces: np.ndarray) -> bytes:
    lines = ["# recon-gui mesh (world frame: y up, objects face +x)"]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in verts.tolist()]
    lines += ["f " + " ".join(str(i + 1) for i in f) for f in faces.tolist()]
    return ("\n".join(lines) + "\n").encode("ascii")


def _ply_bytes(verts: np.ndarray, faces: np.ndarray) -> bytes:
    k = faces.shape[1]
    header = (
        "ply\nformat binary_little_endian 1.0\ncomment recon-gui mesh\n"
        f"element vertex {len(verts)}\nproperty float x\nproperty float y\nproperty float z\n"
        f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n"
    ).encode("ascii")
    face_dtype = np.dtype([("n", "u1"), ("idx", "<i4", (k,))])
    rec = np.empty(len(faces), dtype=face_dtype)
    rec["n"] = k
    rec["idx"] = faces
    return header + verts.astype("<f4").tobytes() + rec.tobytes()


def _stl_bytes(verts: np.ndarray, faces: np.ndarray) -> bytes:
    tris = triangulate(faces)
    rec = np.zeros(len(tris), dtype=np.dtype([("n", "<f4", (3,)), ("v", "<f4", (3, 3)), ("attr", "<u2")]))
    rec["n"] = face_normals(verts, tris)
    rec["v"] = verts[tris]
    header = b"recon-gui binary STL".ljust(80, b" ")
    return header + struct.pack("<I", len(tris)) + rec.tobytes()


def _glb_bytes(verts: np.ndarray, faces: np.ndarray) -> bytes:
    """A minimal glTF 2.0 binary: one mesh, one primitive (positions + uint32 indices)."""
    tris = triangulate(faces)
    pos = verts.astype("<f4").tobytes()
    idx = tris.astype("<u4").tobytes()
    pad = (-len(pos)) % 4
    bin_chunk = pos + b"\0" * pad + idx
    bin_chunk += b"\0" * ((-len(bin_chunk)) % 4)
    vmin = verts.min(axis=0).tolist() if len(verts) else [0.0, 0.0, 0.0]
    vmax = verts.max(axis=0).tolist() if len(verts) else [0.0, 0.0, 0.0]
    doc = {
        "asset": {"version": "2.0", "generator": "recon-gui"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "mode": 4}]}],
        "buffers": [{"byteLength": len(bin_chunk)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos) + pad, "byteLength": len(idx), "target": 34963},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(verts), "type": "VEC3", "min": vmin, "max": vmax},
            {"bufferView": 1, "componentType": 5125, "count": int(tris.size), "type": "SCALAR"},
        ],
    }
    js = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    js += b" " * ((-len(js)) % 4)
    total = 12 + 8 + len(js) + 8 + len(bin_chunk)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<I4s", len(js), b"JSON") + js
        + struct.pack("<I4s", len(bin_chunk), b"BIN\0") + bin_chunk
    )


_WRITERS = {"obj": _obj_bytes, "ply": _ply_bytes, "stl": _stl_bytes, "glb": _glb_bytes}


def save_mesh(path: str | Path, verts: np.ndarray, faces: np.ndarray) -> Path:
    """Write .obj / .ply / .stl / .glb (chosen by suffix) atomically; quads are kept where the
    format allows (obj, ply) and split into triangles elsewhere. Returns the path."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _WRITERS:
        raise DataError(path, f"unsupported mesh format {path.suffix or '(none)'!r}; use one of {', '.join('.' + f for f in MESH_FORMATS)}")
    verts = np.asarray(verts, dtype=np.float32).reshape(-1, 3)
    faces = np.asarray(faces, dtype=np.int64)
    if faces.size == 0:
        faces = faces.reshape(0, 3)
    if faces.ndim != 2 or faces.shape[1] not in (3, 4):
        raise ValueError(f"faces must be (M,3) or (M,4), got shape {faces.shape}")
    if len(faces) and (faces.min() < 0 or faces.max() >= len(verts)):
        raise ValueError("face indices out of range of the vertex array")
    _atomic_write(path, _WRITERS[fmt](verts, faces))
    return path


def read_glb(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read back a glb written by ``save_mesh`` (positions + triangle indices); DataError if malformed."""
    path = Path(path)
    buf = path.read_bytes()
    if len(buf) < 20 or buf[:4] != b"glTF":
        raise DataError(path, "not a glTF binary (missing 'glTF' magic)")
    _magic, version, total = struct.unpack_from("<4sII", buf, 0)
    if version != 2 or total != len(buf):
        raise DataError(path, f"glb header says version {version}, {total} bytes; file has {len(buf)} bytes")
    js_len, js_type = struct.unpack_from("<I4s", buf, 12)
    if js_type != b"JSON":
        raise DataError(path, "glb first chunk is not JSON")
    doc = json.loads(buf[20:20 + js_len])
    off = 20 + js_len
    bin_len, bin_type = struct.unpack_from("<I4s", buf, off)
    if bin_type != b"BIN\0":
        raise DataError(path, "glb second chunk is not BIN")
    binary = buf[off + 8: off + 8 + bin_len]
    prim = doc["meshes"][0]["primitives"][0]

    def accessor(i: int, dtype: str, width: int) -> np.ndarray:
        acc = doc["accessors"][i]
        view = doc["bufferViews"][acc["bufferView"]]
        start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
        arr = np.frombuffer(binary, dtype=dtype, count=acc["count"] * width, offset=start)
        return arr.reshape(-1, width) if width > 1 else arr

    verts = accessor(prim["attributes"]["POSITION"], "<f4", 3)
    faces = accessor(prim["indices"], "<u4", 1).reshape(-1, 3).astype(np.int64)
    return verts.copy(), faces


# ----------------------------------------------------------------------------- voxel files


def save_voxels(path: str | Path, occ: np.ndarray, threshold: float = 0.4, scale: float = 1.0) -> Path:
    """Write a grid: ``.npy`` keeps the float occupancy as given; ``.binvox`` stores
    ``occ >= threshold`` centred on the origin (translate = -scale/2, like ShapeNetVox32)."""
    from core.io.binvox import Voxels, write_binvox

    path = Path(path)
    grid = _check_grid(occ)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "npy":
        tmp = path.with_name(path.name + ".tmp.npy")
        np.save(tmp, np.asarray(grid, dtype=np.float32 if grid.dtype != bool else bool))
        os.replace(tmp, path)
    elif fmt == "binvox":
        solid = grid if grid.dtype == bool else grid >= threshold
        write_binvox(path, Voxels(solid, translate=(-scale / 2.0,) * 3, scale=scale))
    else:
        raise DataError(path, f"unsupported voxel format {path.suffix or '(none)'!r}; use .binvox or .npy")
    return path
