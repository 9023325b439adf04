"""Live training curves: loss per step and validation IoU per epoch, redrawn at a few Hz.

Points arrive from progress events far faster than matplotlib can draw, so ``add_point`` only
stores data and marks the plot dirty; a timer redraws at most ``max_fps`` times a second.
That keeps the UI thread responsive while a training floods it with events.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure


class CurvesWidget(QWidget):
    """Two stacked plots: training loss (per step) and validation IoU (per epoch)."""

    LOSS_SERIES = ("train loss", "val loss")
    IOU_SERIES = ("val IoU",)

    def __init__(self, parent: QWidget | None = None, max_fps: float = 4.0):
        super().__init__(parent)
        self.figure = Figure(figsize=(5, 4), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)

        self.loss_axes = self.figure.add_subplot(2, 1, 1)
        self.iou_axes = self.figure.add_subplot(2, 1, 2)
        self.loss_axes.set_ylabel("loss")
        self.loss_axes.set_xlabel("step")
        self.iou_axes.set_ylabel("IoU")
        self.iou_axes.set_xlabel("epoch")
        self._data: dict[str, tuple[list[float], list[float]]] = {}
        self.lines = {}
        for name in self.LOSS_SERIES:
            self._add_series(self.loss_axes, name, "-" if name == "train loss" else "o-")
        for name in self.IOU_SERIES:
            self._add_series(self.iou_axes, name, "o-")
        self.redraw_count = 0
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(1000 / max_fps)))
        self._timer.timeout.connect(self._redraw_if_dirty)
        self._timer.start()

    def _add_series(self, axes, name: str, style: str) -> None:
        (line,) = axes.plot([], [], style, label=name, markersize=3)
        self.lines[name] = line
        self._data[name] = ([], [])

    def add_point(self, series: str, x: float, y: float) -> None:
        """Store one point; the plot catches up on the next timer tick."""
        xs, ys = self._data[series]
        xs.append(float(x))
        ys.append(float(y))
        self._dirty = True

    def series(self, name: str) -> tuple[list[float], list[float]]:
        return self._data[name]

    def clear(self) -> None:
        for xs, ys in self._data.values():
            xs.clear()
            ys.clear()
        self._dirty = True
        self.flush()

    def flush(self) -> None:
        """Redraw now (end of a run, or tests that want the canvas current)."""
        self._dirty = True
        self._redraw_if_dirty()

    def _redraw_if_dirty(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        for name, line in self.lines.items():
            line.set_data(*self._data[name])
        for axes in (self.loss_axes, self.iou_axes):
            axes.relim()
            axes.autoscale_view()
            handles = [h for h in axes.get_lines() if len(h.get_xdata())]
            if handles:
                axes.legend(handles=handles, loc="best", fontsize="small")
        self.canvas.draw_idle()
        self.redraw_count += 1
