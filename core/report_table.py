"""One table model for evaluation reports, rendered to plain text and Markdown here (Qt in the GUI).

An :class:`~core.evaluate.EvalReport` becomes a :class:`ReportTable`: columns, per-class rows
then the two average rows, raw values in the cells. Two rules live here and nowhere else:

* **formatting** (:func:`format_value`): IoU and accuracy with three decimals, counts as
  integers, a missing or undefined number (None, NaN) as ``–``;
* **the headline threshold** (``core.spec.headline_threshold``): the one IoU threshold a
  single-number column reports (0.4 when measured, else the middle one).

``report_table`` is one model's report (``recon eval``, the GUI's evaluation view);
``comparison_table`` and ``per_class_comparison`` set several runs side by side (the
experiment report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from core.spec import DEFAULT_THRESHOLD, headline_threshold

if TYPE_CHECKING:  # pragma: no cover
    from core.evaluate import EvalReport, EvalRow

MISSING = "–"  # a number that does not exist (no classifier, no mean-shape row) or is NaN
DIGITS = 3
CLASS_MEAN_LABEL = "mean (class-averaged)"
INSTANCE_MEAN_LABEL = "mean (instance-averaged)"


def format_value(value: Any, digits: int = DIGITS) -> str:
    """The one cell formatting rule: float → ``0.123``, int → ``12``, None/NaN → ``–``, str as is."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return MISSING if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def tkey(threshold: float) -> str:
    """The key a report uses for a threshold: 0.4 → "0.4"."""
    return f"{float(threshold):g}"


@dataclass(frozen=True)
class Column:
    """``title`` as shown; ``key`` for code ("class", "objects", "iou@0.4", "mean_shape@0.4",
    "accuracy", …); ``numeric`` columns are right-aligned."""

    title: str
    key: str
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    """Raw cell values, one per column (the first is the row's label); ``summary`` rows are
    the averages shown below a rule (bold in the GUI and in Markdown)."""

    cells: tuple[Any, ...]
    summary: bool = False

    @property
    def label(self) -> str:
        """The first cell as text."""
        return str(self.cells[0])


