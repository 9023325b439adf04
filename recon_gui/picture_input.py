"""Pictures into the window: open, paste, drag and drop (files, checkpoints, raw images).

A mixin of the main window: it only turns what arrives into ``open_image`` / ``load_checkpoint``
calls; the picture becomes current only when its comparison succeeds (the controller's rule).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from recon_gui.panels.input_panel import qimage_to_array
from recon_gui.resources import ground_truth_for
from recon_gui.session import ComparisonRequest

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
CHECKPOINT_SUFFIXES = (".pt", ".pth")


class PictureInput:
    """Needs on the window: settings, controller, input_panel, report_error, load_checkpoint."""

    def open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", self.settings.last_folder("image"), IMAGE_FILTER)
        if path:
            self.open_image(path)

    def open_image(self, image: str | Path | np.ndarray, ground_truth: str | Path | None = None,
                   name: str = "") -> None:
        """Reconstruct a file or an image array; ground truth is found for files in an R2N2 layout.
        The picture becomes current only if its reconstruction succeeds."""
        if isinstance(image, (str, Path)):
            path = Path(image)
            if path.is_dir():
                self.report_error("Not an image", f"{path}: is a folder, not an image file "
                                  "(open data sets in the Data set panel)")
                return
            if not path.exists():
                self.report_error("Cannot open image", f"{path}: file not found")
                return
            if ground_truth is None:
                ground_truth = ground_truth_for(path)
            self.settings.set_last_folder("image", path)
            self.settings.add_recent_file(path)
            image = str(path)
        self.controller.open(ComparisonRequest(image, str(ground_truth) if ground_truth else None, source_name=name))

    def paste_image(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.open_image(paths[0])
                return
        if mime is not None and mime.hasImage():
            qimage = QGuiApplication.clipboard().image()
            if not qimage.isNull():
                self.open_image(qimage_to_array(qimage), name="pasted image")
                return
        self.report_error("Nothing to paste", "the clipboard holds no image and no image file")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
            self.input_panel.set_drop_highlight(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self.input_panel.set_drop_highlight(False)

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_time = time.perf_counter()
        self.input_panel.set_drop_highlight(False)
        if self.handle_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def handle_mime(self, mime: QMimeData) -> bool:
        if mime.hasUrls():
            urls = [u for u in mime.urls() if u.isLocalFile()]
            if not urls:
                self.report_error("Cannot open", "only local files can be dropped")
                return False
            for url in urls:  # checkpoints go to their model's slot; the first picture is reconstructed
                if Path(url.toLocalFile()).suffix.lower() in CHECKPOINT_SUFFIXES:
                    self.load_checkpoint(url.toLocalFile(), None)
            pictures = [u for u in urls if Path(u.toLocalFile()).suffix.lower() not in CHECKPOINT_SUFFIXES]
            if pictures:
                self.open_image(pictures[0].toLocalFile())
            return True
        if mime.hasImage():
            qimage = QImage(mime.imageData())
            if not qimage.isNull():
                self.open_image(qimage_to_array(qimage), name="dropped image")
                return True
        return False
