"""Export menu end to end: screenshots (PNG, 1×/2×, one view or all), meshes, voxels, GIF."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from core.geometry.mesh import read_glb
from core.io.binvox import read_binvox
from core.taxonomy import NAME_TO_SYNSET
from recon_gui.export import HEADER_PX, compose_views, differs_from_background, save_gif
from tests.gui.gui_helpers import activate, close_window, make_window, sample_image, wait_for_result, wait_idle


@pytest.fixture
def window(qtbot, samples_root, gui_checkpoints):
    w = make_window(qtbot, samples_root, gui_checkpoints)
    wait_for_result(qtbot, w, lambda: w.open_image(sample_image(samples_root, NAME_TO_SYNSET["car"])))
    yield w
    close_window(w)


def answer_save_dialog(monkeypatch, path) -> list:
    """The next 'Save as' dialog returns ``path``; the list records the dialog's proposals."""
    asked = []

    def fake(parent, title, proposal, file_filter):
        asked.append((title, proposal, file_filter))
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked


def background(window) -> tuple[int, int, int]:
    h = window.theme.background_3d
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def test_screenshot_action_writes_png_of_three_rendered_views(qtbot, window, monkeypatch, tmp_path):
    target = tmp_path / "comparison.png"
    asked = answer_save_dialog(monkeypatch, target)
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)  # the PNG is encoded on a worker
    assert asked and asked[0][1].endswith("_comparison.png")
    image = np.asarray(Image.open(target).convert("RGB"))
    widths = [v.plotter.width() for v in window.comparison.views.values()]
    assert image.shape[1] >= sum(widths)
    # each third of the picture (below the title strip) shows a shape, not just background
    x = 0
    for key, w in zip(window.comparison.views, widths):
        region = image[HEADER_PX:, x:x + w]
        share = differs_from_background(region, background(window))
        assert share > 0.02, f"{key} region of the screenshot is empty ({share:.1%})"
        x += w + 4
    assert window.settings.last_folder("export") == str(tmp_path)


def test_screenshot_of_one_view_at_2x(qtbot, window, tmp_path):
    window.screenshot_2x_action.setChecked(True)
    path = window.export_screenshot(str(tmp_path / "proposed"), target="proposed")
    wait_idle(qtbot, window)
    assert path.endswith(".png")
    image = np.asarray(Image.open(path).convert("RGB"))
    view = window.comparison.views["proposed"].plotter
    assert image.shape[1] == 2 * view.width()
    assert differs_from_background(image[2 * HEADER_PX:], background(window)) > 0.02


@pytest.mark.parametrize("suffix", [".obj", ".ply", ".stl", ".glb"])
def test_export_mesh_action_writes_each_format(qtbot, window, monkeypatch, tmp_path, suffix):
    window.comparison.set_mode("mesh")
    target = tmp_path / f"shape{suffix}"
    answer_save_dialog(monkeypatch, target)
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert target.is_file() and target.stat().st_size > 100, window.last_error
    if suffix == ".glb":
        verts, faces = read_glb(target)
        assert len(verts) == window.comparison.views["proposed"].dataset.n_points
    if suffix == ".obj":
        text = target.read_text()
        assert text.count("\nv ") == window.comparison.views["proposed"].dataset.n_points


def test_export_voxels_binvox_is_the_shown_grid_and_npy_the_probabilities(qtbot, window, tmp_path):
    window.export_source_actions["baseline"].setChecked(True)
    view = window.comparison.views["baseline"]
    t = window.comparison.threshold
    window.export_voxels(str(tmp_path / "grid.binvox"))
    window.export_voxels(str(tmp_path / "grid.npy"))
    wait_idle(qtbot, window)
    vox = read_binvox(tmp_path / "grid.binvox", expect_dim=32).data
    assert np.array_equal(vox, view.state.occupancy > t)
    assert int(vox.sum()) == view.occupied_count
    assert np.allclose(np.load(tmp_path / "grid.npy"), view.state.occupancy)


def test_turntable_gif_has_one_frame_per_step(qtbot, window, tmp_path):
    recorder = window.export_turntable(str(tmp_path / "turn.gif"), frames=6, target="truth")
    qtbot.waitUntil(lambda: recorder.worker is not None, timeout=30000)
    wait_idle(qtbot, window)
    with Image.open(tmp_path / "turn.gif") as gif:
        assert gif.n_frames == 6
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
    assert any(np.abs(frames[0].astype(int) - f.astype(int)).sum() > 0 for f in frames[1:])  # it turns


def test_export_without_a_shape_reports_and_keeps_working(qtbot, samples_root, tmp_path):
    w = make_window(qtbot, samples_root)  # no models, no picture
    try:
        assert w.export_mesh(str(tmp_path / "x.obj")) is None
        assert "empty" in w.last_error and w.error_dialogs
        assert not (tmp_path / "x.obj").exists()
        path = w.export_screenshot(str(tmp_path / "empty.png"))  # empty views still make a picture
        wait_idle(qtbot, w)
        assert path and Image.open(path).size[0] > 0
    finally:
        close_window(w)


def test_compose_and_gif_helpers(tmp_path):
    a = np.zeros((40, 30, 3), np.uint8)
    b = np.full((50, 20, 3), 200, np.uint8)
    image = compose_views([a, b], ["a", "b"], gap=4)
    assert image.size == (30 + 4 + 20, 50 + HEADER_PX)
    with pytest.raises(ValueError):
        compose_views([a], ["a", "b"])
    path = save_gif([a, a + 50, a + 100], tmp_path / "t.gif", fps=10)
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.info["duration"] == 100


def test_unwritable_screenshot_target_is_reported(qtbot, window, tmp_path):
    window.export_screenshot(str(tmp_path / "no-such-folder" / "shot.png"))
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    assert "no-such-folder" in window.last_error and "cannot write" in window.last_error
    wait_idle(qtbot, window)
