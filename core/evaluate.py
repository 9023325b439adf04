"""Test-set evaluation: voxel IoU per class at several thresholds, classification accuracy,
and the mean-shape reference every model has to beat.

Two averages are reported because papers mix them: the *class-averaged* mean (every class
weighs the same; 3D-R2N2 / Pix2Vox tables) and the *instance-averaged* mean (every test
image weighs the same). The mean-shape row predicts, for each image, the mean training voxel
grid of its true class: a model that does not beat it has learned nothing about the image.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import torch

from core.errors import ReconError
from core.metrics import (
    DEFAULT_THRESHOLDS,
    class_mean,
    instance_mean,
    per_class_means,
    voxel_iou,
)
from core.predict import NonFiniteOutputError
from core.progress import CancelToken, ProgressCallback, report

if TYPE_CHECKING:  # pragma: no cover
    from core.train.checkpoint import LoadedCheckpoint

log = logging.getLogger(__name__)

MEAN_SHAPE = "mean-shape"


@dataclass
class EvalRow:
    """One predictor's scores. IoU dicts are keyed by the threshold as a string ("0.4")."""

    name: str
    per_class: dict[str, dict[str, float]]  # class -> threshold -> mean IoU of its images
    class_mean: dict[str, float]  # threshold -> mean of the per-class means
    instance_mean: dict[str, float]  # threshold -> mean over all images
    accuracy: float | None = None  # top-1 over all images (models with a classifier)
    class_accuracy: dict[str, float] | None = None  # class -> top-1 of its images
    class_mean_accuracy: float | None = None

    def iou(self, threshold: float, average: str = "class") -> float:
        """This row's IoU at ``threshold``, class-averaged (``average='class'``) or over all
        images (``'instance'``). KeyError if the threshold was not measured.
        """
        table = self.class_mean if average == "class" else self.instance_mean
        return table[_tkey(threshold)]


@dataclass
class EvalReport:
    """Everything ``recon eval`` prints and writes; JSON round-trips via ``to_dict``."""

    checkpoint: str
    model: dict[str, Any]  # the model config (name, classes, encoder, embed_dim, fusion, ...)
    root: str
    split: str
    split_id: str
    views: str | int
    thresholds: list[float]
    classes: list[str]
    objects_per_class: dict[str, int]
    images_per_class: dict[str, int]
    rows: list[EvalRow]
    confusion: list[list[int]] | None = None  # [true][predicted] image counts
    warnings: list[str] = field(default_factory=list)
    missing_classes: list[str] = field(default_factory=list)  # the model's classes absent from the data set

    def row(self, name: str) -> EvalRow:
        """The row called ``name`` (the model's name or ``MEAN_SHAPE``); KeyError if absent."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def model_row(self) -> EvalRow:
        """The evaluated model's scores (always the first row)."""
        return self.rows[0]

    @property
    def mean_shape_row(self) -> EvalRow | None:
        """The mean-shape reference row, or None when it was not computed."""
        try:
            return self.row(MEAN_SHAPE)
        except KeyError:
            return None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (``results.json``, ``recon eval --json``), with a note on the two averages."""
        d = asdict(self)
        d["averaging"] = {
            "class_mean": "mean over classes of each class's mean IoU (every class weighs the same)",
            "instance_mean": "mean over all test images (frequent classes weigh more)",
        }
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EvalReport":
        """Rebuild a report from :meth:`to_dict`'s output (the experiment reuses finished runs so)."""
        d = {k: v for k, v in d.items() if k != "averaging"}
        d["rows"] = [EvalRow(**r) for r in d["rows"]]
        return cls(**d)

    def save(self, path: str | Path) -> Path:
        """Write the report as JSON atomically; ``OutputError`` names the path and the reason."""
        from core.io.atomic import write_text

        return write_text(path, json.dumps(self.to_dict(), indent=1, allow_nan=True))

    def format_table(self, threshold: float | None = None) -> str:
        """The fixed-width text table ``recon eval`` prints (see :func:`format_report`)."""
        return format_report(self, threshold)


def _tkey(t: float) -> str:
    return f"{float(t):g}"


# ----------------------------------------------------------------------------- accumulation


