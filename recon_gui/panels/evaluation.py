"""Evaluation results view: core's EvalReport as a per-class table and a bar chart.

The numbers come from ``core.evaluate``; this widget only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure


@dataclass
class EvalRow:
    """One table row as displayed: a class (or an average) and its numbers."""

    label: str
    n: int | None
    iou: dict[float, float]  # threshold -> IoU
    mean_shape_iou: float | None
    accuracy: float | None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def _iou_map(obj: Any) -> dict[float, float]:
    iou = _get(obj, "iou", "ious", default={}) or {}
    return {float(t): float(v) for t, v in dict(iou).items()}


def rows_from_report(report: Any) -> tuple[list[EvalRow], list[EvalRow], list[float]]:
    """(per-class rows, summary rows, thresholds) from an EvalReport."""
    thresholds = [float(t) for t in _get(report, "thresholds", default=(0.3, 0.4, 0.5))]
    per_class = _get(report, "per_class", "classes_report", default={}) or {}
    items = per_class.items() if isinstance(per_class, dict) else [(_get(r, "class_name", "name"), r) for r in per_class]
    rows = [
        EvalRow(str(name), _get(r, "n", "count"), _iou_map(r), _get(r, "mean_shape_iou"), _get(r, "accuracy"))
        for name, r in items
    ]
    summary = []
    for label, attr in (("class average", "class_average"), ("instance average", "instance_average")):
        r = _get(report, attr)
        if r is not None:
            summary.append(EvalRow(label, _get(r, "n", "count"), _iou_map(r), _get(r, "mean_shape_iou"), _get(r, "accuracy")))
    return rows, summary, thresholds


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


class EvaluationView(QWidget):
    """Table (class, n, IoU@t…, mean-shape IoU, accuracy) and a per-class IoU bar chart."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("No evaluation yet")
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        self.threshold_combo = QComboBox()
        self.threshold_combo.currentIndexChanged.connect(self._draw_chart)
        self.figure = Figure(figsize=(5, 3), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.axes = self.figure.add_subplot(1, 1, 1)

        chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chart threshold"))
        row.addWidget(self.threshold_combo)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addWidget(self.canvas)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(chart_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter)
        self.rows: list[EvalRow] = []
        self.summary: list[EvalRow] = []
        self.thresholds: list[float] = []
        self.report: Any = None

    def set_report(self, report: Any, title: str | None = None) -> None:
        self.report = report
        self.rows, self.summary, self.thresholds = rows_from_report(report)
        self.title.setText(title or "Evaluation")
        headers = ["class", "n"] + [f"IoU@{t:g}" for t in self.thresholds] + ["mean-shape IoU", "accuracy"]
        all_rows = self.rows + self.summary
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(all_rows))
        for i, r in enumerate(all_rows):
            cells = [r.label, "" if r.n is None else str(r.n)]
            cells += [_fmt(r.iou.get(t)) for t in self.thresholds]
            cells += [_fmt(r.mean_shape_iou), _fmt(r.accuracy)]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if i >= len(self.rows):
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.threshold_combo.blockSignals(True)
        self.threshold_combo.clear()
        self.threshold_combo.addItems([f"{t:g}" for t in self.thresholds])
        if 0.4 in self.thresholds:
            self.threshold_combo.setCurrentIndex(self.thresholds.index(0.4))
        self.threshold_combo.blockSignals(False)
        self._draw_chart()

    def _draw_chart(self) -> None:
        self.axes.clear()
        if not self.rows or not self.thresholds:
            self.canvas.draw_idle()
            return
        t = self.thresholds[max(0, self.threshold_combo.currentIndex())]
        labels = [r.label for r in self.rows]
        xs = list(range(len(labels)))
        model = [r.iou.get(t, 0.0) or 0.0 for r in self.rows]
        width = 0.4
        self.axes.bar([x - width / 2 for x in xs], model, width, label=f"model IoU@{t:g}")
        mean_shape = [r.mean_shape_iou for r in self.rows]
        if any(v is not None for v in mean_shape):
            self.axes.bar([x + width / 2 for x in xs], [v or 0.0 for v in mean_shape], width, label="mean shape")
        self.axes.set_xticks(xs)
        self.axes.set_xticklabels(labels, rotation=45, ha="right", fontsize="small")
        self.axes.set_ylim(0, 1)
        self.axes.set_ylabel("IoU")
        self.axes.legend(fontsize="small")
        self.canvas.draw_idle()

    def bar_heights(self) -> list[float]:
        """Heights of the model bars (for tests and accessibility read-outs)."""
        return [p.get_height() for p in self.axes.patches[: len(self.rows)]]
