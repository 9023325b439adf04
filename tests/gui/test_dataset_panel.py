"""Dataset panel: discovery in a worker, sample selection, non-data-set folders, evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    open_and_wait(qtbot, panel, tiny_synth_root)
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
