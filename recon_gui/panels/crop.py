"""Crop and cut-out for real photos: a rectangle drawn on the input picture picks the object.

``CropSelector`` turns a mouse drag on the picture into a ``CropBox`` (fractions of the
picture); ``CropController`` cuts the object out of the picture on a worker
(``core.data.cutout``) and hands the cut-out, an RGBA picture, to the window as a new
comparison, keeping the original picture on screen with the rectangle drawn on it, so the
person can draw again or go back to the whole picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QRubberBand

from core.data.cutout import CropBox, cut_out
from recon_gui.workers import BusyCounter, run_task

MIN_DRAG_PX = 6  # a shorter drag is a click, not a rectangle
BUSY_HINT = "Busy picture: the models saw all of it. Drag a rectangle around the object to cut it out"


def displayed_pixmap_rect(label: QLabel) -> QRectF | None:
    """Where a centred QLabel draws its pixmap, in the label's coordinates (None: no pixmap)."""
    pixmap = label.pixmap()
    if pixmap is None or pixmap.isNull():
        return None
    cr = label.contentsRect()
    w, h = pixmap.width() / pixmap.devicePixelRatio(), pixmap.height() / pixmap.devicePixelRatio()
    return QRectF(cr.x() + (cr.width() - w) / 2, cr.y() + (cr.height() - h) / 2, w, h)


