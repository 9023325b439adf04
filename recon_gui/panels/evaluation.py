"""Evaluation results view: core's EvalReport as a per-class table and a bar chart.

The numbers come from ``core.evaluate``; this widget only lays them out.
"""

from __future__ import annotations

import math
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


def _classes_shown(report: Any) -> list[str]:
    """The classes of the report present in the data set (a partial download lacks some)."""
    missing = set(getattr(report, "missing_classes", ()) or ())
    return [c for c in report.classes if c not in missing]


class EvaluationView(QWidget):
    """Table (class, n, IoU@t…, mean-shape IoU, accuracy) and a per-class IoU bar chart.

    Headers break onto two lines so the columns stay narrow; the view never asks its dock for
    more width (a wider dock would shrink the 3D views): what does not fit scrolls sideways
    inside the table."""

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
        # the dock keeps the width the person gave it: columns beyond it scroll sideways
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
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
        self.classes: list[str] = []
        self.thresholds: list[float] = []
        self.report: Any = None
        self.table_model: Any = None  # core.report_table.ReportTable of the shown report

    def set_report(self, report: Any, title: str | None = None) -> None:
        """Show ``report`` (a core.evaluate.EvalReport) through core's one table model."""
        from core.report_table import report_table

        self.report = report
        self.table_model = table = report_table(report)
        self.thresholds = [float(t) for t in report.thresholds]
        self.classes = _classes_shown(report)
        self.results.setVisible(True)
        lines = [title or table.title] + [f"warning: {w}" for w in table.notes]
        self.title.setText("\n".join(lines))
        self.table.clear()
        self.table.setColumnCount(len(table.columns))
        self.table.setHorizontalHeaderLabels([h.replace("@", "\n@") for h in table.headers])  # narrow columns
        self.table.setRowCount(len(table.rows))
        for i, row in enumerate(table.rows):
            for j, column in enumerate(table.columns):
                item = QTableWidgetItem(table.cell_text(i, j))
                if column.numeric:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.summary:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(i, j, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.table.resizeColumnsToContents()
        self.threshold_combo.blockSignals(True)
        self.threshold_combo.clear()
        self.threshold_combo.addItems([f"{t:g}" for t in self.thresholds])
        self.threshold_combo.setCurrentIndex(self.thresholds.index(table.headline))
        self.threshold_combo.blockSignals(False)
        self._draw_chart()
        self._draw_confusion()
        self.reportShown.emit()

    def _draw_chart(self) -> None:
        self.axes.clear()
        if self.report is None or not self.classes or not self.thresholds:
            self.canvas.draw_idle()
            return
        t = self.thresholds[max(0, self.threshold_combo.currentIndex())]
        key, model, ref = f"{t:g}", self.report.model_row, self.report.mean_shape_row
        ys = list(range(len(self.classes)))  # horizontal bars: class names stay readable in a narrow dock
        height = 0.4
        values = [model.per_class.get(c, {}).get(key, math.nan) for c in self.classes]
        self.axes.barh([y - height / 2 for y in ys], values, height, label="model")
        if ref is not None:
            self.axes.barh([y + height / 2 for y in ys], [ref.per_class.get(c, {}).get(key, math.nan) for c in self.classes],
                           height, label="mean shape")
        self.axes.set_yticks(ys)
        self.axes.set_yticklabels(self.classes, fontsize="small")
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
        return [p.get_width() for p in self.axes.patches[: len(self.classes)]]
