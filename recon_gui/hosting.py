"""The optional panels the window hosts: the data set dock and the Train tab.

Each is hosted when its module imports and starts cleanly; one that fails is reported in the
status bar and the log, never fatal. They talk to the window only through signals.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea

if TYPE_CHECKING:
    from recon_gui.main_window import MainWindow

log = logging.getLogger("recon_gui")
DATASET_DOCK_WIDTH = 360


def host_optional_panels(w: MainWindow) -> list[str]:
    """Build and wire the data set dock and the Train tab; returns the problems to show."""
    problems: list[str] = []
    try:
        from recon_gui.panels.dataset_browser import DatasetPanel

        w.dataset_panel = DatasetPanel(w.workers, settings=w.settings.store)
        w.dataset_panel.sampleChosen.connect(lambda image, binvox: _show_sample(w, image, binvox))
        dock = QDockWidget("Data set", w)
        dock.setObjectName("datasetDock")
        scroller = QScrollArea()  # the panel may want more height than the dock gives it
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(w.dataset_panel)
        dock.setWidget(scroller)
        w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        w.view_menu.addAction(dock.toggleViewAction())
        w.resizeDocks([dock], [DATASET_DOCK_WIDTH], Qt.Orientation.Horizontal)
        w.dataset_dock = dock
    except ImportError as exc:
        log.info("data set browser not available: %s", exc)
    except Exception as exc:
        log.exception("data set browser failed to start")
        problems.append(f"Data set panel failed to start: {type(exc).__name__}: {exc}")
    try:
        from recon_gui.panels.training import TrainingPanel

        w.training_panel = TrainingPanel(w.workers, settings=w.settings.store)
        w.training_panel.loadCheckpointRequested.connect(lambda path, slot: _load_trained(w, path, slot))
        w.tabs.addTab(w.training_panel, "Train")
        if w.dataset_panel is not None:
            w.training_panel.evaluateRequested.connect(lambda ckpt, root: _evaluate(w, ckpt, root))
            w.dataset_panel.datasetOpened.connect(w.training_panel.set_data_folder)
    except ImportError as exc:
        log.info("training panel not available: %s", exc)
    except Exception as exc:
        log.exception("training panel failed to start")
        problems.append(f"Training panel failed to start: {type(exc).__name__}: {exc}")
    return problems


def _evaluate(w: MainWindow, checkpoint: str, root: str) -> None:
    """A finished training run asked for a test-split evaluation: the data set dock runs it."""
    w.dataset_dock.show()
    w.dataset_dock.raise_()
    w.dataset_panel.evaluate_in(checkpoint, root)


def _show_sample(w: MainWindow, image: str, binvox: str) -> None:
    w.tabs.setCurrentIndex(0)
    w.open_image(image, binvox or None)


def _load_trained(w: MainWindow, path: str, slot: str) -> None:
    w.tabs.setCurrentIndex(0)
    w.load_checkpoint(path, slot)
