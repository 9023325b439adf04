"""Export menu end to end: screenshots (PNG, 1×/2×, one view or all), meshes, voxels, GIF."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from core.geometry.mesh import read_glb
from core.io.binvox import read_binvox
from core.taxonomy import NAME_TO_SYNSET
from recon_gui.export import save_gif
from tests.gui.gui_helpers import (
    activate,
    close_window,
    make_window,
    sample_image,
    wait_for_result,
    wait_idle,
)


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


def check_figure(window, path, transparent: bool = False) -> np.ndarray:
    """The PNG read back is the laid-out figure: titles inside the picture, no two overlapping,
    each with ink; the header has no ink outside them; the border is background (tight crop)."""
    fig = window.exports.last_figure
    with Image.open(path) as png:
        assert png.mode == ("RGBA" if transparent else "RGB") or png.mode == "RGBA"
        image = np.asarray(png.convert("RGBA"))
    assert np.array_equal(image, fig.pixels)
    h, w = image.shape[:2]
    bg = np.array(background(window))
    ink = (image[..., 3] > 0) if transparent else (np.abs(image[..., :3].astype(int) - bg).sum(-1) > 60)
    rects = fig.text_rects
    for i, (x, y, rw, rh) in enumerate(rects):
        assert 0 <= x and 0 <= y and x + rw <= w and y + rh <= h, "a title is cut off"
        assert ink[y:y + rh, x:x + rw].any(), "a title drew nothing"
        for (x2, y2, w2, h2) in rects[i + 1:]:
            assert x + rw <= x2 or x2 + w2 <= x or y + rh <= y2 or y2 + h2 <= y, "two titles overlap"
    free = ink.copy()
    for (x, y, rw, rh) in rects + fig.image_rects:
        free[y:y + rh, x:x + rw] = False
    assert not free.any(), "ink outside the titles and the views (text ran over)"
    pad = 4
    assert not ink[:pad].any() and not ink[-pad:].any() and not ink[:, :pad].any() and not ink[:, -pad:].any()
    return image


def tight(window, image_rect, image) -> None:
    """Cropped to the shapes: the shape's box spans most of its panel (not a tall, empty frame)."""
    x, y, w, h = image_rect
    region = image[y:y + h, x:x + w, :3].astype(int)
    mask = np.abs(region - np.array(background(window))).sum(-1) > 24
    ys, xs = np.nonzero(mask)
    assert mask.mean() > 0.08, f"panel mostly empty ({mask.mean():.1%})"
    assert (ys.max() - ys.min() + 1) / h > 0.8 or (xs.max() - xs.min() + 1) / w > 0.8


def test_screenshot_action_writes_a_tight_titled_figure_of_the_rendered_views(qtbot, window, monkeypatch, tmp_path):
    target = tmp_path / "comparison.png"
    asked = answer_save_dialog(monkeypatch, target)
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)  # the PNG is encoded on a worker
    assert asked and asked[0][1].endswith("_comparison.png")
    image = check_figure(window, target)
    fig = window.exports.last_figure
    # the input picture, then baseline | proposed | truth, in one row
    assert len(fig.image_rects) == 4 and len({r[1] for r in fig.image_rects}) == 1
    assert window.comparison.figure_keys() == ["input", "baseline", "proposed", "truth"]
    assert window.comparison.pane_texts("input") == ("Input picture", "the picture as given")
    for rect in fig.image_rects:  # the picture (cropped to its alpha) and each shape fill their panels
        tight(window, rect, image)
    for (_x, _y, w, h), view in zip(fig.image_rects[1:], window.comparison.views.values()):
        assert w * h < 0.8 * view.plotter.width() * view.plotter.height()  # tighter than the on-screen view
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # readable like any saved file, not 0600
    assert window.settings.last_folder("export") == str(tmp_path)


def test_screenshot_of_one_view_at_2x_keeps_its_whole_title(qtbot, window, tmp_path):
    window.screenshot_2x_action.setChecked(True)
    path = window.export_screenshot(str(tmp_path / "proposed"), target="proposed")
    wait_idle(qtbot, window)
    assert path.endswith(".png")
    image = check_figure(window, path)
    fig = window.exports.last_figure
    tight(window, fig.image_rects[0], image)
    title_h = fig.text_rects[0][3]
    assert title_h >= 2 * 15  # drawn at twice the text size, not cut


def test_transparent_grid_figure(qtbot, window, tmp_path):
    window.screenshot_transparent_action.setChecked(True)
    window.screenshot_layout_actions["grid"].setChecked(True)
    path = window.export_screenshot(str(tmp_path / "grid.png"))
    wait_idle(qtbot, window)
    image = check_figure(window, path, transparent=True)
    with Image.open(path) as png:
        assert png.mode == "RGBA"
    fig = window.exports.last_figure
    assert len({r[1] for r in fig.image_rects}) == 2  # two rows: a grid
    assert image[0, 0, 3] == 0 and image[-1, -1, 3] == 0  # the background is see-through
    for x, y, w, h in fig.image_rects:
        alpha = image[y:y + h, x:x + w, 3]
        assert (alpha == 255).mean() > 0.05 and (alpha == 0).mean() > 0.05  # shape opaque, background clear


def test_titles_never_draw_missing_glyphs_or_overlap_at_any_size(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from recon_gui.figure import Panel, compose, safe_text

    fm = QFontMetrics(QFont())
    text = safe_text("Baseline \u2014 prior: chair \ue000 IoU 0.480 @ 0.40", fm)
    assert all(ch.isspace() or fm.inFontUcs4(ord(ch)) for ch in text) and "\ue000" not in text
    shape = np.full((60, 40, 3), 255, np.uint8)
    shape[10:50, 10:30] = (200, 80, 80)
    long = "Proposed (classification) IoU 0.480 @ 0.40 with a long caption that must wrap"
    for scale in (1, 2, 3):
        fig = compose([Panel(shape, long, "12345 voxels"), Panel(shape, "Ground truth", "")], "row", scale=scale)
        h, w = fig.pixels.shape[:2]
        for i, (x, y, rw, rh) in enumerate(fig.text_rects):
            assert x + rw <= w and y + rh <= h
            for (x2, y2, w2, h2) in fig.text_rects[i + 1:]:
                assert x + rw <= x2 or x2 + w2 <= x or y + rh <= y2 or y2 + h2 <= y


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
        verts, _faces = read_glb(target)
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


def test_gif_helper(tmp_path):
    a = np.zeros((40, 30, 3), np.uint8)
    path = save_gif([a, a + 50, a + 100], tmp_path / "t.gif", fps=10)
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.info["duration"] == 100


def test_unwritable_screenshot_target_is_reported(qtbot, window, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert window.export_screenshot(str(blocker / "shot.png")) is None
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    assert "a-file" in window.last_error and "not a folder" in window.last_error
    wait_idle(qtbot, window)


def test_unwritable_turntable_target_is_reported_before_recording(qtbot, window, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert window.export_turntable(str(blocker / "turn"), frames=6) is None  # no turn recorded first
    assert "Cannot save the turntable" in window.statusBar().currentMessage()
    assert "a-file" in window.last_error and not window.comparison.turntable.isActive()
    assert blocker.read_text() == "not a folder"
