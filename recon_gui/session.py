"""The work behind one comparison: both models on one picture, plus its ground truth.

Qt-free, so it runs on a worker thread and is testable on its own. The picture is prepared
once and handed to both models; the baseline's prior class is the user's choice or, on
"auto", the proposed model's top class.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import CheckpointError, DataError, ReconError
from core.predict import Prediction, Predictor

SLOTS = ("baseline", "proposed")
AUTO = "auto"
THUMBNAIL_SIDE = 256


@dataclass(frozen=True)
class ViewCamera:
    """The camera that took a data set picture, in the views' frame (the voxel grid spans [-0.5, 0.5]³)."""

    position: tuple[float, float, float]
    up: tuple[float, float, float]
    view_angle_deg: float


@dataclass
class ComparisonRequest:
    image: str | Path | np.ndarray  # a file, or an RGBA/RGB array (e.g. pasted from the clipboard)
    ground_truth: str | Path | None = None  # binvox of the same object, when known
    prior_choice: str = AUTO  # "auto" or a class name for the baseline's prior
    source_name: str = ""

    @property
    def label(self) -> str:
        if self.source_name:
            return self.source_name
        return Path(self.image).name if isinstance(self.image, (str, Path)) else "pasted image"


@dataclass
class ComparisonResult:
    request: ComparisonRequest
    predictions: dict[str, Prediction | None]
    messages: dict[str, str]  # per slot (and "truth", "camera"): what is missing and why ("" when nothing)
    ground_truth: np.ndarray | None  # float32 (32,32,32) in {0,1}
    input_preview: np.ndarray  # uint8 (127,127,3)
    background_note: str
    thumbnail: np.ndarray  # uint8 RGBA, longer side <= THUMBNAIL_SIDE: the picture as given
    elapsed_ms: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    camera: ViewCamera | None = None  # known for renders with rendering_metadata.txt

    @property
    def true_class(self) -> str | None:
        """The class of a data set item (from its ShapeNetVox32/<synset>/<id>/model.binvox path)."""
        from core.taxonomy import SYNSETS

        if not self.request.ground_truth:
            return None
        parts = Path(self.request.ground_truth).parts
        return SYNSETS.get(parts[-3]) if len(parts) >= 3 else None

    @property
    def probabilities(self) -> dict[str, float] | None:
        p = self.predictions.get("proposed")
        return p.probabilities if p is not None else None


def load_predictor(path: str | Path, slot: str) -> Predictor:
    """Load a checkpoint for ``slot``; a checkpoint of the other model is a CheckpointError."""
    if slot not in SLOTS:
        raise ValueError(f"unknown model slot {slot!r}")
    predictor = Predictor.load(path, expect_model=slot)
    if predictor.name != slot:  # the checkpoint layer checks too; keep the slot honest regardless
        raise CheckpointError(path, f"this is a {predictor.name} checkpoint; load it as the {predictor.name} model, not the {slot}")
    return predictor


def load_predictor_for_its_slot(path: str | Path) -> Predictor:
    """Load a checkpoint whatever its model; the caller puts it into the slot of that model."""
    predictor = Predictor.load(path)
    if predictor.name not in SLOTS:
        raise CheckpointError(path, f"model '{predictor.name}' is neither the baseline nor the proposed model")
    return predictor


def _thumbnail(image: str | Path | np.ndarray) -> np.ndarray:
    from PIL import Image

    from core.data.photo import load_picture

    rgba, _alpha, _notes, _name = load_picture(image)
    pic = Image.fromarray(rgba, "RGBA")
    pic.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return np.asarray(pic)


def read_ground_truth_voxels(path: str | Path):
    """The binvox of a data set item; any unreadable file is a DataError naming it (the GUI
    shows it in the truth view only, so a foreign or damaged file never costs the predictions)."""
    from core.io.binvox import read_binvox
    from core.spec import GRID_SIZE

    try:
        voxels = read_binvox(path, expect_dim=GRID_SIZE)
    except DataError:
        raise
    except (ValueError, IndexError, OSError) as exc:  # a malformed header the reader did not name
        raise DataError(path, f"not a readable binvox file ({exc})") from None
    if not (math.isfinite(voxels.scale) and voxels.scale > 0):
        raise DataError(path, f"binvox scale must be a positive finite number, not {voxels.scale}")
    return voxels