class CropSelector(QObject):
    """Rubber-band selection on a picture label; emits the rectangle as a CropBox."""

    boxDrawn = Signal(object)  # CropBox

    def __init__(self, label: QLabel):
        super().__init__(label)
        self.label = label
        self.enabled = False
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, label)
        self._origin: QPoint | None = None
        label.installEventFilter(self)
        label.setMouseTracking(False)

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.label.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        if not on:
            self.band.hide()
            self._origin = None

    def box_from_points(self, a: QPoint, b: QPoint) -> CropBox | None:
        """The rectangle between two label points, in fractions of the shown picture (clamped)."""
        shown = displayed_pixmap_rect(self.label)
        if shown is None or shown.width() < 2 or shown.height() < 2:
            return None
        x0, x1 = sorted(((a.x() - shown.x()) / shown.width(), (b.x() - shown.x()) / shown.width()))
        y0, y1 = sorted(((a.y() - shown.y()) / shown.height(), (b.y() - shown.y()) / shown.height()))
        x0, y0, x1, y1 = (min(max(v, 0.0), 1.0) for v in (x0, y0, x1, y1))
        if x1 - x0 < 1e-3 or y1 - y0 < 1e-3:
            return None
        return CropBox(x0, y0, x1, y1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.label or not self.enabled:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self.band.setGeometry(QRect(self._origin, self._origin))
            self.band.show()
            return True
        if kind == QEvent.Type.MouseMove and self._origin is not None:
            self.band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._origin is not None and event.button() == Qt.MouseButton.LeftButton:
            origin, end = self._origin, event.position().toPoint()
            self._origin = None
            self.band.hide()
            if (end - origin).manhattanLength() >= MIN_DRAG_PX:
                box = self.box_from_points(origin, end)
                if box is not None:
                    self.boxDrawn.emit(box)
            return True
        return False


FED_WORDS = {  # CutOut.method -> what the models were given
    "grabcut": "the object cut out of the rectangle",
    "alpha": "the rectangle, with the picture's own alpha",
    "crop": "the rectangle, cropped (no cut-out)",
}


@dataclass
class Original:
    """The picture as the person gave it (what every crop is taken from)."""

    image: str | np.ndarray
    ground_truth: str | None
    label: str
    thumbnail: np.ndarray


class CropController(QObject):
    """Rectangle -> cut-out on a worker -> a new comparison of the cut-out.

    ``open_image(image, ground_truth, name)`` starts a comparison (the window's), ``workers``
    is a WorkerManager and ``busy`` the window's BusyCounter (the cut counts as busy work);
    ``on_result`` must receive every ComparisonResult the window shows.
    """

    cutReady = Signal(object)  # core.data.cutout.CutOut, before it is reconstructed

    def __init__(self, panel, workers, open_image: Callable[..., Any],
                 report_error: Callable[[str, str, str], Any], busy: BusyCounter | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.panel = panel
        self.workers = workers
        self.open_image = open_image
        self.report_error = report_error
        self.busy = busy
        self.original: Original | None = None
        self.box: CropBox | None = None
        self.cut = None
        self._cut_image: np.ndarray | None = None  # the array handed to open_image: recognises its result
        self._generation = 0
        self.worker = None
        panel.cropDrawn.connect(self.crop)
        panel.wholePictureRequested.connect(self.use_whole_picture)

    # ------------------------------------------------------------------ results
    def on_result(self, result) -> None:
        """Every shown comparison: a cut-out of ours keeps the original on screen; anything else
        becomes the new original."""
        request = result.request
        if self._cut_image is not None and request.image is self._cut_image:
            o = self.original
            self.panel.show_source(_pixmap(o.thumbnail), f"{o.label} · cut out")
            self.panel.set_crop(self.box)
            if self.cut is not None:
                self.panel.show_model_input(result.input_preview, f"{self.cut.note}; then {result.background_note}")
            return
        image = request.image if isinstance(request.image, np.ndarray) else str(request.image)
        self.original = Original(image, request.ground_truth, request.label, result.thumbnail)
        self.box, self.cut, self._cut_image = None, None, None
        self.panel.set_crop(None)
        self.panel.set_crop_enabled(True)
        # no alpha and no plain backdrop: the models saw the whole scene; say what helps
        busy = "whole picture as it is" in (result.background_note or "")
        self.panel.crop_hint.setText(BUSY_HINT if busy else self.panel.CROP_HINT)

    def fed_description(self, request) -> str:
        """What the models were given for ``request``, in a few words (the picture panes'
        caption): our cut-out, the plain crop of the rectangle, or the picture as given."""
        if self._cut_image is None or request.image is not self._cut_image or self.cut is None:
            return "the picture as given"
        return FED_WORDS.get(self.cut.method, "the rectangle of the picture")

    # ------------------------------------------------------------------ actions
    def crop(self, box: CropBox) -> None:
        """Cut the object inside ``box`` out of the original picture, off the UI thread."""
        if self.original is None:
            return
        self._generation += 1
        generation, original = self._generation, self.original
        self.panel.set_crop(box)
        self.panel.crop_hint.setText("Cutting the object out…")
        self.worker = run_task(self.workers, cut_out, original.image, box, busy=self.busy,
                               on_result=lambda cut, g=generation, b=box: self._on_cut(g, b, cut),
                               on_error=self._on_failed)

    def _on_cut(self, generation: int, box: CropBox, cut) -> None:
        if generation != self._generation or self.original is None:
            return  # a newer rectangle (or picture) replaced this one
        self.box, self.cut = box, cut
        self._cut_image = cut.rgba
        self.panel.crop_hint.setText(self.panel.CROP_HINT)
        self.cutReady.emit(cut)
        o = self.original
        self.open_image(cut.rgba, o.ground_truth, f"{Path(o.label).stem} (cut out)")

    def _on_failed(self, message: str, details: str) -> None:
        self.panel.crop_hint.setText(self.panel.CROP_HINT)
        self.panel.set_crop(self.box)
        self.report_error("Cannot cut out the object", message, details)

    def use_whole_picture(self) -> None:
        """Back to the picture as given."""
        if self.original is None:
            return
        self._generation += 1
        o = self.original
        self.box, self.cut, self._cut_image = None, None, None
        self.panel.set_crop(None)
        if isinstance(o.image, np.ndarray):
            self.open_image(o.image, o.ground_truth, o.label)
        else:
            self.open_image(o.image, o.ground_truth)


def _pixmap(rgba: np.ndarray) -> QPixmap:
    from recon_gui.panels.input_panel import array_to_pixmap

    return array_to_pixmap(rgba)
