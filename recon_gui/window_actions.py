"""The main window's actions, menus and tool bar, built in one place from one table each.

Kept apart from the window's behaviour so that adding a command means adding a row here and
a method on the window (or one of its controllers), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QStyle

from recon_gui.session import SLOTS
from recon_gui.state import model_label, pane_titles, short_label

if TYPE_CHECKING:
    from recon_gui.main_window import MainWindow

VIEW_KEYS = ("baseline", "proposed", "truth")


def _short(key: str) -> str:
    return pane_titles()[key].split(" (")[0]


def make_action(window: MainWindow, text: str, slot: Callable, shortcut=None, tip: str = "",
                checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    return action


def build_actions(w: MainWindow) -> None:
    a = lambda *args, **kw: make_action(w, *args, **kw)
    w.open_action = a("&Open image…", lambda: w.open_image_dialog(), QKeySequence.StandardKey.Open,
                      "Open a picture to reconstruct")
    w.paste_action = a("&Paste image", lambda: w.paste_image(), QKeySequence.StandardKey.Paste,
                       "Reconstruct the picture on the clipboard")
    w.load_actions = {
        slot: a(f"Load &{short_label(slot)} checkpoint…", lambda _=False, s=slot: w.load_checkpoint_dialog(s),
                None, f"Load a checkpoint of the {model_label(slot)} model (.pt)")
        for slot in SLOTS
    }
    w.quit_action = a("&Quit", w.close, QKeySequence.StandardKey.Quit)

    w.screenshot_2x_action = a("High resolution (2×)", lambda: None, None,
                               "Screenshots at twice the on-screen resolution", checkable=True)
    w.screenshot_transparent_action = a("Transparent background", lambda: None, None,
                                        "Screenshots keep only the shapes and titles (PNG alpha)", checkable=True)
    w.screenshot_crop_action = a("Crop to the shapes", lambda: None, None,
                                 "Screenshots cut away the empty space around the shapes", checkable=True)
    w.screenshot_crop_action.setChecked(True)
    w.screenshot_layout_group = QActionGroup(w)
    w.screenshot_layout_actions = {}
    for layout, text in (("row", "Views in a row"), ("grid", "Views in a grid")):
        act = a(text, lambda: None, None, checkable=True)
        act.setChecked(layout == "row")
        w.screenshot_layout_group.addAction(act)
        w.screenshot_layout_actions[layout] = act
    w.screenshot_action = a("&Screenshot of the comparison…", lambda: w.export_screenshot(),
                            QKeySequence.StandardKey.Save, "Save the views as one PNG figure")
    w.view_screenshot_actions = {
        key: a(f"Screenshot of the {_short(key).lower()} view…", lambda _=False, k=key: w.export_screenshot(target=k))
        for key in VIEW_KEYS
    }
    w.export_source_group = QActionGroup(w)
    w.export_source_actions = {}
    for key in VIEW_KEYS:
        act = a(_short(key), lambda: None, None, checkable=True)
        act.setChecked(key == "proposed")
        w.export_source_group.addAction(act)
        w.export_source_actions[key] = act
    w.export_mesh_action = a("Export &mesh…", lambda: w.export_mesh(), "Ctrl+E",
                             "Save the shape as OBJ/PLY/STL/GLB (smooth in mesh mode, cubes otherwise)")
    w.export_voxels_action = a("Export &voxels…", lambda: w.export_voxels(), "Ctrl+Shift+E",
                               "Save the grid as binvox (thresholded) or npy (probabilities)")
    w.export_gif_action = a("Export &turntable GIF…", lambda: w.export_turntable(), "Ctrl+G",
                            "Record one turn of the linked views as an animated GIF")
    w.about_action = a("&About recon-gui", w.show_about)


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(w.open_action)
    file_menu.addAction(w.paste_action)
    w.recent_menu = file_menu.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(w._fill_recent_menu)
    file_menu.addSeparator()
    for action in w.load_actions.values():
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(w.quit_action)

    export_menu = bar.addMenu("&Export")
    export_menu.addAction(w.screenshot_action)
    for action in w.view_screenshot_actions.values():
        export_menu.addAction(action)
    options = export_menu.addMenu("Screenshot options")
    for action in (w.screenshot_2x_action, w.screenshot_transparent_action, w.screenshot_crop_action, None,
                   *w.screenshot_layout_actions.values()):
        options.addSeparator() if action is None else options.addAction(action)
    export_menu.addSeparator()
    source_menu = export_menu.addMenu("Shape to export")
    for action in w.export_source_actions.values():
        source_menu.addAction(action)
    export_menu.addAction(w.export_mesh_action)
    export_menu.addAction(w.export_voxels_action)
    export_menu.addSeparator()
    export_menu.addAction(w.export_gif_action)

    w.view_menu = bar.addMenu("&View")
    for action in w.comparison.view_menu_actions():
        if action is None:
            w.view_menu.addSeparator()
        else:
            w.view_menu.addAction(action)
    w.turntable_action = w.comparison.turntable_action
    w.reset_camera_action = w.comparison.reset_action
    w.view_menu.addSeparator()

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(w.about_action)


def build_toolbar(w: MainWindow) -> None:
    style = w.style()
    bar = w.addToolBar("Main")
    bar.setObjectName("mainToolBar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    icons = {w.open_action: QStyle.StandardPixmap.SP_DialogOpenButton,
             w.screenshot_action: QStyle.StandardPixmap.SP_DialogSaveButton,
             w.export_mesh_action: QStyle.StandardPixmap.SP_DriveFDIcon}
    for action, pixmap in icons.items():
        action.setIcon(style.standardIcon(pixmap))
    w.open_action.setIconText("Open")
    w.paste_action.setIconText("Paste")
    w.screenshot_action.setIconText("Screenshot")
    w.export_mesh_action.setIconText("Export mesh")
    for slot, action in w.load_actions.items():
        action.setIconText(f"Load {short_label(slot)}…")
    for action in (w.open_action, w.paste_action, None, *w.load_actions.values(), None,
                   w.screenshot_action, w.export_mesh_action):
        if action is None:
            bar.addSeparator()
        else:
            bar.addAction(action)
    w.main_toolbar = bar
