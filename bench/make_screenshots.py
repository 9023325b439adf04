"""Capture the real studio window for the README and resources/screenshots/.

Run under a display (or `xvfb-run -a -s "-screen 0 1920x1080x24"`):
    python bench/make_screenshots.py --out resources/screenshots [--data DATA]

Shots, all of the 1600×900 window with the shipped demo checkpoints:
  comparison.png  a data set chair: baseline | proposed | ground truth, data set dock open
  errors.png      the same in the error view (correct / extra / missing voxels) with a slice
  photo_whole.png a cluttered photo as given (misread; the picture panel suggests a crop)
  photo.png       the same photo cropped to the chair and cut out; the input picture stands
                  in for the missing ground truth
  figure.png      Export → Screenshot of the comparison: the publication figure itself
  training.png    the Train tab after a short real run (a tiny generated set unless --data)
  evaluation.png  that run's test-split evaluation in the data set dock
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, help="a data set for the training shot (default: a tiny generated one)")
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "screenshots")
    parser.add_argument("--synset", default="03001627", help="the data set object shown (default: a chair)")
    args = parser.parse_args()
    os.environ["RECON_GUI_SETTINGS_DIR"] = tempfile.mkdtemp()  # never the user's own settings
    sys.path.insert(0, str(REPO))

    from PySide6.QtCore import QEventLoop, QTimer

    from core.data.cutout import CropBox
    from recon_gui.app import build_window, create_application, parse_args
    from recon_gui.resources import gallery_samples, samples_root

    app = create_application([])
    window = build_window(parse_args([]))
    window.resize(1600, 900)

    def wait(ms: int, until=None) -> None:
        loop, elapsed = QEventLoop(), 0
        while elapsed < ms:
            QTimer.singleShot(50, loop.quit)
            loop.exec()
            elapsed += 50
            if until is not None and until():
                break

    def shot(name: str) -> None:
        wait(600)
        app.primaryScreen().grabWindow(window.winId()).save(str(args.out / name))
        print("wrote", args.out / name)

    def show(trigger) -> None:
        done = []

        def seen(result) -> None:
            done.append(result)

        window.predictionShown.connect(seen)
        trigger()
        wait(60000, until=lambda: bool(done) and not window.busy)
        window.predictionShown.disconnect(seen)

    args.out.mkdir(parents=True, exist_ok=True)
    wait(60000, until=lambda: all(window.predictors.values()))
    window.dataset_panel.open_folder(samples_root())
    wait(20000, until=lambda: window.dataset_panel.open_worker is None)
    sample = next((s for s in gallery_samples() if args.synset in str(s.image)), gallery_samples()[0])
    view = sample.image.with_name("05.png") if sample.image.with_name("05.png").is_file() else sample.image
    show(lambda: window.open_image(view, sample.binvox))
    shot("comparison.png")

    window.comparison.set_mode("error")
    shot("errors.png")
    figure = args.out / "figure.png"
    window.comparison.set_mode("voxels")
    window.export_screenshot(str(figure))
    wait(20000, until=lambda: not window.busy)
    print("wrote", figure)

    photo = REPO / "resources" / "samples" / "photos" / "cluttered_chair.jpg"
    if photo.is_file():
        meta = json.loads(photo.with_suffix(".json").read_text())
        (x0, y0, x1, y1), (w, h) = meta["object_box"], meta["size"]
        show(lambda: window.open_image(photo))
        shot("photo_whole.png")
        pad = 0.02
        box = CropBox(max(0, x0 / w - pad), max(0, y0 / h - pad), min(1, x1 / w + pad), min(1, y1 / h + pad))
        show(lambda: window.crop.crop(box))
        shot("photo.png")

    panel = window.training_panel
    data = args.data
    if data is None:
        from core.synth.writer import generate_dataset

        data = Path(tempfile.mkdtemp()) / "tiny"
        generate_dataset(data, objects_per_class=3, seed=0, workers=2)
    window.tabs.setCurrentWidget(panel)
    panel.data_edit.setText(str(data))
    panel.out_edit.setText(tempfile.mkdtemp())
    panel.name_edit.setText("demo-run")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("cpu-small"))
    for spin, value in ((panel.epochs_spin, 8), (panel.batch_spin, 8), (panel.max_steps_spin, 0), (panel.views_spin, 2),
                        (panel.val_views_spin, 1), (panel.val_pct_spin, 20), (panel.test_pct_spin, 20)):
        spin.setValue(value)
    panel.start()
    wait(600000, until=lambda: panel.state in ("finished", "failed", "cancelled") and panel.worker is None)
    print("training panel state:", panel.state, panel.last_error or "")
    shot("training.png")

    if panel.evaluate_button.isEnabled():
        window.tabs.setCurrentIndex(0)
        panel.evaluate_button.click()
        wait(300000, until=lambda: window.dataset_panel.eval_state in ("finished", "failed", "cancelled")
             and window.dataset_panel.eval_worker is None)
        scroller = window.dataset_dock.widget()  # the table and the chart, not the sample picker
        wait(300)
        scroller.ensureWidgetVisible(window.dataset_panel.evaluation_view)
        scroller.verticalScrollBar().setValue(scroller.verticalScrollBar().maximum())
        shot("evaluation.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
