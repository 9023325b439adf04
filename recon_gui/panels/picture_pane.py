"""The input picture as a pane of the comparison, for pictures that have no ground truth."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from recon_gui.panels.elided_label import ElidedLabel
from recon_gui.state import FIXED_TITLES
from recon_gui.theme import Theme


class PicturePane(QWidget):
    """The input picture, scaled to fit, under a title like the 3D views' (shown without ground truth)."""

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.pixmap: QPixmap | None = None
        self.title_label = ElidedLabel(FIXED_TITLES["input"])
        self.title_label.setStyleSheet("font-weight: 600;")
        self.caption = ElidedLabel("no ground truth for this picture")
        self.caption.setObjectName("iouLabel")
        self.canvas = QWidget(self)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.paintEvent = self._paint_canvas
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)

    def set_picture(self, pixmap: QPixmap | None) -> None:
        self.pixmap = pixmap
        self.canvas.update()

    def picture_rect(self):
        """Where the picture is drawn inside the canvas (aspect kept, centred)."""
        if self.pixmap is None or self.pixmap.isNull():
            return QRect()
        size = self.pixmap.size().scaled(self.canvas.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRect((self.canvas.width() - size.width()) // 2, (self.canvas.height() - size.height()) // 2,
                     size.width(), size.height())

    def _paint_canvas(self, _event) -> None:
        painter = QPainter(self.canvas)
        painter.fillRect(self.canvas.rect(), QColor(self.theme.background_3d))
        if self.pixmap is not None and not self.pixmap.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawPixmap(self.picture_rect(), self.pixmap)
        painter.end()
