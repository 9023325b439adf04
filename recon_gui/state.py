"""The current comparison as plain data, and every text the window shows derived from it.

Qt-free on purpose: the window keeps one ``ComparisonState`` (what is shown, at which
threshold, in which mode, with which prior and models) and paints captions, the status line,
the baseline's title and the probability list from it, so they can never disagree with each
other. A picture becomes current only when its comparison succeeded; a failed one leaves the
state as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.spec import DEFAULT_THRESHOLD, METADATA_FILE
from recon_gui.session import AUTO, SLOTS, ComparisonRequest, ComparisonResult

FIXED_TITLES = {"truth": "Ground truth", "input": "Input picture"}  # the panes that show no model


def model_label(name: str) -> str:
    """A model as the window names it: its registry label ("Baseline (shape prior)"); the name
    itself for one the registry does not know."""
    from core.models.registry import get_descriptor

    try:
        return get_descriptor(name).label
    except ValueError:
        return name


def short_label(name: str) -> str:
    """The label without its parenthesised note ("Baseline"), for menus, buttons and lines that
    say more themselves."""
    return model_label(name).split(" (")[0]


def pane_titles() -> dict[str, str]:
    """Each pane's title before a result: the slots' model labels, then the truth and input panes."""
    return {**{slot: model_label(slot) for slot in SLOTS}, **FIXED_TITLES}


@dataclass(frozen=True)
class ModelInfo:
    """A loaded checkpoint as the window describes it."""

    path: str
    classes: tuple[str, ...]


@dataclass
class ComparisonState:
    result: ComparisonResult | None = None  # the comparison on screen; its request is the current picture
    threshold: float = DEFAULT_THRESHOLD
    mode: str = "voxels"
    prior_choice: str = AUTO
    models: dict[str, ModelInfo | None] = field(default_factory=lambda: {s: None for s in SLOTS})

    @property
    def request(self) -> ComparisonRequest | None:
        return self.result.request if self.result is not None else None

    def next_request(self) -> ComparisonRequest | None:
        """The current picture asked again with today's prior (after a prior or model change)."""
        if self.request is None:
            return None
        r = self.request
        return ComparisonRequest(r.image, r.ground_truth, self.prior_choice, r.source_name)


def format_threshold(threshold: float) -> str:
    """Two decimals unless the third one matters (the slider moves in steps of 0.005)."""
    return f"{threshold:.2f}" if abs(round(threshold, 2) - threshold) < 1e-9 else f"{threshold:.3f}"


def slot_iou(state: ComparisonState, slot: str) -> float | None:
    """Voxel IoU of ``slot``'s prediction against the ground truth at the state's threshold."""
    from core.metrics import voxel_iou

    result = state.result
    if result is None or result.ground_truth is None:
        return None
    pred = result.predictions.get(slot)
    if pred is None:
        return None
    return float(voxel_iou(np.asarray(pred.occupancy, np.float32), np.asarray(result.ground_truth, np.float32),
                           state.threshold))


def view_titles(state: ComparisonState) -> dict[str, str]:
    """Each pane's title; the baseline's names the prior it was actually run with."""
    titles = pane_titles()
    result = state.result
    baseline = result.predictions.get("baseline") if result is not None else None
    if baseline is not None and baseline.prior_class:
        titles["baseline"] = f"{short_label('baseline')} (prior: {baseline.prior_class})"
    if result is not None and result.messages.get("camera"):
        titles["truth"] = f"Ground truth (no input camera: {METADATA_FILE})"
    return titles


def shows_truth(state: ComparisonState) -> bool:
    """The third pane shows the ground truth, or (when there is none) the input picture."""
    return state.result is None or state.result.ground_truth is not None or bool(state.result.messages.get("truth"))


def truth_note(state: ComparisonState) -> str:
    """What the truth pane must say besides its shape: a bad truth file or an unknown camera."""
    if state.result is None:
        return ""
    m = state.result.messages
    return " · ".join(x for x in (m.get("truth", ""), m.get("camera", "")) if x)


def status_line(state: ComparisonState) -> str:
    """One line: the picture, each model's IoU at the current threshold, problems, the time."""
    result = state.result
    if result is None:
        return ""
    ious = [f"{short_label(slot)} IoU {iou:.3f}" for slot in SLOTS if (iou := slot_iou(state, slot)) is not None]
    parts = [f"{', '.join(ious)} @ {format_threshold(state.threshold)}"] if ious else []
    note = truth_note(state)
    if note:
        parts.append(note)
    elif not ious:
        parts.append("no ground truth")
    parts.append(f"{result.elapsed_ms:.0f} ms")
    return f"{result.request.label}: " + " · ".join(parts)


@dataclass(frozen=True)
class ProbabilityView:
    probabilities: dict[str, float] | None
    message: str
    true_class: str | None
    headline: str  # rich text above the chart


def probability_view(state: ComparisonState) -> ProbabilityView:
    """The proposed model's class probabilities of the current picture, with its top class."""
    result = state.result
    if result is None:
        return ProbabilityView(None, "", None, "")
    proposed = result.predictions.get("proposed")
    message = result.messages.get("proposed", "")
    if proposed is not None and proposed.predicted_class:
        p = proposed.probabilities[proposed.predicted_class]
        headline = f"<b>{proposed.predicted_class}</b> ({p:.0%})"
    else:
        headline = message
    return ProbabilityView(result.probabilities, message, result.true_class, headline)


def models_text(state: ComparisonState) -> str:
    """One line per slot: its checkpoint file and class count, or "not loaded"."""
    lines = []
    for slot in SLOTS:
        info = state.models.get(slot)
        if info is None:
            lines.append(f"{short_label(slot)}: not loaded")
        else:
            lines.append(f"{short_label(slot)}: {Path(info.path).name or '(in memory)'}, {len(info.classes)} classes")
    return "\n".join(lines)
