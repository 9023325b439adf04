"""Occupancy grids -> triangle / quad meshes, and mesh / voxel files.

All meshes live in the world frame of ``core.geometry.camera``: voxel index ``i`` of an
``[x, y, z]`` grid of side ``n`` has its centre at ``((i + 0.5) / n - 0.5) * scale``, so a
mesh drawn with the R2N2 camera lands on the rendered silhouette.

Pure numpy (plus skimage's marching cubes); mesh files are written and read with trimesh
(imported only when a mesh file is written or read), always atomically through
``core.io.atomic``. An empty shape is never written as a mesh: no format has a valid file
for it (glTF forbids zero-count accessors).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import DataError
from core.spec import DEFAULT_THRESHOLD

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


def occupancy_to_mesh(occ: np.ndarray, threshold: float = DEFAULT_THRESHOLD, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
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


class EmptyMeshError(DataError):
    """A mesh with no faces: no format we write has a valid file for it (glTF forbids
    zero-count accessors), so nothing is written."""


def _trimesh(verts: np.ndarray, faces: np.ndarray, colors: np.ndarray | None = None):
    """A ``trimesh.Trimesh`` holding exactly these vertices (no merging or reordering)."""
    import trimesh  # lazy: training and evaluation never need it

    kwargs = {}
    if colors is not None:
        kwargs["vertex_colors"] = colors
    return trimesh.Trimesh(vertices=np.asarray(verts, dtype=np.float64), faces=triangulate(faces), process=False, validate=False, **kwargs)


def _check_colors(colors, n_verts: int) -> np.ndarray | None:
    """Per-vertex colours as uint8 (N,4) RGBA: uint8 or floats in [0,1], RGB or RGBA."""
    if colors is None:
        return None
    c = np.asarray(colors)
    if c.ndim != 2 or c.shape[0] != n_verts or c.shape[1] not in (3, 4):
        raise ValueError(f"colors must be (N,3) or (N,4) for {n_verts} vertices, got shape {c.shape}")
    if c.dtype != np.uint8:
        c = (np.clip(np.nan_to_num(c.astype(np.float64)), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if c.shape[1] == 3:
        c = np.concatenate([c, np.full((n_verts, 1), 255, np.uint8)], axis=1)
    return c


def scalar_colors(values: np.ndarray, vmin: float = 0.0, vmax: float = 1.0, cmap: str = "viridis") -> np.ndarray:
    """Per-vertex scalars (occupancy, error) -> uint8 (N,4) RGBA through a matplotlib colour
    map, for ``save_mesh(..., colors=...)``; NaN values are drawn grey."""
    from matplotlib import colormaps

    v = np.asarray(values, dtype=np.float64).reshape(-1)
    span = vmax - vmin if vmax > vmin else 1.0
    rgba = colormaps[cmap](np.clip((np.nan_to_num(v, nan=vmin) - vmin) / span, 0.0, 1.0), bytes=True)
    rgba[~np.isfinite(v)] = (128, 128, 128, 255)
    return np.ascontiguousarray(rgba, dtype=np.uint8)


def sample_grid(occ: np.ndarray, verts: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The grid's value at world points (trilinear; outside the grid is 0): occupancy or any
    per-voxel quantity at mesh vertices, e.g. to colour them."""
    from scipy.ndimage import map_coordinates

    grid = _check_grid(occ).astype(np.float64, copy=False)
    n = grid.shape[0]
    idx = np.asarray(verts, dtype=np.float64) / scale * n + n / 2.0 - 0.5  # inverse of index_to_world
    return map_coordinates(grid, idx.T, order=1, mode="constant", cval=0.0).astype(np.float32)


def _obj_bytes(mesh) -> bytes:
    from trimesh.exchange.obj import export_obj

    text = export_obj(mesh, include_normals=False, include_color=mesh.visual.kind == "vertex", include_texture=False, header="recon-gui mesh (world frame: y up, objects face +x)")
    return text.encode("utf-8")


def _ply_bytes(mesh) -> bytes:
    from trimesh.exchange.ply import export_ply

    return export_ply(mesh, encoding="binary", vertex_normal=False, include_attributes=False)


