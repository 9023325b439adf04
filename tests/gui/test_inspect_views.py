"""Looking into a result on the real window: the error view (both models against the truth),
the slice plane (all views, every mode) and the occupancy colours over the shown range —
checked on the rendered pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.geometry.compare import count_errors
from core.taxonomy import NAME_TO_SYNSET
from recon_gui.panels.view_geometry import occupied_mask
from tests.gui.gui_helpers import activate, sample_image, wait_for_result

CHAIR = NAME_TO_SYNSET["chair"]


def pixels(view) -> np.ndarray:
    return view.screenshot()[..., :3].astype(int)


def foreground(view, window) -> np.ndarray:
    h = window.theme.background_3d
    bg = np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)])
    return np.abs(pixels(view) - bg).sum(-1) > 30


def red_pixels(view) -> int:
    """Strongly red pixels outside the legend (upper right) of a view."""
    img = pixels(view)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    red = (r > 90) & (r > 1.8 * g) & (r > 1.8 * b)
    h, w = red.shape
    red[: int(0.2 * h), int(0.6 * w):] = False
    return int(red.sum())


@pytest.fixture
def chair_window(qtbot, window, samples_root):
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR, "03.png")))
    return window


def test_error_view_colours_both_models_against_the_truth(qtbot, chair_window):
    window = chair_window
    panel = window.comparison
    result = window.result
    gt = result.ground_truth
    red_before = {slot: red_pixels(panel.views[slot]) for slot in ("baseline", "proposed")}
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_4)  # the fourth display mode, like 1/2/3
    assert panel.mode == "error" and panel.mode_actions["error"].isChecked()
    assert panel.inspect_bar.legend.isVisible()
    t = panel.threshold
    seen_red = 0
    for slot in ("baseline", "proposed"):
        view = panel.views[slot]
        occ = result.predictions[slot].occupancy
        expected = count_errors(occ, gt, t)
        assert view.mode == "error" and view.error_counts == expected
        # the counts once: the key drawn in the view (exports carry it), not again in the caption
        assert view.legend_lines == [f"correct {expected.true_positive}", f"extra {expected.false_positive}",
                                     f"missing {expected.false_negative}"]
        assert view.caption.text().startswith("IoU ") and "correct" not in view.caption.text()
        assert "missing" not in view.caption.text()
        assert view.dataset.n_cells == expected.predicted  # correct + extra drawn solid
        ghost = 0 if view.ghost_dataset is None else view.ghost_dataset.n_cells
        assert ghost == expected.false_negative  # missing ones as the ghost
        red = red_pixels(view)
        if expected.false_positive:
            assert red > 20 + 5 * red_before[slot], (slot, red, red_before[slot])
        seen_red += red
    assert seen_red > 0, "the demo models predict some extra voxels on this chair"
    truth = panel.views["truth"]
    assert truth.error_counts is None and truth.dataset.n_cells == int(gt.sum())  # the truth shows itself

    # the pixels follow the counts: a perfect prediction has no red; one a voxel too high has
    # red (extra) on top and the ghost (missing) at the bottom
    view = panel.views["proposed"]
    view.set_data(gt * 0.9, gt)
    assert view.error_counts.false_positive == 0 == view.error_counts.false_negative
    assert red_pixels(view) <= 5 and view.ghost_dataset is None
    shifted = np.roll(gt, 1, axis=1) * 0.9  # y is up
    view.set_data(shifted, gt)
    assert view.error_counts.false_positive > 0 and view.error_counts.false_negative > 0
    assert red_pixels(view) > 50 and view.ghost_dataset.n_cells == view.error_counts.false_negative


def test_slice_cuts_every_view_in_every_mode(qtbot, chair_window):
    window = chair_window
    panel = window.comparison
    bar = panel.inspect_bar
    panel.set_standard_view("side")  # looking along -z: +x runs to the right of the image
    for mode in ("voxels", "mesh", "occupancy", "error"):
        panel.set_mode(mode)
        bar.axis_combo.setCurrentIndex(0)
        whole = {k: foreground(v, window) for k, v in panel.views.items()}
        bar.axis_combo.setCurrentIndex(1)  # cut along x
        bar.slider.setValue(12)
        assert all(v.cut.axis == "x" and v.cut.position == 12 for v in panel.views.values())
        for key, view in panel.views.items():
            before, after = whole[key], foreground(view, window)
            before[:, int(0.87 * before.shape[1]):] = False  # the occupancy scale bar sits there
            after[:, int(0.87 * after.shape[1]):] = False
            cols = np.nonzero(before.any(axis=0))[0]
            left, right = cols.min(), cols.max()
            split = left + (right - left) * 0.55  # x = 12/32 lies at ~0.6 of the shape's width
            h = before.shape[0]
            rows = slice(int(0.2 * h), h)  # below the legend and messages
            kept_right = after[rows, int(split) + 3:right + 1].sum() / max(1, before[rows, int(split) + 3:right + 1].sum())
            kept_left = after[rows, left:int(split) - 8].sum() / max(1, before[rows, left:int(split) - 8].sum())
            assert kept_right < 0.15, (mode, key, kept_right)  # the far side of the plane is gone
            assert kept_left > 0.5, (mode, key, kept_left)  # the near side stays
        bar.slider.setValue(28)  # moving the plane brings most of it back
        assert all(v.cut.position == 28 for v in panel.views.values())
    bar.axis_combo.setCurrentIndex(0)
    assert all(not v.cut.active for v in panel.views.values())
    assert not bar.slider.isEnabled()

    # the keys: X cycles the axis, [ and ] move the plane, in every view
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_X)
    qtbot.keyClick(window.chart, Qt.Key.Key_X)
    assert all(v.cut.axis == "y" for v in panel.views.values())
    position = bar.slider.value()
    qtbot.keyClick(window.chart, Qt.Key.Key_BracketLeft)
    assert all(v.cut.position == position - 1 for v in panel.views.values())
    qtbot.keyClick(window.chart, Qt.Key.Key_BracketRight)
    qtbot.keyClick(window.chart, Qt.Key.Key_BracketRight)
    assert all(v.cut.position == position + 1 for v in panel.views.values())
    for _ in range(2):
        qtbot.keyClick(window.chart, Qt.Key.Key_X)
    assert all(not v.cut.active for v in panel.views.values())


def test_occupancy_colours_span_the_shown_range(qtbot, chair_window):
    window = chair_window
    panel = window.comparison
    panel.set_mode("occupancy")
    view = panel.views["proposed"]
    # one scale for both models: min..max over both predictions' shown voxels, so a colour
    # means the same probability side by side
    shown = np.concatenate([occ[occupied_mask(occ, panel.threshold)]
                            for occ in (p.occupancy for p in window.result.predictions.values())])
    for slot in ("baseline", "proposed"):
        each = panel.views[slot]
        lo, hi = each.occupancy_range
        assert lo == pytest.approx(float(shown.min()), abs=1e-6) and hi == pytest.approx(float(shown.max()), abs=1e-6)
        assert each.actor.mapper.scalar_range == pytest.approx((lo, hi), abs=1e-6)
        assert tuple(each._scalar_bar.GetLookupTable().GetRange()) == pytest.approx((lo, hi), abs=1e-6)
    # two models that disagree in confidence: both views take the joint range, at every threshold
    gt = window.result.ground_truth
    panel.show_results({"baseline": (gt * 0.86).astype(np.float32), "proposed": (gt * 0.55).astype(np.float32)}, gt)
    assert panel.views["baseline"].occupancy_range == panel.views["proposed"].occupancy_range
    assert panel.views["proposed"].occupancy_range == pytest.approx((0.55, 0.86), abs=1e-3)
    panel.set_threshold(0.6)  # the less sure model drops out: the scale follows what is shown
    assert panel.views["baseline"].occupancy_range == pytest.approx((0.86, 0.86), abs=1e-3)
    assert panel.views["proposed"].occupancy_range is None  # nothing drawn
    panel.set_threshold(0.4)
    assert panel.views["truth"].occupancy_range is not None  # the truth keeps its own (all ones)
    panel.show_results({s: p.occupancy for s, p in window.result.predictions.items()}, gt)

    # the pixels, on a prediction as flat as the demo model's (0.45..0.66, rising with height),
    # so the check does not depend on how sharp the shipped model is
    ramp = 0.45 + 0.21 * np.linspace(0.0, 1.0, gt.shape[1])[None, :, None]
    ramped = (gt * ramp).astype(np.float32)
    panel.show_results({"baseline": ramped, "proposed": ramped}, gt)
    lo, hi = view.occupancy_range
    assert lo == pytest.approx(0.45 + 0.21 * float(np.nonzero(gt.any(axis=(0, 2)))[0].min()) / (gt.shape[1] - 1), abs=1e-5)
    new = viridis_positions(view)
    # what a fixed 0..1 scale draws for the same shape (the old behaviour)
    view._lut.scalar_range = (0.0, 1.0)
    view.actor.mapper.scalar_range = (0.0, 1.0)
    fixed = viridis_positions(view)
    spread_new = np.percentile(new, 95) - np.percentile(new, 5)
    spread_fixed = np.percentile(fixed, 95) - np.percentile(fixed, 5)
    top_new, top_fixed = np.percentile(new, 99), np.percentile(fixed, 99)
    print(f"occupancy range {lo:.3f}..{hi:.3f}; colour spread (5-95 %, of 255) {spread_new:.0f} vs "
          f"{spread_fixed:.0f} on 0..1; top {top_new:.0f} vs {top_fixed:.0f}")
    assert spread_new > 1.5 * spread_fixed
    assert top_fixed <= 255 * hi + 12  # on 0..1 the top of the scale is never reached...
    assert top_new > top_fixed + 15  # ...on the shown range the colours climb towards it


def viridis_positions(view) -> np.ndarray:
    """Each shape pixel's place (0..255) on the viridis scale, by colour direction (shading
    scales a colour's brightness, not its direction); the scale bar and edges are left out."""
    import matplotlib

    table = matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3]
    table = table / np.linalg.norm(table, axis=1, keepdims=True)
    img = pixels(view).astype(float)
    w = img.shape[1]
    img = img[:, : int(0.85 * w)].reshape(-1, 3)
    bright = img.max(axis=1)
    h_bg = view.theme.background_3d
    bg = np.array([int(h_bg[i:i + 2], 16) for i in (1, 3, 5)])
    keep = (np.abs(img - bg).sum(-1) > 30) & (bright > 40)
    v = img[keep] / np.linalg.norm(img[keep], axis=1, keepdims=True)
    return (v @ table.T).argmax(axis=1)


