"""The About box text: what this is and the versions it runs on."""

from __future__ import annotations


def about_text() -> str:
    import PySide6
    import torch
    from PySide6.QtCore import qVersion
    from vtkmodules.vtkCommonCore import vtkVersion

    try:
        from importlib.metadata import version

        app_version = version("recon-gui")
    except Exception:  # noqa: BLE001 - not installed as a distribution: still show the rest
        app_version = "unknown"
    return (f"<b>recon-gui {app_version}</b><br>Single-view 3D reconstruction: a shape-prior baseline "
            f"and a classification-supported model, side by side.<br><br>"
            f"torch {torch.__version__}<br>Qt {qVersion()} (PySide6 {PySide6.__version__})<br>"
            f"VTK {vtkVersion.GetVTKVersion()}")
