"""Crop and cut-out on the real window: a rectangle dragged on a cluttered photo picks the
chair, the cut-out is reconstructed, the rectangle stays drawn on the picture, and "Whole
picture" goes back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from recon_gui.panels.crop import displayed_pixmap_rect
from recon_gui.panels.input_panel import CROP_COLOUR, qimage_to_array
from tests.gui.gui_helpers import wait_for_result, wait_idle

PHOTO = Path(__file__).resolve().parents[2] / "resources" / "samples" / "photos" / "cluttered_chair.jpg"
CUT_TIMEOUT_MS = 90000  # GrabCut runs ~1-2 s on a worker, slower on a busy 2-core machine


def orange_pixels(label) -> int:
    arr = qimage_to_array(label.grab().toImage())[..., :3].astype(int)
    c = QColor(CROP_COLOUR)
    return int((np.abs(arr - [c.red(), c.green(), c.blue()]).sum(-1) < 40).sum())


def label_point(label, fx: float, fy: float) -> QPoint:
    shown = displayed_pixmap_rect(label)
    return QPoint(round(shown.x() + fx * shown.width()), round(shown.y() + fy * shown.height()))


def test_rectangle_on_a_cluttered_photo_cuts_out_the_chair(qtbot, window):
    info = json.loads(PHOTO.with_suffix(".json").read_text())
    w, h = info["size"]
    x0, y0, x1, y1 = info["object_box"]
    # one click away: the photo is an entry of the sample gallery, visible without scrolling
    gallery = window.input_panel.gallery
    item = next(gallery.item(i) for i in range(gallery.count()) if gallery.item(i).text() == "cluttered chair (photo)")
    gallery.scrollToTop()
    rect = gallery.visualItemRect(item)
    assert gallery.viewport().rect().contains(rect), (rect, gallery.viewport().rect())
    before = wait_for_result(qtbot, window, lambda: qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton,
                                                                     pos=rect.center()))
    assert Path(before.request.image) == PHOTO and before.request.ground_truth is None
    ranked_before = sorted(before.probabilities.items(), key=lambda kv: -kv[1])
    panel = window.input_panel
    assert panel.crop_selector.enabled and panel.crop_hint.isEnabled() and not panel.whole_button.isEnabled()
    assert orange_pixels(panel.source_label) == 0
    assert panel.crop_hint.text().startswith("Busy picture")  # no backdrop to remove: cropping is suggested

    # drag a rectangle 10 px (of the photo) around the chair, as a person would
    label = panel.source_label
    start = label_point(label, (x0 - 10) / w, (y0 - 10) / h)
    end = label_point(label, (x1 + 10) / w, (y1 + 10) / h)

    def drag():
        qtbot.mousePress(label, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(label, pos=(start + end) / 2)
        assert panel.crop_selector.band.isVisible()  # the rubber band follows the drag
        qtbot.mouseMove(label, pos=end)
        qtbot.mouseRelease(label, Qt.MouseButton.LeftButton, pos=end)
        assert window.crop.worker is not None and window.busy  # the cut runs on a worker, shown as busy

    with qtbot.waitSignal(window.predictionShown, timeout=CUT_TIMEOUT_MS) as blocker:
        drag()
    after = blocker.args[0]
    cut = window.crop.cut
    assert after.request.image is cut.rgba and cut.method == "grabcut"
    box = window.crop.box
    assert abs(box.x0 - (x0 - 10) / w) < 0.02 and abs(box.y1 - (y1 + 10) / h) < 0.02
    ranked_after = sorted(after.probabilities.items(), key=lambda kv: -kv[1])
    print(f"whole picture: {ranked_before[:3]}; cut out: {ranked_after[:3]}")
    assert ranked_after[0][0] == info["class"] == "chair"
    assert window.chart.displayed_classes()[0] == "chair"

    # what the model saw: the chair alone on white (the cut-out's alpha path), said in the note
    preview = qimage_to_array(panel.preview_label.pixmap().toImage())[..., :3]
    assert (preview[:6] > 245).all() and (preview[:, :6] > 245).all() and (preview[40:90, 40:90] < 200).any()
    assert "GrabCut" in panel.note_label.text()
    # the original stays on screen, with the rectangle drawn on it
    assert "cut out" in panel.source_caption.text()
    assert orange_pixels(label) > 100 and panel.whole_button.isEnabled()
    # the picture pane (and so the exported figure) says it shows the cut-out, not the photo as given
    assert window.comparison.pane_texts("input") == ("Input picture", "no ground truth: the object cut out of the rectangle")

    # back to the whole picture
    whole = wait_for_result(qtbot, window, lambda: qtbot.mouseClick(panel.whole_button, Qt.MouseButton.LeftButton))
    assert Path(whole.request.image) == PHOTO and window.crop.box is None
    assert orange_pixels(label) == 0 and not panel.whole_button.isEnabled()
    assert window.comparison.pane_texts("input")[1] == "no ground truth: the picture as given"
    wait_idle(qtbot, window)


def test_drawing_before_any_picture_does_nothing(qtbot, window):
    panel = window.input_panel
    assert not panel.crop_selector.enabled  # nothing shown yet: no rectangle to draw
    label = panel.source_label
    qtbot.mousePress(label, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseRelease(label, Qt.MouseButton.LeftButton, pos=QPoint(120, 120))
    assert window.crop.original is None and window.crop.worker is None and not window.busy
