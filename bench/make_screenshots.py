"""Capture the real studio window (comparison view and training panel) for the README.

Run under a display (or `xvfb-run -a -s "-screen 0 1920x1080x24"`):
    python bench/make_screenshots.py --data data/demo --out resources/screenshots
The training panel shot runs a short real training on --data so the curves have content.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("resources/screenshots"))
    parser.add_argument("--synset", default="03001627")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from recon_gui.app import create_application
    from recon_gui.main_window import MainWindow
    from recon_gui.resources import gallery_samples

    app = create_application([])
    window = MainWindow()
    window.resize(1600, 900)
    window.show()

    def wait(ms: int, until=None) -> None:
        loop = QEventLoop()
        elapsed = 0
        while elapsed < ms:
            QTimer.singleShot(50, loop.quit)
            loop.exec()
            elapsed += 50
            if until is not None and until():
                break

    wait(15000, until=lambda: all(window.predictors.values()))
    samples = [s for s in gallery_samples() if args.synset in str(s.image)] or gallery_samples()
    sample = samples[0]
    done = []
    window.predictionShown.connect(lambda r: done.append(r))
    window.open_image(sample.image, sample.binvox)
    wait(20000, until=lambda: bool(done))
    wait(800)
    args.out.mkdir(parents=True, exist_ok=True)
    screen = app.primaryScreen()
    screen.grabWindow(window.winId()).save(str(args.out / "comparison.png"))

    panel = window.training_panel
    window.tabs.setCurrentWidget(panel)
    panel.data_edit.setText(str(args.data))
    panel.out_edit.setText(tempfile.mkdtemp()) if hasattr(panel, "out_edit") else None
    for name, value in (("epochs_spin", 3), ("max_steps_spin", 12), ("views_spin", 2)):
        if hasattr(panel, name):
            getattr(panel, name).setValue(value)
    panel.start()
    wait(240000, until=lambda: panel.state in ("finished", "failed", "cancelled"))
    wait(800)
    screen.grabWindow(window.winId()).save(str(args.out / "training.png"))
    print("training panel state:", panel.state, panel.last_error or "")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
