"""The model slots: which checkpoint is loaded where, loading on workers, remembering choices.

A slot keeps its current model until a new checkpoint has loaded successfully, so a bad file
never empties a slot. While any load is in flight ``loading`` is true; ``settled`` fires when
the last one ends, which is when a waiting picture may run (no "no model loaded" flash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from recon_gui.resources import checkpoint_path
from recon_gui.session import SLOTS, load_predictor, load_predictor_for_its_slot
from recon_gui.settings import AppSettings
from recon_gui.state import short_label
from recon_gui.workers import BusyCounter, Worker, WorkerManager, run_task


class CheckpointSlots(QObject):
    changed = Signal(str)  # slot whose model was replaced
    settled = Signal()  # the last load in flight has ended (whatever its outcome)
    message = Signal(str, int)  # status text, timeout in ms (0: until replaced)
    failed = Signal(str, str, str)  # title, one-line message, details

    def __init__(self, workers: WorkerManager, busy: BusyCounter, settings: AppSettings,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.workers, self.busy, self.settings = workers, busy, settings
        self.predictors: dict[str, Any] = {s: None for s in SLOTS}
        self.files: dict[str, str] = {s: "" for s in SLOTS}
        self._in_flight: set[Worker] = set()
        self.closed = False

    @property
    def loading(self) -> bool:
        return bool(self._in_flight)

    def load_initial(self, given: dict[str, str | Path | None], use_defaults: bool) -> list[str]:
        """Load the given checkpoints, else the shipped or remembered ones; returns the slots left empty."""
        missing = []
        for slot in SLOTS:
            path = given.get(slot)
            if not path and use_defaults:
                shipped = checkpoint_path(slot)
                remembered = self.settings.checkpoint(slot)
                path = shipped if shipped.is_file() else (remembered if remembered and Path(remembered).is_file() else None)
            if path:
                self.load(str(path), slot)
            else:
                missing.append(slot)
        return missing

    def load(self, path: str, slot: str | None) -> Worker | None:
        """Load ``path`` into ``slot`` on a worker (None: the slot of the checkpoint's own model)."""
        if slot is not None and slot not in SLOTS:
            self.failed.emit("Cannot load checkpoint", f"unknown model slot {slot!r}", "")
            return None
        name = Path(path).name
        if slot is None:
            self.message.emit(f"Loading checkpoint {name}…", 0)
            fn, args, title = load_predictor_for_its_slot, (path,), "Cannot load the checkpoint"
        else:
            self.message.emit(f"Loading {short_label(slot)} checkpoint {name}…", 0)
            fn, args, title = load_predictor, (path, slot), f"Cannot load the {short_label(slot)} checkpoint"
        holder: list[Worker] = []
        worker = run_task(
            self.workers, fn, *args, busy=self.busy,
            on_result=lambda predictor: self._on_loaded(predictor.name, path, predictor),
            on_error=lambda msg, tb: self.failed.emit(title, msg, tb),
            on_done=lambda: self._on_done(holder[0]),
        )
        holder.append(worker)
        self._in_flight.add(worker)
        return worker

    def _on_done(self, worker: Worker) -> None:
        self._in_flight.discard(worker)
        if not self._in_flight and not self.closed:
            self.settled.emit()

    def _on_loaded(self, slot: str, path: str, predictor: Any) -> None:
        if self.closed:
            return
        self.settings.set_last_folder("checkpoint", path)
        self.settings.set_checkpoint(slot, path)
        self.set_predictor(slot, predictor, path)
        self.message.emit(f"Loaded {short_label(slot)} model from {Path(path).name} ({len(predictor.classes)} classes)", 8000)

    def set_predictor(self, slot: str, predictor: Any, path: str | Path | None = None) -> None:
        """Put a ready core.predict.Predictor into ``slot``."""
        self.predictors[slot] = predictor
        self.files[slot] = str(path or getattr(predictor, "checkpoint_path", "") or "")
        self.changed.emit(slot)

    def classes(self) -> list[str]:
        """The class names the loaded models know (the baseline's priors first)."""
        source = self.predictors.get("baseline") or self.predictors.get("proposed")
        return list(source.classes) if source is not None else []