def test_slice_plane_and_error_geometry_pure():
    from recon_gui.panels.view_geometry import (
        NO_SLICE,
        SlicePlane,
        build_error_geometry,
        build_geometry,
    )

    cut = SlicePlane("y", 5)
    keep = cut.keep_mask((8, 8, 8))
    assert keep[:, :5].all() and not keep[:, 5:].any()
    assert cut.world_cut(8) == ((0.0, 1.0, 0.0), (0.0, 5 / 8 - 0.5, 0.0))
    assert not NO_SLICE.active and NO_SLICE.keep_mask((2, 2, 2)).all()
    with pytest.raises(ValueError, match="slice axis"):
        SlicePlane("w", 3)
    occ = np.zeros((8, 8, 8), np.float32)
    occ[2:6, 2:6, 2:6] = 0.9
    assert build_geometry(occ, 0.5, "voxels", SlicePlane("x", 4)).n_cells == 2 * 4 * 4
    assert build_geometry(occ, 0.5, "voxels", SlicePlane("x", 2)) is None  # nothing on the kept side
    mesh = build_geometry(occ, 0.5, "mesh", SlicePlane("z", 4))
    assert mesh.bounds[5] <= 4 / 8 - 0.5 + 1e-6  # the surface is clipped at the plane
    gt = np.zeros_like(occ)
    gt[3:7, 2:6, 2:6] = 1.0
    solid, ghost, counts = build_error_geometry(occ, gt, 0.5)
    assert (counts.true_positive, counts.false_positive, counts.false_negative) == (48, 16, 16)
    assert solid.n_cells == 64 and ghost.n_cells == 16
    colours = {tuple(c) for c in solid.cell_data["error_colour"]}
    assert len(colours) == 2  # correct and extra, each its own colour
    solid, ghost, cut_counts = build_error_geometry(occ, gt, 0.5, SlicePlane("x", 4))
    assert cut_counts == counts and solid.n_cells == 2 * 16 and ghost is None  # a cut hides, it does not rescore


def test_view_menu_lists_the_error_mode_and_the_slice_keys(qtbot, window):
    """Every inspection key can be found in the View menu, its shortcut beside it, and works from there."""
    listed = {a.text(): a for a in window.view_menu.actions() if not a.isSeparator()}
    shortcuts = {text: a.shortcut().toString() for text, a in listed.items()}
    assert shortcuts["Errors"] == "4"
    assert shortcuts["Slice axis: whole, x, y, z"] == "X"
    assert shortcuts["Move slice down"] == "[" and shortcuts["Move slice up"] == "]"
    panel, bar = window.comparison, window.comparison.inspect_bar
    listed["Errors"].trigger()
    assert panel.mode == "error" and bar.legend.isVisible()
    listed["Slice axis: whole, x, y, z"].trigger()
    assert all(v.cut.axis == "x" for v in panel.views.values())
    position = bar.slider.value()
    listed["Move slice up"].trigger()
    assert all(v.cut.position == position + 1 for v in panel.views.values())
    listed["Move slice down"].trigger()
    listed["Move slice down"].trigger()
    assert bar.slider.value() == position - 1
