"""The probability panel says out loud when the classifier is unsure (drawn, not only stored)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QColor

from recon_gui.panels.probabilities import (
    BANNER_COLOUR,
    UNSURE_ENTROPY,
    UNSURE_TOP,
    ProbabilityChart,
    assess,
)

CLASSES = ["airplane", "bench", "cabinet", "car", "chair", "display", "lamp", "speaker", "rifle", "sofa", "table",
           "telephone", "watercraft"]


def spread(top_class: str, top: float) -> dict[str, float]:
    rest = (1.0 - top) / (len(CLASSES) - 1)
    return {c: (top if c == top_class else rest) for c in CLASSES}


def banner_pixels(chart: ProbabilityChart) -> int:
    image = chart.grab().toImage()
    arr = np.frombuffer(image.convertToFormat(image.Format.Format_RGB888).constBits(), np.uint8)
    arr = arr.reshape(image.height(), -1)[:, : image.width() * 3].reshape(image.height(), image.width(), 3)
    amber = QColor(BANNER_COLOUR)
    target = np.array([amber.red(), amber.green(), amber.blue()])
    return int((np.abs(arr.astype(int) - target).sum(-1) < 12).sum())


def test_assess_top_and_entropy():
    sure = assess(spread("chair", 0.95))
    assert sure.top_class == "chair" and sure.top == pytest.approx(0.95) and not sure.unsure
    flat = assess({c: 1.0 for c in CLASSES})  # renormalised: uniform
    assert flat.entropy == pytest.approx(1.0) and flat.top == pytest.approx(1 / 13) and flat.unsure
    # a clear two-way answer is not "unsure"; a low top probability alone is
    none = {c: 0.0 for c in CLASSES}
    two = assess(none | {"sofa": 0.45, "chair": 0.55})
    assert two.top_class == "chair" and two.entropy < UNSURE_ENTROPY and not two.unsure
    low = assess(none | {"sofa": 0.40, "chair": 0.35, "table": 0.25})
    assert low.top_class == "sofa" and low.top < UNSURE_TOP and low.entropy < UNSURE_ENTROPY and low.unsure
    # high entropy with a top class above the bar: a long flat tail
    tail = spread("chair", 0.55)
    t = assess(tail)
    assert t.top >= UNSURE_TOP and t.entropy > UNSURE_ENTROPY and t.unsure
    expected = -(0.55 * math.log(0.55) + 12 * (0.45 / 12) * math.log(0.45 / 12)) / math.log(13)
    assert t.entropy == pytest.approx(expected)
    # junk values never make it non-finite
    odd = assess({"a": float("nan"), "b": -1.0, "c": 2.0})
    assert odd.top_class == "c" and odd.top == 1.0 and odd.entropy == 0.0
    assert assess({}) is None and assess({"a": 0.0}) is None


def test_chart_draws_the_warning_only_when_unsure(qtbot):
    chart = ProbabilityChart()
    qtbot.addWidget(chart)
    chart.resize(280, 320)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_probabilities(spread("chair", 0.93))
    assert chart.unsure_message == "" and banner_pixels(chart) == 0
    chart.set_probabilities(spread("telephone", 0.42))
    assert chart.unsure_message.startswith("Unsure: telephone only 42%")
    assert "unlike what the model knows" in chart.unsure_message and "Unsure" in chart.toolTip()
    assert banner_pixels(chart) > 2000  # an amber band across the top, not a stray pixel
    assert chart.sizeHint().height() > 13 * 18  # the bars keep their room below it
    chart.set_probabilities(None, "no proposed model loaded")
    assert chart.unsure_message == "" and banner_pixels(chart) == 0
