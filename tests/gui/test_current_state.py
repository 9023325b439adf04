"""One current comparison: every view, caption, status line and probability list follows it.

Each test replays a sequence a person tried (open, fail, change the prior, move the threshold,
load a new checkpoint, start with a picture on the command line) and checks what is shown,
including the rendered pixels of the 3D views.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.taxonomy import NAME_TO_SYNSET
from recon_gui.state import format_threshold
from tests.gui.conftest import REPO
from tests.gui.gui_helpers import (
    assert_views_rendered,
    close_window,
    sample_image,
    wait_for_result,
    wait_idle,
)

CHAIR = NAME_TO_SYNSET["chair"]


def status(window) -> str:
    return window.statusBar().currentMessage()


def test_a_failed_open_never_becomes_current_and_is_reported_once(qtbot, window, samples_root, gui_checkpoints):
    chair = sample_image(samples_root, CHAIR)
    first = wait_for_result(qtbot, window, lambda: window.open_image(chair))
    window.open_image(REPO / "README.md")
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    assert "README.md" in window.last_error and len(window.error_dialogs) == 1
    window.close_error_dialogs()
    wait_idle(qtbot, window)
    assert window.result is first  # the chair is still what is shown

    # a new prior re-runs the chair (not the README): no error comes back, every text follows
    combo = window.comparison.prior_combo
    choice = next(c for c in ("table", "sofa", "lamp") if c != first.predictions["baseline"].prior_class)
    result = wait_for_result(qtbot, window, lambda: combo.setCurrentText(choice))
    wait_idle(qtbot, window)
    assert not window.error_dialogs and result.request.image == str(chair)
    assert result.predictions["baseline"].prior_class == choice == combo.currentText()
    assert window.comparison.views["baseline"].title_label.text() == f"Baseline (prior: {choice})"
    assert status(window).startswith(f"{chair.name}: ")

    # so does a checkpoint load: it re-runs the chair, and the README error stays gone
    again = wait_for_result(qtbot, window, lambda: window.load_checkpoint(str(gui_checkpoints["baseline"]), "baseline"))
    wait_idle(qtbot, window)
    assert again.request.image == str(chair) and not window.error_dialogs
    assert again.predictions["baseline"].prior_class == choice
    assert_views_rendered(window)


def test_status_line_iou_follows_the_threshold(qtbot, window, samples_root):
    result = wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    occ = result.predictions["proposed"].occupancy
    for t in sorted({round(float(q), 3) for q in np.quantile(occ, [0.5, 0.9, 0.99])} | {0.7}):
        t = min(max(t, 0.005), 0.995)
        window.comparison.set_threshold(t)
        t = window.comparison.threshold
        line = status(window)
        for slot in ("baseline", "proposed"):
            caption_iou = window.comparison.views[slot].iou
            assert f"{slot.capitalize()} IoU {caption_iou:.3f}" in line, (t, line)
            assert window.comparison.views[slot].caption.text() == f"IoU {caption_iou:.3f} @ {format_threshold(t)}"
        assert f"@ {format_threshold(t)}" in line
    window.comparison.set_threshold(round(float(np.quantile(occ, 0.5)), 3))
    window.comparison.set_mode("mesh")
    assert {v.mode for v in window.comparison.views.values()} == {"mesh"} and window.controller.state.mode == "mesh"
    assert_views_rendered(window)


@pytest.fixture
def other_proposed(tmp_path, gui_checkpoints):
    """A proposed checkpoint with other weights (same classes), as a training run would give."""
    import torch

    from core.models.registry import ModelConfig, build_model
    from core.predict import Predictor
    from core.train.checkpoint import save_checkpoint

    classes = list(Predictor.load(gui_checkpoints["proposed"]).classes)
    torch.manual_seed(123)
    cfg = ModelConfig(name="proposed", classes=classes)
    return save_checkpoint(tmp_path / "other_proposed.pt", build_model(cfg), cfg)


def test_load_into_proposed_reruns_and_updates_the_probabilities(qtbot, window, samples_root, other_proposed):
    from core.predict import Predictor

    image = sample_image(samples_root, CHAIR)
    before = wait_for_result(qtbot, window, lambda: window.open_image(image))
    new = wait_for_result(qtbot, window, lambda: window.training_panel.loadCheckpointRequested.emit(
        str(other_proposed), "proposed"))
    wait_idle(qtbot, window)
    expected = Predictor.load(other_proposed).predict(image).probabilities
    assert new.request.image == str(image)
    assert new.predictions["proposed"].probabilities != before.predictions["proposed"].probabilities
    shown = dict(window.chart.displayed_rows())
    assert shown.keys() == expected.keys()
    assert all(abs(shown[c] - expected[c]) < 1e-5 for c in expected)
    top = max(expected, key=expected.get)
    assert top in window.predicted_label.text()
    assert "other_proposed.pt" in window.models_label.text()
    assert_views_rendered(window)


def test_command_line_picture_waits_for_the_models(qtbot, samples_root, gui_checkpoints):
    from recon_gui.app import build_window, parse_args

    image = sample_image(samples_root, CHAIR, "03.png")
    args = parse_args([str(image), "--checkpoint-baseline", str(gui_checkpoints["baseline"]),
                       "--checkpoint-proposed", str(gui_checkpoints["proposed"])])
    shown, messages = [], []
    w = build_window(args, before_show=lambda win: (win.predictionShown.connect(shown.append),
                                                     win.statusBar().messageChanged.connect(messages.append)))
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: bool(shown), timeout=30000)
        wait_idle(qtbot, w)
        assert len(shown) == 1, [r.messages for r in shown]  # one result, with both models
        assert all(p is not None for p in shown[0].predictions.values())
        assert not any(re.search(r"no (baseline|proposed) model loaded", m) for m in messages), messages
        assert_views_rendered(w)
    finally:
        close_window(w)


def test_a_prior_change_while_a_new_picture_runs_applies_to_that_picture(qtbot, window, samples_root):
    first = sample_image(samples_root, CHAIR)
    second = sample_image(samples_root, NAME_TO_SYNSET["lamp"], "04.png")
    wait_for_result(qtbot, window, lambda: window.open_image(first))
    shown = []
    window.predictionShown.connect(shown.append)
    window.open_image(second)
    assert window.controller.running_request is not None  # the lamp is on the worker now
    window.comparison.prior_combo.setCurrentText("sofa")
    qtbot.waitUntil(lambda: bool(shown) and not window.busy, timeout=30000)
    assert [r.request.image for r in shown] == [str(second)]  # not the chair again, and only once
    assert shown[-1].predictions["baseline"].prior_class == "sofa"
    assert window.comparison.views["baseline"].title_label.text() == "Baseline (prior: sofa)"
    assert_views_rendered(window)
