"""The studio window end to end: a picture in, probabilities and three linked 3D views out."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

from core.io.binvox import read_binvox
from core.metrics import voxel_iou
from core.models.registry import get_descriptor
from core.taxonomy import NAME_TO_SYNSET
from recon_gui.export import differs_from_background
from recon_gui.main_window import MainWindow
from recon_gui.panels.comparison import CAMERA_DISTANCE
from recon_gui.panels.view_geometry import occupied_mask
from recon_gui.state import format_threshold
from tests.gui.gui_helpers import (
    activate,
    close_window,
    drop_files,
    make_window,
    sample_image,
    wait_for_result,
    wait_idle,
)

CHAIR = NAME_TO_SYNSET["chair"]


def background_rgb(window: MainWindow) -> tuple[int, int, int]:
    h = window.theme.background_3d
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def test_opens_without_checkpoints_and_says_so(qtbot, samples_root, monkeypatch, tmp_path):
    monkeypatch.setenv("RECON_GUI_RESOURCES", str(tmp_path / "no-resources"))
    w = MainWindow(checkpoints={}, samples_root=samples_root)
    qtbot.addWidget(w)
    w.show()
    try:
        assert "No baseline and proposed checkpoint found" in w.statusBar().currentMessage()
        assert all(p is None for p in w.predictors.values())
        assert [a.text() for a in w.load_actions.values()] == ["Load &Baseline checkpoint…", "Load &Proposed checkpoint…"]
        titles = {k: v.title_label.text() for k, v in w.comparison.views.items()}
        assert titles == {"baseline": get_descriptor("baseline").label, "proposed": get_descriptor("proposed").label,
                          "truth": "Ground truth"}  # the models' own labels, from the registry
        assert w.input_panel.gallery.count() == 1 + 13  # the photo, then one sample per class
        assert "not loaded" in w.models_label.text()
    finally:
        close_window(w)


def test_drop_sample_shows_probabilities_views_and_iou(qtbot, window, samples_root):
    image = sample_image(samples_root, CHAIR, "05.png")
    busy_seen = []
    window.busyChanged.connect(busy_seen.append)
    result = wait_for_result(qtbot, window, lambda: drop_files(window, image))
    assert busy_seen[:1] == [True] and not window.input_panel.drop_highlighted

    # probabilities: all 13 classes, sorted, the top one named above the chart
    probs = result.predictions["proposed"].probabilities
    shown = window.chart.displayed_classes()
    assert sorted(shown) == sorted(window.predictors["proposed"].classes)
    assert shown == sorted(probs, key=probs.get, reverse=True)
    assert shown[0] in window.predicted_label.text()
    assert window.chart.true_class == "chair" and "chair: " in window.chart.toolTip()

    # model input preview: the 127×127 the model saw, plus the note on how it was made
    pixmap = window.input_panel.preview_label.pixmap()
    assert (pixmap.width(), pixmap.height()) == (127, 127)
    assert window.input_panel.note_label.text() == result.background_note != ""

    gt_path = next((samples_root / "ShapeNetVox32" / CHAIR).glob("*/model.binvox"))
    gt = read_binvox(gt_path).data
    assert np.array_equal(result.ground_truth > 0.5, gt)
    t = window.comparison.threshold
    for slot in ("baseline", "proposed"):
        view = window.comparison.views[slot]
        occ = result.predictions[slot].occupancy
        expected = int(occupied_mask(occ, t).sum())
        assert view.occupied_count == expected
        assert view.actor is not None and view.dataset.n_cells == expected  # one cell per shown voxel
        iou = float(voxel_iou(occ, gt.astype(np.float32), t))
        assert view.caption.text() == f"IoU {iou:.3f} @ {format_threshold(t)}"
    truth = window.comparison.views["truth"]
    assert truth.dataset.n_cells == truth.occupied_count == int(gt.sum())
    assert truth.caption.text() == f"{int(gt.sum())} voxels"
    assert result.predictions["baseline"].prior_class == shown[0]  # "auto" prior = proposed top class
    assert f"prior: {shown[0]}" in window.comparison.views["baseline"].title_label.text()

    # the 3D views really rendered: a good share of pixels is not background
    bg = background_rgb(window)
    for key, view in window.comparison.views.items():
        share = differs_from_background(view.screenshot(), bg)
        assert share > 0.02, f"{key} view looks empty ({share:.1%} non-background)"

    # recent files remembered (in the test's own settings folder) and offered in File → Open recent
    assert window.settings.recent_files()[0] == str(image.resolve())
    window._fill_recent_menu()
    assert window.recent_menu.actions()[0].text() == image.name


def test_a_newer_picture_replaces_one_still_in_progress(qtbot, window, samples_root):
    first = sample_image(samples_root, CHAIR, "01.png")
    second = sample_image(samples_root, NAME_TO_SYNSET["lamp"], "02.png")
    shown = []
    window.predictionShown.connect(lambda r: shown.append(r.request.image))
    window.open_image(first)
    window.open_image(second)  # arrives while the first is still on the worker
    qtbot.waitUntil(lambda: str(second) in shown, timeout=30000)
    wait_idle(qtbot, window)
    assert shown == [str(second)]  # the outdated result is never drawn
    assert window.result.request.image == str(second)


def test_threshold_and_display_modes_update_views_live(qtbot, window, samples_root):
    result = wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    occ = result.predictions["proposed"].occupancy
    view = window.comparison.views["proposed"]
    slider = window.comparison.threshold_slider
    # thresholds inside the prediction's own range, so each one cuts the grid differently
    values = sorted({int(round(q * 1000)) for q in np.linspace(occ.min(), occ.max(), 6)[1:-1]})
    values = [min(max(v, slider.minimum()), slider.maximum()) for v in values]
    counts = []
    for value in values:
        slider.setValue(value)
        t = value / 1000
        assert window.comparison.threshold == t
        counts.append(view.occupied_count)
        assert view.occupied_count == int((occ > t).sum())
        assert view.dataset is None if view.occupied_count == 0 else view.dataset.n_cells == view.occupied_count
        iou = float(voxel_iou(occ, result.ground_truth, t))
        assert view.caption.text() == f"IoU {iou:.3f} @ {format_threshold(t)}"
    assert counts == sorted(counts, reverse=True)
    assert len(set(counts)) > 1, f"thresholds {values} did not change the shown voxels"
    assert window.comparison.threshold_value.text() == format_threshold(values[-1] / 1000)

    slider.setValue(int(np.quantile(occ, 0.3) * 1000))
    t = window.comparison.threshold
    toolbar = window.comparison.toolbar
    qtbot.mouseClick(toolbar.widgetForAction(window.comparison.mode_actions["mesh"]), Qt.MouseButton.LeftButton)
    assert window.comparison.mode == "mesh" and view.mode == "mesh"
    assert view.dataset.is_all_triangles and view.dataset.n_cells > 0  # a marching-cubes surface
    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_3)  # the occupancy-colour mode's shortcut
    assert view.mode == "occupancy"
    assert view.dataset.n_cells == view.occupied_count
    shown = np.asarray(view.dataset.cell_data["occupancy"])
    assert shown.min() > t and np.isclose(shown.max(), occ.max())
    assert view.actor.mapper.scalar_visibility
    assert view._scalar_bar.GetVisibility() and not window.comparison.views["truth"]._scalar_bar
    slider.setValue(slider.value() + 1)  # a new shape keeps the one scale bar
    assert view._scalar_bar.GetVisibility() and view.plotter.renderer.GetViewProps().IsItemPresent(view._scalar_bar)
    window.comparison.set_mode("voxels")
    assert not view._scalar_bar.GetVisibility()


def test_cameras_are_linked_and_standard_views_turntable_work(qtbot, window, samples_root):
    wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    views = window.comparison.views
    cameras = {id(v.plotter.renderer.camera.GetPosition.__self__) for v in views.values()}
    assert len(cameras) == 1  # one vtkCamera shared by the three renderers

    activate(qtbot, window)
    qtbot.keyClick(window.chart, Qt.Key.Key_F)  # front view
    assert np.allclose(views["truth"].plotter.camera.position, (CAMERA_DISTANCE, 0, 0), atol=1e-6)
    before = views["truth"].screenshot()
    # move the camera from the proposed view, as a mouse drag would; the others follow
    views["proposed"].plotter.renderer.camera.Azimuth(60)
    qtbot.waitUntil(lambda: not window.comparison._render_pending, timeout=2000)
    after = views["truth"].screenshot()
    h, w = min(before.shape[0], after.shape[0]), min(before.shape[1], after.shape[1])  # layout may settle
    assert np.abs(after[:h, :w].astype(int) - before[:h, :w].astype(int)).sum(-1).astype(bool).mean() > 0.01

    window.comparison.set_standard_view("top")
    assert np.allclose(views["baseline"].plotter.camera.position, (0, CAMERA_DISTANCE, 0), atol=1e-6)
    up = np.array(views["baseline"].plotter.camera.up)
    window.comparison.rotate(90)  # seen from above, the turntable spins the picture in place
    assert not np.allclose(views["baseline"].plotter.camera.up, up)
    window.comparison.set_standard_view("iso")
    start = np.array(views["baseline"].plotter.camera.position)
    qtbot.keyClick(window.chart, Qt.Key.Key_Space)  # turntable on
    assert window.comparison.turntable.isActive() and window.turntable_action.isChecked()
    qtbot.waitUntil(lambda: not np.allclose(views["baseline"].plotter.camera.position, start), timeout=3000)
    window.turntable_action.trigger()
    assert not window.comparison.turntable.isActive()
    window.reset_camera_action.trigger()
    assert np.allclose(views["baseline"].plotter.camera.position, start, atol=1e-6)

    # the camera that took the picture: R2N2 metadata of view 00, divided by the binvox scale
    from core.geometry.camera import camera_from_view
    from core.io.r2n2 import read_metadata

    image = sample_image(samples_root, CHAIR)
    cam = camera_from_view(read_metadata(image.parent / "rendering_metadata.txt")[0])
    scale = read_binvox(next((samples_root / "ShapeNetVox32" / CHAIR).glob("*/model.binvox"))).scale
    assert window.comparison.input_view_action.isEnabled()
    window.comparison.input_view_action.trigger()
    assert np.allclose(views["truth"].plotter.camera.position, cam.centre / scale, atol=1e-5)


def test_prior_choice_gallery_and_paste(qtbot, window, samples_root):
    gallery = window.input_panel.gallery
    item = next(gallery.item(i) for i in range(gallery.count()) if gallery.item(i).text() == "table")
    rect = gallery.visualItemRect(item)
    result = wait_for_result(qtbot, window, lambda: qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton,
                                                                     pos=rect.center()))
    assert NAME_TO_SYNSET["table"] in result.request.ground_truth
    assert window.comparison.views["proposed"].iou is not None

    # a fixed prior class re-runs the baseline on that class's mean shape
    combo = window.comparison.prior_combo
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered == ["auto", *window.predictors["baseline"].classes]
    choice = next(c for c in reversed(offered) if c != result.predictions["baseline"].prior_class)
    result = wait_for_result(qtbot, window, lambda: combo.setCurrentText(choice))
    assert result.predictions["baseline"].prior_class == choice

    # pasted pixels have no ground truth: no IoU, and the truth view says so
    image = QImage(str(sample_image(samples_root, CHAIR)))
    QGuiApplication.clipboard().setImage(image)
    activate(qtbot, window)
    result = wait_for_result(qtbot, window, lambda: qtbot.keyClick(window.chart, Qt.Key.Key_V,
                                                                   Qt.KeyboardModifier.ControlModifier))
    assert result.ground_truth is None and result.request.label == "pasted image"
    assert window.comparison.views["proposed"].caption.text().endswith("IoU n/a")
    assert window.comparison.views["truth"].actor is None
    assert not window.comparison.input_view_action.isEnabled()  # no camera known for pasted pixels


def test_hosted_panels_signals_load_checkpoint_and_show_sample(qtbot, window, samples_root, gui_checkpoints):
    assert window.training_panel is not None and window.dataset_panel is not None
    assert window.tabs.tabText(1) == "Train"
    window.tabs.setCurrentIndex(1)
    old = window.predictors["proposed"]
    with qtbot.waitSignal(window.predictorChanged, timeout=30000):
        window.training_panel.loadCheckpointRequested.emit(str(gui_checkpoints["proposed"]), "proposed")
    assert window.predictors["proposed"] is not old
    assert window.tabs.currentIndex() == 0  # back to the views that will use it

    image = sample_image(samples_root, NAME_TO_SYNSET["car"], "03.png")
    binvox = next((samples_root / "ShapeNetVox32" / NAME_TO_SYNSET["car"]).glob("*/model.binvox"))
    result = wait_for_result(qtbot, window, lambda: window.dataset_panel.sampleChosen.emit(str(image), str(binvox)))
    assert result.request.ground_truth == str(binvox)
    assert window.comparison.views["truth"].occupied_count == int(read_binvox(binvox).data.sum())


def test_window_state_is_remembered_in_the_settings_folder(qtbot, samples_root, isolated_settings):
    w = make_window(qtbot, samples_root)
    assert w.dataset_dock.isVisible()
    w.dataset_dock.hide()
    w.settings.set_last_folder("image", samples_root / "ShapeNetRendering")
    close_window(w)
    ini = (isolated_settings / "recon-gui.ini").read_text()
    assert "geometry=" in ini and "state=" in ini
    w2 = make_window(qtbot, samples_root, size=None)
    w2.comparison.set_mode("mesh")
    w2.comparison.set_threshold(0.55)
    close_window(w2)
    w3 = make_window(qtbot, samples_root, size=None)
    try:
        assert w3.comparison.mode == "mesh" and w3.comparison.threshold == 0.55
        assert w3.comparison.views["proposed"].threshold == 0.55
    finally:
        close_window(w3)
    w2 = make_window(qtbot, samples_root, size=None)
    try:
        assert not w2.dataset_dock.isVisible()  # dock layout restored from the saved state
        assert w2.settings.last_folder("image") == str(samples_root / "ShapeNetRendering")
    finally:
        close_window(w2)


def test_about_box_lists_versions(qtbot, window):
    box = window.show_about()
    text = box.text()
    for name in ("recon-gui", "torch", "Qt", "VTK"):
        assert name in text
    box.close()
    wait_idle(qtbot, window)


def test_command_line_opens_window_with_given_checkpoints_and_image(qtbot, samples_root, gui_checkpoints, tmp_path):
    from recon_gui.app import build_window, check_args, main, parse_args

    image = sample_image(samples_root, CHAIR, "07.png")
    args = parse_args([str(image), "--checkpoint-baseline", str(gui_checkpoints["baseline"]),
                       "--checkpoint-proposed", str(gui_checkpoints["proposed"])])
    assert check_args(args) is None
    assert main(["--checkpoint-proposed", str(tmp_path / "missing.pt")]) == 2  # refused before any window
    assert "missing.pt: proposed checkpoint not found" in check_args(parse_args(["--checkpoint-proposed", str(tmp_path / "missing.pt")]))
    w = build_window(args)
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: w.result is not None and w.result.predictions["baseline"] is not None, timeout=30000)
        assert w.result.request.image == str(image)
        assert w.checkpoint_files == {k: str(v) for k, v in gui_checkpoints.items()}
        assert not w.windowIcon().isNull()
    finally:
        close_window(w)


def test_dark_theme_reaches_widgets_and_3d_background(qtbot, samples_root, monkeypatch):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from recon_gui.theme import DARK, LIGHT, apply_theme

    app = QApplication.instance()
    monkeypatch.setenv("RECON_GUI_THEME", "dark")
    try:
        assert apply_theme(app) is DARK
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 100
        w = make_window(qtbot, samples_root)
        try:
            assert w.theme is DARK
            shot = w.comparison.views["truth"].screenshot()
            centre = shot[shot.shape[0] // 2, 5].astype(int)
            expected = [int(DARK.background_3d[i:i + 2], 16) for i in (1, 3, 5)]
            assert np.abs(centre - expected).sum() < 12
        finally:
            close_window(w)
    finally:
        monkeypatch.setenv("RECON_GUI_THEME", "light")
        assert apply_theme(app) is LIGHT


def test_dropping_checkpoints_fills_their_own_slots(qtbot, samples_root, gui_checkpoints):
    w = make_window(qtbot, samples_root)
    try:
        with qtbot.waitSignals([w.predictorChanged, w.predictorChanged], timeout=30000):
            drop_files(w, gui_checkpoints["proposed"], gui_checkpoints["baseline"])
        assert {s: p.name for s, p in w.predictors.items()} == {"baseline": "baseline", "proposed": "proposed"}
        assert w.checkpoint_files == {k: str(v) for k, v in gui_checkpoints.items()}
        assert "baseline.pt" in w.models_label.text() and "proposed.pt" in w.models_label.text()
    finally:
        close_window(w)


def test_closing_while_a_picture_is_on_the_worker(qtbot, samples_root, gui_checkpoints):
    w = make_window(qtbot, samples_root, gui_checkpoints)
    shown = []
    w.predictionShown.connect(shown.append)
    w.open_image(sample_image(samples_root, CHAIR))
    w.close()  # the result arrives after the views are gone
    qtbot.waitUntil(lambda: not w.busy, timeout=30000)
    assert shown == [] and not w.error_dialogs
    close_window(w)


def test_shipped_demo_checkpoints_load_at_start(qtbot, samples_root, gui_checkpoints, monkeypatch, tmp_path):
    import shutil

    shipped = tmp_path / "resources" / "checkpoints"
    shipped.mkdir(parents=True)
    for slot, path in gui_checkpoints.items():
        shutil.copy(path, shipped / f"{slot}.pt")
    monkeypatch.setenv("RECON_GUI_RESOURCES", str(tmp_path / "resources"))
    w = MainWindow(samples_root=samples_root)  # no checkpoints given: the shipped ones are used
    qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: all(p is not None for p in w.predictors.values()), timeout=30000)
        assert w.checkpoint_files == {s: str(shipped / f"{s}.pt") for s in ("baseline", "proposed")}
    finally:
        close_window(w)


def test_ctrl_o_opens_the_chosen_picture(qtbot, window, samples_root, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    image = sample_image(samples_root, NAME_TO_SYNSET["sofa"], "11.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(image), "")))
    activate(qtbot, window)
    result = wait_for_result(qtbot, window, lambda: qtbot.keyClick(window.chart, Qt.Key.Key_O,
                                                                   Qt.KeyboardModifier.ControlModifier))
    assert result.request.image == str(image) and result.true_class == "sofa"


def test_theme_follows_a_scheme_change_at_run_time(qtbot, window, monkeypatch):
    from PySide6.QtGui import QGuiApplication

    from recon_gui.theme import DARK, LIGHT

    monkeypatch.setenv("RECON_GUI_THEME", "dark")
    try:
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert window.theme is DARK and window.chart.theme is DARK
        assert all(v.theme is DARK for v in window.comparison.views.values())
        bg = window.comparison.views["proposed"].plotter.background_color
        assert bg.hex_rgb.lower() == DARK.background_3d
    finally:
        monkeypatch.setenv("RECON_GUI_THEME", "light")
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window.theme is LIGHT


def test_a_hosted_panel_that_fails_to_start_does_not_stop_the_window(qtbot, samples_root, monkeypatch):
    import recon_gui.panels.training as training

    def broken(*_args, **_kwargs):
        raise RuntimeError("no trainer today")

    monkeypatch.setattr(training, "TrainingPanel", broken)
    w = make_window(qtbot, samples_root)
    try:
        assert w.training_panel is None and w.tabs.count() == 1 and w.dataset_panel is not None
        assert "Training panel failed to start: RuntimeError: no trainer today" in w.statusBar().currentMessage()
    finally:
        close_window(w)


def test_checkpoints_loaded_by_hand_come_back_next_time(qtbot, samples_root, gui_checkpoints, monkeypatch, tmp_path):
    monkeypatch.setenv("RECON_GUI_RESOURCES", str(tmp_path / "no-resources"))  # nothing shipped
    w = make_window(qtbot, samples_root, gui_checkpoints)  # as if chosen in File → Load checkpoint
    close_window(w)
    w2 = MainWindow(samples_root=samples_root)
    qtbot.addWidget(w2)
    try:
        qtbot.waitUntil(lambda: all(p is not None for p in w2.predictors.values()), timeout=30000)
        assert w2.checkpoint_files == {k: str(v) for k, v in gui_checkpoints.items()}
    finally:
        close_window(w2)
