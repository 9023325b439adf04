"""Dark/light appearance that follows the system colour scheme (Qt 6.5+ style hints).

One place decides the palette and the matching 3D background, so the Qt widgets and the
VTK views never disagree. ``RECON_GUI_THEME=dark|light`` forces a scheme.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str  # "dark" | "light"
    background_3d: str  # VTK viewport background
    model_colour: str  # voxel / mesh surface colour
    ground_truth_colour: str
    edge_colour: str
    bar_colour: str  # probability bars
    bar_highlight: str  # the top class
    text_colour: str

    @property
    def is_dark(self) -> bool:
        return self.name == "dark"


LIGHT = Theme("light", "#f4f5f7", "#4a7fc1", "#6aa84f", "#2b3a4a", "#9db8d9", "#3d6db5", "#1d1f21")
DARK = Theme("dark", "#24272b", "#6d9eeb", "#93c47d", "#0c0e10", "#3e5877", "#6d9eeb", "#e6e6e6")


def system_scheme() -> str:
    forced = os.environ.get("RECON_GUI_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced
    app = QGuiApplication.instance()
    if app is None:
        return "light"
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return "dark"
    if scheme == Qt.ColorScheme.Light:
        return "light"
    # Unknown: judge from the palette the platform gave us.
    return "dark" if QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128 else "light"


def current_theme() -> Theme:
    return DARK if system_scheme() == "dark" else LIGHT


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e2124"), QColor("#2b2f33"), QColor("#e6e6e6")
    highlight = QColor("#3d6db5")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, window)
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, window)
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, base)
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.Highlight, highlight)
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.Link, QColor("#8ab4f8"))
        p.setColor(group, QPalette.ColorRole.PlaceholderText, QColor("#8a8f96"))
    disabled = QColor("#7a7f86")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(app: QApplication) -> Theme:
    """Fusion style with a palette for the current scheme; returns the theme for the 3D views."""
    theme = current_theme()
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if theme.is_dark else app.style().standardPalette())
    return theme
