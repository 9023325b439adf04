"""Live training curves: loss per step and validation IoU per epoch.

Painted with QPainter rather than matplotlib: a matplotlib redraw of two small axes costs
60-200 ms of UI-thread time on a busy 2-core machine (bench/bench_ui_latency.py), which
shows as a stuttering window while a training runs; a QPainter polyline costs about a
millisecond. Points arrive faster than anyone can watch, so ``add_point`` only stores data
and a timer repaints at most ``max_fps`` times a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


@dataclass
class Series:
    name: str
    color: str
    markers: bool
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)


def nice_ticks(lo: float, hi: float, target: int = 5, integer: bool = False) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]; whole numbers if ``integer``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, target)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _label(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e7:
        return str(int(v))
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.2e}"


def envelope(xs: list[float], ys: list[float], columns: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ~2 points per pixel column: each bucket's min and max, so a noisy loss keeps
    its band while a 100k-step run paints as fast as a short one."""
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) <= 2 * max(1, columns):
        return x, y
    k = math.ceil(len(x) / columns)
    n = len(x) // k * k
    xb, yb = x[:n].reshape(-1, k), y[:n].reshape(-1, k)
    mid = xb.mean(axis=1)
    lo, hi = yb.min(axis=1), yb.max(axis=1)
    ex = np.repeat(mid, 2)
    ey = np.column_stack([lo, hi]).ravel()
    if n < len(x):
        ex, ey = np.append(ex, x[-1]), np.append(ey, y[-1])
    return ex, ey


class LinePlot(QWidget):
    """One axes box with autoscaled x/y, ticks, polylines (markers for sparse series), legend."""

    def __init__(self, xlabel: str, ylabel: str, y_floor: float | None = None, integer_x: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.xlabel, self.ylabel, self.y_floor, self.integer_x = xlabel, ylabel, y_floor, integer_x
        self.series: dict[str, Series] = {}
        self.drawn_points: dict[str, int] = {}
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def add_series(self, name: str, markers: bool = False) -> None:
        self.series[name] = Series(name, PALETTE[len(self.series) % len(PALETTE)], markers)

    def _bounds(self) -> tuple[float, float, float, float] | None:
        xs = [x for s in self.series.values() for x in s.xs]
        ys = [y for s in self.series.values() for y in s.ys if math.isfinite(y)]
        if not xs or not ys:
            return None
        x0, x1 = min(xs), max(xs)
        y0, y1 = min(ys), max(ys)
        if self.y_floor is not None:
            y0 = min(y0, self.y_floor)
        if x1 - x0 < 1e-12:
            x0, x1 = x0 - 0.5, x1 + 0.5
        if y1 - y0 < 1e-12:
            pad = abs(y1) * 0.1 or 0.5
            y0, y1 = y0 - pad, y1 + pad
        pad = (y1 - y0) * 0.05
        return x0, x1, y0 - (pad if self.y_floor is None or y0 < self.y_floor else 0.0), y1 + pad

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        text_pen = QPen(self.palette().text().color())
        left, bottom, top = fm.horizontalAdvance("0.0000") + fm.height() + 8, fm.height() * 2 + 6, fm.height() + 8
        right_pad = fm.horizontalAdvance("00000") // 2 + 4
        plot = QRectF(left, top, max(10, self.width() - left - right_pad), max(10, self.height() - bottom - top))
        self._paint_legend(p, fm, plot, text_pen)
        p.setPen(QPen(QColor("#888888")))
        p.drawRect(plot)
        p.setPen(text_pen)
        p.drawText(QRectF(plot.left(), self.height() - fm.height() - 2, plot.width(), fm.height()), Qt.AlignmentFlag.AlignHCenter, self.xlabel)
        p.save()
        p.translate(2, plot.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), Qt.AlignmentFlag.AlignHCenter, self.ylabel)
        p.restore()

        bounds = self._bounds()
        self.drawn_points = {name: 0 for name in self.series}
        if bounds is None:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no data yet")
            p.end()
            return
        x0, x1, y0, y1 = bounds
        sx = plot.width() / (x1 - x0)
        sy = plot.height() / (y1 - y0)

        grid = QPen(QColor("#e4e4e4"))
        for t in nice_ticks(x0, x1, integer=self.integer_x):
            px = plot.left() + (t - x0) * sx
            p.setPen(grid)
            p.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()))
            p.setPen(text_pen)
            p.drawText(QRectF(px - 40, plot.bottom() + 2, 80, fm.height()), Qt.AlignmentFlag.AlignHCenter, _label(t))
        for t in nice_ticks(y0, y1):
            py = plot.bottom() - (t - y0) * sy
            p.setPen(grid)
            p.drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py))
            p.setPen(text_pen)
            p.drawText(QRectF(0, py - fm.height() / 2, left - 4, fm.height()), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _label(t))

        p.setClipRect(plot.adjusted(-4, -4, 4, 4))
        for s in self.series.values():
            if not s.xs:
                continue
            ex, ey = envelope(s.xs, s.ys, int(plot.width()))
            px = plot.left() + (ex - x0) * sx
            py = plot.bottom() - (ey - y0) * sy
            pts = [QPointF(a, b) for a, b in zip(px.tolist(), py.tolist())]
            pen = QPen(QColor(s.color))
            pen.setWidthF(1.5)
            p.setPen(pen)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, len(pts) < 300)  # dense bands: speed over smoothness
            p.drawPolyline(QPolygonF(pts))
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if s.markers or len(pts) == 1:
                p.setBrush(QColor(s.color))
                for pt in pts:
                    p.drawEllipse(pt, 2.5, 2.5)
                p.setBrush(Qt.BrushStyle.NoBrush)
            self.drawn_points[s.name] = len(pts)
        p.end()

    def _paint_legend(self, p: QPainter, fm: QFontMetrics, plot: QRectF, text_pen: QPen) -> None:
        """Legend in the strip above the axes, right-aligned, with each series' latest value."""
        x = plot.right()
        y = plot.top() - fm.height() - 4
        for s in reversed(list(self.series.values())):
            if not s.ys:
                continue
            text = f"{s.name}: {_label(s.ys[-1])}"
            w = fm.horizontalAdvance(text)
            x -= w
            p.setPen(text_pen)
            p.drawText(QRectF(x, y, w + 2, fm.height()), Qt.AlignmentFlag.AlignLeft, text)
            pen = QPen(QColor(s.color))
            pen.setWidthF(2.0)
            p.setPen(pen)
            p.drawLine(QPointF(x - 18, y + fm.height() / 2), QPointF(x - 4, y + fm.height() / 2))
            x -= 30


