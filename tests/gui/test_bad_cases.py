"""Bad inputs met through the window: one plain message naming the file, the rest keeps working.

Each test is one kind of the reliability cases: a malformed ground-truth header (GUI10), a
short camera metadata file (GUI13), an export onto a folder (GUI17) and a picture with no
object. The predictions of a good picture are never lost to a bad side file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.taxonomy import NAME_TO_SYNSET
from recon_gui.export import differs_from_background
from tests.gui.gui_helpers import (
    assert_views_rendered,
    background_rgb,
    sample_image,
    wait_for_result,
    wait_idle,
)

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
CHAIR = NAME_TO_SYNSET["chair"]


def chair_copy(samples_root: Path, root: Path) -> tuple[Path, Path, Path]:
    """A one-object data set (a copy of the gallery chair): (view 00, its binvox, its metadata)."""
    image = sample_image(samples_root, CHAIR)
    obj = image.parent.parent.name
    rendering = root / "ShapeNetRendering" / CHAIR / obj / "rendering"
    voxels = root / "ShapeNetVox32" / CHAIR / obj
    shutil.copytree(image.parent, rendering)
    voxels.mkdir(parents=True)
    shutil.copy(samples_root / "ShapeNetVox32" / CHAIR / obj / "model.binvox", voxels / "model.binvox")
    return rendering / "00.png", voxels / "model.binvox", rendering / "rendering_metadata.txt"


def test_gui10_malformed_binvox_header_keeps_the_predictions(qtbot, window, samples_root, tmp_path):
    image, binvox, _ = chair_copy(samples_root, tmp_path / "data")
    shutil.copy(CASES / "binvox" / "bv_translate_nan.binvox", binvox)
    result = wait_for_result(qtbot, window, lambda: window.open_image(image))
    assert all(result.predictions[s] is not None for s in ("baseline", "proposed"))
    assert window.chart.displayed_classes()[0] in window.predicted_label.text()
    truth = window.comparison.views["truth"]
    assert "truth" in window.comparison.pane_keys() and truth.actor is None
    assert "model.binvox" in truth.state.message and "translate" in truth.state.message
    assert "Error" not in truth.state.message  # plain words, no raw exception name
    assert "model.binvox" in window.statusBar().currentMessage() and not window.error_dialogs
    assert_views_rendered(window, keys=("baseline", "proposed"))
    # the message is really drawn in the truth pane, readable (not shrunk to nothing by a long line)
    shot = truth.screenshot()
    share = differs_from_background(shot, background_rgb(window))
    print(f"truth pane {shot.shape[1]}x{shot.shape[0]} px: {share:.2%} message pixels; {truth.shown_message!r}")
    assert share > 0.004, f"the truth pane's message is not drawn ({share:.2%} non-background)"
    assert all(len(line) * 8 <= truth.plotter.width() for line in truth.shown_message.splitlines())
    assert str(binvox.parent) not in truth.shown_message  # the file's name; the full path is in the tooltip
    assert str(binvox) in truth.plotter.toolTip()


def test_gui13_short_metadata_only_costs_the_input_camera(qtbot, window, samples_root, tmp_path):
    image, _, metadata = chair_copy(samples_root, tmp_path / "data")
    shutil.copy(CASES / "metadata" / "md_23.txt", metadata)
    result = wait_for_result(qtbot, window, lambda: window.open_image(image))
    assert all(result.predictions[s] is not None for s in ("baseline", "proposed"))
    assert result.ground_truth is not None and result.camera is None
    assert window.chart.displayed_classes()
    truth = window.comparison.views["truth"]
    assert truth.actor is not None  # the truth itself is fine and shown
    assert "rendering_metadata.txt" in truth.title_label.text()
    assert "rendering_metadata.txt" in truth.title_label.toolTip()
    assert not window.comparison.input_view_action.isEnabled()
    for slot in ("baseline", "proposed"):  # the models' views say nothing about it
        assert "rendering_metadata" not in window.comparison.views[slot].title_label.text()
    assert "rendering_metadata.txt" in window.statusBar().currentMessage() and not window.error_dialogs
    assert_views_rendered(window)
    # the long truth title is cut to its pane, not widening its column: the views keep one size
    window.dataset_dock.hide()
    for size in ((1000, 1000), (1900, 560)):  # a grid, then a row
        window.resize(*size)
        qtbot.wait(150)
        sizes = {k: v.plotter.size().toTuple() for k, v in window.comparison.views.items()}
        widths, heights = [w for w, _h in sizes.values()], [h for _w, h in sizes.values()]
        assert max(widths) - min(widths) <= 2 and max(heights) - min(heights) <= 2, (size, sizes)
        assert truth.title_label.width() <= truth.width()
    assert "…" in truth.title_label.shown_text() or truth.title_label.fontMetrics().horizontalAdvance(
        truth.title_label.text()) <= truth.title_label.width()


def test_gui17_export_onto_a_folder_is_refused_plainly(qtbot, window, samples_root, tmp_path):
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    folder = tmp_path / "adir.binvox"
    folder.mkdir()
    assert window.export_voxels(str(folder)) is None
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    message = window.error_dialogs[-1].text()
    assert "adir.binvox" in message and "folder" in message and "Error" not in message
    assert not any(p.name.endswith((".tmp", ".part")) for p in tmp_path.rglob("*"))
    assert folder.is_dir() and not any(folder.iterdir())
    window.close_error_dialogs()
    window.export_voxels(str(tmp_path / "good.binvox"))  # the window keeps working
    wait_idle(qtbot, window)
    assert (tmp_path / "good.binvox").is_file() and not window.error_dialogs
    assert_views_rendered(window)


def test_picture_with_no_object_keeps_the_last_good_result(qtbot, window, samples_root):
    first = wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    window.open_image(CASES / "images" / "transparent.png")
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    wait_idle(qtbot, window)
    assert "transparent.png" in window.last_error and "object" in window.last_error
    assert len(window.error_dialogs) == 1
    assert window.result is first
    assert window.comparison.views["proposed"].state.occupancy is first.predictions["proposed"].occupancy
    assert_views_rendered(window)


@pytest.mark.parametrize("case", ["b03_bv_scalenan.binvox"])
def test_non_finite_binvox_scale_names_the_file_in_the_truth_view(qtbot, window, samples_root, tmp_path, case):
    image, binvox, _ = chair_copy(samples_root, tmp_path / "data")
    shutil.copy(CASES / "binvox" / case, binvox)
    result = wait_for_result(qtbot, window, lambda: window.open_image(image))
    assert result.predictions["proposed"] is not None and result.camera is None
    assert "model.binvox" in window.comparison.views["truth"].state.message
    assert "scale" in window.comparison.views["truth"].state.message
