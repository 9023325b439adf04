"""Shared steps of the window tests: build a window, drop a file, wait for the result."""

from __future__ import annotations

import warnings
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from recon_gui.main_window import MainWindow
from recon_gui.workers import WorkerManager

WAIT_MS = 30000


def make_window(qtbot, samples_root: Path, checkpoints: dict | None = None, size: tuple[int, int] | None = (1400, 800)) -> MainWindow:
    """A shown window; with ``checkpoints`` it waits until both models are loaded."""
    window = MainWindow(workers=WorkerManager(max_threads=4), checkpoints={}, load_default_checkpoints=False,
                        samples_root=samples_root)
    qtbot.addWidget(window)
    if size:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    for slot, path in (checkpoints or {}).items():
        window.load_checkpoint(str(path), slot)
    if checkpoints:
        qtbot.waitUntil(lambda: all(window.predictors[s] is not None for s in checkpoints), timeout=WAIT_MS)
    return window


def activate(qtbot, window: MainWindow) -> None:
    """Give the window keyboard focus, so shortcuts fire as they would for a person."""
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)


def close_window(window: MainWindow) -> None:
    window.workers.cancel_all()
    window.workers.wait(WAIT_MS)
    window.close_error_dialogs()
    window.close()


def drop_files(window: MainWindow, *paths: Path) -> None:
    """What a drag from a file manager delivers: DragEnter then Drop with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = window.rect().center()
    with warnings.catch_warnings():  # PySide marks the (only) QPoint constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window refused the drag"
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


def wait_for_result(qtbot, window: MainWindow, trigger) -> object:
    """Run ``trigger`` and return the ComparisonResult the window then shows."""
    with qtbot.waitSignal(window.predictionShown, timeout=WAIT_MS) as blocker:
        trigger()
    return blocker.args[0]


def background_rgb(window: MainWindow) -> tuple[int, int, int]:
    h = window.theme.background_3d
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def assert_views_rendered(window: MainWindow, min_share: float = 0.02, keys: tuple[str, ...] | None = None) -> None:
    """Every 3D pane on show (or those of ``keys``) really drew something: a good share of its
    pixels is not background."""
    from recon_gui.export import differs_from_background

    shown = [k for k in window.comparison.pane_keys() if k in window.comparison.views and (keys is None or k in keys)]
    assert shown, "no 3D view is shown"
    for key in shown:
        share = differs_from_background(window.comparison.views[key].screenshot(), background_rgb(window))
        assert share > min_share, f"{key} view looks empty ({share:.1%} non-background)"


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=WAIT_MS)


def sample_image(samples_root: Path, class_synset: str, view: str = "00.png") -> Path:
    return next((samples_root / "ShapeNetRendering" / class_synset).glob(f"*/rendering/{view}"))
