import struct

import numpy as np
import pytest

from core.errors import DataError
from core.geometry.camera import ViewParams, camera_from_view, voxel_centres
from core.geometry.mesh import (
    face_normals,
    occupancy_to_mesh,
    read_glb,
    save_mesh,
    save_voxels,
    to_polydata,
    triangulate,
    voxel_cube_mesh,
)
from core.io.binvox import read_binvox


def _sphere(radius: float = 0.3, centre=(0.0, 0.0, 0.0), n: int = 32) -> np.ndarray:
    idx = np.indices((n, n, n)).transpose(1, 2, 3, 0)
    world = (idx + 0.5) / n - 0.5
    return (np.linalg.norm(world - np.asarray(centre), axis=-1) < radius).astype(np.float32)


def _signed_volume(verts: np.ndarray, tris: np.ndarray) -> float:
    a, b, c = verts[tris[:, 0]], verts[tris[:, 1]], verts[tris[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def _edge_counts(tris: np.ndarray) -> np.ndarray:
    edges = np.sort(np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]]), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    return counts


def test_sphere_mesh_is_closed_outward_and_in_world_frame():
    verts, faces = occupancy_to_mesh(_sphere(0.3, centre=(0.1, 0.0, -0.05)), threshold=0.4)
    assert verts.dtype == np.float32 and faces.shape[1] == 3
    centre = (verts.min(0) + verts.max(0)) / 2
    np.testing.assert_allclose(centre, [0.1, 0.0, -0.05], atol=1.5 / 32)
    np.testing.assert_allclose(verts.max(0) - verts.min(0), [0.6] * 3, atol=2 / 32)
    # closed: every edge shared by exactly two triangles; normals outward: positive volume
    assert set(_edge_counts(faces).tolist()) == {2}
    assert _signed_volume(verts, faces) == pytest.approx(4 / 3 * np.pi * 0.3**3, rel=0.1)


def test_mesh_respects_scale_and_touching_border_still_closes():
    full = np.ones((32, 32, 32), np.float32)
    verts, faces = occupancy_to_mesh(full, threshold=0.5, scale=2.0)
    assert verts.min() == pytest.approx(-1.0, abs=0.05) and verts.max() == pytest.approx(1.0, abs=0.05)
    assert set(_edge_counts(faces).tolist()) == {2}


def test_empty_or_subthreshold_grid_gives_empty_mesh():
    verts, faces = occupancy_to_mesh(np.full((32, 32, 32), 0.2, np.float32), threshold=0.4)
    assert verts.shape == (0, 3) and faces.shape == (0, 3)
    with pytest.raises(ValueError):
        occupancy_to_mesh(np.zeros((32, 32)), 0.5)


def test_mesh_projects_onto_voxel_centres_like_the_camera():
    """The mesh and the camera share one frame: the projected mesh covers the voxel centres."""
    occ = _sphere(0.25, centre=(0.15, 0.05, 0.0))
    verts, _ = occupancy_to_mesh(occ, 0.5)
    cam = camera_from_view(ViewParams(40.0, 25.0, 0.0, 0.8))
    uv_mesh, _ = cam.project(verts)
    uv_vox, _ = cam.project(voxel_centres(occ > 0.5))
    np.testing.assert_allclose(uv_mesh.mean(0), uv_vox.mean(0), atol=2.0)


def test_single_voxel_cube_mesh_is_six_outward_quads():
    occ = np.zeros((32, 32, 32), bool)
    occ[3, 4, 5] = True
    verts, quads = voxel_cube_mesh(occ)
    assert quads.shape == (6, 4) and verts.shape == (8, 3)
    np.testing.assert_allclose(verts.min(0), (np.array([3, 4, 5]) / 32 - 0.5))
    np.testing.assert_allclose(verts.max(0), (np.array([4, 5, 6]) / 32 - 0.5))
    tris = triangulate(quads)
    assert _signed_volume(verts, tris) == pytest.approx((1 / 32) ** 3)
    # each normal points away from the cube's centre
    centre = verts.mean(0)
    tri_centres = verts[tris].mean(1)
    assert (np.einsum("ij,ij->i", face_normals(verts, tris), tri_centres - centre) > 0).all()


def test_cube_mesh_drops_hidden_faces():
    occ = np.zeros((32, 32, 32), bool)
    occ[10:12, 10, 10] = True  # two voxels side by side: 10 exposed faces, 12 shared corners
    verts, quads = voxel_cube_mesh(occ)
    assert quads.shape == (10, 4) and len(verts) == 12
    assert voxel_cube_mesh(np.zeros((32, 32, 32), bool))[1].shape == (0, 4)


