"""The evaluation-report table model: one formatting rule, one headline-threshold rule, text and Markdown."""

from __future__ import annotations

import math

import pytest

from core.evaluate import EvalReport, EvalRow
from core.report_table import (
    CLASS_MEAN_LABEL,
    INSTANCE_MEAN_LABEL,
    comparison_table,
    format_value,
    per_class_comparison,
    report_table,
)


def _row(name, base, acc=True):
    ts = ("0.3", "0.4", "0.5")
    per_class = {"chair": {t: base + 0.01 * i for i, t in enumerate(ts)}, "table": {t: base + 0.1 + 0.01 * i for i, t in enumerate(ts)},
                 "lamp": {t: math.nan for t in ts}}
    return EvalRow(name, per_class, {t: base + 0.05 for t in ts}, {t: base + 0.06 for t in ts},
                   accuracy=0.75 if acc else None, class_accuracy={"chair": 0.5, "table": 1.0} if acc else None,
                   class_mean_accuracy=0.75 if acc else None)


def _report(thresholds=(0.3, 0.4, 0.5), mean_shape=True, acc=True, base=0.5):
    rows = [_row("proposed", base, acc)] + ([_row("mean-shape", 0.2, acc=False)] if mean_shape else [])
    return EvalReport("ck.pt", {"name": "proposed", "encoder": "fast"}, "/data", "test", "abc123", 4, list(thresholds),
                      ["chair", "table", "lamp"], {"chair": 2, "table": 3, "lamp": 0}, {"chair": 8, "table": 12, "lamp": 0},
                      rows, warnings=["lamp missing"], missing_classes=["lamp"])


def test_format_rule():
    assert format_value(0.12345) == "0.123" and format_value(3) == "3" and format_value("12 img") == "12 img"
    assert format_value(None) == format_value(math.nan) == "–"


def test_one_report_rows_columns_and_headline():
    table = report_table(_report())
    assert table.headline == 0.4
    assert table.headers == ["class", "objects", "IoU@0.3", "IoU@0.4", "IoU@0.5", "mean-shape@0.4", "accuracy"]
    assert [r.label for r in table.body] == ["chair", "table"]  # missing class left out, named in the notes
    assert [r.label for r in table.summary] == [CLASS_MEAN_LABEL, INSTANCE_MEAN_LABEL]
    assert table.value("table", "iou@0.4") == pytest.approx(0.61) and table.value("chair", "mean_shape@0.4") == pytest.approx(0.21)
    assert table.value(INSTANCE_MEAN_LABEL, "objects") == "20 img" and table.value(CLASS_MEAN_LABEL, "objects") == 5
    text = table.to_text()
    lines = text.splitlines()
    assert lines[0] == "proposed (fast, 3 classes) on test split abc123, views: 4"
    assert lines[1].split() == table.headers and set(lines[2]) == {"-"} and lines[-1] == "warning: lamp missing"
    assert lines[3].split() == ["chair", "2", "0.500", "0.510", "0.520", "0.210", "0.500"]
    md = table.to_markdown().splitlines()
    assert md[0] == "| class | objects | IoU@0.3 | IoU@0.4 | IoU@0.5 | mean-shape@0.4 | accuracy |"
    assert md[1] == "|---|---:|---:|---:|---:|---:|---:|"
    assert md[-1].startswith(f"| **{INSTANCE_MEAN_LABEL}** | 20 img | 0.560 |")
    # the report's own text rendering is this table
    assert _report().format_table() == text


def test_headline_falls_back_to_the_middle_threshold_and_columns_follow_the_report():
    table = report_table(_report(thresholds=(0.3, 0.5, 0.6), mean_shape=False, acc=False))
    assert table.headline == 0.5
    assert table.headers == ["class", "objects", "IoU@0.3", "IoU@0.5", "IoU@0.6"]
    assert report_table(_report(), threshold=0.5).headers[5] == "mean-shape@0.5"
    with pytest.raises(ValueError, match="0.45 was not evaluated"):
        report_table(_report(), threshold=0.45)


def test_runs_side_by_side():
    runs = [("proposed 128", _report(base=0.5)), ("proposed 256", _report(base=0.6, mean_shape=False))]
    summary = comparison_table(runs)
    assert summary.headers == ["model", "IoU@0.3", "IoU@0.4", "IoU@0.5", "IoU@0.4 instance-averaged", "accuracy"]
    assert [r.label for r in summary.rows] == ["proposed 128", "proposed 256", "mean shape (3 classes)"]
    assert summary.text_rows()[-1][-1] == "–"  # the mean shape has no accuracy
    per_class = per_class_comparison(runs)
    assert per_class.headers == ["class", "test objects", "proposed 128", "proposed 256", "mean shape"]
    assert per_class.text_rows()[0] == ["chair", "2", "0.510", "0.610", "0.210"]
    assert per_class.to_markdown().splitlines()[-1] == "| **class-averaged** | 5 | 0.550 | 0.650 | 0.250 |"