def input_camera(image: str | Path, scale: float = 1.0) -> ViewCamera | None:
    """The R2N2 camera of view NN.png from its folder's rendering_metadata.txt, divided by the
    binvox ``scale`` (the views draw the grid at scale 1); None for pictures outside a data set.
    A malformed metadata file, or numbers that give no finite camera, raise DataError naming it."""
    from core.geometry.camera import FOV_RAD, camera_from_view
    from core.io.r2n2 import METADATA_FILE, read_metadata

    path = Path(image)
    metadata = path.parent / METADATA_FILE
    if not (path.stem.isdigit() and metadata.is_file()):
        return None
    views = read_metadata(metadata)
    index = int(path.stem)
    if index >= len(views):
        return None
    try:
        cam = camera_from_view(views[index])
    except (ValueError, ArithmeticError) as exc:
        raise DataError(metadata, f"line {index + 1}: no camera from these numbers ({exc})") from None
    position = np.asarray(cam.centre, dtype=float) / (scale or 1.0)
    if not (np.all(np.isfinite(position)) and np.all(np.isfinite(cam.up))):
        raise DataError(metadata, f"line {index + 1}: the camera position is not finite")
    return ViewCamera(tuple(float(v) for v in position), tuple(float(v) for v in cam.up), math.degrees(FOV_RAD))


def run_comparison(predictors: dict[str, Predictor | None], request: ComparisonRequest) -> ComparisonResult:
    """Prepare the picture once, run the proposed model, then the baseline on the chosen prior.

    A bad picture raises (DataError naming it); a model that cannot run on this picture (e.g.
    the baseline with no prior available) leaves a message for its slot instead.
    """
    from core.data.photo import prepare_image

    t0 = time.perf_counter()
    prepared = prepare_image(request.image)
    thumb = _thumbnail(request.image)
    t1 = time.perf_counter()
    predictions: dict[str, Prediction | None] = {s: None for s in SLOTS}
    messages = {s: "" for s in SLOTS}

    proposed = predictors.get("proposed")
    if proposed is not None:
        predictions["proposed"] = proposed.predict(prepared)
    else:
        messages["proposed"] = "no proposed model loaded"

    baseline = predictors.get("baseline")
    if baseline is None:
        messages["baseline"] = "no baseline model loaded"
    else:
        choice = request.prior_choice or AUTO
        try:
            if choice != AUTO:
                predictions["baseline"] = baseline.predict(prepared, prior_class=choice)
            elif predictions["proposed"] is not None and predictions["proposed"].probabilities:
                predictions["baseline"] = baseline.predict(prepared, probabilities=predictions["proposed"].probabilities)
            else:
                messages["baseline"] = "prior 'auto' needs the proposed model: pick a prior class"
        except ReconError as exc:
            messages["baseline"] = str(exc)
    t2 = time.perf_counter()

    ground_truth, scale = None, 1.0
    if request.ground_truth:
        try:
            voxels = read_ground_truth_voxels(request.ground_truth)
            ground_truth, scale = voxels.data.astype(np.float32), voxels.scale
        except DataError as exc:  # the predictions still stand; the truth view shows why it is empty
            messages["truth"] = str(exc)
    camera = None
    if isinstance(request.image, (str, Path)) and "truth" not in messages:  # a bad truth file: scale unknown
        try:
            camera = input_camera(request.image, scale)
        except DataError as exc:  # only the input camera is lost; say so beside the truth
            messages["camera"] = str(exc)
    t3 = time.perf_counter()
    return ComparisonResult(
        request=request, predictions=predictions, messages=messages, ground_truth=ground_truth,
        input_preview=prepared.preview, background_note=prepared.note, thumbnail=thumb,
        elapsed_ms=(t3 - t0) * 1e3,
        timings_ms={"prepare": (t1 - t0) * 1e3, "models": (t2 - t1) * 1e3, "ground_truth": (t3 - t2) * 1e3},
        camera=camera,
    )
