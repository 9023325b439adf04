"""Training panel end to end on the tiny generated set: train, watch curves, load; pause;
cancel and resume; a failing run shows its error and leaves the panel usable."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.train.checkpoint import load_checkpoint
from recon_gui.panels.training import TrainingPanel
from recon_gui.workers import WorkerManager

TRAIN_TIMEOUT_MS = 120_000


@pytest.fixture
def panel(qtbot):
    workers = WorkerManager()
    p = TrainingPanel(workers, torch_threads=1)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    yield p
    workers.cancel_all()
    workers.wait(60_000)
    if p.error_box is not None:
        p.error_box.close()


def fill_form(panel: TrainingPanel, root: Path, out: Path, name: str, *, model: str = "proposed", epochs: int = 1) -> None:
    panel.model_combo.setCurrentText(model)
    panel.data_edit.setText(str(root))
    panel.classes_combo.setCurrentText("13")
    panel.epochs_spin.setValue(epochs)
    panel.batch_spin.setValue(8)
    panel.views_spin.setValue(2)
    panel.val_views_spin.setValue(1)
    panel.val_pct_spin.setValue(20)  # 3 objects per class: 1 train, 1 val, 1 test
    panel.test_pct_spin.setValue(20)
    panel.max_steps_spin.setValue(0)
    panel.lr_spin.setValue(1e-3)
    panel.fusion_combo.setCurrentText("sum")
    panel.embed_combo.setCurrentText("128")
    panel.encoder_combo.setCurrentText("fast")
    panel.out_edit.setText(str(out))
    panel.name_edit.setText(name)
    panel.resume_check.setChecked(False)


def wait_idle(qtbot, panel: TrainingPanel) -> None:
    qtbot.waitUntil(lambda: panel.worker is None, timeout=TRAIN_TIMEOUT_MS)


def assert_form_usable(panel: TrainingPanel) -> None:
    assert panel.start_button.isEnabled()
    assert not panel.cancel_button.isEnabled() and not panel.pause_button.isEnabled()
    assert panel.model_combo.isEnabled() and panel.data_edit.isEnabled()


def test_one_epoch_run_plots_curves_writes_loadable_checkpoint_and_offers_load(qtbot, panel, tiny_synth_root, tmp_path):
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "one-epoch", model="proposed", epochs=1)
    with qtbot.waitSignal(panel.trainingStarted, timeout=5000):
        qtbot.mouseClick(panel.start_button, qtbot_left())
    assert panel.state == "running"
    assert not panel.start_button.isEnabled() and panel.cancel_button.isEnabled()
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        pass
    assert ended.args == ["finished"], panel.last_error
    assert_form_usable(panel)

    xs, ys = panel.curves.series("train loss")
    assert len(xs) >= 1 and all(y > 0 for y in ys)
    assert 1 <= panel.curves.drawn_points("train loss") <= len(xs)  # the painted line caught up
    assert len(panel.curves.series("val IoU")[0]) == 1  # one epoch, one validation
    assert panel.curves.drawn_points("val IoU") == 1
    assert panel.progress_bar.value() == panel.progress_bar.maximum() > 0

    ckpt = Path(panel.checkpoint_path)
    assert ckpt.is_file() and ckpt.name in ("best.pt", "last.pt")
    assert ckpt.parent == tmp_path / "runs" / "one-epoch"
    loaded = load_checkpoint(ckpt, expect_model="proposed")
    assert loaded.model_config.name == "proposed" and loaded.model_config.fusion == "sum"
    assert len(loaded.classes) == 13

    assert panel.load_proposed_button.isEnabled() and not panel.load_baseline_button.isEnabled()
    with qtbot.waitSignal(panel.loadCheckpointRequested, timeout=1000) as load:
        qtbot.mouseClick(panel.load_proposed_button, qtbot_left())
    assert load.args == [str(ckpt), "proposed"]
    with qtbot.waitSignal(panel.evaluateRequested, timeout=1000) as evaluate:
        qtbot.mouseClick(panel.evaluate_button, qtbot_left())
    assert evaluate.args == [str(ckpt), str(tiny_synth_root)]


def test_pause_holds_training_and_cancel_leaves_resumable_last_checkpoint(qtbot, panel, tiny_synth_root, tmp_path):
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "cancelled", model="baseline", epochs=50)
    panel.batch_spin.setValue(2)
    panel.views_spin.setValue(8)  # 13 train objects × 8 views / 2 = 52 steps: the cancel lands mid-epoch
    steps: list[int] = []
    panel.start()
    panel.worker.signals.progress.connect(lambda e: steps.append(e.done))
    qtbot.waitUntil(lambda: len(panel.curves.series("train loss")[0]) >= 2, timeout=TRAIN_TIMEOUT_MS)

    qtbot.mouseClick(panel.pause_button, qtbot_left())
    assert panel.state == "paused" and panel.pause_button.text() == "Resume"
    at_pause = len(steps)
    qtbot.wait(1000)
    held = len(steps)
    assert held <= at_pause + 1, "training kept running while paused"  # only the step in flight may report
    qtbot.wait(700)
    assert len(steps) == held, "training kept running while paused"
    qtbot.mouseClick(panel.pause_button, qtbot_left())
    assert panel.state == "running"
    qtbot.waitUntil(lambda: len(steps) > held, timeout=TRAIN_TIMEOUT_MS)

    # a cancel while paused releases the pause and stops the run
    qtbot.mouseClick(panel.pause_button, qtbot_left())
    assert panel.state == "paused"
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        qtbot.mouseClick(panel.cancel_button, qtbot_left())
    assert ended.args == ["cancelled"]
    assert panel.status_label.text() == "cancelled"
    assert_form_usable(panel)

    last = tmp_path / "runs" / "cancelled" / "last.pt"
    assert last.is_file()
    assert panel.checkpoint_path == str(last)
    assert panel.resume_edit.text() == str(last)
    assert panel.load_baseline_button.isEnabled() and not panel.load_proposed_button.isEnabled()
    loaded = load_checkpoint(last, expect_model="baseline")
    assert loaded.priors is not None and loaded.priors.shape == (13, 32, 32, 32)

    assert loaded.has_training_state and loaded.global_step >= 2
    assert loaded.epoch == 0 and 0 < loaded.step_in_epoch < 52

    # resume from the cancelled run's last.pt: it continues in the same folder and finishes
    # the epoch it was cancelled in
    panel.resume_check.setChecked(True)
    assert not panel.model_combo.isEnabled() and not panel.lr_spin.isEnabled()  # taken from the checkpoint
    assert panel.epochs_spin.isEnabled() and panel.data_edit.isEnabled()
    panel.model_combo.setCurrentText("proposed")  # ignored: the checkpoint says baseline
    panel.epochs_spin.setValue(1)
    earlier_x, _earlier_y = panel.curves.series("train loss")
    with qtbot.waitSignal(panel.trainingStarted, timeout=5000):
        panel.start()
    # the resumed run starts from the earlier curve (read back from the run's metrics), not from nothing
    xs, _ys = panel.curves.series("train loss")
    assert xs and xs[0] == earlier_x[0] and max(xs) <= loaded.global_step + 1
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        pass
    assert ended.args == ["finished"], panel.last_error
    assert f"resuming from {last}" in panel.log_view.toPlainText()
    assert panel.result.global_step > loaded.global_step
    assert panel.result.global_step == 52 and panel.result.epochs_completed == 1
    xs = panel.curves.series("train loss")[0]
    assert xs[0] == earlier_x[0] and xs[-1] >= 50  # one curve across the cancel and the resume
    assert Path(panel.checkpoint_path).parent == last.parent
    assert panel.load_baseline_button.isEnabled() and not panel.load_proposed_button.isEnabled()


def test_missing_data_folder_shows_error_and_panel_stays_usable(qtbot, panel, tiny_synth_root, tmp_path):
    missing = tmp_path / "no_such_folder"
    fill_form(panel, missing, tmp_path / "runs", "broken")
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        panel.start()
    assert ended.args == ["failed"]
    assert panel.last_error and str(missing) in panel.last_error
    assert panel.error_box is not None and panel.error_box.isVisible()
    assert not panel.error_box.isModal()
    assert str(missing) in panel.error_box.text()
    assert "ERROR" in panel.log_view.toPlainText()
    assert_form_usable(panel)
    assert not panel.load_baseline_button.isEnabled() and not panel.load_proposed_button.isEnabled()
    assert not panel.evaluate_button.isEnabled()

    # the same panel can still run a good training
    panel.error_box.close()
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "after-error", epochs=1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        panel.start()
    assert ended.args == ["finished"], panel.last_error


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_curve_envelope_keeps_extremes_of_a_long_noisy_run():
    import numpy as np

    from recon_gui.panels.curves import envelope, nice_ticks

    rng = np.random.default_rng(0)
    xs = np.arange(1, 100_001, dtype=float)
    ys = np.exp(-xs / 30_000) + rng.normal(0, 0.05, xs.size)
    ex, ey = envelope(xs.tolist(), ys.tolist(), columns=300)
    assert len(ex) <= 2 * 300 + 2
    assert ey.max() == ys.max() and ey.min() == ys.min()
    assert ex[0] >= xs[0] and ex[-1] == xs[-1] and np.all(np.diff(ex) >= 0)
    short_x, short_y = envelope([1, 2, float("nan")], [0.5, float("nan"), 0.1], columns=300)
    assert short_x.tolist() == [1.0] and short_y.tolist() == [0.5]  # NaN points are not painted
    assert nice_ticks(1, 3, integer=True) == [1, 2, 3]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_presets_fill_the_form_and_build_the_same_config_as_core(qtbot, panel, tmp_path):
    from core.train.config import PRESETS, build_train_config

    panel.data_edit.setText(str(tmp_path))
    panel.out_edit.setText(str(tmp_path / "runs"))
    panel.name_edit.setText("p")
    for name in ("paper-7", "cpu-small", "smoke", "paper-13"):
        panel.preset_combo.setCurrentIndex(panel.preset_combo.findData(name))
        ours = panel.build_config()
        core = build_train_config(preset=name, data_root=str(tmp_path))
        for field in PRESETS[name]:
            if field != "num_workers":  # not on the form: the GUI trains in-process
                assert getattr(ours, field) == getattr(core, field), (name, field)
    assert panel.build_config().ce_weight == 0.05 and len(panel.build_config().classes) == 13
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("paper-7"))
    assert panel.build_config().ce_weight == 0.001 and len(panel.build_config().classes) == 7


def test_eta_from_the_step_rate():
    from recon_gui.panels.training import EtaEstimator, format_eta

    eta = EtaEstimator()
    assert eta.update(1, 101, now=10.0) is None  # the first step includes start-up
    assert eta.update(11, 101, now=20.0) == pytest.approx(90.0)  # 10 steps / 10 s, 90 to go
    assert format_eta(90) == "1:30" and format_eta(3725) == "1:02:05"


def test_form_is_remembered_across_panels(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    workers = WorkerManager()
    first = TrainingPanel(workers, torch_threads=1, settings=store)
    qtbot.addWidget(first)
    fill_form(first, tmp_path / "data", tmp_path / "runs", "x", model="baseline", epochs=7)
    first.lr_spin.setValue(0.0005)
    first.save_form(store)
    store.setValue("training/batch_size", "not a number")  # a hand-edited file must not break the panel
    second = TrainingPanel(workers, torch_threads=1, settings=store)
    qtbot.addWidget(second)
    assert second.model_combo.currentText() == "baseline"
    assert second.data_edit.text() == str(tmp_path / "data")
    assert second.epochs_spin.value() == 7 and second.lr_spin.value() == pytest.approx(0.0005)
    assert second.views_spin.value() == 2 and second.val_pct_spin.value() == 20
    assert second.batch_spin.value() == 32  # the default, not the garbage


def test_unavailable_device_fails_in_one_line(qtbot, panel, tiny_synth_root, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: 'cuda' would train")
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "gpu")
    panel.device_combo.setCurrentText("cuda")
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        panel.start()
    assert ended.args == ["failed"]
    assert "cuda" in panel.last_error and "\n" not in panel.last_error
    assert_form_usable(panel)


def test_invalid_form_value_is_reported_without_starting(qtbot, panel, tmp_path):
    fill_form(panel, tmp_path, tmp_path / "runs", "bad")
    panel.val_pct_spin.setValue(90)  # leaves no share for training
    panel.test_pct_spin.setValue(30)
    with qtbot.waitSignal(panel.trainingEnded, timeout=5000) as ended:
        panel.start()
    assert ended.args == ["failed"] and panel.worker is None
    assert "split ratios" in panel.last_error
    assert panel.error_box.isVisible()
    assert_form_usable(panel)


def test_trainer_warnings_reach_the_log_view(qtbot, panel, tiny_synth_root, tmp_path):
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "no-val")
    panel.val_pct_spin.setValue(5)  # 3 objects per class: no validation object at all
    panel.max_steps_spin.setValue(1)
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        panel.start()
    assert ended.args == ["finished"], panel.last_error
    assert "WARNING core.train.trainer" in panel.log_view.toPlainText()
    assert "the validation split is empty" in panel.log_view.toPlainText()
    assert panel.curves.series("val IoU") == ([], [])  # nothing to validate on, nothing plotted


@pytest.mark.parametrize("given", ["", "missing.pt", "folder"])
def test_resume_without_a_checkpoint_is_refused(qtbot, panel, tiny_synth_root, tmp_path, given):
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "r")
    (tmp_path / "folder").mkdir()
    panel.resume_check.setChecked(True)
    panel.resume_edit.setText(str(tmp_path / given) if given else "")
    with qtbot.waitSignal(panel.trainingEnded, timeout=5000) as ended:
        panel.start()
    assert ended.args == ["failed"] and panel.worker is None
    assert ("no checkpoint" in panel.last_error) if not given else (given in panel.last_error)
    assert panel.error_box.isVisible() and "\n" not in panel.last_error
    assert not (tmp_path / "runs").exists()  # nothing started, nothing written
    assert panel.start_button.isEnabled() and panel.resume_edit.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_new_run_never_lands_in_a_folder_holding_one(qtbot, panel, tiny_synth_root, tmp_path, monkeypatch):
    earlier = tmp_path / "runs" / "mine"
    earlier.mkdir(parents=True)
    (earlier / "last.pt").write_bytes(b"an earlier run's checkpoint")
    (earlier / "metrics.jsonl").write_text('{"kind": "epoch"}\n')
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}
    asked = []
    monkeypatch.setattr(panel, "ask_fresh_name", lambda folder, fresh: asked.append((folder.path, fresh.path)) or False)
    fill_form(panel, tiny_synth_root, tmp_path / "runs", "mine")
    panel.max_steps_spin.setValue(1)
    panel.start()
    assert asked == [(earlier, earlier.with_name("mine-2"))]
    assert panel.worker is None and panel.state != "running" and "not started" in panel.log_view.toPlainText()

    monkeypatch.setattr(panel, "ask_fresh_name", lambda folder, fresh: True)  # take the fresh name
    with qtbot.waitSignal(panel.trainingEnded, timeout=TRAIN_TIMEOUT_MS) as ended:
        panel.start()
    assert ended.args == ["finished"], panel.last_error
    assert Path(panel.checkpoint_path).parent == earlier.with_name("mine-2")
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before  # the earlier run is untouched


def resume_earlier_run(qtbot, panel, tmp_path, monkeypatch, read_log) -> float:
    """Resume a run that logged five steps and an epoch, with ``read_log`` in place of core's
    metrics reader and a trainer that reports one step more; returns how long start() took."""
    import core.train.metrics_log as metrics_log
    import core.train.trainer as trainer
    from core.progress import ProgressEvent
    from core.train.events import EpochEvent, JsonlLogger, StepEvent

    run = tmp_path / "runs" / "earlier"
    logger = JsonlLogger(run / "metrics.jsonl", every=1)
    for step in range(1, 6):
        logger.on_step(StepEvent(0, step, step, 5, 10, 1.0 / step, 0.5, 0.1, 1e-3, 100.0))
    logger.on_epoch(EpochEvent(0, 2, 5, 10, 0.4, 0.5, 0.3))
    (run / "last.pt").write_bytes(b"")  # the trainer is replaced: only the path matters here

    def fake_train(cfg, progress, cancel, pause):  # one step after the earlier five, then done
        progress(ProgressEvent(6, 10, event=StepEvent(0, 6, 1, 5, 10, 0.1, 0.1, 0.0, 1e-3, 100.0)))
        return SimpleNamespace(config=SimpleNamespace(model="baseline"), best_path=None, last_path=None)

    real_read = metrics_log.read_metrics_log
    monkeypatch.setattr(metrics_log, "read_metrics_log", lambda path, *a, **k: read_log(real_read, path, *a, **k))
    monkeypatch.setattr(trainer, "train", fake_train)
    fill_form(panel, tmp_path / "data", tmp_path / "runs", "earlier", model="baseline")
    (tmp_path / "data").mkdir()
    panel.resume_check.setChecked(True)
    panel.resume_edit.setText(str(run / "last.pt"))
    started = time.perf_counter()
    panel.start()
    took = time.perf_counter() - started
    with qtbot.waitSignal(panel.trainingEnded, timeout=10_000) as ended:
        pass
    assert ended.args == ["finished"], panel.last_error
    return took


def test_resuming_an_earlier_run_reads_its_curve_on_the_worker_before_the_first_step(qtbot, panel, tmp_path,
                                                                                    monkeypatch):
    readers: list[int] = []

    def slow_read(read, path, *args, **kwargs):  # a long run's log: parsing takes a while
        readers.append(threading.get_ident())
        time.sleep(0.6)
        return read(path, *args, **kwargs)

    took = resume_earlier_run(qtbot, panel, tmp_path, monkeypatch, slow_read)
    assert took < 0.3  # the read waited on the worker, not on the UI
    assert readers and readers[0] != threading.get_ident()
    # the earlier curve, then the resumed run's step after it
    assert panel.curves.series("train loss") == ([1, 2, 3, 4, 5, 6], [1.0, 0.5, 1 / 3, 0.25, 0.2, 0.1])
    assert panel.curves.series("val IoU") == ([1], [0.3]) and panel.curves.series("val loss") == ([5], [0.5])


def test_an_unreadable_history_is_said_once_and_the_run_goes_on(qtbot, panel, tmp_path, monkeypatch):
    from core.errors import DataError

    def failing_read(_read, path, *args, **kwargs):
        raise DataError(path, "cannot read the metrics file (Input/output error)")

    resume_earlier_run(qtbot, panel, tmp_path, monkeypatch, failing_read)
    log = panel.log_view.toPlainText()
    assert log.count("earlier curves not shown: ") == 1 and "metrics.jsonl" in log
    assert panel.curves.series("train loss") == ([6], [0.1])  # the run itself goes on


def test_models_and_their_fields_come_from_the_registry(qtbot):
    from core.models.baseline import BaselineModel
    from core.models.registry import model_names, register_model, unregister_model

    register_model("toy", BaselineModel, label="Toy", needs_prior=False, has_classifier=False,
                   options={"encoder": ("fast",)})
    try:
        panel = TrainingPanel(WorkerManager(), torch_threads=1)
        qtbot.addWidget(panel)
        offered = [panel.model_combo.itemText(i) for i in range(panel.model_combo.count())]
        assert offered[:2] == ["proposed", "baseline"] and sorted(offered) == sorted(model_names())
        for model, classifier in (("proposed", True), ("baseline", False), ("toy", False)):
            panel.model_combo.setCurrentText(model)
            assert panel.ce_weight_spin.isEnabled() == classifier, model  # a = the classification loss weight
            assert panel.fusion_combo.isEnabled() == (model == "proposed"), model
    finally:
        unregister_model("toy")


def test_fresh_name_question_never_points_at_a_missing_last_pt(panel, tmp_path, monkeypatch):
    """A run that stopped before its first checkpoint has no last.pt to resume from."""
    import recon_gui.panels.training as training
    from core.train.run_folder import RunFolder

    asked: list[str] = []
    monkeypatch.setattr(training.QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2]) or training.QMessageBox.StandardButton.No)
    folder = RunFolder(tmp_path / "died")
    folder.path.mkdir()
    folder.config.write_text("{}")
    assert panel.ask_fresh_name(folder, RunFolder(tmp_path / "died-2")) is False
    assert "unfinished run with no checkpoint" in asked[0] and "last.pt" not in asked[0]
    folder.last.write_bytes(b"x")
    panel.ask_fresh_name(folder, RunFolder(tmp_path / "died-2"))
    assert "choose its last.pt" in asked[1]
