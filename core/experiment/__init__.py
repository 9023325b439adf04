"""`recon experiment`: the paper's three tables, reproduced on a data set, as a Markdown report.

Table 1: the baseline (image + class prior) on 7 and 13 classes.
Table 2: the proposed model on 13 classes with embeddings of 128 (sum), 128 (concat), 256 (concat).
Table 3: baseline vs proposed on 7 and 13 classes (runs of tables 1 and 2 are reused where
         the settings match: the proposed 13-class run is the 128/concat run of table 2).
Every table carries the mean-shape row (the class-mean training grid of the true class).

Six training runs in all, each in ``OUT/runs/<key>/`` with its own ``eval.json``. A run whose
``eval.json`` exists is skipped and one with a ``last.pt`` resumes, so an interrupted
experiment continues where it stopped. All runs share one split file (``OUT/splits.json``).

The package's modules, one job each: ``specs`` (presets, the six runs, the three tables and
the result types), ``runner`` (data, split, training and evaluation of each run) and
``report`` (the Markdown report, the verdicts and the training-curve plots).
"""

from core.experiment.report import render_markdown, verdicts, write_plots
from core.experiment.runner import run_experiment
from core.experiment.specs import (
    PRESETS,
    RUN_BY_KEY,
    RUNS,
    TABLES,
    ExperimentPreset,
    ExperimentResult,
    RunOutcome,
    RunSpec,
    TableSpec,
    get_preset,
)

__all__ = [
    "PRESETS",
    "RUNS",
    "RUN_BY_KEY",
    "TABLES",
    "ExperimentPreset",
    "ExperimentResult",
    "RunOutcome",
    "RunSpec",
    "TableSpec",
    "get_preset",
    "render_markdown",
    "run_experiment",
    "verdicts",
    "write_plots",
]
