"""The experiment's report: Markdown tables (``core.report_table``), a verdict per run against the
mean-shape reference, and one training-curve plot per table."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Sequence

from core.experiment.specs import PRESETS, TABLES, ExperimentPreset, RunOutcome
from core.report_table import comparison_table, per_class_comparison, tkey
from core.spec import (
    BCE_WEIGHT,
    CE_WEIGHT_BY_CLASS_SET,
    DEFAULT_THRESHOLD,
    VIEWS_PER_OBJECT,
    headline_threshold,
)


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def verdicts(outcomes: dict[str, RunOutcome], threshold: float | None = None) -> list[str]:
    """One line per run: its class-averaged IoU against the mean-shape reference, at
    ``threshold`` or else each report's headline threshold (``core.spec.headline_threshold``).
    Runs without a mean-shape row are left out."""
    lines = []
    for o in outcomes.values():
        ref = o.report.mean_shape_row
        if ref is None:
            continue
        key = tkey(headline_threshold(o.report.thresholds) if threshold is None else threshold)
        m, r = o.report.model_row.class_mean[key], ref.class_mean[key]
        word = "above" if m > r else "NOT above"
        lines.append(f"- {o.label}: IoU@{key} {m:.3f} vs mean shape {r:.3f} ({m - r:+.3f}, {word} the reference)")
    return lines


def render_markdown(preset: ExperimentPreset, data_root: Path, split_id: str, outcomes: dict[str, RunOutcome], plots: Sequence[Path],
                    out_dir: Path, seconds: float, notes: Sequence[str]) -> str:
    """The experiment report in Markdown: settings and machine, then per table the runs side by
    side with the mean-shape row (``core.report_table``), per-class IoU, training curves, the
    run timings and a verdict per run against the mean shape.
    """
    out = [f"# Reproduction of the paper's tables — preset `{preset.name}`", ""]
    out.append(f"Preset run: **`{preset.name}`** ({preset.description}). Other presets: "
               + ", ".join(f"`{k}`" for k in PRESETS if k != preset.name) + ".")
    out.append("")
    out.append(f"- data set: `{data_root}`; split `{split_id}` (`splits.json`), evaluated on the **test** split, "
               f"{preset.eval_views if preset.eval_views != 'all' else f'all {VIEWS_PER_OBJECT}'} view(s) per object")
    out.append(f"- training settings shared by all runs: `{json.dumps(preset.train)}`; class-loss weight a = "
               + ", ".join(f"{w:g} ({n} classes)" for n, w in CE_WEIGHT_BY_CLASS_SET.items()) + f", b = {BCE_WEIGHT:g}")
    import torch

    gpu = f", GPU {torch.cuda.get_device_name(0)} (torch {torch.__version__})" if torch.cuda.is_available() else ", no GPU"
    out.append(f"- machine: {platform.machine()}, {os.cpu_count()} CPU(s), {torch.get_num_threads()} torch thread(s){gpu}; "
               f"wall time of this invocation {seconds / 60:.1f} min")
    out += [f"- note: {n}" for n in notes]
    out += ["", "IoU columns are **class-averaged** (the mean of per-class means, as in 3D-R2N2 / Pix2Vox) unless the header says "
            "*instance-averaged* (the mean over all test images). The mean-shape row predicts the mean training grid of the true class "
            "for every image: a model below it has not learned from the image.", ""]
    run_plots = {p.stem.replace("table", ""): p for p in plots}
    for table in TABLES:
        out.append(f"## Table {table.number}. {table.title}")
        out.append("")
        for classes, keys in table.groups:
            runs = [(outcomes[k].label, outcomes[k].report) for k in keys if k in outcomes]
            if not runs:
                out.append(f"*({classes} classes: runs not part of this invocation)*")
                out.append("")
                continue
            out.append(f"**{classes} classes**")
            out.append("")
            out.append(comparison_table(runs).to_markdown())  # core.report_table: one format, one headline rule
            out.append("")
            per_class = per_class_comparison(runs)
            out.append(f"Per class, IoU@{per_class.headline:g} ({classes} classes):")
            out.append("")
            out.append(per_class.to_markdown())
            out.append("")
        plot = run_plots.get(str(table.number))
        if plot is not None:
            out.append(f"![training curves, table {table.number}]({plot.relative_to(out_dir).as_posix()})")
            out.append("")
    out.append("## Runs")
    out.append("")
    out.append(_md_table(["run", "train time", "train images", "images/s", "eval time", "checkpoint", "this invocation"],
                         [[o.label, f"{o.train_seconds / 60:.1f} min", str(o.train_images), f"{o.train_images / max(o.train_seconds, 1e-9):.0f}", f"{o.eval_seconds:.0f} s", f"`{Path(o.checkpoint).relative_to(out_dir).as_posix() if Path(o.checkpoint).is_relative_to(out_dir) else o.checkpoint}`",
                           "reused" if o.skipped else "trained"] for o in outcomes.values()]))
    out.append("")
    out.append("## Against the mean-shape reference")
    out.append("")
    out += verdicts(outcomes)
    out.append("")
    return "\n".join(out)


def write_plots(outcomes: dict[str, RunOutcome], plot_dir: Path) -> list[Path]:
    """One PNG per table: training loss per step and validation IoU per epoch of its runs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from core.train.metrics_log import read_metrics_log

    plot_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLES:
        keys = [k for _, ks in table.groups for k in ks if k in outcomes]
        keys = list(dict.fromkeys(keys))
        if not keys:
            continue
        fig, (ax_loss, ax_iou) = plt.subplots(1, 2, figsize=(10, 3.6))
        for key in keys:
            log_ = read_metrics_log(outcomes[key].run_dir)  # empty when the run folder has no metrics.jsonl
            label = outcomes[key].label
            if log_.steps:
                ax_loss.plot(*log_.loss_curve, label=label, linewidth=1)
            if log_.val_iou_curve[0]:
                ax_iou.plot(*log_.val_iou_curve, marker="o", markersize=3, label=label)
            rep = outcomes[key].report
            if rep.mean_shape_row is not None and key == keys[-1]:
                ax_iou.axhline(rep.mean_shape_row.instance_mean[tkey(headline_threshold(rep.thresholds))], color="grey",
                               linestyle="--", linewidth=1, label="mean shape (test)")
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("training loss")
        ax_loss.set_yscale("log")
        ax_iou.set_xlabel("epoch")
        ax_iou.set_ylabel(f"validation IoU@{DEFAULT_THRESHOLD:g}")  # the trainer's select_threshold
        for ax in (ax_loss, ax_iou):
            ax.grid(alpha=0.3)
        ax_iou.legend(fontsize=7)
        fig.suptitle(f"Table {table.number}: training curves", fontsize=10)
        fig.tight_layout()
        path = plot_dir / f"table{table.number}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
