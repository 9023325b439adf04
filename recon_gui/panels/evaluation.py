"""Evaluation results view: core's EvalReport as a per-class table and a bar chart.

The numbers come from ``core.evaluate``; this widget only lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass
class TableRow:
    """One table row as displayed: a class (or an average) and its numbers."""

    label: str
    n: int | None
    iou: dict[float, float]  # threshold -> model IoU
    mean_shape: dict[float, float]  # threshold -> IoU of the class-mean shape (empty if not run)
    accuracy: float | None


def main_threshold(thresholds: list[float]) -> float:
    """The threshold the paper tables quote (0.4), else the middle one: as ``format_report``."""
    return 0.4 if 0.4 in thresholds else thresholds[len(thresholds) // 2]


def rows_from_report(report: Any) -> tuple[list[TableRow], list[TableRow], list[float]]:
    """(per-class rows, the two averages, thresholds) from a ``core.evaluate.EvalReport``."""
    thresholds = [float(t) for t in report.thresholds]
    key = lambda t: f"{t:g}"
    model, ref = report.model_row, report.mean_shape_row
    rows = []
    for c in report.classes:
        rows.append(TableRow(
            c,
            report.objects_per_class.get(c),
            {t: model.per_class[c][key(t)] for t in thresholds},
            {t: ref.per_class[c][key(t)] for t in thresholds} if ref else {},
            model.class_accuracy.get(c) if model.class_accuracy else None,
        ))
    summary = [
        TableRow("mean (class avg)", sum(report.objects_per_class.values()),
                 {t: model.class_mean[key(t)] for t in thresholds},
                 {t: ref.class_mean[key(t)] for t in thresholds} if ref else {}, model.class_mean_accuracy),
        TableRow("mean (instance avg)", sum(report.objects_per_class.values()),
                 {t: model.instance_mean[key(t)] for t in thresholds},
                 {t: ref.instance_mean[key(t)] for t in thresholds} if ref else {}, model.accuracy),
    ]
    return rows, summary, thresholds


def _fmt(v: float | None) -> str:
    return "—" if v is None or math.isnan(v) else f"{v:.3f}"


class EvaluationView(QWidget):
    """Table (class, n, IoU@t…, mean-shape IoU, accuracy) and a per-class IoU bar chart.

    Headers break onto two lines and the table asks for exactly the width of its columns
    (``needed_width``), so a dock can make room for it instead of scrolling sideways."""

    reportShown = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("No evaluation yet")
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.threshold_combo = QComboBox()
        self.threshold_combo.currentIndexChanged.connect(self._draw_chart)
        self.figure = Figure(figsize=(5, 3), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.axes = self.figure.add_subplot(1, 1, 1)
        self.table.setMinimumHeight(160)
        self.canvas.setMinimumHeight(320)

        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("the full report as JSON (core.evaluate.EvalReport.save)")
        self.save_button.clicked.connect(self._choose_save_path)

        chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chart threshold"))
        row.addWidget(self.threshold_combo)
        row.addStretch(1)
        row.addWidget(self.save_button)
        cl.addLayout(row)
        cl.addWidget(self.canvas)

        # classification quality of models with a classifier (the proposed model)
        self.confusion_figure = Figure(figsize=(5, 4), tight_layout=True)
        self.confusion_canvas = FigureCanvasQTAgg(self.confusion_figure)
        self.confusion_canvas.setMinimumHeight(320)
        self.tabs = QTabWidget()
        self.tabs.addTab(chart_box, "IoU per class")
        self.tabs.addTab(self.confusion_canvas, "Confusion")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        self.results = splitter  # hidden until there is a report to show
        self.results.setVisible(False)
        self.rows: list[TableRow] = []
        self.summary: list[TableRow] = []
        self.thresholds: list[float] = []
        self.report: Any = None

    def set_report(self, report: Any, title: str | None = None) -> None:
        self.report = report
        self.rows, self.summary, self.thresholds = rows_from_report(report)
        self.results.setVisible(True)
        lines = [title or "Evaluation"] + [f"warning: {w}" for w in report.warnings]
        self.title.setText("\n".join(lines))
        headers = (["class", "objects"] + [f"IoU\n@{t:g}" for t in self.thresholds]
                   + [f"mean shape\nIoU@{main_threshold(self.thresholds):g}", "accu-\nracy"])
        all_rows = self.rows + self.summary
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(all_rows))
        for i, r in enumerate(all_rows):
            cells = [r.label, "" if r.n is None else str(r.n)]
            cells += [_fmt(r.iou.get(t)) for t in self.thresholds]
            cells += [_fmt(r.mean_shape.get(main_threshold(self.thresholds))), _fmt(r.accuracy)]
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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumWidth(self.needed_width())
        self.threshold_combo.blockSignals(True)
        self.threshold_combo.clear()
        self.threshold_combo.addItems([f"{t:g}" for t in self.thresholds])
        if 0.4 in self.thresholds:
            self.threshold_combo.setCurrentIndex(self.thresholds.index(0.4))
        self.threshold_combo.blockSignals(False)
        self._draw_chart()
        self._draw_confusion()
        self.reportShown.emit()

    def needed_width(self) -> int:
        """Pixels the table needs to show every column whole (no sideways scrolling)."""
        table = self.table
        columns = sum(table.horizontalHeader().sectionSizeHint(j) for j in range(table.columnCount()))
        columns = max(columns, sum(table.sizeHintForColumn(j) for j in range(table.columnCount())))
        return columns + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width() + 4

    def _draw_chart(self) -> None:
        self.axes.clear()
        if not self.rows or not self.thresholds:
            self.canvas.draw_idle()
            return
        t = self.thresholds[max(0, self.threshold_combo.currentIndex())]
        labels = [r.label for r in self.rows]
        ys = list(range(len(labels)))  # horizontal bars: class names stay readable in a narrow dock
        model = [r.iou.get(t, math.nan) for r in self.rows]
        height = 0.4
        self.axes.barh([y - height / 2 for y in ys], model, height, label="model")
        if any(r.mean_shape for r in self.rows):
            ref = [r.mean_shape.get(t, math.nan) for r in self.rows]
            self.axes.barh([y + height / 2 for y in ys], ref, height, label="mean shape")
        self.axes.set_yticks(ys)
        self.axes.set_yticklabels(labels, fontsize="small")
        self.axes.invert_yaxis()  # first class on top, as in the table
        self.axes.set_xlim(0, 1)
        self.axes.set_xlabel(f"IoU at threshold {t:g}")
        self.axes.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        self.canvas.draw_idle()

    def _draw_confusion(self) -> None:
        """Row-normalised confusion matrix (true class → predicted class), or why there is none."""
        fig = self.confusion_figure
        fig.clear()
        conf = np.asarray(self.report.confusion if self.report is not None and self.report.confusion else [])
        self.tabs.setTabEnabled(1, conf.size > 0)
        if conf.size == 0:
            self.confusion_canvas.draw_idle()
            return
        totals = conf.sum(axis=1, keepdims=True)
        rates = np.divide(conf, totals, out=np.zeros(conf.shape, dtype=float), where=totals > 0)
        ax = fig.add_subplot(1, 1, 1)
        image = ax.imshow(rates, vmin=0, vmax=1, cmap="Blues")
        names = list(self.report.classes)
        ax.set_xticks(range(len(names)))
        ax.set_yticks(range(len(names)))
        ax.set_xticklabels(names, rotation=90, fontsize="x-small")
        ax.set_yticklabels(names, fontsize="x-small")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
        self.confusion_canvas.draw_idle()

    def _choose_save_path(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save evaluation report", "evaluation.json", "JSON (*.json)")
        if path:
            self.save_report(path)

    def save_report(self, path: str | Path) -> Path:
        return self.report.save(path)

    def bar_values(self) -> list[float]:
        """Lengths of the model bars, in table order (for tests and read-outs)."""
        return [p.get_width() for p in self.axes.patches[: len(self.rows)]]
