"""Qt-free tests of the studio's logic (session, state): no window, no display needed.
They share the gallery and the test checkpoints with the window tests."""

from tests.gui.conftest import gui_checkpoints, samples_root  # noqa: F401 - fixtures