@pytest.mark.parametrize("fmt", ["obj", "ply", "stl", "glb"])
def test_mesh_files_parse_back_with_vtk(tmp_path, fmt):
    import pyvista as pv

    verts, faces = occupancy_to_mesh(_sphere(0.3), 0.4)
    path = save_mesh(tmp_path / f"sphere.{fmt}", verts, faces)
    mesh = pv.read(path)
    if isinstance(mesh, pv.MultiBlock):  # the glTF reader returns the scene as nested blocks
        while isinstance(mesh, pv.MultiBlock):
            assert len(mesh) == 1
            mesh = mesh[0]
    assert mesh.n_cells == len(faces)
    np.testing.assert_allclose(mesh.bounds, [verts[:, 0].min(), verts[:, 0].max(), verts[:, 1].min(), verts[:, 1].max(), verts[:, 2].min(), verts[:, 2].max()], atol=1e-5)


def test_glb_round_trips_exactly_and_quads_are_triangulated(tmp_path):
    verts, quads = voxel_cube_mesh(_sphere(0.2) > 0.5)
    save_mesh(tmp_path / "cubes.glb", verts, quads)
    v2, f2 = read_glb(tmp_path / "cubes.glb")
    np.testing.assert_array_equal(v2, verts)
    np.testing.assert_array_equal(f2, triangulate(quads))
    save_mesh(tmp_path / "cubes.obj", verts, quads)
    face_lines = [ln for ln in (tmp_path / "cubes.obj").read_text().splitlines() if ln.startswith("f ")]
    assert len(face_lines) == 2 * len(quads) and all(len(ln.split()) == 4 for ln in face_lines)
    stl = (tmp_path / "cubes.stl")
    save_mesh(stl, verts, quads)
    assert struct.unpack_from("<I", stl.read_bytes(), 80)[0] == 2 * len(quads)


def _glb_json(path):
    import json

    buf = path.read_bytes()
    js_len = struct.unpack_from("<I", buf, 12)[0]
    return json.loads(buf[20:20 + js_len])


@pytest.mark.parametrize("fmt", ["obj", "ply", "glb"])
def test_vertex_colours_are_stored_where_the_format_has_them(tmp_path, fmt):
    import trimesh

    from core.geometry.mesh import sample_grid, scalar_colors

    occ = _sphere(0.3)
    verts, faces = occupancy_to_mesh(occ, 0.4)
    values = sample_grid(occ, verts)
    assert values.shape == (len(verts),) and np.allclose(values, 0.4, atol=0.05)  # the iso-surface
    colours = scalar_colors(np.linspace(0, 1, len(verts)))
    path = save_mesh(tmp_path / f"c.{fmt}", verts, faces, colors=colours)
    back = trimesh.load(path, process=False, force="mesh")
    assert back.visual.kind == "vertex"
    got = np.asarray(back.visual.vertex_colors)[:, :3]
    if fmt != "obj":  # obj stores colours as text floats: compare loosely
        np.testing.assert_array_equal(got, colours[:, :3])
    else:
        assert np.abs(got.astype(int) - colours[:, :3]).max() <= 1
    if fmt == "glb":
        assert "COLOR_0" in _glb_json(path)["meshes"][0]["primitives"][0]["attributes"]


def test_glb_is_valid_gltf(tmp_path):
    verts, faces = occupancy_to_mesh(_sphere(0.3), 0.4)
    doc = _glb_json(save_mesh(tmp_path / "s.glb", verts, faces))
    assert doc["asset"]["version"] == "2.0"
    assert all(acc["count"] > 0 for acc in doc["accessors"])


@pytest.mark.parametrize("fmt", ["obj", "ply", "stl", "glb"])
def test_empty_shape_is_never_written_as_a_mesh(tmp_path, fmt):
    from core.geometry.mesh import EmptyMeshError

    verts, faces = occupancy_to_mesh(np.zeros((32, 32, 32), np.float32), 0.4)
    with pytest.raises(EmptyMeshError) as exc:
        save_mesh(tmp_path / f"empty.{fmt}", verts, faces)
    assert f"empty.{fmt}" in str(exc.value) and "empty" in str(exc.value).split(":", 1)[1]
    assert list(tmp_path.iterdir()) == []


def test_mesh_target_that_is_a_folder_or_unwritable(tmp_path):
    from core.io.atomic import OutputError

    verts, faces = occupancy_to_mesh(_sphere(0.3), 0.4)
    folder = tmp_path / "adir.glb"
    folder.mkdir()
    with pytest.raises(OutputError, match="adir.glb: is a folder"):
        save_mesh(folder, verts, faces)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.glb"] and list(folder.iterdir()) == []


