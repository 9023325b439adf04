"""The one progress/cancel protocol shared by the CLI's progress bars and the GUI's workers.

Every long loop in ``core`` takes ``progress: ProgressCallback | None`` and
``cancel: CancelToken | None``. The CLI adapts the callback to tqdm, the GUI to a Qt signal.
A :class:`ProgressEvent` says how far (``done``/``total``) and may carry the loop's own typed
record in ``event`` (training: ``core.train.events.StepEvent`` / ``EpochEvent``), so a
consumer reads attributes instead of re-parsing the ``metrics`` dict (kept for display).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from core.errors import Cancelled


@dataclass
class ProgressEvent:
    """``done`` of ``total`` units (steps, objects, …); ``message`` for a status line;
    ``metrics`` short display values (a progress bar's postfix); ``event`` the typed record
    behind this report, when the loop has one (isinstance-check it: StepEvent, EpochEvent)."""

    done: int
    total: int
    message: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    event: Any = None

    @property
    def fraction(self) -> float:
        """done / total in [0, 1] (0 when the total is unknown)."""
        return self.done / self.total if self.total else 0.0


ProgressCallback = Callable[[ProgressEvent], None]


class CancelToken:
    """Thread-safe flag: the UI sets it, the worker loop polls it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the loop to stop at its next check (thread-safe, idempotent)."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise ``core.errors.Cancelled`` if :meth:`cancel` was called."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


def report(progress: Optional[ProgressCallback], done: int, total: int, message: str = "", *, event: Any = None, **metrics: Any) -> None:
    """Call ``progress`` if given (with the typed ``event`` attached); keeps call sites one line long."""
    if progress is not None:
        progress(ProgressEvent(done, total, message, dict(metrics), event))


class TqdmProgress:
    """Adapter: a ProgressCallback that drives a tqdm bar (used by the CLI)."""

    def __init__(self, desc: str, unit: str = "it", disable: bool = False):
        from tqdm.auto import tqdm

        self._bar = tqdm(desc=desc, unit=unit, disable=disable, dynamic_ncols=True)

    def __call__(self, event: ProgressEvent) -> None:
        if self._bar.total != event.total:
            self._bar.total = event.total
        self._bar.n = event.done
        if event.metrics:
            self._bar.set_postfix({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in event.metrics.items()}, refresh=False)
        if event.message:
            self._bar.set_description_str(event.message, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        """Finish the bar (also on ``with`` exit)."""
        self._bar.close()

    def __enter__(self) -> "TqdmProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
