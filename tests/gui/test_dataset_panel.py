"""Dataset panel: discovery in a worker, sample selection, non-data-set folders, evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from recon_gui.panels.dataset_browser import DatasetPanel
from recon_gui.workers import WorkerManager


@pytest.fixture
def panel(qtbot):
    workers = WorkerManager()
    p = DatasetPanel(workers)
    qtbot.addWidget(p)
    yield p
    workers.cancel_all()
    workers.wait(30000)


def open_and_wait(qtbot, panel: DatasetPanel, root: Path) -> None:
    panel.open_folder(root)
    qtbot.waitUntil(lambda: panel.open_worker is None, timeout=20000)


def test_open_pick_class_object_view_emits_existing_paths(tiny_synth_root, qtbot, panel):
    with qtbot.assertNotEmitted(panel.sampleChosen):  # opening shows a sample; only a choice sends it
        open_and_wait(qtbot, panel, tiny_synth_root)
    assert not panel.thumbnail.pixmap().isNull()
    assert panel.discovery is not None, panel.message
    assert panel.class_combo.count() == 13
    assert "39 objects" in panel.message

    with qtbot.waitSignal(panel.sampleChosen, timeout=2000) as blocker:
        panel.select("chair", object_index=2, view=17)
    image, binvox = blocker.args
    assert Path(image).is_file() and Path(image).name == "17.png"
    assert Path(binvox).is_file() and Path(binvox).name == "model.binvox"
    assert "03001627" in image and "03001627" in binvox
    # the image and voxels belong to the same object
    assert Path(image).parent.parent.name == Path(binvox).parent.name
    assert panel.thumbnail.pixmap() is not None and not panel.thumbnail.pixmap().isNull()

    # the spin box alone changes the view
    with qtbot.waitSignal(panel.sampleChosen, timeout=2000) as blocker:
        panel.view_spin.setValue(3)
    assert blocker.args[0].endswith("03.png")


def test_real_sample_folder_opens(qtbot, panel, real_r2n2_root):
    open_and_wait(qtbot, panel, real_r2n2_root)
    assert [panel.class_combo.itemData(i) for i in range(panel.class_combo.count())] == ["chair"]
    assert panel.object_combo.count() == 3


def test_non_dataset_folder_shows_message_and_panel_stays_usable(tiny_synth_root, qtbot, panel, tmp_path):
    (tmp_path / "holiday_photos").mkdir()
    open_and_wait(qtbot, panel, tmp_path / "holiday_photos")
    assert panel.discovery is None
    assert panel.message.startswith("Not a data set:")
    assert "ShapeNetRendering" in panel.message and "holiday_photos" in panel.message
    assert not panel.evaluate_button.isEnabled()

    open_and_wait(qtbot, panel, tmp_path / "does_not_exist")
    assert "not found" in panel.message

    open_and_wait(qtbot, panel, tiny_synth_root)
    assert panel.discovery is not None and panel.class_combo.count() == 13


@pytest.fixture(scope="module")
def smoke_checkpoint(tiny_synth_root, tmp_path_factory) -> Path:
    """A 2-step proposed model on the tiny set (1 object per class in each split)."""
    import torch

    from core.train.config import build_train_config
    from core.train.trainer import train

    torch.set_num_threads(1)
    cfg = build_train_config(preset="smoke", model="proposed", data_root=str(tiny_synth_root), classes="13",
                             out_dir=str(tmp_path_factory.mktemp("runs")), name="smoke", split_ratios=(0.34, 0.33, 0.33),
                             tensorboard=False)
    result = train(cfg)
    return result.best_path or result.last_path


def test_evaluate_checkpoint_fills_table_with_a_row_per_class_and_chart(tiny_synth_root, smoke_checkpoint, qtbot, panel, tmp_path):
    from core.report_table import report_table
    from core.taxonomy import ALL_CLASSES

    open_and_wait(qtbot, panel, tiny_synth_root)
    assert panel.evaluate_button.isEnabled()
    with qtbot.waitSignal(panel.evaluationFinished, timeout=120_000) as done:
        panel.evaluate_checkpoint(smoke_checkpoint, views=2)
    report = done.args[0]
    assert panel.eval_state == "finished"
    qtbot.waitUntil(lambda: panel.eval_worker is None, timeout=5000)
    assert panel.eval_progress.value() == panel.eval_progress.maximum()

    view = panel.evaluation_view
    table = view.table
    headers = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    # core's one table model (core.report_table), its "@" broken onto a second line to keep columns narrow
    assert headers == [h.replace("@", "\n@") for h in report_table(report).headers]
    assert headers == ["class", "objects", "IoU\n@0.3", "IoU\n@0.4", "IoU\n@0.5", "mean-shape\n@0.4", "accuracy"]
    assert table.rowCount() == 13 + 2
    assert [table.item(i, 0).text() for i in range(13)] == list(ALL_CLASSES)
    for i, name in enumerate(ALL_CLASSES):
        assert table.item(i, 1).text() == "1"  # one test object per class
        assert float(table.item(i, 3).text()) == pytest.approx(report.model_row.per_class[name]["0.4"], abs=5e-4)
        assert 0.0 <= float(table.item(i, 5).text()) <= 1.0  # mean-shape reference is shown
        assert 0.0 <= float(table.item(i, 6).text()) <= 1.0  # the proposed model classifies
    assert table.item(13, 0).text() == "mean (class-averaged)" and table.item(14, 0).text() == "mean (instance-averaged)"
    assert float(table.item(13, 3).text()) == pytest.approx(report.model_row.class_mean["0.4"], abs=5e-4)
    assert view.bar_values() == pytest.approx([report.model_row.per_class[c]["0.4"] for c in ALL_CLASSES])
    assert view.tabs.isTabEnabled(1)  # the proposed model classifies: a confusion matrix is shown
    image = view.confusion_figure.axes[0].get_images()[0].get_array()
    assert image.shape == (13, 13) and np.allclose(np.asarray(image).sum(axis=1), 1.0)

    saved = view.save_report(tmp_path / "eval.json")
    from core.evaluate import EvalReport

    again = EvalReport.from_dict(json.loads(saved.read_text()))
    assert again.classes == report.classes and again.model_row.class_mean == report.model_row.class_mean


def test_evaluating_a_broken_checkpoint_reports_the_file(tiny_synth_root, qtbot, panel, tmp_path):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    open_and_wait(qtbot, panel, tiny_synth_root)
    panel.evaluate_checkpoint(bad)
    qtbot.waitUntil(lambda: panel.eval_worker is None, timeout=20_000)
    assert panel.eval_state == "failed"
    assert str(bad) in panel.eval_error
    assert str(bad) in panel.eval_status.text()
    assert panel.evaluate_button.isEnabled()


def test_cancelling_an_evaluation_leaves_the_panel_ready(tiny_synth_root, smoke_checkpoint, qtbot, panel):
    open_and_wait(qtbot, panel, tiny_synth_root)
    panel.evaluate_checkpoint(smoke_checkpoint, views=24)
    assert panel.eval_cancel_button.isEnabled() and not panel.evaluate_button.isEnabled()
    qtbot.mouseClick(panel.eval_cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.eval_worker is None, timeout=60_000)
    assert panel.eval_state == "cancelled"
    assert panel.eval_report is None and panel.evaluation_view.table.rowCount() == 0
    assert panel.evaluate_button.isEnabled() and not panel.eval_cancel_button.isEnabled()


def test_last_data_set_folder_is_prefilled_next_time(tiny_synth_root, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    workers = WorkerManager()
    first = DatasetPanel(workers, settings=store)
    qtbot.addWidget(first)
    open_and_wait(qtbot, first, tiny_synth_root)
    first.open_folder(tmp_path / "not_a_dataset")  # a failed open is not remembered
    qtbot.waitUntil(lambda: first.open_worker is None, timeout=20000)
    second = DatasetPanel(workers, settings=store)
    qtbot.addWidget(second)
    assert second.root_edit.text() == str(tiny_synth_root)
    assert second.discovery is None  # prefilled, not opened behind the user's back


def test_evaluate_in_opens_the_run_folder_first(tiny_synth_root, real_r2n2_root, smoke_checkpoint, qtbot, panel):
    open_and_wait(qtbot, panel, real_r2n2_root)  # another data set is open
    panel.eval_views_spin.setValue(1)
    with qtbot.waitSignal(panel.evaluationFinished, timeout=120_000):
        panel.evaluate_in(smoke_checkpoint, tiny_synth_root)
    assert panel.root == tiny_synth_root and panel.class_combo.count() == 13
    assert panel.evaluation_view.table.rowCount() == 13 + 2
