"""The window uses its space at 1600×900: controls visible, class names whole, no empty pane,
a row or a grid as the window's shape suits, an evaluation table without sideways scrolling."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET
from tests.gui.gui_helpers import (
    assert_views_rendered,
    background_rgb,
    sample_image,
    wait_for_result,
)

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"


def picture_ink(window, pane) -> float:
    """Share of a picture pane's canvas that is not the 3D background (the picture was drawn)."""
    from recon_gui.panels.input_panel import qimage_to_array

    shot = qimage_to_array(pane.canvas.grab().toImage())[..., :3].astype(int)
    return float((np.abs(shot - np.array(background_rgb(window))).sum(-1) > 40).mean())


def settle(qtbot) -> None:
    qtbot.wait(150)  # let layouts and docks take their final sizes


def test_view_buttons_and_class_names_fit_at_1600x900_with_the_dock_open(qtbot, window, samples_root):
    window.resize(1600, 900)
    window.dataset_dock.show()
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, NAME_TO_SYNSET["chair"])))
    settle(qtbot)
    assert window.dataset_dock.isVisible() and window.size().toTuple() == (1600, 900)  # nothing forces it taller
    comparison = window.comparison
    actions = [*comparison.mode_actions.values(), *comparison.view_actions.values(), comparison.input_view_action,
               comparison.reset_action, comparison.turntable_action]
    strip = comparison.toolbar
    for action in actions:
        button = strip.widgetForAction(action)
        assert button is not None and button.isVisible(), action.text()
        rect = button.geometry()
        assert strip.rect().contains(rect), f"{action.text()} is cut off"
    for widget in (comparison.threshold_slider, comparison.prior_combo):
        assert widget.isVisible() and not widget.visibleRegion().isEmpty()

    combo = comparison.prior_combo
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    for name in ("airplane", "watercraft", "telephone"):
        assert combo.findText(name) >= 0
        assert combo.fontMetrics().horizontalAdvance(name) <= field.width(), f"{name!r} does not fit the box"
    assert_views_rendered(window)


def test_without_ground_truth_the_third_pane_shows_the_picture(qtbot, window, samples_root):
    result = wait_for_result(qtbot, window, lambda: window.open_image(CASES / "images" / "chair_render_137.png"))
    assert result.ground_truth is None and not result.messages.get("truth")
    comparison = window.comparison
    assert comparison.pane_keys()[-1] == "input" and comparison.third.currentWidget() is comparison.picture_pane
    settle(qtbot)
    share = picture_ink(window, comparison.picture_pane)
    assert share > 0.05, f"the picture pane looks empty ({share:.1%})"
    assert not comparison.side_picture.isVisible()  # not twice
    assert_views_rendered(window)

    # back to a data set item: the truth view returns
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, NAME_TO_SYNSET["lamp"])))
    assert comparison.pane_keys()[-1] == "truth" and comparison.third.currentWidget() is comparison.views["truth"]
    assert_views_rendered(window)


@pytest.mark.parametrize("size, arrangement", [((1900, 560), "row"), ((1000, 1000), "grid")])
def test_row_or_grid_as_the_window_suits(qtbot, window, samples_root, size, arrangement):
    window.dataset_dock.hide()
    window.resize(*size)
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, NAME_TO_SYNSET["sofa"])))
    settle(qtbot)
    comparison = window.comparison
    assert comparison.pane_host.arrangement == arrangement
    tops = {comparison.panes[k].geometry().top() for k in ("baseline", "proposed", "truth")}
    assert len(tops) == (1 if arrangement == "row" else 2)
    # a grid's fourth cell shows the picture beside its shapes; a row has no free cell
    assert comparison.side_picture.isVisible() == (arrangement == "grid")
    if arrangement == "grid":
        assert picture_ink(window, comparison.side_picture) > 0.05
    assert_views_rendered(window)


def fake_report(classes=ALL_CLASSES, thresholds=(0.3, 0.4, 0.5)):
    rng = np.random.default_rng(0)
    per = {c: {f"{t:g}": float(rng.uniform(0.2, 0.8)) for t in thresholds} for c in classes}
    mean = {f"{t:g}": 0.5 for t in thresholds}
    model = SimpleNamespace(per_class=per, class_mean=mean, instance_mean=mean,
                            class_accuracy={c: 0.75 for c in classes}, class_mean_accuracy=0.75, accuracy=0.75)
    ref = SimpleNamespace(per_class=per, class_mean=mean, instance_mean=mean)
    return SimpleNamespace(thresholds=list(thresholds), classes=list(classes), model_row=model, mean_shape_row=ref,
                           objects_per_class={c: 120 for c in classes}, images_per_class={c: 480 for c in classes},
                           missing_classes=[], warnings=[], confusion=None, model={"name": "proposed", "encoder": "r2n2"},
                           split="test", split_id="demo", views=4)


def test_evaluation_fits_the_dock_it_is_given(qtbot, window, samples_root):
    window.resize(1600, 900)
    window.dataset_dock.show()
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, NAME_TO_SYNSET["chair"])))
    settle(qtbot)
    dock = window.dataset_dock
    width_before = dock.width()
    views_before = {k: v.plotter.size().toTuple() for k, v in window.comparison.views.items()}
    view = window.dataset_panel.evaluation_view
    view.set_report(fake_report(), title="demo")
    qtbot.wait(1200)  # the overlap was seen about a second after the report
    print(f"dock {width_before} -> {dock.width()} px; views {views_before} -> "
          f"{ {k: v.plotter.size().toTuple() for k, v in window.comparison.views.items()} }")
    assert abs(dock.width() - width_before) <= 4, (width_before, dock.width())
    for key, (w, h) in views_before.items():
        now = window.comparison.views[key].plotter.size()
        assert abs(now.width() - w) <= 4 and abs(now.height() - h) <= 4, (key, (w, h), now.toTuple())
    # nothing drawn over the tabs: the dock and the central area lie side by side
    central = window.centralWidget().geometry()
    assert not dock.geometry().intersects(central), (dock.geometry(), central)
    # the evaluation stays inside its dock; the table's extra columns scroll inside the table
    scroller = dock.widget()
    assert scroller.widget().width() <= scroller.viewport().width()
    assert view.canvas.width() <= scroller.viewport().width()
    table = view.table
    needed = sum(table.columnWidth(j) for j in range(table.columnCount()))
    assert table.width() <= scroller.viewport().width()
    if needed > table.viewport().width():
        assert table.horizontalScrollBar().maximum() >= needed - table.viewport().width() - 2
    # the class names and the numbers are whole, not cut by a squeezed column
    for j in range(table.columnCount()):
        assert table.columnWidth(j) >= table.sizeHintForColumn(j) - 1, j


def test_train_tab_fits_1600x900_with_its_buttons_in_view(qtbot, window):
    window.resize(1600, 900)
    window.tabs.setCurrentWidget(window.training_panel)
    settle(qtbot)
    panel = window.training_panel
    assert window.size().toTuple() == (1600, 900)
    for button in (panel.start_button, panel.pause_button, panel.cancel_button, panel.load_proposed_button,
                   panel.evaluate_button):
        assert button.isVisible() and not button.visibleRegion().isEmpty(), button.text()
    assert panel.curves.isVisible() and panel.curves.width() > 400
