"""The shipped resources (demo checkpoints, sample pictures, icons) and the installed version.

The repository keeps them in the top-level ``resources/`` folder; packaging maps that folder
to the importable package ``recon_resources`` (``setup.py``), so a wheel or a plain
``pip install .`` carries them and an editable install points at the folder itself. Every
caller finds them through :func:`resource_path`, which asks ``importlib.resources``; a source
tree that was never installed falls back to the folder beside the packages.
``RECON_GUI_RESOURCES`` overrides the location (tests, or a user's own demo set).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = "recon_resources"  # the import name of the resources/ folder
DIST_NAME = "recon-gui"  # the distribution name in pyproject.toml
ENV_VAR = "RECON_GUI_RESOURCES"
CHECKPOINTS_DIR = "checkpoints"
SAMPLES_DIR = "samples"
ICONS_DIR = "icons"


def resources_root() -> Path:
    """The folder holding checkpoints/, samples/ and icons/ (it may lack any of them).

    Order: ``$RECON_GUI_RESOURCES``; the installed ``recon_resources`` package (wheel or
    editable); the ``resources/`` folder of this source tree.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    try:
        from importlib.resources import files

        root = files(PACKAGE)
    except (ModuleNotFoundError, TypeError):  # not installed (a bare source tree)
        root = None
    if isinstance(root, Path) and root.is_dir():  # installed unpacked (wheel) or editable
        return root
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """``resources_root() / part / …`` — the one way code reaches a shipped file (may not exist)."""
    return resources_root().joinpath(*parts)


def checkpoint_path(model: str) -> Path:
    """The shipped demo checkpoint of a model (``checkpoints/<model>.pt``); may not exist."""
    return resource_path(CHECKPOINTS_DIR, f"{model}.pt")


def samples_root() -> Path:
    """The shipped tiny data set in the R2N2 layout (one object per class)."""
    return resource_path(SAMPLES_DIR)


def icon_path(name: str) -> Path:
    """An SVG icon by name (``icons/<name>.svg``)."""
    return resource_path(ICONS_DIR, f"{name}.svg")


def package_version() -> str:
    """The installed distribution's version (``importlib.metadata``), else ``core.__version__``
    for a source tree that was never installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(DIST_NAME)
    except (ImportError, PackageNotFoundError):
        import core

        return core.__version__