def _stl_bytes(mesh) -> bytes:
    from trimesh.exchange.stl import export_stl

    return export_stl(mesh)


def _glb_bytes(mesh) -> bytes:
    from trimesh.exchange.gltf import export_glb

    return export_glb(mesh, include_normals=False)


_WRITERS = {"obj": _obj_bytes, "ply": _ply_bytes, "stl": _stl_bytes, "glb": _glb_bytes}


def save_mesh(path: str | Path, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray | None = None) -> Path:
    """Write .obj / .ply / .stl / .glb (chosen by suffix) atomically with trimesh; quads are
    split into triangles. ``colors`` (N,3|4, uint8 or floats in [0,1]) are stored per vertex
    where the format has them (obj, ply, glb; STL has none). Returns the path.

    Raises DataError for an unknown suffix, ``EmptyMeshError`` for a mesh without faces
    (nothing is written) and ``OutputError`` naming the path when the file cannot be written.
    """
    from core.io.atomic import check_output_file, write_bytes

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
    check_output_file(path)  # a folder of that name: refused before any work
    if len(faces) == 0:
        raise EmptyMeshError(path, "the shape is empty (no surface at this threshold); no mesh file written")
    if not np.isfinite(verts).all():
        raise DataError(path, "mesh has non-finite vertex coordinates; not written")
    mesh = _trimesh(verts, faces, _check_colors(colors, len(verts)))
    write_bytes(path, _WRITERS[fmt](mesh))
    return path


def read_glb(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a glb (as written by ``save_mesh``) -> (verts (N,3) float32, triangles (M,3) int64),
    all meshes of the scene joined; DataError naming the file if it is missing or malformed."""
    path = Path(path)
    mesh = read_mesh(path, "glb")
    return mesh.vertices.astype(np.float32), mesh.faces.astype(np.int64)


def read_mesh(path: str | Path, file_type: str | None = None):
    """Any mesh file trimesh reads -> one ``trimesh.Trimesh`` (scene geometry joined, vertices
    kept as stored); DataError naming the file for a missing, malformed or empty file."""
    import trimesh

    path = Path(path)
    kind = (file_type or path.suffix.lstrip(".")).lower()
    if not path.is_file():
        raise DataError(path, "is a folder, not a mesh file" if path.is_dir() else "mesh file not found")
    head = path.read_bytes()[:4]
    if kind == "glb" and head != b"glTF":
        raise DataError(path, "not a glTF binary (missing 'glTF' magic)")
    try:
        with open(path, "rb") as f:
            loaded = trimesh.load(f, file_type=kind, process=False, force="mesh")
    except Exception as exc:  # any parser failure of a damaged file becomes one line naming it
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise DataError(path, f"not a readable {kind} mesh ({first})") from None
    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
        raise DataError(path, f"{kind} file holds no triangles")
    return loaded


# ----------------------------------------------------------------------------- voxel files


def save_voxels(path: str | Path, occ: np.ndarray, threshold: float = DEFAULT_THRESHOLD, scale: float = 1.0) -> Path:
    """Write a grid: ``.npy`` keeps the float occupancy as given; ``.binvox`` stores
    ``occ >= threshold`` centred on the origin (translate = -scale/2, like ShapeNetVox32)."""
    from core.io.binvox import Voxels, write_binvox

    path = Path(path)
    grid = _check_grid(occ)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "npy":
        from core.io.atomic import write_with

        arr = np.asarray(grid, dtype=np.float32 if grid.dtype != bool else bool)

        def _npy(tmp: Path) -> None:
            with open(tmp, "wb") as f:  # an open file: np.save would append ".npy" to a bare name
                np.save(f, arr, allow_pickle=False)

        write_with(path, _npy)
    elif fmt == "binvox":
        solid = grid if grid.dtype == bool else grid >= threshold
        write_binvox(path, Voxels(solid, translate=(-scale / 2.0,) * 3, scale=scale))
    else:
        raise DataError(path, f"unsupported voxel format {path.suffix or '(none)'!r}; use .binvox or .npy")
    return path
