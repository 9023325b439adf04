"""The Qt binding must not leak references to None: with one that does (PySide6 6.12.0 on
Python 3.11) every void call drops a reference, and a long session aborts the interpreter."""

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    app = QApplication.instance()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        app.processEvents()
    assert sys.getrefcount(None) - before > -100
