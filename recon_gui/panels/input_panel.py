"""The image side: what was brought in (a rectangle drawn on it picks the object), what the
model actually sees, and the sample gallery."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from recon_gui.resources import Sample

PREVIEW_SIDE = 127
THUMB_SIDE = 64
CROP_COLOUR = "#ff8c1a"  # the drawn rectangle: orange reads on photos, renders and white alike


def array_to_pixmap(rgb: np.ndarray) -> QPixmap:
    """uint8 (H,W,3|4) -> QPixmap (copied, so the array may be freed)."""
    a = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = a.shape[:2]
    fmt = QImage.Format.Format_RGBA8888 if a.ndim == 3 and a.shape[2] == 4 else QImage.Format.Format_RGB888
    if a.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    image = QImage(a.data, w, h, a.strides[0], fmt)
    return QPixmap.fromImage(image.copy())


class InputPanel(QWidget):
    """Shows the source picture and the 127×127 model input; emits ``sampleClicked`` from the gallery."""

    sampleClicked = Signal(str, str)  # image path, binvox path ("" when unknown)
    cropDrawn = Signal(object)  # core.data.cutout.CropBox: a rectangle drawn on the picture
    wholePictureRequested = Signal()
    CROP_HINT = "Drag a rectangle around the object to cut it out"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.source_label = QLabel("Drop an image here\nor press Ctrl+O / Ctrl+V")
        self.source_label.setObjectName("dropZone")
        self.source_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.source_label.setMinimumSize(150, 150)
        self.set_drop_highlight(False)
        self.source_label.setToolTip("The picture as given: drag and drop an image file onto the window, "
                                     "paste one (Ctrl+V), open one (Ctrl+O) or pick a sample below")
        self.source_caption = QLabel("")
        self.source_caption.setWordWrap(True)
        self._source_pixmap: QPixmap | None = None
        self.crop_box = None
        from recon_gui.panels.crop import CropSelector

        self.crop_selector = CropSelector(self.source_label)
        self.crop_selector.boxDrawn.connect(self.cropDrawn)
        self.crop_hint = QLabel(self.CROP_HINT)
        self.crop_hint.setObjectName("cropHint")
        self.crop_hint.setWordWrap(True)
        self.crop_hint.setEnabled(False)
        self.whole_button = QPushButton("Whole picture")
        self.whole_button.setToolTip("Forget the rectangle: reconstruct the picture as given")
        self.whole_button.setEnabled(False)
        self.whole_button.clicked.connect(self.wholePictureRequested)

        self.preview_label = QLabel("")
        self.preview_label.setObjectName("modelInput")
        self.preview_label.setFixedSize(PREVIEW_SIDE + 4, PREVIEW_SIDE + 4)
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setToolTip("Exactly what the models see: 127×127, object centred, composited over white")
        self.note_label = QLabel("")
        self.note_label.setObjectName("backgroundNote")
        self.note_label.setWordWrap(True)

        source_box = QGroupBox("Image")
        sl = QVBoxLayout(source_box)
        sl.addWidget(self.source_label, 1)
        sl.addWidget(self.source_caption)
        crop_row = QHBoxLayout()
        crop_row.addWidget(self.crop_hint, 1)
        crop_row.addWidget(self.whole_button, 0)
        sl.addLayout(crop_row)
        preview_box = QGroupBox("Model input")
        pl = QVBoxLayout(preview_box)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.preview_label)
        row.addStretch(1)
        pl.addLayout(row)
        pl.addWidget(self.note_label)

        self.gallery = QListWidget()
        self.gallery.setObjectName("gallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.gallery.setAcceptDrops(False)
        self.gallery.setWordWrap(True)
        self.gallery.setGridSize(QSize(THUMB_SIDE + 22, THUMB_SIDE + 28))
        self.gallery.setToolTip("Sample photos, then renders with ground truth: click one to reconstruct it")
        self.gallery.itemClicked.connect(self._emit_sample)
        self.gallery.itemActivated.connect(self._emit_sample)
        gallery_box = QGroupBox("Samples")
        gl = QVBoxLayout(gallery_box)
        gl.addWidget(self.gallery)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(source_box, 2)
        layout.addWidget(preview_box, 0)
        layout.addWidget(gallery_box, 2)

    def set_drop_highlight(self, on: bool) -> None:
        """A solid highlighted border while something is dragged over the window."""
        style = "2px solid palette(highlight)" if on else "2px dashed palette(mid)"
        self.source_label.setStyleSheet(f"#dropZone {{ border: {style}; border-radius: 6px; }}")
        self.drop_highlighted = on

    def set_samples(self, samples: list[Sample]) -> None:
        self.gallery.clear()
        for sample in samples:
            item = QListWidgetItem(QIcon(str(sample.image)), sample.label)
            item.setData(Qt.ItemDataRole.UserRole, (str(sample.image), str(sample.binvox or "")))
            item.setToolTip(sample.tip or str(sample.image))
            self.gallery.addItem(item)

    def _emit_sample(self, item: QListWidgetItem) -> None:
        image, binvox = item.data(Qt.ItemDataRole.UserRole)
        self.sampleClicked.emit(image, binvox)

    def show_source(self, pixmap: QPixmap | None, caption: str) -> None:
        self._source_pixmap = None if pixmap is None or pixmap.isNull() else pixmap
        self._render_source()
        self.source_caption.setText(caption)

    def set_crop(self, box) -> None:
        """Draw ``box`` (a CropBox; None: no rectangle) on the shown picture."""
        self.crop_box = box
        self.whole_button.setEnabled(box is not None)
        self._render_source()

    def set_crop_enabled(self, on: bool) -> None:
        """Rectangles can be drawn once a picture is shown."""
        self.crop_selector.set_enabled(on)
        self.crop_hint.setEnabled(on)

    def _render_source(self) -> None:
        pixmap = self._source_pixmap
        if pixmap is None:
            self.source_label.setPixmap(QPixmap())
            self.source_label.setText("(no preview)")
            return
        side = max(120, min(self.source_label.width(), self.source_label.height()) - 8)
        shown = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        if self.crop_box is not None:
            b = self.crop_box
            painter = QPainter(shown)
            painter.setPen(QPen(QColor(CROP_COLOUR), 2))
            w, h = shown.width() / shown.devicePixelRatio(), shown.height() / shown.devicePixelRatio()
            painter.drawRect(QRectF(b.x0 * w + 1, b.y0 * h + 1, (b.x1 - b.x0) * w - 2, (b.y1 - b.y0) * h - 2))
            painter.end()
        self.source_label.setPixmap(shown)

    def show_model_input(self, preview: np.ndarray | None, note: str) -> None:
        if preview is None:
            self.preview_label.setPixmap(QPixmap())
        else:
            self.preview_label.setPixmap(array_to_pixmap(preview))
        self.note_label.setText(note)


def qimage_to_array(image: QImage) -> np.ndarray:
    """A QImage (any format) -> uint8 (H, W, 4) RGBA array (copied)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = rgba.width(), rgba.height()
    buffer = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    return buffer.reshape(h, rgba.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()
