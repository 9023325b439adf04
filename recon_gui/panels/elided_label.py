"""A one-line label that never asks for more width than it gets: a long title (a file name in
it) is cut with "…" instead of widening its column, so side-by-side panes keep equal sizes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """``text()`` stays the whole text; what is drawn is elided to the width. While the text
    is cut, the tooltip shows it whole (unless a tooltip was set explicitly)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._own_tooltip = ""

    def setToolTip(self, text: str) -> None:
        self._own_tooltip = text
        super().setToolTip(text)

    def shown_text(self) -> str:
        """The text as drawn at the current width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, max(0, self.contentsRect().width()))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())

    def paintEvent(self, _event) -> None:
        shown = self.shown_text()
        if not self._own_tooltip:
            super().setToolTip(self.text() if shown != self.text() else "")
        painter = QPainter(self)
        painter.drawText(self.contentsRect(), int(self.alignment()) | int(Qt.TextFlag.TextSingleLine), shown)
        painter.end()
