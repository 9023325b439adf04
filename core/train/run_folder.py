"""A training run's folder: its files, whether it holds a run, the resume rule and the split rule.

One run lives in one folder (``OUT/NAME``)::

    last.pt        resumable checkpoint (weights + optimizer + RNG), written at every epoch end
    best.pt        weights of the best validation epoch (prediction-only)
    config.json    the TrainConfig the run used
    splits.json    the object split, when the run made it
    metrics.jsonl  one JSON record per logged step / epoch / resume (core.train.metrics_log)

Every rule about such a folder lives here, so the CLI, the GUI, the trainer, evaluation and
the experiment runner agree:

* a **new** run refuses a folder that already holds one (:meth:`RunFolder.check_new_run`)
  unless told to overwrite it, or moves to the next free name (:meth:`RunFolder.next_free`);
* a **resumed** run keeps every setting of its checkpoint except :data:`RESUME_MAY_CHANGE`,
  and continues in the checkpoint's own folder (:func:`merge_resume`); a conflicting option is
  refused with one line naming it;
* the **split** a run, an evaluation or an experiment uses is chosen by :func:`resolve_splits`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from core.errors import CheckpointError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from core.data.splits import Splits
    from core.io.r2n2 import Discovery
    from core.train.config import TrainConfig

LAST_FILE = "last.pt"
BEST_FILE = "best.pt"
CONFIG_FILE = "config.json"
SPLITS_FILE = "splits.json"
METRICS_FILE = "metrics.jsonl"
TENSORBOARD_DIR = "tensorboard"

# Files whose presence means "a run lives here" (a lone splits.json does not: it may be an input).
RUN_MARKERS = (LAST_FILE, BEST_FILE, METRICS_FILE, CONFIG_FILE)

# TrainConfig fields a resumed run may change; everything else comes from its checkpoint.
RUN_CONTROL_FIELDS = ("epochs", "device", "amp", "num_workers", "save_every_steps", "log_every_steps", "tensorboard",
                      "time_limit", "channels_last")
RESUME_MAY_CHANGE = RUN_CONTROL_FIELDS + ("data_root",)  # the data set may have moved


class RunFolderError(DataError):
    """A run folder cannot be used as asked (holds a run, or a resume option conflicts)."""


@dataclass(frozen=True)
class RunFolder:
    """The folder of one training run and the paths of its files (nothing is created here)."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @classmethod
    def of_checkpoint(cls, checkpoint: str | Path) -> "RunFolder":
        """The folder a checkpoint lives in (a resumed run continues there)."""
        return cls(Path(checkpoint).resolve().parent)

    # -- paths -------------------------------------------------------------------------------
    @property
    def last(self) -> Path:
        """``last.pt``: the resumable checkpoint."""
        return self.path / LAST_FILE

    @property
    def best(self) -> Path:
        """``best.pt``: weights of the best validation epoch."""
        return self.path / BEST_FILE

    @property
    def config(self) -> Path:
        """``config.json``: the TrainConfig of the run."""
        return self.path / CONFIG_FILE

    @property
    def splits(self) -> Path:
        """``splits.json``: the split the run made (if it made one)."""
        return self.path / SPLITS_FILE

    @property
    def metrics(self) -> Path:
        """``metrics.jsonl``: the run's log (read with core.train.metrics_log)."""
        return self.path / METRICS_FILE

    @property
    def tensorboard(self) -> Path:
        """``tensorboard/``: event files, when the package is installed."""
        return self.path / TENSORBOARD_DIR

    # -- what is there -------------------------------------------------------------------------
    def run_files(self) -> list[Path]:
        """The files of :data:`RUN_MARKERS` that exist."""
        return [self.path / n for n in RUN_MARKERS if (self.path / n).is_file()]

    def holds_run(self) -> bool:
        """True if a run (finished, stopped or running) has written here."""
        return bool(self.run_files())

    def is_resumable(self) -> bool:
        """True if the run here can be continued: its ``last.pt`` exists."""
        return self.last.is_file()

    def is_unfinished(self) -> bool:
        """True if a run started here but died before writing any checkpoint (only its
        config/metrics are left: nothing to resume, nothing to predict with)."""
        return self.holds_run() and not self.last.is_file() and not self.best.is_file()

    def checkpoint(self, prefer_last: bool = False) -> Path | None:
        """best.pt (the best validation epoch) else last.pt, or last.pt first with ``prefer_last``
        (after a cancel: the one that resumes); None if neither exists."""
        order = (self.last, self.best) if prefer_last else (self.best, self.last)
        return next((p for p in order if p.is_file()), None)

    def stored_config(self) -> dict[str, Any] | None:
        """The run's config.json as a dict; None if absent or unreadable."""
        try:
            data = json.loads(self.config.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def stored_model(self) -> str | None:
        """The model name of the run's config.json (what the trainer actually ran), or None."""
        data = self.stored_config() or {}
        model = data.get("model")
        return model if isinstance(model, str) else None

    # -- new runs ------------------------------------------------------------------------------
    def check_new_run(self, overwrite: bool = False, option: str = "--out") -> None:
        """Raise RunFolderError if a new run here would overwrite an earlier run's files.

        ``overwrite`` allows it; ``option`` names the setting in the message (CLI flag or GUI field).
        Also refuses a path that exists and is not a folder. The advice only names what works:
        ``--resume`` only when ``last.pt`` exists; a run that died before its first checkpoint
        is called unfinished and only ``--overwrite`` / ``--fresh-name`` are offered.
        """
        if self.path.exists() and not self.path.is_dir():
            raise RunFolderError(self.path, f"exists and is not a folder (given as {option})")
        if overwrite or not self.holds_run():
            return
        names = ", ".join(p.name for p in self.run_files())
        if self.is_unfinished():
            raise RunFolderError(self.path, f"holds an unfinished run with no checkpoint ({names}); "
                                            f"use --overwrite to start again or --fresh-name (or choose another {option})")
        if not self.is_resumable():  # best.pt only: weights, no optimizer state to continue from
            raise RunFolderError(self.path, f"already holds a run ({names}) that cannot be resumed (no {LAST_FILE}); "
                                            f"pass --overwrite to replace it, --fresh-name, or choose another {option}")
        raise RunFolderError(self.path, f"already holds a run ({names}); resume it with --resume {self.last}, "
                                        f"pass --overwrite to replace it, or choose another {option}")

    def next_free(self) -> "RunFolder":
        """This folder if it holds no run, else the first of NAME-2, NAME-3, … that holds none."""
        if not self.holds_run():
            return self
        n = 2
        while True:
            candidate = RunFolder(self.path.with_name(f"{self.path.name}-{n}"))
            if not candidate.holds_run() and not (candidate.path.exists() and not candidate.path.is_dir()):
                return candidate
            n += 1

    def clear_run(self) -> list[Path]:
        """Delete the earlier run's marker files (before an explicit overwrite), so a new run that
        fails early is never paired with the old best.pt. Returns what was removed."""
        removed = []
        for p in self.run_files():
            p.unlink(missing_ok=True)
            removed.append(p)
        return removed

    def remove_stale_temps(self) -> list[Path]:
        """Delete temporary files a killed writer left here (``.last.pt.<pid>.tmp`` and
        ``core.io.atomic``'s names); call only when no writer is active. Returns what was removed."""
        from core.io.atomic import remove_stale_temps

        return remove_stale_temps(self.path)

    # -- resume / splits -----------------------------------------------------------------------
    def resolve_splits(self, discovery: "Discovery", split_file: str | Path | None = None,
                       train_config: Mapping[str, Any] | Any | None = None, save: bool = False) -> "Splits":
        """:func:`resolve_splits` with this folder's splits.json as the fallback (and, with
        ``save``, as the place a newly made split is written)."""
        return resolve_splits(discovery, split_file, train_config=train_config, run_dir=self.path,
                              save_to=self.splits if save else None)


# ------------------------------------------------------------------------------- resume
def read_resume_checkpoint(checkpoint: str | Path) -> dict[str, Any]:
    """The raw payload of a checkpoint that can be resumed.

    Raises CheckpointError (naming the file) if it is missing, unreadable, or holds weights
    only (a best.pt): resuming needs the optimizer state of a last.pt.
    """
    from core.train.checkpoint import read_checkpoint_dict

    payload = read_checkpoint_dict(checkpoint)
    if payload.get("optimizer") is None:
        raise CheckpointError(checkpoint, "holds weights only (no optimizer state); resume from a last.pt")
    return payload


def merge_resume(stored: Mapping[str, Any], checkpoint: str | Path, changes: Mapping[str, Any] | None = None,
                 option_names: Mapping[str, str] | None = None) -> "TrainConfig":
    """The TrainConfig a resumed run uses: the checkpoint's stored config with ``changes``.

    ``changes`` maps TrainConfig fields to the values asked for now (None = not asked). Fields
    in :data:`RESUME_MAY_CHANGE` take the new value; any other field must equal the stored one,
    else RunFolderError names the option (``option_names[field]``, default the CLI flag).
    ``out_dir``/``name`` must point at the checkpoint's own folder (the run continues there;
    named by ``option_names["out_dir"]``, default ``--out``). A ``split_file`` that no longer
    exists is replaced by the folder's splits.json (the folder was moved).
    Raises CheckpointError if the stored config is invalid.
    """
    from core.train.config import TrainConfig, cli_flag

    checkpoint = Path(checkpoint)
    folder = RunFolder.of_checkpoint(checkpoint)
    names = dict(option_names or {})

    def option(field: str) -> str:
        return names.get(field) or cli_flag(field)

    try:
        base = TrainConfig.from_dict(dict(stored))
    except (TypeError, ValueError) as exc:
        raise CheckpointError(checkpoint, f"stored training config is invalid ({exc})") from None
    asked = {k: v for k, v in dict(changes or {}).items() if v is not None and k != "resume"}
    out_dir, name = asked.pop("out_dir", None), asked.pop("name", None)
    if out_dir is not None or name is not None:
        wanted = Path(out_dir if out_dir is not None else base.out_dir) / (name if name is not None else base.name)
        if wanted.resolve() != folder.path:
            raise RunFolderError(wanted, f"{option('out_dir')}: a resumed run continues in its own folder {folder.path}; "
                                         f"drop {option('out_dir')} or start a new run")
    keep: dict[str, Any] = {}
    for field, value in asked.items():
        if field in RESUME_MAY_CHANGE:
            keep[field] = value
            continue
        try:
            candidate = getattr(base.replace(**{field: value}), field)
        except (TypeError, ValueError) as exc:
            raise RunFolderError(checkpoint, f"{option(field)}: {exc}") from None
        if candidate != getattr(base, field):
            raise RunFolderError(checkpoint, f"{option(field)} {_show(value)} conflicts with the run being resumed "
                                             f"({field} {_show(getattr(base, field))}); a resumed run keeps its settings")
    keep.update(out_dir=str(folder.path.parent), name=folder.path.name, resume=str(checkpoint))
    if base.split_file and not Path(base.split_file).is_file() and folder.splits.is_file():
        keep["split_file"] = str(folder.splits)  # the run folder was moved
    try:
        return base.replace(**keep)
    except (TypeError, ValueError) as exc:
        raise RunFolderError(checkpoint, f"cannot resume with these settings ({exc})") from None


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return f"[{', '.join(map(str, value[:3]))}, …] ({len(value)})"
    return repr(value)


# ------------------------------------------------------------------------------- splits
def validation_gap(val_keys: Iterable[str], synsets: Iterable[str]) -> str | None:
    """Why a run has nothing to validate on, or None when it has: "the validation split is
    empty" (no object at all, e.g. 2-3 objects per class with the default ratios) or "the
    validation split has no objects of these classes" (objects of other classes only).
    ``val_keys`` are the split's "synset/object_id" keys; ``synsets`` the run's classes."""
    keys = list(val_keys)
    if not keys:
        return "the validation split is empty"
    wanted = set(synsets)
    if not any(k.split("/", 1)[0] in wanted for k in keys):
        return "the validation split has no objects of these classes"
    return None


def resolve_splits(discovery: "Discovery", split_file: str | Path | None = None, *,
                   train_config: Mapping[str, Any] | Any | None = None, run_dir: str | Path | None = None,
                   save_to: str | Path | None = None) -> "Splits":
    """The one rule for which object split a run, an evaluation or an experiment uses:

    1. ``split_file`` when given (DataError naming it if missing or malformed);
    2. else the training config's ``split_file`` if that file exists;
    3. else ``run_dir/splits.json`` if it exists (a moved run folder; an experiment's shared split);
    4. else made from the config's ``split_seed`` (or ``seed``) and ``split_ratios`` over every
       object of ``discovery`` (a class subset reuses the full-data-set split), and written
       to ``save_to`` if given.

    ``train_config`` is a TrainConfig or its dict (a checkpoint's ``train_config``), or None.
    """
    from core.data.splits import DEFAULT_RATIOS, load_splits, make_splits, save_splits

    def get(key: str, default: Any = None) -> Any:
        if train_config is None:
            return default
        if isinstance(train_config, Mapping):
            return train_config.get(key, default)
        return getattr(train_config, key, default)

    if split_file:
        return load_splits(split_file)
    stored = get("split_file")
    if stored and Path(stored).is_file():
        return load_splits(stored)
    if run_dir is not None and (Path(run_dir) / SPLITS_FILE).is_file():
        return load_splits(Path(run_dir) / SPLITS_FILE)
    seed = get("split_seed", None)
    seed = int(get("seed", 0) or 0) if seed is None else int(seed)
    ratios = tuple(get("split_ratios", None) or DEFAULT_RATIOS)
    splits = make_splits(discovery, ratios=ratios, seed=seed)
    if save_to is not None:
        save_splits(splits, save_to)
    return splits