@dataclass(frozen=True)
class ReportTable:
    """Columns and rows of one table; every renderer formats cells with :meth:`cell_text`."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    headline: float
    notes: tuple[str, ...] = ()  # warnings, printed below the table

    @property
    def headers(self) -> list[str]:
        """Column titles."""
        return [c.title for c in self.columns]

    @property
    def body(self) -> tuple[Row, ...]:
        """The rows above the rule (classes, runs)."""
        return tuple(r for r in self.rows if not r.summary)

    @property
    def summary(self) -> tuple[Row, ...]:
        """The average rows below the rule."""
        return tuple(r for r in self.rows if r.summary)

    def cell_text(self, row: int, column: int) -> str:
        """The formatted text of cell (row, column) — what every renderer shows."""
        return format_value(self.rows[row].cells[column])

    def value(self, row_label: str, column_key: str) -> Any:
        """The raw value in the row labelled ``row_label`` and column ``column_key``; KeyError if absent."""
        j = next((j for j, c in enumerate(self.columns) if c.key == column_key), None)
        r = next((r for r in self.rows if r.label == row_label), None)
        if j is None or r is None:
            raise KeyError((row_label, column_key))
        return r.cells[j]

    def text_rows(self) -> list[list[str]]:
        """Every row as formatted strings."""
        return [[self.cell_text(i, j) for j in range(len(self.columns))] for i in range(len(self.rows))]

    def to_text(self) -> str:
        """Fixed-width text: title, header, rule, class rows, rule, averages, ``warning:`` lines."""
        cells = self.text_rows()
        head = self.headers
        widths = [max(len(x[j]) for x in cells + [head]) for j in range(len(head))]

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.rjust(w) if self.columns[j].numeric else v.ljust(w) for j, (v, w) in enumerate(zip(values, widths))).rstrip()

        rule = "-" * len(line(head))
        out = [self.title] if self.title else []
        out += [line(head), rule]
        out += [line(c) for c, r in zip(cells, self.rows) if not r.summary]
        if self.summary:
            out.append(rule)
            out += [line(c) for c, r in zip(cells, self.rows) if r.summary]
        out += [f"warning: {n}" for n in self.notes]
        return "\n".join(out)

    def to_markdown(self, with_title: bool = False, with_notes: bool = False) -> str:
        """A GitHub Markdown table (numeric columns right-aligned, average rows in bold)."""
        out = [f"**{self.title}**", ""] if with_title and self.title else []
        out.append("| " + " | ".join(h.replace("|", "\\|") for h in self.headers) + " |")
        out.append("|" + "|".join("---:" if c.numeric else "---" for c in self.columns) + "|")
        for cells, row in zip(self.text_rows(), self.rows):
            if row.summary:
                cells = [f"**{cells[0]}**"] + cells[1:]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        if with_notes and self.notes:
            out += [""] + [f"- warning: {n}" for n in self.notes]
        return "\n".join(out)


# ----------------------------------------------------------------------------- one report
def report_title(report: "EvalReport") -> str:
    """"proposed (fast, 13 classes) on test split 1a2b3c4d5e, views: 4"."""
    m = report.model or {}
    return (f"{m.get('name', 'model')} ({m.get('encoder', '?')}, {len(report.classes)} classes) on {report.split} split "
            f"{report.split_id}, views: {report.views}")


def report_table(report: "EvalReport", threshold: float | None = None) -> ReportTable:
    """One model's report: per class (present in the data set) its object count, IoU at every
    threshold, the mean-shape IoU at the headline threshold (if evaluated) and accuracy (models
    with a classifier); then the class-averaged and instance-averaged rows.

    ``threshold`` picks the mean-shape column's threshold (default: the headline one);
    ValueError if it was not measured.
    """
    ts = [float(t) for t in report.thresholds]
    main = headline_threshold(ts) if threshold is None else float(threshold)
    if tkey(main) not in {tkey(t) for t in ts}:
        raise ValueError(f"threshold {main:g} was not evaluated; the report has {', '.join(tkey(t) for t in ts)}")
    m, ref = report.model_row, report.mean_shape_row
    has_acc = m.accuracy is not None
    cols = [Column("class", "class", numeric=False), Column("objects", "objects")]
    cols += [Column(f"IoU@{tkey(t)}", f"iou@{tkey(t)}") for t in ts]
    if ref is not None:
        cols.append(Column(f"mean-shape@{tkey(main)}", f"mean_shape@{tkey(main)}"))
    if has_acc:
        cols.append(Column("accuracy", "accuracy"))

    def cells(label: Any, count: Any, ious: dict[str, float], ref_iou: float | None, acc: float | None) -> tuple:
        out = [label, count] + [ious.get(tkey(t)) for t in ts]
        if ref is not None:
            out.append(ref_iou)
        if has_acc:
            out.append(acc)
        return tuple(out)

    rows = []
    for c in report.classes:
        if c in report.missing_classes:
            continue  # not in the data set: named in the notes
        rows.append(Row(cells(c, int(report.objects_per_class.get(c, 0)), m.per_class.get(c, {}),
                              ref.per_class.get(c, {}).get(tkey(main)) if ref is not None else None,
                              (m.class_accuracy or {}).get(c, math.nan) if has_acc else None)))
    rows.append(Row(cells(CLASS_MEAN_LABEL, int(sum(report.objects_per_class.values())), m.class_mean,
                          ref.class_mean.get(tkey(main)) if ref is not None else None, m.class_mean_accuracy), summary=True))
    rows.append(Row(cells(INSTANCE_MEAN_LABEL, f"{int(sum(report.images_per_class.values()))} img", m.instance_mean,
                          ref.instance_mean.get(tkey(main)) if ref is not None else None, m.accuracy), summary=True))
    return ReportTable(report_title(report), tuple(cols), tuple(rows), main, tuple(report.warnings))


# ----------------------------------------------------------------------------- several runs
def comparison_table(runs: Sequence[tuple[str, "EvalReport"]], title: str = "") -> ReportTable:
    """Runs side by side: per run its class-averaged IoU at every threshold, the
    instance-averaged IoU at the headline threshold and accuracy; then one mean-shape row from
    the first run that has one (same classes and split within a group). ``runs`` = (label, report)."""
    if not runs:
        return ReportTable(title, (), (), DEFAULT_THRESHOLD)
    ts = [float(t) for t in runs[0][1].thresholds]
    main = headline_threshold(ts)
    cols = [Column("model", "model", numeric=False)] + [Column(f"IoU@{tkey(t)}", f"iou@{tkey(t)}") for t in ts]
    cols += [Column(f"IoU@{tkey(main)} instance-averaged", f"instance_iou@{tkey(main)}"), Column("accuracy", "accuracy")]
    rows = []
    for label, rep in runs:
        m = rep.model_row
        rows.append(Row((label, *[m.class_mean.get(tkey(t)) for t in ts], m.instance_mean.get(tkey(main)), m.accuracy)))
    first = next((rep for _, rep in runs if rep.mean_shape_row is not None), None)
    if first is not None:
        ref: EvalRow = first.mean_shape_row  # type: ignore[assignment]
        rows.append(Row((f"mean shape ({len(first.classes)} classes)", *[ref.class_mean.get(tkey(t)) for t in ts],
                         ref.instance_mean.get(tkey(main)), None)))  # a reference run, listed with the runs
    return ReportTable(title, tuple(cols), tuple(rows), main)


def per_class_comparison(runs: Sequence[tuple[str, "EvalReport"]], title: str = "") -> ReportTable:
    """Per class (of the first run), each run's IoU at the headline threshold and the
    mean-shape IoU; then the class-averaged row. ``runs`` = (label, report)."""
    if not runs:
        return ReportTable(title, (), (), DEFAULT_THRESHOLD)
    first = runs[0][1]
    main = headline_threshold(first.thresholds)
    k = tkey(main)
    ref = first.mean_shape_row
    cols = [Column("class", "class", numeric=False), Column("test objects", "objects")]
    cols += [Column(label, f"run:{label}") for label, _ in runs] + [Column("mean shape", "mean_shape")]
    rows = []
    for c in first.classes:
        if c in first.missing_classes:
            continue
        rows.append(Row((c, int(first.objects_per_class.get(c, 0)), *[rep.model_row.per_class.get(c, {}).get(k) for _, rep in runs],
                         ref.per_class.get(c, {}).get(k) if ref is not None else None)))
    rows.append(Row(("class-averaged", int(sum(first.objects_per_class.values())), *[rep.model_row.class_mean.get(k) for _, rep in runs],
                     ref.class_mean.get(k) if ref is not None else None), summary=True))
    return ReportTable(title, tuple(cols), tuple(rows), main)
