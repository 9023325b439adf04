"""The training form: one declarative table of fields drives the widgets, the TrainConfig they
build, the presets they accept and the settings they are remembered in.

Adding a training option means adding one ``Field`` row: its widget kind, where it goes in
``TrainConfig``, whether a preset may set it, whether it is remembered, and whether a resumed
run keeps it from its checkpoint. Model names and their option values come from the model
registry, so a registered model appears here without an edit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from core.spec import (
    BCE_WEIGHT,
    CE_WEIGHT_BY_CLASS_SET,
    LEARNING_RATE,
    VIEWS_PER_OBJECT,
)
from core.train.config import PRESETS, build_train_config

ALL_VIEWS = VIEWS_PER_OBJECT


def _model_choices() -> tuple[str, ...]:
    from core.models.registry import model_names

    names = tuple(model_names())
    return tuple(sorted(names, key=lambda n: (n != "proposed", n != "baseline", n)))  # the paper's two first


def _option_choices(option: str, fallback: tuple) -> tuple[str, ...]:
    from core.models.registry import option_values

    try:
        values = tuple(option_values(option))
    except (KeyError, ValueError):
        values = ()
    return tuple(str(v) for v in (values or fallback))


def _descriptor(name: str):
    """The registry's descriptor of model ``name`` (None for a name it does not know)."""
    from core.models.registry import get_descriptor

    try:
        return get_descriptor(name)
    except (KeyError, ValueError):
        return None


def _views_in(value: Any) -> int:
    return ALL_VIEWS if value == "all" else int(value)


def _views_out(value: int) -> Any:
    return "all" if value >= ALL_VIEWS else value


@dataclass(frozen=True)
class Field:
    """One form row. ``kind``: combo | int | float | text | folder."""

    key: str  # attribute stem, settings key and (unless ``to_config`` says otherwise) TrainConfig field
    label: str
    kind: str
    default: Any = None
    choices: Callable[[], tuple[str, ...]] | tuple[str, ...] = ()
    limits: tuple[float, float] = (0, 1_000_000)
    decimals: int = 4
    suffix: str = ""
    special: str = ""  # the text shown at the minimum of a spin box ("whole epoch")
    tip: str = ""
    attr: str = ""  # widget attribute on the panel (default: key + a kind suffix)
    to_config: Callable[[Any], Any] | None = None  # widget value -> TrainConfig value
    from_preset: Callable[[Any], Any] | None = None  # preset value -> widget value
    remembered: bool = True
    kept_on_resume: bool = True  # a resumed run takes this from its checkpoint: disabled then
    applies: Callable[[Any], bool] | None = None  # given the model's registry descriptor: is it used?

    @property
    def widget_attr(self) -> str:
        suffix = {"combo": "_combo", "int": "_spin", "float": "_spin", "text": "_edit", "folder": "_edit"}[self.kind]
        return self.attr or f"{self.key}{suffix}"


