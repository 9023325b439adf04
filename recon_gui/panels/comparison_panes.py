"""The comparison's panes as the exports and the window see them: which are shown, their
titles, their pixels, and the input picture standing in for a missing ground truth.

A mixin of ``ComparisonPanel`` (it needs ``views``, ``panes``, ``pane_host``, ``third``,
``picture_pane`` and ``side_picture``), kept apart from the camera and control code.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget


class ComparisonPanes:
    def add_pane(self, key: str, widget: QWidget) -> None:
        """Another pane beside the comparison (e.g. an inspection view); it joins the row/grid."""
        self.pane_host.add_pane(key, widget)

    def pane_keys(self) -> list[str]:
        """The panes shown, in order; the third is "truth" or "input" (the picture, no truth)."""
        keys = []
        for key, widget in self.panes.items():
            if key == "truth":
                keys.append("truth" if self.third.currentWidget() is self.views["truth"] else "input")
            elif not widget.isHidden():
                keys.append(key)
        return keys

    def figure_keys(self) -> list[str]:
        """The panes of an exported comparison: the input picture first (when there is one),
        then the shapes - a figure reads from the picture to its reconstructions."""
        keys = self.pane_keys()
        if self.picture_pane.pixmap is None or self.picture_pane.pixmap.isNull():
            return [k for k in keys if k != "input"]
        return ["input", *(k for k in keys if k != "input")]

    def pane_texts(self, key: str) -> tuple[str, str]:
        """(title, caption) of a pane as shown above it."""
        if key == "input":
            pane = self.picture_pane if self.third.currentWidget() is self.picture_pane else self.side_picture
            return pane.title_label.text(), pane.caption.text()
        view = self.views[key]
        return view.title_label.text(), view.caption.text()

    def pane_image(self, key: str, scale: int = 1, transparent: bool = False) -> np.ndarray:
        """A pane's pixels, (H, W, 3|4) uint8: a 3D view rendered (alpha 0 on its background when
        ``transparent``), or the input picture itself at its own resolution."""
        if key == "input":
            from recon_gui.panels.input_panel import qimage_to_array

            pixmap = self.picture_pane.pixmap
            if pixmap is None or pixmap.isNull():
                return np.zeros((8, 8, 4), np.uint8)
            return qimage_to_array(pixmap.toImage())
        plotter = self.views[key].plotter
        plotter.render()
        shot = plotter.screenshot(None, transparent_background=transparent, return_img=True,
                                  scale=scale if scale > 1 else None)
        return np.asarray(shot)

    def show_picture(self, pixmap: QPixmap | None, instead_of_truth: bool, caption: str = "",
                     side_caption: str = "") -> None:
        """The input picture: in place of the truth view when there is no ground truth, else in
        the grid's free cell (if the panes are in a grid). ``side_caption`` says what the
        picture is in the free cell (e.g. a cut-out rather than the picture as given)."""
        self.side_picture.set_picture(pixmap)
        if side_caption:
            self.side_picture.caption.setText(side_caption)
        self.picture_pane.set_picture(pixmap)
        if instead_of_truth:
            self.picture_pane.caption.setText(caption or "no ground truth for this picture")
        self.third.setCurrentWidget(self.picture_pane if instead_of_truth else self.views["truth"])
        self.pane_host.set_filler_wanted(not instead_of_truth)
