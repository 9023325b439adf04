"""One picture -> class probabilities and a 32³ occupancy grid, for the CLI and the GUI.

``Predictor.load(checkpoint)`` rebuilds the model from the file alone. A model with a
classifier classifies and reconstructs in one pass. A model that needs a class prior (its
registry descriptor says so) is given one: a class name, or the top class of another
predictor with a classifier (how the app pairs the two kinds of model), or probabilities
computed before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from core.data.photo import ImageInput, PreparedImage, prepare_image
from core.errors import DataError, ReconError
from core.spec import DEFAULT_THRESHOLD, GRID_SHAPE
from core.taxonomy import resolve_class


class NonFiniteOutputError(ReconError):
    """The model's output holds NaN or infinite values."""


@dataclass
class Prediction:
    """What one model makes of one picture."""

    input_preview: np.ndarray  # uint8 (127,127,3): the picture as the model saw it
    probabilities: dict[str, float] | None  # class name -> softmax probability (None: no classifier used)
    predicted_class: str | None  # top-1 of ``probabilities``
    occupancy: np.ndarray  # float32 (32,32,32) [x, y, z] y up, in [0,1]
    prior_class: str | None  # the class whose mean shape was the model's prior (None: no prior used)
    background_note: str  # what was done to the picture (core.data.photo)
    model_name: str = ""
    prior_source: str | None = None  # "given" | "classifier" | "probabilities" | None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def mesh(self, threshold: float = DEFAULT_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
        """Marching-cubes surface of the occupancy in the camera's world frame."""
        from core.geometry.mesh import occupancy_to_mesh

        return occupancy_to_mesh(self.occupancy, threshold)

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable classes as (name, probability), best first; [] without a classifier."""
        if not self.probabilities:
            return []
        return sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:k]


class Predictor:
    """A loaded model ready to predict on pictures (eval mode, inference only)."""

    def __init__(self, model: torch.nn.Module, classes: list[str], priors: np.ndarray | None = None, checkpoint_path: str | Path | None = None, device: str = "cpu"):
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.classes = list(classes)
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path is not None else None
        self.priors = None if priors is None else torch.as_tensor(np.asarray(priors, dtype=np.float32)).to(self.device)
        if self.needs_prior and self.priors is None:
            raise ValueError("a model that needs class priors was given none")
        if self.priors is not None and tuple(self.priors.shape) != (len(self.classes), *GRID_SHAPE):
            raise ValueError(f"priors have shape {tuple(self.priors.shape)}, expected {(len(self.classes), *GRID_SHAPE)}")

    @classmethod
    def load(cls, checkpoint_path: str | Path, device: str = "cpu", expect_model: str | None = None, expect_classes: list[str] | None = None) -> "Predictor":
        """Read a checkpoint (CheckpointError names the file if it is truncated, of another
        model or of another class list)."""
        from core.train.checkpoint import load_checkpoint

        ckpt = load_checkpoint(checkpoint_path, map_location=device, expect_model=expect_model, expect_classes=expect_classes)
        return cls(ckpt.model, list(ckpt.classes), ckpt.priors, checkpoint_path, device)

    # -- properties ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The registered model name of the loaded checkpoint (e.g. ``proposed``), for messages and exports."""
        cfg = getattr(self.model, "config", None)
        return getattr(cfg, "name", type(self.model).__name__)

    @property
    def needs_prior(self) -> bool:
        """True if the model is conditioned on a class prior (set from its registry descriptor)."""
        return bool(getattr(self.model, "needs_prior", False))

    @property
    def has_classifier(self) -> bool:
        """True if the model outputs class logits (so it can pick another model's prior)."""
        return bool(getattr(self.model, "has_classifier", False))

    @property
    def _where(self) -> str:
        return str(self.checkpoint_path) if self.checkpoint_path else f"<{self.name} model>"

    # -- prediction ---------------------------------------------------------------------
    def prepare(self, image: ImageInput | PreparedImage) -> PreparedImage:
        """The picture as the model reads it (a (3,127,127) tensor and a preview); a prepared one
        passes through. Raises DataError naming the file if it cannot be read or holds no object.
        """
        return image if isinstance(image, PreparedImage) else prepare_image(image)

    def classify(self, image: ImageInput | PreparedImage) -> dict[str, float]:
        """Class probabilities only (needs a classifier)."""
        if not self.has_classifier:
            raise ReconError(f"{self._where}: the {self.name} model has no classifier")
        prep = self.prepare(image)
        with torch.inference_mode():
            out = self.model(prep.tensor.unsqueeze(0).to(self.device), None)
        self._check_finite(out)
        return self._probabilities(out.class_logits)

    def predict(
        self,
        image: ImageInput | PreparedImage,
        prior_class: str | None = None,
        classifier: "Predictor | None" = None,
        probabilities: Mapping[str, float] | None = None,
    ) -> Prediction:
        """Predict one picture. For a model needing a prior, the class is ``prior_class`` if
        given, else the most probable of this model's classes under ``probabilities`` or
        under ``classifier``'s output; with none of these it is an error."""
        t0 = time.perf_counter()
        prep = self.prepare(image)
        t1 = time.perf_counter()
        x = prep.tensor.unsqueeze(0).to(self.device)
        probs: dict[str, float] | None = None
        prior_name = source = None
        prior_t = None
        if self.needs_prior:
            if prior_class is not None:
                prior_name, source = self._own_class(prior_class), "given"
            else:
                if probabilities is None and classifier is not None:
                    probabilities = classifier.classify(prep)
                    source = "classifier"
                elif probabilities is not None:
                    source = "probabilities"
                if probabilities is None:
                    raise ReconError(f"{self._where}: the {self.name} model needs a prior class; give one (e.g. --prior-class chair) "
                                     "or a checkpoint with a classifier")
                probs = {str(k): float(v) for k, v in probabilities.items()}
                prior_name = self._best_own_class(probs)
            prior_t = self.priors[self.classes.index(prior_name)].reshape(1, 1, *GRID_SHAPE)
        t2 = time.perf_counter()
        with torch.inference_mode():
            out = self.model(x, prior_t)
            self._check_finite(out)
            occ = torch.sigmoid(out.occupancy_logits.float())[0, 0].cpu().numpy()
            if out.class_logits is not None:
                probs = self._probabilities(out.class_logits)
        t3 = time.perf_counter()
        predicted = max(probs, key=probs.get) if probs else None
        timings = {"preprocess": (t1 - t0) * 1e3, "classifier": (t2 - t1) * 1e3, "forward": (t3 - t2) * 1e3}
        return Prediction(prep.preview, probs, predicted, occ.astype(np.float32, copy=False), prior_name, prep.note, self.name, source, timings)

    # -- helpers ------------------------------------------------------------------------
    def _check_finite(self, out) -> None:
        """NaN/inf logits (diverged or damaged weights) would become a made-up shape through
        marching cubes or a fake class through argmax: refuse them, naming the checkpoint."""
        for t in (out.occupancy_logits, out.class_logits):
            if t is not None and not bool(torch.isfinite(t).all()):
                raise NonFiniteOutputError(f"{self._where}: model output is not finite (NaN or infinite: diverged or damaged weights)")

    def _probabilities(self, logits: torch.Tensor) -> dict[str, float]:
        p = torch.softmax(logits.float(), dim=1)[0].cpu().numpy()
        return {c: float(v) for c, v in zip(self.classes, p)}

    def _own_class(self, name: str) -> str:
        try:
            canonical = resolve_class(name)
        except ValueError as exc:
            raise DataError(self._where, str(exc)) from None
        if canonical not in self.classes:
            raise DataError(self._where, f"class '{canonical}' is not one of this model's classes ({', '.join(self.classes)})")
        return canonical

    def _best_own_class(self, probs: Mapping[str, float]) -> str:
        """Most probable class that this model has a prior for."""
        ranked = sorted(probs.items(), key=lambda kv: -kv[1])
        for name, _p in ranked:
            try:
                canonical = resolve_class(name)
            except ValueError:
                continue
            if canonical in self.classes:
                return canonical
        raise DataError(self._where, f"none of the classifier's classes ({', '.join(probs)}) is one of this model's classes ({', '.join(self.classes)})")
