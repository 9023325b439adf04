"""GUI tests run under a real X server (pytest-xvfb starts Xvfb); the xcb platform, not
offscreen, so that OpenGL and window behaviour match a desktop."""

import os

os.environ["QT_QPA_PLATFORM"] = "xcb"
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("MPLBACKEND", "QtAgg")