class IouAccumulator:
    """Collects per-image IoUs (several thresholds) and labels for one predictor."""

    def __init__(self, name: str, thresholds: Sequence[float], num_classes: int, with_accuracy: bool):
        self.name = name
        self.thresholds = [float(t) for t in thresholds]
        self.ious: dict[float, list[np.ndarray]] = {t: [] for t in self.thresholds}
        self.labels: list[np.ndarray] = []
        self.with_accuracy = with_accuracy
        self.confusion = np.zeros((num_classes, num_classes), dtype=np.int64) if with_accuracy else None

    def add(self, probs: torch.Tensor, gt: torch.Tensor, labels: torch.Tensor, class_logits: torch.Tensor | None = None) -> None:
        """Add one batch: ``probs``/``gt`` (B,32,32,32) occupancy in [0,1] and {0,1}, ``labels`` (B,)
        true class indices, ``class_logits`` (B,C) when the model classifies (fills the confusion matrix).
        """
        flat_p = probs.reshape(probs.shape[0], -1)
        flat_g = gt.reshape(gt.shape[0], -1)
        for t in self.thresholds:
            self.ious[t].append(np.asarray(voxel_iou(flat_p, flat_g, t).cpu().numpy(), dtype=np.float64))
        self.labels.append(labels.cpu().numpy())
        if self.confusion is not None and class_logits is not None:
            pred = class_logits.argmax(dim=1).cpu().numpy()
            np.add.at(self.confusion, (labels.cpu().numpy(), pred), 1)

    def row(self, classes: Sequence[str]) -> EvalRow:
        """The collected IoUs as an :class:`EvalRow` named after ``classes`` (index = label): per-class,
        class-averaged and instance-averaged means per threshold, and accuracy when measured.
        """
        labels = np.concatenate(self.labels) if self.labels else np.zeros(0, np.int64)
        per_class: dict[str, dict[str, float]] = {c: {} for c in classes}
        cmean, imean = {}, {}
        for t in self.thresholds:
            ious = np.concatenate(self.ious[t]) if self.ious[t] else np.zeros(0)
            by_label = per_class_means(ious.tolist(), labels.tolist())
            for i, c in enumerate(classes):
                per_class[c][_tkey(t)] = float(by_label.get(i, math.nan))
            cmean[_tkey(t)] = class_mean({c: per_class[c][_tkey(t)] for c in classes})
            imean[_tkey(t)] = instance_mean(ious)
        acc = cls_acc = cls_mean_acc = None
        if self.confusion is not None and self.confusion.sum():
            conf = self.confusion
            acc = float(np.trace(conf) / conf.sum())
            totals = conf.sum(axis=1)
            cls_acc = {c: (float(conf[i, i] / totals[i]) if totals[i] else math.nan) for i, c in enumerate(classes)}
            cls_mean_acc = class_mean(cls_acc)
        return EvalRow(self.name, per_class, cmean, imean, acc, cls_acc, cls_mean_acc)


# ----------------------------------------------------------------------------- evaluation


