"""The row under the 3D view tool bar: the slice plane control and the error view's key.

It only says what the person chose (``sliceChanged``); the comparison panel applies the cut to
every view, so the views stay linked.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

from core.geometry.compare import FALSE_NEGATIVE, FALSE_POSITIVE, TRUE_POSITIVE
from core.spec import GRID_SIZE
from recon_gui.panels.view_geometry import (
    ERROR_COLOURS,
    ERROR_NAMES,
    NO_SLICE,
    SLICE_AXES,
    SlicePlane,
)

AXIS_CHOICES = ("off", *SLICE_AXES)


class InspectBar(QWidget):
    """Slice: axis (off/x/y/z) + position slider; in error mode, the colour key."""

    sliceChanged = Signal(object)  # SlicePlane

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectBar")
        self.axis_combo = QComboBox(self)
        self.axis_combo.setObjectName("sliceAxis")
        self.axis_combo.addItems(["whole", "cut along x", "cut along y", "cut along z"])
        self.axis_combo.setToolTip("Cut the shapes open to look inside: keep the voxels below the plane "
                                   "(all views, every display mode)")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("slicePosition")
        self.slider.setRange(1, GRID_SIZE - 1)
        self.slider.setValue(GRID_SIZE // 2)
        self.slider.setFixedWidth(140)
        self.slider.setEnabled(False)
        self.slider.setToolTip("Where the plane cuts the 32³ grid (voxels with a lower index stay)")
        self.position_label = QLabel(self._position_text())
        self.position_label.setMinimumWidth(44)
        self.axis_combo.currentIndexChanged.connect(self._emit)
        self.slider.valueChanged.connect(self._emit)

        self.legend = QLabel(self._legend_html())
        self.legend.setObjectName("errorLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip("Error view: each model's voxels against the ground truth at the threshold")
        self.legend.setVisible(False)

        # keys, like the view keys: X cycles whole / x / y / z, [ and ] move the plane a voxel
        self.cycle_action = self._key_action("Slice axis: whole, x, y, z", "X", "Cycle the cut: whole, x, y, z (X)",
                                             self.cycle_axis)
        self.lower_action = self._key_action("Move slice down", "[", "Move the cut one voxel lower ([)",
                                             lambda: self.step(-1))
        self.raise_action = self._key_action("Move slice up", "]", "Move the cut one voxel higher (])",
                                             lambda: self.step(+1))
        self.axis_combo.setToolTip(self.axis_combo.toolTip() + " (X; [ and ] move it)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 2)
        layout.addWidget(QLabel("Slice"))
        layout.addWidget(self.axis_combo)
        layout.addWidget(self.slider)
        layout.addWidget(self.position_label)
        layout.addSpacing(16)
        layout.addWidget(self.legend)
        layout.addStretch(1)

    def _key_action(self, text: str, key: str, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def actions_for_menu(self) -> list[QAction]:
        """The bar's keyboard actions, for a View menu."""
        return [self.cycle_action, self.lower_action, self.raise_action]

    def cycle_axis(self) -> None:
        self.axis_combo.setCurrentIndex((self.axis_combo.currentIndex() + 1) % self.axis_combo.count())

    def step(self, delta: int) -> None:
        """Move the plane by ``delta`` voxels (a cut must be on)."""
        if self.cut().active:
            self.slider.setValue(self.slider.value() + delta)

    @staticmethod
    def _legend_html() -> str:
        def swatch(label: int) -> str:
            return (f"<span style='color:{ERROR_COLOURS[label]}; font-size:14px'>■</span>"
                    f"&nbsp;{ERROR_NAMES[label]}")
        return ("Errors: " + " &nbsp; ".join(swatch(k) for k in (TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE))
                + " <span style='color:gray'>(missing = faint ghost)</span>")

    def _position_text(self) -> str:
        return f"{self.slider.value()}/{GRID_SIZE}"

    def cut(self) -> SlicePlane:
        axis = AXIS_CHOICES[self.axis_combo.currentIndex()]
        return NO_SLICE if axis == "off" else SlicePlane(axis, self.slider.value())

    def set_cut(self, cut: SlicePlane) -> None:
        """Show ``cut`` (and emit it once)."""
        with QSignalBlocker(self.axis_combo), QSignalBlocker(self.slider):
            self.axis_combo.setCurrentIndex(AXIS_CHOICES.index(cut.axis) if cut.axis else 0)
            self.slider.setValue(int(cut.position))
        self._emit()

    def set_mode(self, mode: str) -> None:
        """The colour key shows only in the error view."""
        self.legend.setVisible(mode == "error")

    def _emit(self, *_args) -> None:
        cut = self.cut()
        self.slider.setEnabled(cut.active)
        self.position_label.setText(self._position_text())
        self.sliceChanged.emit(cut)
