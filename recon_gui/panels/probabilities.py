"""Class probabilities as horizontal bars, most likely class first (custom painted: no
matplotlib figure to lay out, and it follows the palette), with a plain warning above them
when the classifier is unsure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from recon_gui.theme import LIGHT, Theme

ROW_HEIGHT = 18
LABEL_WIDTH = 96
VALUE_WIDTH = 48
BANNER_HEIGHT = 36  # at least; more when the warning wraps onto more lines
BANNER_COLOUR = "#f6c453"  # amber: a caution, not an error
BANNER_TEXT_COLOUR = "#2a2100"

# When to say "unsure". Measured with the demo proposed model on the 312 gallery renders (the
# kind of picture it was trained on; 94 % classified right): 95 % have a top probability of at
# least 0.50, 99 % a normalised entropy below 0.47. Below 0.5, or above 0.5 entropy, the
# picture is outside what the model usually sees; 37 % of its wrong answers on the gallery
# and 3 % of its right ones fall there.
UNSURE_TOP = 0.5
UNSURE_ENTROPY = 0.5


@dataclass(frozen=True)
class Confidence:
    """How sure the classifier is of one answer."""

    top_class: str
    top: float  # probability of the top class
    entropy: float  # normalised: 0 = one class certain, 1 = all classes equally likely
    unsure: bool

    def message(self) -> str:
        """One line for the person, empty when the model is sure."""
        if not self.unsure:
            return ""
        return (f"Unsure: {self.top_class} only {self.top:.0%} (entropy {self.entropy:.2f}). "
                "The picture may be unlike what the model knows.")


def assess(probabilities: dict[str, float]) -> Confidence | None:
    """Top probability and normalised entropy of ``{class: p}`` (renormalised; non-finite or
    negative values count as 0); None for no classes or no probability mass."""
    if not probabilities:
        return None
    names = list(probabilities)
    p = np.nan_to_num(np.asarray([float(probabilities[n]) for n in names], dtype=np.float64),
                      nan=0.0, posinf=0.0, neginf=0.0).clip(min=0.0)
    total = p.sum()
    if total <= 0:
        return None
    p = p / total
    i = int(p.argmax())
    nz = p[p > 0]
    entropy = float(-(nz * np.log(nz)).sum() / math.log(len(p))) if len(p) > 1 else 0.0
    top = float(p[i])
    return Confidence(names[i], top, entropy, top < UNSURE_TOP or entropy > UNSURE_ENTROPY)


class ProbabilityChart(QWidget):
    """``set_probabilities({class: p})`` shows the ``top_k`` most likely classes, sorted."""

    def __init__(self, theme: Theme = LIGHT, top_k: int = 13, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.top_k = top_k
        self._rows: list[tuple[str, float]] = []
        self._message = "No prediction yet"
        self.true_class: str | None = None
        self.confidence: Confidence | None = None
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
            self.confidence = assess(probabilities)
            lines = [f"{n}: {p:.1%}" + ("  (true class)" if n == true_class else "") for n, p in ranked]
            if self.confidence is not None:
                lines.insert(0, self.confidence.message() or f"normalised entropy {self.confidence.entropy:.2f}")
            self.setToolTip("\n".join(lines))
        else:
            self._rows = []
            self.confidence = None
            self._message = message or "No class probabilities"
            self.setToolTip(self._message)
        self.updateGeometry()
        self.update()

    def displayed_classes(self) -> list[str]:
        """The class names drawn, top to bottom."""
        return [name for name, _ in self._rows]

    def displayed_rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    @property
    def unsure_message(self) -> str:
        """The warning shown above the bars ("" when the model is sure or there is nothing)."""
        return self.confidence.message() if self.confidence is not None else ""

    def _banner_height(self) -> int:
        """Enough for the wrapped warning at the current width (0 without one)."""
        text = self.unsure_message
        if not text:
            return 0
        width = max(120, (self.width() if self.width() > 20 else 260) - 16)
        needed = self.fontMetrics().boundingRect(QRect(0, 0, width, 1000), int(Qt.TextFlag.TextWordWrap), text).height()
        return max(BANNER_HEIGHT, needed + 12)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.unsure_message:
            self.updateGeometry()  # the warning wraps differently: ask for the height it needs

    def sizeHint(self) -> QSize:
        return QSize(260, max(3, len(self._rows)) * ROW_HEIGHT + 8 + self._banner_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(180, 3 * ROW_HEIGHT)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if not self._rows:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            return
        width = self.width()
        top = self._banner_height()
        if top:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(BANNER_COLOUR))
            banner = QRectF(2, 2, width - 4, top - 4)
            painter.drawRoundedRect(banner, 4, 4)
            painter.setPen(QColor(BANNER_TEXT_COLOUR))
            painter.drawText(banner.adjusted(6, 0, -6, 0),
                             int(Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap), self.unsure_message)
        bar_width = max(10, width - LABEL_WIDTH - VALUE_WIDTH - 12)
        for i, (name, p) in enumerate(self._rows):
            y = top + 4 + i * ROW_HEIGHT
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
