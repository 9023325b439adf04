"""GUI tests run under a real X server (pytest-xvfb starts Xvfb); the xcb platform, not
offscreen, so that OpenGL and window behaviour match a desktop."""

import os

os.environ["QT_QPA_PLATFORM"] = "xcb"
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("MPLBACKEND", "QtAgg")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "resources" / "samples"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every GUI test writes its QSettings into its own temporary folder, never the user's."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "settings"
    monkeypatch.setenv("RECON_GUI_SETTINGS_DIR", str(folder))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture(scope="session")
def samples_root() -> Path:
    """The shipped gallery: one generated object per class, R2N2 layout."""
    assert (SAMPLES / "ShapeNetRendering").is_dir(), f"{SAMPLES} is missing (see resources/samples/README.md)"
    return SAMPLES


@pytest.fixture(scope="session")
def gui_checkpoints(tmp_path_factory, samples_root) -> dict[str, Path]:
    """The shipped demo checkpoints when present; otherwise a freshly initialised (seeded)
    baseline and proposed model over the 13 classes (baseline priors = the gallery's ground-truth
    shapes), written by core's own save_checkpoint so the window loads them exactly like trained
    ones. Training them here would cost minutes on a shared 2-core machine; untrained outputs sit
    in a narrow band around 0.52, so threshold tests pick thresholds from the actual values."""
    import torch

    from core.io.binvox import read_binvox
    from core.models.registry import ModelConfig, build_model
    from core.taxonomy import ALL_CLASSES, NAME_TO_SYNSET
    from core.train.checkpoint import save_checkpoint

    shipped = {slot: REPO / "resources" / "checkpoints" / f"{slot}.pt" for slot in ("baseline", "proposed")}
    if all(p.is_file() for p in shipped.values()):
        return shipped
    folder = tmp_path_factory.mktemp("checkpoints")
    classes = list(ALL_CLASSES)
    objects = [next((samples_root / "ShapeNetVox32" / NAME_TO_SYNSET[c]).glob("*/model.binvox")) for c in classes]
    priors = np.stack([read_binvox(o).data for o in objects]).astype(np.float32)
    paths = {}
    for slot in ("baseline", "proposed"):
        torch.manual_seed(0)
        cfg = ModelConfig(name=slot, classes=classes)
        paths[slot] = save_checkpoint(folder / f"{slot}.pt", build_model(cfg), cfg,
                                      priors=priors if slot == "baseline" else None)
    return paths


@pytest.fixture
def window(qtbot, samples_root, gui_checkpoints):
    """A main window with the test checkpoints loaded (modules may override, e.g. to preload a picture)."""
    from tests.gui.gui_helpers import close_window, make_window

    w = make_window(qtbot, samples_root, gui_checkpoints)
    yield w
    close_window(w)