def evaluate_model(
    model: torch.nn.Module,
    dataset,
    priors: np.ndarray | None,
    mean_shapes: np.ndarray | None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    batch_size: int = 32,
    num_workers: int = 0,
    device: str | torch.device = "cpu",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[EvalRow, EvalRow | None, np.ndarray | None]:
    """Run ``model`` over ``dataset`` (an ``R2N2Dataset``, no augmentation).

    ``priors`` (C,32,32,32) feed a model that needs one, selected by the TRUE class (the
    baseline paper's test protocol); ``mean_shapes`` (C,32,32,32), the class means of the
    training split, give the reference row. Returns (model row, mean-shape row, confusion).
    """
    from core.data.dataset import make_loader

    classes = list(dataset.classes)
    device = torch.device(device)
    needs_prior = bool(getattr(model, "needs_prior", False))
    if needs_prior and priors is None:
        raise ValueError("this model needs class priors to be evaluated")
    has_classifier = bool(getattr(model, "has_classifier", False))
    model_acc = IouAccumulator(getattr(model, "config", None).name if hasattr(model, "config") else "model", thresholds, len(classes), has_classifier)
    ref_acc = IouAccumulator(MEAN_SHAPE, thresholds, len(classes), False) if mean_shapes is not None else None
    prior_t = torch.as_tensor(np.asarray(priors, dtype=np.float32)).to(device) if priors is not None else None
    mean_t = torch.as_tensor(np.asarray(mean_shapes, dtype=np.float32)).to(device) if mean_shapes is not None else None
    loader = make_loader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers, persistent_workers=False)
    total = len(dataset)
    done = 0
    model.eval()
    with torch.inference_mode():
        for batch in loader:
            if cancel is not None:
                cancel.raise_if_cancelled()
            images = batch["image"].to(device)
            gt = batch["voxels"].to(device)
            labels = batch["label"].to(device)
            prior_batch = prior_t[labels].unsqueeze(1) if needs_prior else None
            out = model(images, prior_batch)
            if not bool(torch.isfinite(out.occupancy_logits).all()) or (
                has_classifier and out.class_logits is not None and not bool(torch.isfinite(out.class_logits).all())
            ):
                raise NonFiniteOutputError("model output is not finite (NaN or infinite: diverged or damaged weights)")
            probs = torch.sigmoid(out.occupancy_logits.float())
            model_acc.add(probs, gt, labels, out.class_logits if has_classifier else None)
            if ref_acc is not None:
                ref_acc.add(mean_t[labels], gt.squeeze(1), labels)
            done += len(labels)
            row = model_acc.ious[float(thresholds[len(thresholds) // 2])]
            report(progress, done, total, "evaluating", iou=float(np.concatenate(row).mean()))
    return model_acc.row(classes), (ref_acc.row(classes) if ref_acc else None), model_acc.confusion


SPLIT_ALL = "all"  # every object of the data set: a foreign data set needs no split file


def evaluate(
    checkpoint: "str | Path | LoadedCheckpoint",
    root: str | Path,
    split: str = "test",
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    split_file: str | Path | None = None,
    views: str | int = "all",
    batch_size: int = 32,
    num_workers: int = 0,
    device: str = "cpu",
    mean_shape: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> EvalReport:
    """Evaluate a checkpoint (path or loaded) on ``split`` of the data set at ``root``.

    ``split`` is train / val / test, or ``"all"``: every object of the data set, for a data set
    the model never saw (no split file; the mean-shape row then uses the class means of the
    evaluated objects themselves). Otherwise the split comes from ``split_file`` if given, else
    it is rebuilt the way the trainer built it (``resolve_splits``); a split id differing from
    the checkpoint's is reported as a warning. Classes of the model that the data set lacks (a
    partial download) are left out and listed in ``missing_classes``. Raises DataError /
    CheckpointError naming the file, ``NonFiniteOutputError`` naming the checkpoint.
    """
    from core.data.dataset import R2N2Dataset
    from core.data.priors import compute_priors
    from core.data.splits import Splits
    from core.errors import DataError
    from core.io.r2n2 import discover
    from core.taxonomy import NAME_TO_SYNSET
    from core.train.checkpoint import load_checkpoint

    if batch_size < 1:
        raise ReconError(f"batch size must be at least 1, got {batch_size}")
    if num_workers < 0:
        raise ReconError(f"data loader workers must be 0 or more, got {num_workers}")
    ckpt = load_checkpoint(checkpoint, map_location=device) if isinstance(checkpoint, (str, Path)) else checkpoint
    ckpt_path = str(checkpoint) if isinstance(checkpoint, (str, Path)) else str(getattr(ckpt, "path", "<in memory>"))
    classes = list(ckpt.classes)
    discovery = discover(root)  # whichever of the 13 classes are there; the model's are picked below
    found = discovery.counts()
    present = [c for c in classes if found.get(c)]
    missing = [c for c in classes if not found.get(c)]
    if not present:
        raise DataError(root, f"holds no objects of the model's classes ({', '.join(classes)})")
    warnings: list[str] = []
    if split == SPLIT_ALL:
        keys = sorted(o.key for o in discovery.objects if o.class_name in present)
        splits = Splits(0, (0.0, 0.0, 1.0), [], [], keys)
        reference_splits = Splits(0, (1.0, 0.0, 0.0), keys, [], [])
        warnings.append("split 'all': every object of the data set is evaluated (objects seen in training count too); "
                        "the mean-shape row uses the class means of these objects")
        dataset_split = "test"
    else:
        splits, warnings = resolve_splits(root, ckpt, split_file, discovery=discovery)
        if missing:  # a split file may list objects of classes this (partial) data set lacks
            keep = {NAME_TO_SYNSET[c] for c in present}
            pick = lambda keys: [k for k in keys if k.split("/", 1)[0] in keep]
            splits = Splits(splits.seed, splits.ratios, pick(splits.train), pick(splits.val), pick(splits.test), source=splits.source)
        reference_splits = splits
        dataset_split = split
    dataset = R2N2Dataset(root, classes, dataset_split, splits, augment=False, views=views, discovery=discovery)
    labels_present = sorted({int(i) for i in dataset.labels})
    dropped = [c for i, c in enumerate(classes) if c in present and i not in labels_present]
    if dropped:  # classes on disk with no object in this split
        missing = [c for c in classes if c in missing or c in dropped]
        present = [c for c in classes if c not in missing]
    if missing:
        warnings.append(f"the data set holds no {'' if split == SPLIT_ALL else split + ' '}objects of {len(missing)} of the model's "
                        f"{len(classes)} classes ({', '.join(missing)}); evaluated the other {len(present)}")
    need_means = mean_shape or ckpt.priors is None
    mean_shapes = None
    if need_means:
        means_present = compute_priors(discovery, reference_splits, present, progress=None, cancel=cancel)
        mean_shapes = np.zeros((len(classes),) + means_present.shape[1:], dtype=np.float32)
        for j, c in enumerate(present):
            mean_shapes[classes.index(c)] = means_present[j]
    priors = ckpt.priors if ckpt.priors is not None else mean_shapes
    model = ckpt.model.to(device)
    try:
        model_row, ref_row, confusion = evaluate_model(
            model, dataset, priors if model.needs_prior else None, mean_shapes if mean_shape else None,
            thresholds, batch_size, num_workers, device, progress, cancel,
        )
    except NonFiniteOutputError as exc:
        raise NonFiniteOutputError(f"{ckpt_path}: {exc}") from None
    model_row.name = ckpt.model_config.name
    counts_obj = {c: int((dataset.labels == i).sum()) for i, c in enumerate(classes)}
    rows = [model_row] + ([ref_row] if ref_row is not None else [])
    return EvalReport(
        checkpoint=ckpt_path,
        model=ckpt.model_config.to_dict(),
        root=str(root),
        split=split,
        split_id=splits.split_id,
        views=views,
        thresholds=[float(t) for t in thresholds],
        classes=classes,
        objects_per_class=counts_obj,
        images_per_class={c: n * dataset.views_per_object for c, n in counts_obj.items()},
        rows=rows,
        confusion=confusion.tolist() if confusion is not None else None,
        warnings=warnings,
        missing_classes=missing,
    )


def resolve_splits(root: str | Path, ckpt, split_file: str | Path | None = None, discovery=None):
    """The split to evaluate on -> (Splits, warnings), by the one split rule of
    ``core.train.run_folder.resolve_splits``: an explicit file, else the split the checkpoint's
    training config names, else its run folder's splits.json, else one made from the config's
    seed and ratios over the whole data set. Warns when it differs from the training split."""
    from core.io.r2n2 import discover
    from core.train.run_folder import resolve_splits as resolve_run_splits

    warnings: list[str] = []
    run_dir = Path(ckpt.path).parent if getattr(ckpt, "path", None) else None
    splits = resolve_run_splits(discovery if discovery is not None else discover(root), split_file,
                                train_config=ckpt.train_config, run_dir=run_dir)
    expected = getattr(ckpt, "split_id", None)
    if expected and expected != splits.split_id:
        warnings.append(f"split {splits.split_id} differs from the checkpoint's training split {expected}: test objects may have been seen in training")
        log.warning(warnings[-1])
    return splits, warnings


# ----------------------------------------------------------------------------- table


def format_report(report: EvalReport, threshold: float | None = None) -> str:
    """A fixed-width table: per class, the model's IoU at every threshold, the mean-shape IoU
    and accuracy; then the class-averaged and instance-averaged means, labelled as such
    (``core.report_table``: the one table model, also behind the GUI and Markdown)."""
    from core.report_table import report_table

    return report_table(report, threshold).to_text()
