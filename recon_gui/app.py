"""``recon-gui [IMAGE] [--checkpoint-baseline P] [--checkpoint-proposed P]``: open the studio."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from core.resources import package_version

    parser = argparse.ArgumentParser(prog="recon-gui", description="Single-view 3D reconstruction studio")
    parser.add_argument("--version", action="version", version=f"recon-gui {package_version()}")
    parser.add_argument("image", nargs="?", help="a picture to reconstruct at start-up")
    parser.add_argument("--checkpoint-baseline", metavar="P", help="baseline model checkpoint (default: the shipped demo)")
    parser.add_argument("--checkpoint-proposed", metavar="P", help="proposed model checkpoint (default: the shipped demo)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug messages to stderr")
    return parser.parse_args(argv)


def configure_logging(verbose: bool) -> Path | None:
    """Warnings and errors to stderr (debug with -v), everything to a log file in the app data folder."""
    from PySide6.QtCore import QStandardPaths

    root = logging.getLogger("recon_gui")
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("recon-gui: %(levelname)s: %(message)s"))
    root.addHandler(console)
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    if not folder:
        return None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        log_file = Path(folder) / "recon-gui.log"
        handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError:
        return None
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return log_file


def quiet_vtk(log_dir: Path | None = None) -> None:
    """VTK warnings and errors go to ``log_dir/vtk.log`` (if given), never to the console."""
    from vtkmodules.vtkCommonCore import (
        vtkFileOutputWindow,
        vtkLogger,
        vtkObject,
        vtkOutputWindow,
    )

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    if log_dir is None:
        vtkObject.GlobalWarningDisplayOff()
        return
    window = vtkFileOutputWindow()
    window.SetFileName(str(log_dir / "vtk.log"))
    window.FlushOn()
    vtkOutputWindow.SetInstance(window)
    quiet_vtk.window = window  # keep it alive


def create_application(argv: list[str] | None = None):
    from PySide6.QtWidgets import QApplication

    from recon_gui.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("recon-gui")
    return app


def check_args(args: argparse.Namespace) -> str | None:
    """A one-line problem with the command line, or None."""
    for slot in ("baseline", "proposed"):
        path = getattr(args, f"checkpoint_{slot}")
        if path and os.path.isdir(path):
            return f"{path}: {slot} checkpoint is a folder, not a checkpoint file"
        if path and not os.path.isfile(path):
            return f"{path}: {slot} checkpoint not found"
    if args.image and not os.path.exists(args.image):
        return f"{args.image}: image not found"
    return None


def build_window(args: argparse.Namespace, before_show=None):
    """The shown main window for parsed arguments (the application must exist). The picture
    given on the command line waits for the checkpoints, so it is shown once, with both models.
    ``before_show(window)`` may connect to the window first (tests, benchmarks)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from recon_gui.main_window import MainWindow
    from recon_gui.resources import icon_path
    from recon_gui.theme import apply_theme

    app = QApplication.instance()
    theme = apply_theme(app)
    icon = icon_path("recon-gui")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    window = MainWindow(theme=theme, checkpoints={"baseline": args.checkpoint_baseline,
                                                  "proposed": args.checkpoint_proposed})
    if before_show is not None:
        before_show(window)
    window.show()
    if args.image:
        window.open_image(args.image)
    return window


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = check_args(args)
    if problem:
        print(f"recon-gui: {problem}", file=sys.stderr)
        return 2
    app = create_application()
    log_file = configure_logging(args.verbose)
    quiet_vtk(log_file.parent if log_file else None)
    window = build_window(args)  # noqa: F841 - kept alive while the event loop runs
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