FIELDS: tuple[Field, ...] = (
    Field("model", "Model", "combo", "proposed", _model_choices),
    Field("data_root", "Data folder", "folder", "", tip="folder with ShapeNetRendering/ and ShapeNetVox32/",
          attr="data_edit", kept_on_resume=False),
    Field("classes", "Classes", "combo", "13", tuple(CE_WEIGHT_BY_CLASS_SET), from_preset=str),
    Field("epochs", "Epochs", "int", 20, limits=(1, 10000), kept_on_resume=False),
    Field("batch_size", "Batch size", "int", 32, limits=(1, 1024), attr="batch_spin"),
    Field("views", "Views per object", "int", ALL_VIEWS, limits=(1, ALL_VIEWS), tip="random views per object per epoch (24 = all)",
          to_config=_views_out, from_preset=_views_in),
    Field("val_views", "Validation views", "int", 4, limits=(1, ALL_VIEWS), tip="fixed views per validation object (24 = all)",
          to_config=_views_out, from_preset=_views_in),
    Field("max_steps_per_epoch", "Steps per epoch", "int", 0, limits=(0, 1_000_000), special="whole epoch",
          tip="cap on optimiser steps per epoch (quick trials)", attr="max_steps_spin"),
    Field("val_pct", "Validation share", "int", 5, limits=(0, 90), suffix=" % val",
          tip="objects per class held out for validation (the rest trains)"),
    Field("test_pct", "Test share", "int", 20, limits=(0, 90), suffix=" % test", tip="objects per class held out for testing"),
    Field("lr", "Learning rate", "float", LEARNING_RATE, limits=(1e-6, 1.0), decimals=6),
    Field("ce_weight", "Loss weight a (CE)", "float", CE_WEIGHT_BY_CLASS_SET["13"], limits=(0.0, 100.0),
          applies=lambda d: d.has_classifier),
    Field("bce_weight", "Loss weight b (BCE)", "float", BCE_WEIGHT, limits=(0.0, 100.0)),
    Field("fusion", "Fusion", "combo", "concat", lambda: _option_choices("fusion", ("concat", "sum")),
          applies=lambda d: "fusion" in d.options),
    Field("embed_dim", "Embedding size", "combo", "128", lambda: _option_choices("embed_dim", (128, 256)),
          attr="embed_combo", to_config=int, from_preset=str),
    Field("encoder", "Encoder", "combo", "fast", lambda: _option_choices("encoder", ("fast", "r2n2"))),
    Field("device", "Device", "combo", "auto", ("auto", "cpu", "cuda"), tip="auto: the GPU when PyTorch sees one, else the CPU",
          kept_on_resume=False),
    Field("out_dir", "Output folder", "folder", str(Path("runs").absolute()), attr="out_edit"),
    Field("name", "Run name", "text", "", tip="run name (default: model-classes-time)", remembered=False),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


def split_ratios(val_pct: int, test_pct: int) -> tuple[float, float, float]:
    """(train, val, test) fractions from the two held-out percentages."""
    if val_pct + test_pct >= 100:
        raise ValueError(f"split ratios: validation {val_pct} % + test {test_pct} % leave no objects to train on")
    val, test = val_pct / 100, test_pct / 100
    return (round(1.0 - val - test, 6), val, test)


class TrainingForm(QGroupBox):
    """The widgets of ``FIELDS`` plus the preset box and the resume row. A field the chosen
    model does not use (the classification weight of a model without a classifier, the fusion
    of one without it) is disabled, as the model registry describes it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Run", parent)
        self.widgets: dict[str, QWidget] = {}
        self.rows: dict[str, QWidget] = {}
        form = QFormLayout(self)
        self.preset_combo = QComboBox()
        self.preset_combo.addItem("(custom)", None)
        for name in PRESETS:
            self.preset_combo.addItem(name, name)
        self.preset_combo.setToolTip("fill the form with one of core's presets (paper settings, CPU-sized runs)")
        self.preset_combo.currentIndexChanged.connect(lambda _i: self.apply_preset(self.preset_combo.currentData()))
        form.addRow("Preset", self.preset_combo)
        for field in FIELDS:
            widget = self._make(field)
            self.widgets[field.key] = widget
            row = self._with_browse(widget, f"Choose {field.label.lower()}") if field.kind == "folder" else widget
            self.rows[field.key] = row
            form.addRow(field.label, row)
        self.resume_check = QCheckBox("Resume from")
        self.resume_edit = QLineEdit()
        self.resume_edit.setPlaceholderText("last.pt of an earlier run")
        resume_row = QWidget()
        rl = QHBoxLayout(resume_row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.resume_check)
        rl.addWidget(self._with_browse(self.resume_edit, "Choose checkpoint", file_filter="Checkpoints (*.pt)"))
        form.addRow("", resume_row)
        self.widgets["model"].currentTextChanged.connect(self.update_enabled)
        self.widgets["classes"].currentTextChanged.connect(self._classes_changed)
        self.resume_check.toggled.connect(self.update_enabled)
        self.update_enabled()

    # ---------------------------------------------------------------- widgets
    @staticmethod
    def _make(field: Field) -> QWidget:
        if field.kind == "combo":
            w = QComboBox()
            choices = field.choices() if callable(field.choices) else field.choices
            w.addItems(list(choices))
            w.setCurrentText(str(field.default))
        elif field.kind in ("int", "float"):
            w = QSpinBox() if field.kind == "int" else QDoubleSpinBox()
            if field.kind == "float":
                w.setDecimals(field.decimals)
                w.setSingleStep(10 ** -min(field.decimals, 3))
            lo, hi = field.limits
            w.setRange(int(lo) if field.kind == "int" else lo, int(hi) if field.kind == "int" else hi)
            w.setValue(field.default)
            if field.suffix:
                w.setSuffix(field.suffix)
            if field.special:
                w.setSpecialValueText(field.special)
        else:
            w = QLineEdit(str(field.default or ""))
            if field.tip:
                w.setPlaceholderText(field.tip)
        if field.tip:
            w.setToolTip(field.tip)
        return w

    def _with_browse(self, edit: QLineEdit, title: str, file_filter: str | None = None) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton("Browse…")

        def browse() -> None:
            if file_filter:
                path, _ = QFileDialog.getOpenFileName(self, title, edit.text(), file_filter)
            else:
                path = QFileDialog.getExistingDirectory(self, title, edit.text())
            if path:
                edit.setText(path)

        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    @staticmethod
    def value(widget: QWidget) -> Any:
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        return widget.value()

    @staticmethod
    def set_value(widget: QWidget, value: Any) -> None:
        """Set from a stored or preset value; raises TypeError/ValueError for one of the wrong type."""
        if isinstance(widget, QComboBox):
            if widget.findText(str(value)) >= 0:
                widget.setCurrentText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))
        else:
            widget.setValue(int(value))

    # ---------------------------------------------------------------- presets, settings
    def apply_preset(self, name: str | None) -> None:
        """Set the fields a preset of ``core.train.config.PRESETS`` names; others stay as they are.
        Classes first: their change sets the default a, which the preset may then override."""
        if not name:
            return
        preset = PRESETS[name]
        for key in sorted(preset, key=lambda k: k != "classes"):
            field = FIELD_BY_KEY.get(key)
            if field is not None:
                value = preset[key]
                self.set_value(self.widgets[key], field.from_preset(value) if field.from_preset else value)

    def save(self, settings: QSettings) -> None:
        for field in FIELDS:
            if field.remembered:
                settings.setValue(f"training/{field.key}", self.value(self.widgets[field.key]))

    def restore(self, settings: QSettings) -> None:
        """Widgets back to the last Start's values; unknown or stale values are skipped."""
        legacy = {"max_steps_per_epoch": "max_steps"}  # the key an earlier version stored
        for field in FIELDS:
            if not field.remembered:
                continue
            value = settings.value(f"training/{field.key}")
            if value is None and field.key in legacy:
                value = settings.value(f"training/{legacy[field.key]}")
            if value is None:
                continue
            try:
                self.set_value(self.widgets[field.key], value)
            except (TypeError, ValueError):
                continue  # a hand-edited settings file: keep the default

    # ---------------------------------------------------------------- state
    def update_enabled(self, *_: Any) -> None:
        """Resume: only the fields a resumed run may change. Baseline: no a, no fusion."""
        resume = self.resume_check.isChecked()
        descriptor = _descriptor(self.value(self.widgets["model"]))
        self.preset_combo.setEnabled(not resume)
        for field in FIELDS:
            used = field.applies is None or descriptor is None or field.applies(descriptor)
            enabled = not (resume and field.kept_on_resume) and used
            self.rows[field.key].setEnabled(enabled)

    def _classes_changed(self, spec: str) -> None:
        ce = self.widgets["ce_weight"]
        ce.setValue(CE_WEIGHT_BY_CLASS_SET.get(spec, ce.value()))

    def resume_path(self) -> str | None:
        """The checkpoint to resume from, "" when ticked with no path, None when not ticked."""
        return self.resume_edit.text().strip() if self.resume_check.isChecked() else None

    def values(self) -> dict[str, Any]:
        """TrainConfig overrides from the widgets (keys are TrainConfig fields)."""
        raw = {f.key: self.value(self.widgets[f.key]) for f in FIELDS}
        out = {f.key: (f.to_config(raw[f.key]) if f.to_config else raw[f.key]) for f in FIELDS}
        out["split_ratios"] = split_ratios(out.pop("val_pct"), out.pop("test_pct"))
        out["name"] = out["name"] or f"{out['model']}-{out['classes']}cls-{time.strftime('%Y%m%d-%H%M%S')}"
        out["resume"] = self.resume_path() or None
        return out

    def build_config(self):
        """The form as core's TrainConfig (its validation errors surface as one line)."""
        return build_train_config(**self.values())
