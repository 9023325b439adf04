"""Persistent preferences (window geometry/state, last folders, recent files) via QSettings.

``RECON_GUI_SETTINGS_DIR`` redirects everything to an INI file in that folder, which is how
the tests keep the user's real settings untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "recon-gui"
APPLICATION = "recon-gui"
MAX_RECENT = 10


def open_settings() -> QSettings:
    override = os.environ.get("RECON_GUI_SETTINGS_DIR")
    if override:
        Path(override).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(override) / "recon-gui.ini"), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


class AppSettings:
    """Typed accessors over one QSettings store."""

    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else open_settings()

    # window
    def window_geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    # folders: one remembered folder per purpose ("image", "checkpoint", "export")
    def last_folder(self, purpose: str) -> str:
        value = self.store.value(f"folders/{purpose}", "")
        return str(value) if value else str(Path.home())

    def set_last_folder(self, purpose: str, path: str | Path) -> None:
        p = Path(path)
        self.store.setValue(f"folders/{purpose}", str(p if p.is_dir() else p.parent))

    # recent images
    def recent_files(self) -> list[str]:
        value = self.store.value("recent/files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent_file(self, path: str | Path) -> list[str]:
        p = str(Path(path).resolve())
        files = [f for f in self.recent_files() if f != p]
        files.insert(0, p)
        files = files[:MAX_RECENT]
        self.store.setValue("recent/files", files)
        return files

    def clear_recent_files(self) -> None:
        self.store.setValue("recent/files", [])

    # checkpoints chosen by the user last time (slot -> path)
    def checkpoint(self, slot: str) -> str:
        return str(self.store.value(f"checkpoints/{slot}", "") or "")

    def set_checkpoint(self, slot: str, path: str | Path) -> None:
        self.store.setValue(f"checkpoints/{slot}", str(path))

    def sync(self) -> None:
        self.store.sync()
