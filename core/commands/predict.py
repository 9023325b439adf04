"""`recon predict IMAGE... --checkpoint C --out DIR`: class probabilities, voxels and meshes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands.common import precheck_output_dir
from core.device import device_arg, device_help
from core.geometry.mesh import MESH_FORMATS
from core.spec import DEFAULT_THRESHOLD

DEFAULT_FORMATS = "obj"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``predict`` to the ``recon`` subcommands."""
    p = sub.add_parser("predict", help="reconstruct 3D shapes from pictures with a trained checkpoint",
                       description="Predict class probabilities and a 32³ occupancy grid for each picture; write voxels (.binvox, .npy) and meshes into --out.")
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="pictures (PNG, JPEG, ...): renders, cut-outs with alpha, or photos on a plain backdrop")
    p.add_argument("--checkpoint", "-c", required=True, type=Path, help="a checkpoint written by `recon train` (any registered model)")
    p.add_argument("--prior-class", metavar="NAME", type=prior_class, help="for a model that needs a class prior: the class whose mean shape is the prior (e.g. chair)")
    p.add_argument("--classifier", type=Path, metavar="C2", help="for a model that needs a class prior: a checkpoint with a classifier whose top class picks the prior")
    p.add_argument("--out", "-o", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--threshold", type=threshold, default=DEFAULT_THRESHOLD,
                   help=f"occupancy threshold for the voxels and the mesh (default {DEFAULT_THRESHOLD:g})")
    p.add_argument("--formats", type=mesh_formats, default=DEFAULT_FORMATS, help=f"mesh formats, comma separated, from {','.join(MESH_FORMATS)} (default {DEFAULT_FORMATS})")
    p.add_argument("--render", action="store_true", help="also write an off-screen picture of the shape (<name>_shape.png)")
    p.add_argument("--json", action="store_true", help="print one JSON object per picture instead of text")
    p.add_argument("--device", type=device_arg, default="cpu", help=device_help("cpu"))
    p.set_defaults(run=run)


def mesh_formats(spec: str) -> list[str]:
    """argparse type: 'obj,ply' -> ['obj', 'ply']."""
    fmts = [f.strip().lower().lstrip(".") for f in spec.split(",") if f.strip()]
    bad = [f for f in fmts if f not in MESH_FORMATS]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"unknown mesh format(s) {', '.join(bad) or '(none)'}; choose from {', '.join(MESH_FORMATS)}")
    return fmts


