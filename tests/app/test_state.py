"""The texts the window shows, derived from one state (no window needed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recon_gui.session import ComparisonRequest, ComparisonResult
from recon_gui.state import (
    ComparisonState,
    ModelInfo,
    model_label,
    models_text,
    pane_titles,
    probability_view,
    shows_truth,
    slot_iou,
    status_line,
    view_titles,
)


def result(truth: bool = True, messages: dict | None = None) -> ComparisonResult:
    gt = np.zeros((32, 32, 32), np.float32)
    gt[8:24, 8:24, 8:24] = 1
    occ = np.where(gt > 0, 0.9, 0.1).astype(np.float32)
    occ[8:12, 8:24, 8:24] = 0.5  # a slab of the shape that only counts below 0.5
    pred = lambda prior=None: SimpleNamespace(occupancy=occ, prior_class=prior, predicted_class="chair",
                                              probabilities={"chair": 0.8, "table": 0.2})
    return ComparisonResult(ComparisonRequest("x/00.png", "gt.binvox" if truth else None),
                            {"baseline": pred("table"), "proposed": pred()}, messages or {"baseline": "", "proposed": ""},
                            gt if truth else None, np.zeros((127, 127, 3), np.uint8), "", np.zeros((4, 4, 4), np.uint8),
                            elapsed_ms=12.0)


def test_status_line_follows_the_threshold():
    state = ComparisonState(result=result(), threshold=0.4)
    low = status_line(state)
    state.threshold = 0.6
    high = status_line(state)
    assert low != high
    assert f"Proposed IoU {slot_iou(state, 'proposed'):.3f} @ 0.60" in high
    assert slot_iou(state, "proposed") < 1.0 == slot_iou(ComparisonState(result=result(), threshold=0.4), "proposed")
    assert high.startswith("00.png: ") and high.endswith("12 ms")


def test_titles_probabilities_and_models_come_from_the_result():
    state = ComparisonState(result=result(truth=False))
    assert view_titles(state)["baseline"] == "Baseline (prior: table)"
    assert not shows_truth(state) and "no ground truth" in status_line(state)
    probs = probability_view(state)
    assert probs.probabilities == {"chair": 0.8, "table": 0.2} and "<b>chair</b> (80%)" == probs.headline
    state.models = {"baseline": None, "proposed": ModelInfo("/a/proposed.pt", ("chair", "table"))}
    assert models_text(state) == "Baseline: not loaded\nProposed: proposed.pt, 2 classes"
    camera = ComparisonState(result=result(messages={"camera": "m/rendering_metadata.txt: 23 lines"}))
    assert "rendering_metadata.txt" in view_titles(camera)["truth"] and "23 lines" in status_line(camera)
    assert ComparisonState().next_request() is None
    again = ComparisonState(result=result(), prior_choice="lamp").next_request()
    assert again.prior_choice == "lamp" and again.image == "x/00.png"


def test_the_model_names_shown_are_the_registry_labels(monkeypatch):
    from dataclasses import replace

    from core.models import registry

    relabelled = replace(registry.get_descriptor("baseline"), label="Prior net (mean shape)")
    monkeypatch.setitem(registry._DESCRIPTORS, "baseline", relabelled)
    state = ComparisonState(result=result(), threshold=0.4)
    assert pane_titles() == {"baseline": "Prior net (mean shape)", "proposed": "Proposed (classification)",
                             "truth": "Ground truth", "input": "Input picture"}
    assert view_titles(state)["baseline"] == "Prior net (prior: table)"
    assert "Prior net IoU " in status_line(state) and "Proposed IoU " in status_line(state)
    assert models_text(state) == "Prior net: not loaded\nProposed: not loaded"
    assert model_label("no-such-model") == "no-such-model"  # never a crash over a name
