"""Class probabilities as horizontal bars, most likely class first (custom painted: no
matplotlib figure to lay out, and it follows the palette)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from recon_gui.theme import LIGHT, Theme

ROW_HEIGHT = 18
LABEL_WIDTH = 96
VALUE_WIDTH = 48


class ProbabilityChart(QWidget):
    """``set_probabilities({class: p})`` shows the ``top_k`` most likely classes, sorted."""

    def __init__(self, theme: Theme = LIGHT, top_k: int = 13, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.top_k = top_k
        self._rows: list[tuple[str, float]] = []
        self._message = "No prediction yet"
        self.true_class: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setToolTip("Class probabilities of the proposed model's classifier")

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_probabilities(self, probabilities: dict[str, float] | None, message: str = "",
                          true_class: str | None = None) -> None:
        """``true_class`` (known for data set items) is marked with a ✓ after its name."""
        self.true_class = true_class
        if probabilities:
            ranked = sorted(probabilities.items(), key=lambda kv: kv[1], reverse=True)
            self._rows = [(name, float(p)) for name, p in ranked[: self.top_k]]
            self._message = ""
            lines = [f"{n}: {p:.1%}" + ("  (true class)" if n == true_class else "") for n, p in ranked]
            self.setToolTip("\n".join(lines))
        else:
            self._rows = []
            self._message = message or "No class probabilities"
            self.setToolTip(self._message)
        self.updateGeometry()
        self.update()

    def displayed_classes(self) -> list[str]:
        """The class names drawn, top to bottom."""
        return [name for name, _ in self._rows]

    def displayed_rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(260, max(3, len(self._rows)) * ROW_HEIGHT + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(180, 3 * ROW_HEIGHT)

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if not self._rows:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            return
        width = self.width()
        bar_width = max(10, width - LABEL_WIDTH - VALUE_WIDTH - 12)
        for i, (name, p) in enumerate(self._rows):
            y = 4 + i * ROW_HEIGHT
            painter.setPen(text)
            label = f"{name} ✓" if name == self.true_class else name
            painter.drawText(QRectF(0, y, LABEL_WIDTH - 6, ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            colour = QColor(self.theme.bar_highlight if i == 0 else self.theme.bar_colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(LABEL_WIDTH, y + 3, max(1.0, bar_width * p), ROW_HEIGHT - 6), 2, 2)
            painter.setPen(text)
            painter.drawText(QRectF(LABEL_WIDTH + bar_width + 6, y, VALUE_WIDTH, ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, f"{p:.1%}")