def prior_class(text: str) -> str:
    """argparse type: a class name, alias or synset id -> its canonical name."""
    from core.taxonomy import resolve_class

    try:
        return resolve_class(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def threshold(text: str) -> float:
    """argparse type: a float strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 1, got {value:g}")
    return value


def _unique_stems(paths: list[Path]) -> list[str]:
    seen: dict[str, int] = {}
    stems = []
    for p in paths:
        stem = p.stem or "image"
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        stems.append(stem if n == 0 else f"{stem}-{n + 1}")
    return stems


def run(args: argparse.Namespace) -> int:
    """Predict every picture, then write each one's files into ``--out``; 0 when done. Every picture
    is read and predicted before anything is written, so a bad input leaves no partial output.
    """
    from core.device import resolve_device
    from core.errors import ReconError
    from core.predict import Predictor

    formats = args.formats if isinstance(args.formats, list) else mesh_formats(args.formats)
    device = str(resolve_device(args.device))  # an unusable --device is named as such, not blamed on the checkpoint
    precheck_output_dir(args.out)  # an existing file or an unwritable place: refused before any work
    predictor = Predictor.load(args.checkpoint, device=device)
    classifier = None
    if predictor.needs_prior:
        if args.prior_class is not None and args.prior_class not in predictor.classes:
            raise ReconError(f"--prior-class {args.prior_class!r}: {args.checkpoint} has no prior for it (its classes: {', '.join(predictor.classes)})")
        if args.prior_class is None and args.classifier is None:
            raise ReconError(f"{args.checkpoint}: the {predictor.name} model needs a class prior: pass --prior-class NAME or --classifier CHECKPOINT")
        if args.classifier is not None and args.prior_class is None:
            classifier = Predictor.load(args.classifier, device=device)
            if not classifier.has_classifier:
                raise ReconError(f"{args.classifier}: the {classifier.name} model has no classifier")
    elif args.prior_class or args.classifier:
        print(f"recon predict: note: {args.checkpoint} is a {predictor.name} model; --prior-class/--classifier are ignored", file=sys.stderr)

    # Every picture is read and predicted first: a bad file, a picture without an object or a
    # model giving NaN stops the run before anything is written.
    prepared = [predictor.prepare(path) for path in args.images]
    predictions = [predictor.predict(prep, prior_class=args.prior_class, classifier=classifier) for prep in prepared]
    for path, stem, pred in zip(args.images, _unique_stems(args.images), predictions):
        written, occupied, n_faces = write_outputs(args.out, stem, pred, args.threshold, formats, args.render)
        skipped = [f for f in formats if f not in written]
        if args.json:
            doc = {
                "image": str(path),
                "model": pred.model_name,
                "checkpoint": str(args.checkpoint),
                "probabilities": pred.probabilities,
                "predicted_class": pred.predicted_class,
                "prior_class": pred.prior_class,
                "prior_source": pred.prior_source,
                "background_note": pred.background_note,
                "threshold": args.threshold,
                "occupied_voxels": occupied,
                "mesh_faces": n_faces,
                "files": written,
                "not_written": {f: "empty shape: no surface at this threshold" for f in skipped},
            }
            print(json.dumps(doc), flush=True)
        else:
            print(f"{path}:")
            if pred.probabilities:
                top = ", ".join(f"{c} {p:.3f}" for c, p in pred.top(5))
                print(f"  class: {pred.predicted_class}   (top: {top})")
            if pred.prior_class:
                print(f"  prior: {pred.prior_class} ({pred.prior_source})")
            print(f"  picture: {pred.background_note}")
            print(f"  shape: {occupied} voxels at >= {args.threshold:g}, mesh {n_faces} triangles" + ("  (empty: nothing above the threshold)" if occupied == 0 else ""))
            print(f"  wrote: {', '.join(Path(v).name for v in written.values())} in {args.out}")
            if skipped:
                print(f"  not written: {', '.join(f'{stem}.{f}' for f in skipped)} (the shape is empty at this threshold; an empty mesh is not a valid file)")
            sys.stdout.flush()
    return 0


def write_outputs(out: Path, stem: str, pred, threshold: float, formats: list[str], render: bool) -> tuple[dict[str, str], int, int]:
    """Write one prediction's set of files into ``out``, all or none -> (written files by kind,
    occupied voxels, mesh faces). Mesh formats are skipped for an empty shape.

    The set is written into a staging folder and renamed into ``out`` only once every file is
    complete (``core.io.atomic.atomic_files``): a full disk on the third file leaves no .binvox
    without its .npy, and an earlier prediction's files of the same names are kept. Raises
    ``OutputError`` naming the file that could not be written."""
    from PIL import Image

    from core.geometry.mesh import occupancy_to_mesh, save_mesh, save_voxels
    from core.io.atomic import atomic_files, write_with

    names: dict[str, str] = {}
    with atomic_files(out) as stage:
        names["binvox"] = save_voxels(stage / f"{stem}.binvox", pred.occupancy, threshold).name
        names["npy"] = save_voxels(stage / f"{stem}.npy", pred.occupancy).name
        preview = Image.fromarray(pred.input_preview)
        names["input_preview"] = write_with(stage / f"{stem}_input.png", lambda tmp: preview.save(tmp, format="PNG")).name
        verts, faces = occupancy_to_mesh(pred.occupancy, threshold)
        if len(faces):
            for fmt in formats:
                names[fmt] = save_mesh(stage / f"{stem}.{fmt}", verts, faces).name
        if render:
            from core.render_export import save_shape_png

            names["render"] = save_shape_png(stage / f"{stem}_shape.png", pred.occupancy, threshold=threshold).name
    written = {kind: str(Path(out) / name) for kind, name in names.items()}
    return written, int((pred.occupancy >= threshold).sum()), int(len(faces))