def test_full_disk_while_writing_a_mesh_leaves_no_temp_file(tmp_path, monkeypatch):
    import errno

    from core.io.atomic import OutputError

    verts, faces = occupancy_to_mesh(_sphere(0.3), 0.4)
    real_open = open

    class FullFile:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    def fake_open(file, mode="r", *a, **k):
        f = real_open(file, mode, *a, **k)
        return FullFile(f) if "w" in mode and ".part" in str(file) else f

    monkeypatch.setattr("builtins.open", fake_open)
    with pytest.raises(OutputError) as exc:
        save_mesh(tmp_path / "s.ply", verts, faces)
    monkeypatch.undo()
    assert "s.ply" in str(exc.value) and "no space left on device" in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_damaged_glb_files_name_the_file(tmp_path):
    verts, faces = occupancy_to_mesh(_sphere(0.3), 0.4)
    good = save_mesh(tmp_path / "good.glb", verts, faces).read_bytes()
    cut = tmp_path / "cut.glb"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match="cut.glb"):
        read_glb(cut)
    with pytest.raises(DataError, match="missing.glb: mesh file not found"):
        read_glb(tmp_path / "missing.glb")


def test_bad_mesh_paths_and_files_raise_one_line_errors(tmp_path):
    with pytest.raises(DataError, match=r"mesh\.xyz: unsupported mesh format"):
        save_mesh(tmp_path / "mesh.xyz", np.zeros((3, 3)), np.array([[0, 1, 2]]))
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"not a glb at all, just text")
    with pytest.raises(DataError, match="bad.glb"):
        read_glb(bad)


def test_polydata_accepts_triangles_and_quads():
    verts, quads = voxel_cube_mesh(_sphere(0.2) > 0.5)
    assert to_polydata(verts, quads).n_cells == len(quads)
    tv, tf = occupancy_to_mesh(_sphere(0.2), 0.5)
    assert to_polydata(tv, tf).n_cells == len(tf)


def test_voxel_files_round_trip(tmp_path):
    occ = _sphere(0.3) * 0.9
    save_voxels(tmp_path / "v.npy", occ)
    np.testing.assert_array_equal(np.load(tmp_path / "v.npy"), occ)
    save_voxels(tmp_path / "v.binvox", occ, threshold=0.4)
    vox = read_binvox(tmp_path / "v.binvox", expect_dim=32)
    np.testing.assert_array_equal(vox.data, occ >= 0.4)
    assert vox.scale == 1.0 and vox.translate == (-0.5, -0.5, -0.5)
    with pytest.raises(DataError, match="unsupported voxel format"):
        save_voxels(tmp_path / "v.txt", occ)


def test_offscreen_render_with_the_r2n2_camera_matches_the_real_rendering(real_r2n2_root, tmp_path):
    """The ground-truth voxels' surface, pictured off screen with a view's camera, covers the
    real rendering's alpha; a mirrored azimuth does not (so the check can fail)."""
    from PIL import Image

    from core.geometry.camera import silhouette_iou
    from core.render_export import render_shape, save_shape_png

    obj = "1a38407b3036795d19fb4103277a6b93"
    vox = read_binvox(real_r2n2_root / "ShapeNetVox32" / "03001627" / obj / "model.binvox")
    rendering = real_r2n2_root / "ShapeNetRendering" / "03001627" / obj / "rendering"
    lines = (rendering / "rendering_metadata.txt").read_text().splitlines()
    good, bad = [], []
    for i in (0, 7):
        view = ViewParams.from_line(lines[i])
        alpha = np.asarray(Image.open(rendering / f"{i:02d}.png"))[..., 3] > 0
        image = render_shape(vox.data.astype(np.float32), view, 0.5, size=137, scale=vox.scale)
        good.append(silhouette_iou(image.min(axis=-1) < 250, alpha))
        mirrored = ViewParams(-view.azimuth, view.elevation, view.in_plane, view.distance)
        image = render_shape(vox.data.astype(np.float32), mirrored, 0.5, size=137, scale=vox.scale)
        bad.append(silhouette_iou(image.min(axis=-1) < 250, alpha))
    assert min(good) > 0.85 and np.mean(good) > np.mean(bad) + 0.1
    png = save_shape_png(tmp_path / "shape.png", vox.data.astype(np.float32), size=96, scale=vox.scale)
    assert Image.open(png).size == (96, 96)
