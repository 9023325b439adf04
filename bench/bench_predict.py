"""Picture -> probabilities + mesh latency: preprocess / forward / marching cubes / total.

    python bench/bench_predict.py [--repeats 30] [--threads 1,2] [--encoders fast,r2n2] [--checkpoint C]

Inputs: a 137×137 R2N2 render (the evaluation path) and a 640×480 JPEG "photo" on an
off-white backdrop (background removal path). Models: proposed and baseline with the fast
encoder (the CPU/GUI setting) and the r2n2 encoder (the paper's). Untrained weights time the
same as trained ones; ``--checkpoint`` times a real file instead. Reports the median and the
90th percentile of wall time, and the median thread CPU time, which does not grow when other
jobs share the cores. Target: total under 40 ms on the CPU (fast encoder).
Prints a table and writes bench/results/predict.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from core.data.photo import prepare_image  # noqa: E402
from core.geometry.mesh import occupancy_to_mesh  # noqa: E402
from core.models.registry import ModelConfig, build_model  # noqa: E402
from core.predict import Predictor  # noqa: E402
from core.taxonomy import ALL_CLASSES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "predict.json"
RENDER = REPO / "tests" / "data" / "real_r2n2" / "ShapeNetRendering" / "03001627" / "1a38407b3036795d19fb4103277a6b93" / "rendering" / "03.png"
TARGET_MS = 40.0


def make_photo() -> bytes:
    """The render scaled up onto a 640×480 off-white backdrop with sensor noise, as JPEG bytes."""
    rgba = Image.open(RENDER)
    big = rgba.resize((380, 380), Image.Resampling.LANCZOS)
    pic = Image.new("RGB", (640, 480), (236, 232, 224))
    pic.paste(big, (150, 60), big)
    noisy = np.asarray(pic, np.float64) + np.random.default_rng(0).normal(0, 3, (480, 640, 3))
    buf = io.BytesIO()
    Image.fromarray(noisy.clip(0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def predictors(checkpoint: str | None, encoders: list[str]) -> dict[str, Predictor]:
    if checkpoint:
        p = Predictor.load(checkpoint)
        return {f"{p.name} ({p.model.config.encoder}, checkpoint)": p}
    out = {}
    rng = np.random.default_rng(0)
    priors = rng.random((13, 32, 32, 32)).astype(np.float32)
    for name in ("proposed", "baseline"):
        for encoder in encoders:
            torch.manual_seed(0)
            model = build_model(ModelConfig(name=name, classes=list(ALL_CLASSES), encoder=encoder))
            out[f"{name} ({encoder})"] = Predictor(model, list(ALL_CLASSES), priors if name == "baseline" else None)
    return out


def _stats(values: list[float]) -> dict[str, float]:
    a = np.asarray(values) * 1e3
    return {"median_ms": float(np.median(a)), "p90_ms": float(np.percentile(a, 90)), "min_ms": float(a.min())}


def time_one(pred: Predictor, source, repeats: int) -> dict:
    """Stages of one prediction: preprocess, forward (incl. prior/classifier), marching cubes."""
    stages: dict[str, list[float]] = {"preprocess": [], "forward": [], "marching_cubes": [], "total": []}
    cpu_total: list[float] = []
    prior = "chair" if pred.needs_prior else None
    for i in range(repeats + 3):
        src = io.BytesIO(source) if isinstance(source, bytes) else source
        c0 = time.thread_time()
        t0 = time.perf_counter()
        prep = prepare_image(src)
        t1 = time.perf_counter()
        result = pred.predict(prep, prior_class=prior)
        t2 = time.perf_counter()
        occupancy_to_mesh(result.occupancy, 0.4)
        t3 = time.perf_counter()
        c1 = time.thread_time()
        if i < 3:
            continue  # warm-up
        stages["preprocess"].append(t1 - t0)
        stages["forward"].append(t2 - t1)
        stages["marching_cubes"].append(t3 - t2)
        stages["total"].append(t3 - t0)
        cpu_total.append(c1 - c0)
    out = {k: _stats(v) for k, v in stages.items()}
    out["total_thread_cpu_ms"] = float(np.median(cpu_total) * 1e3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--threads", default="1,2", help="torch intra-op thread counts to try")
    ap.add_argument("--checkpoint")
    ap.add_argument("--encoders", default="fast,r2n2", help="image encoders to time (untrained models)")
    args = ap.parse_args()

    inputs = {"render 137x137": str(RENDER), "photo 640x480 jpeg": make_photo()}
    preds = predictors(args.checkpoint, [e.strip() for e in args.encoders.split(",") if e.strip()])
    results = []
    header = f"{'model':<22} {'input':<20} {'thr':>3} {'preproc':>8} {'forward':>8} {'mcubes':>7} {'total':>7} {'p90':>7} {'cpu':>7}"
    print(header)
    print("-" * len(header))
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for pname, pred in preds.items():
            for iname, src in inputs.items():
                r = time_one(pred, src, args.repeats)
                results.append({"model": pname, "input": iname, "threads": threads, **r})
                print(f"{pname:<22} {iname:<20} {threads:>3} {r['preprocess']['median_ms']:>8.1f} {r['forward']['median_ms']:>8.1f} "
                      f"{r['marching_cubes']['median_ms']:>7.1f} {r['total']['median_ms']:>7.1f} {r['total']['p90_ms']:>7.1f} {r['total_thread_cpu_ms']:>7.1f}")
    print("(ms; medians of wall time, p90 of the total, median CPU time of the calling thread)")
    doc = {
        "target_total_ms": TARGET_MS,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg(), "torch": torch.__version__},
        "repeats": args.repeats,
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1))
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