class CurvesWidget(QWidget):
    """Two stacked plots: loss per step (train, and val at epoch ends) and validation IoU per epoch."""

    def __init__(self, parent: QWidget | None = None, max_fps: float = 4.0):
        super().__init__(parent)
        self.loss_plot = LinePlot("step", "loss", integer_x=True)
        self.iou_plot = LinePlot("epoch", "IoU", y_floor=0.0, integer_x=True)
        self.loss_plot.add_series("train loss")
        self.loss_plot.add_series("val loss", markers=True)
        self.iou_plot.add_series("val IoU", markers=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.iou_plot, 2)
        self._plots = {name: plot for plot in (self.loss_plot, self.iou_plot) for name in plot.series}
        self.redraw_count = 0
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(1000 / max_fps)))
        self._timer.timeout.connect(self._redraw_if_dirty)
        self._timer.start()

    def add_point(self, series: str, x: float, y: float) -> None:
        """Store one point; the plot catches up on the next timer tick."""
        s = self._plots[series].series[series]
        s.xs.append(float(x))
        s.ys.append(float(y))
        self._dirty = True

    def add_points(self, series: str, xs, ys) -> None:
        """Store many points at once (a resumed run's history)."""
        s = self._plots[series].series[series]
        s.xs.extend(float(x) for x in xs)
        s.ys.extend(float(y) for y in ys)
        self._dirty = True

    def series(self, name: str) -> tuple[list[float], list[float]]:
        s = self._plots[name].series[name]
        return s.xs, s.ys

    def drawn_points(self, name: str) -> int:
        """How many points of ``name`` the last paint drew (0 before the first paint)."""
        return self._plots[name].drawn_points.get(name, 0)

    def clear(self) -> None:
        for plot in (self.loss_plot, self.iou_plot):
            for s in plot.series.values():
                s.xs.clear()
                s.ys.clear()
        self.flush()

    def flush(self) -> None:
        """Repaint now (end of a run; tests that want the picture current)."""
        self._dirty = True
        self._redraw_if_dirty()
        for plot in (self.loss_plot, self.iou_plot):
            plot.repaint()

    def _redraw_if_dirty(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.loss_plot.update()
        self.iou_plot.update()
        self.redraw_count += 1
