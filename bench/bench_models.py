"""Image encoders side by side, both inside the proposed model: ``r2n2`` (faithful) vs ``fast``.

    python bench/bench_models.py [--threads 2] [--batch 32] [--iou-epochs N --objects-per-class K]
    python bench/bench_models.py --device cuda --batch 64 --train-steps 20 [--variants ...] --out X.json

Measures, in one process so the ratios share the machine's load:
- training throughput (images/s at batch 32, Adam step included) and CPU ms per image;
- single-image inference latency (torch.inference_mode) for fp32, channels_last, bf16 autocast
  and both; the best variant is reported;
- times are the best of several repetitions: on a shared machine the least-disturbed run is
  the reproducible one (the median swings several-fold with other people's jobs);
- the FLOPs of one training step (torch.utils.flop_counter), the machine's fp32 matmul peak
  (a timed 2048² matmul) and the fraction of that peak a training step achieves;
- with ``--iou-epochs N``: both trained N epochs on a generated set, test IoU at 0.4 via
  core.evaluate (same split, same settings).
Prints a table and writes bench/results/models.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models.registry import ModelConfig, build_model, count_parameters  # noqa: E402
from core.taxonomy import ALL_CLASSES  # noqa: E402
from core.train.trainer import make_optimizer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "models.json"
ENCODERS = ("r2n2", "fast")


def matmul_peak(dtype: torch.dtype = torch.float32, n: int = 2048, reps: int = 5) -> float:
    """Best observed GFLOP/s of an n×n matmul: the practical ceiling for dense work here."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def train_step_fn(model, batch: int):
    x = torch.randn(batch, 3, 127, 127)
    y = (torch.rand(batch, 1, 32, 32, 32) > 0.85).float()
    labels = torch.randint(0, model.config.num_classes, (batch,))
    opt = make_optimizer(model.parameters(), lr=1e-3)  # the trainer's optimizer

    def step():
        out = model(x)
        loss = F.binary_cross_entropy_with_logits(out.occupancy_logits, y) + 0.05 * F.cross_entropy(out.class_logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def step_flops(model, batch: int) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    step = train_step_fn(model, batch)
    with FlopCounterMode(display=False) as fc:
        step()
    return int(fc.get_total_flops())


def time_training(model, batch: int, steps: int) -> dict:
    model.train()
    step = train_step_fn(model, batch)
    step()  # warm-up: allocations, oneDNN primitive creation
    walls, cpus = [], []
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time()
        step()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    # best step: on a shared machine the least-disturbed step is the reproducible number
    wall = min(walls)
    return {"img_per_s": batch / wall, "cpu_ms_per_img": 1000 * min(cpus) / batch, "step_s": wall}


def set_conv2d_format(model, fmt: torch.memory_format):
    """channels_last for the 2D image encoders only (Module.to would also hit the 5D decoder weights)."""
    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.weight.data = mod.weight.data.contiguous(memory_format=fmt)
    return model


def time_inference(model, reps: int) -> dict:
    """Median ms per single image for each variant; channels_last converts the 4D weights only."""
    model.eval()
    x = torch.randn(1, 3, 127, 127)
    results, cpu_ms = {}, {}
    variants = {
        "fp32": (False, False),
        "channels_last": (True, False),
        "bf16": (False, True),
        "channels_last+bf16": (True, True),
    }
    for name, (cl, bf16) in variants.items():
        m = set_conv2d_format(model, torch.channels_last if cl else torch.contiguous_format)
        inp = x.contiguous(memory_format=torch.channels_last) if cl else x
        times, cpu = [], []
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for _ in range(2):
                m(inp)
            for _ in range(reps):
                t, c = time.perf_counter(), time.process_time()
                m(inp)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        results[name] = 1000 * min(times)
        cpu_ms[name] = 1000 * min(cpu)
    set_conv2d_format(model, torch.contiguous_format)
    best = min(results, key=results.get)
    return {"variants_ms": results, "variants_cpu_ms": cpu_ms, "best": best, "best_ms": results[best]}


def data_objects(root: str) -> dict[str, int]:
    """Objects per class actually on disk (``--root`` may hold any number)."""
    from collections import Counter

    from core.io.r2n2 import discover

    return dict(Counter(o.class_name for o in discover(root).objects))


def iou_comparison(epochs: dict[str, int], objects_per_class: int, root: str | None, threads: int) -> dict:
    from core.evaluate import evaluate
    from core.train.config import build_train_config
    from core.train.trainer import train

    tmp = Path(tempfile.mkdtemp(prefix="bench_models_"))
    if root is None:
        from core.synth.writer import generate_dataset

        root = str(tmp / "data")
        generate_dataset(Path(root), objects_per_class, seed=0, workers=threads)
    out = {}
    for enc, n_epochs in epochs.items():
        t = time.perf_counter()
        cfg = build_train_config(preset="cpu-small", model="proposed", encoder=enc, data_root=root, epochs=n_epochs,
                                 out_dir=str(tmp / "runs"), name=enc, split_ratios=(0.6, 0.1, 0.3))
        res = train(cfg)
        rep = evaluate(res.best_path, root, split="test", views=4, mean_shape=False)
        row = rep.rows[0]
        out[enc] = {"test_iou@0.4_instance": row.iou(0.4, "instance"), "test_iou@0.4_class_mean": row.iou(0.4, "class"),
                    "accuracy": row.accuracy, "train_s": time.perf_counter() - t, "epochs": n_epochs,
                    "val_iou@0.4_per_epoch": [h.get("val_iou") for h in res.history]}
    out["data"] = {"root": root, "objects": data_objects(root), "split_ratios": [0.6, 0.1, 0.3], "preset": "cpu-small"}
    return out


# ----------------------------------------------------------------------------- accelerator
# name: (TF32 on, bf16 autocast, channels-last, torch.compile)
DEVICE_VARIANTS: dict[str, tuple[bool, bool, bool, bool]] = {
    "fp32": (False, False, False, False),
    "tf32": (True, False, False, False),
    "bf16": (True, True, False, False),
    "tf32+channels_last": (True, False, True, False),
    "bf16+channels_last": (True, True, True, False),
    "tf32+channels_last+compile": (True, False, True, True),
    "bf16+channels_last+compile": (True, True, True, True),
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_training_on(encoder: str, variant: str, device: torch.device, batch: int, steps: int, budget_s: float) -> dict:
    """Training img/s of the proposed model (13 classes) on ``device`` in one precision variant:
    the trainer's step (fused Adam, a·CE + b·BCE), median of ``steps`` timed steps after warm-up,
    at most ``budget_s`` seconds of timing. ``torch.compile`` time is reported apart."""
    tf32, bf16, channels_last, compile_ = DEVICE_VARIANTS[variant]
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    model = build_model(ModelConfig(name="proposed", classes=list(ALL_CLASSES), encoder=encoder)).to(device).train()
    if channels_last:
        set_conv2d_format(model, torch.channels_last)
    opt = make_optimizer(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 3, 127, 127, device=device)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = (torch.rand(batch, 1, 32, 32, 32, device=device) > 0.85).float()
    labels = torch.randint(0, len(ALL_CLASSES), (batch,), device=device)
    forward = torch.compile(model) if compile_ else model

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            out = forward(x)
        loss = F.binary_cross_entropy_with_logits(out.occupancy_logits.float(), y) + 0.05 * F.cross_entropy(out.class_logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    t = time.perf_counter()
    for _ in range(3 if compile_ else 2):
        loss = step()
    _sync(device)
    warm_s = time.perf_counter() - t
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < steps and (time.perf_counter() - start) < budget_s:
        t = time.perf_counter()
        loss = step()
        _sync(device)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    return {"img_per_s": batch / med, "step_ms": 1000 * med, "steps_timed": len(times), "warmup_s": warm_s,
            "loss_finite": bool(torch.isfinite(loss).item())}


def device_bench(device_spec: str, encoders: list[str], variants: list[str], batch: int, steps: int, budget_s: float, out: Path) -> int:
    """Train img/s per encoder × variant on an accelerator (or the CPU); writes ``out`` after each row."""
    device = torch.device(device_spec)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else (platform.processor() or platform.machine())
    result: dict = {"device": name, "device_spec": device_spec, "torch": torch.__version__,
                    "cuda": getattr(torch.version, "cuda", None), "batch": batch, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    "model": "proposed (13 classes)", "encoders": {}}
    for enc in encoders:
        rows: dict = {}
        for variant in variants:
            try:
                rows[variant] = time_training_on(enc, variant, device, batch, steps, budget_s)
            except Exception as exc:  # noqa: BLE001 - a variant this build cannot run (e.g. no compiler) is recorded, not fatal
                rows[variant] = {"error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}"}
            r = rows[variant]
            shown = f"{r['img_per_s']:9.0f} img/s  ({r['step_ms']:.1f} ms/step, warm-up {r['warmup_s']:.1f} s)" if "img_per_s" in r else r["error"]
            print(f"  {enc:5} {variant:28} {shown}", flush=True)
            result["encoders"][enc] = rows
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=1))
    best = {enc: max(((v, r["img_per_s"]) for v, r in rows.items() if "img_per_s" in r), key=lambda t: t[1], default=(None, 0.0))
            for enc, rows in result["encoders"].items()}
    result["best"] = {enc: {"variant": v, "img_per_s": ips} for enc, (v, ips) in best.items()}
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", help="accelerator mode: train img/s per encoder × precision variant on this device (e.g. cuda)")
    ap.add_argument("--variants", default="fp32,tf32,bf16,tf32+channels_last,bf16+channels_last",
                    help=f"with --device: comma list of {', '.join(DEVICE_VARIANTS)}")
    ap.add_argument("--encoders", default="fast,r2n2", help="with --device: encoders to measure")
    ap.add_argument("--budget", type=float, default=6.0, help="with --device: seconds of timed steps per variant at most")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--train-steps", type=int, default=3, help="timed steps per encoder (after one warm-up)")
    ap.add_argument("--infer-reps", type=int, default=15)
    ap.add_argument("--iou-epochs", type=int, default=0, help="also train both N epochs and compare test IoU")
    ap.add_argument("--objects-per-class", type=int, default=12)
    ap.add_argument("--root", help="existing data set for --iou-epochs (default: generate one)")
    ap.add_argument("--iou-epochs-fast", type=int, help="epochs for the fast encoder (default --iou-epochs; more = same wall time)")
    ap.add_argument("--iou-encoders", default="r2n2,fast", help="encoders to train for the IoU comparison")
    ap.add_argument("--iou-reuse", type=Path, help="a previous models.json: take IoU rows of encoders not trained now (same --root)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if args.device:
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]
        unknown = [v for v in variants if v not in DEVICE_VARIANTS]
        if unknown:
            ap.error(f"--variants: unknown {', '.join(unknown)}; choose from {', '.join(DEVICE_VARIANTS)}")
        encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
        out = args.out if args.out != RESULTS else RESULTS.with_name(f"models_{args.device.split(':')[0]}.json")
        return device_bench(args.device, encoders, variants, args.batch, max(3, args.train_steps), args.budget, out)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    peak32 = matmul_peak(torch.float32)
    peak16 = matmul_peak(torch.bfloat16)
    rows = {}
    for enc in ENCODERS:
        model = build_model(ModelConfig(name="proposed", classes=list(ALL_CLASSES), encoder=enc))
        flops = step_flops(model, args.batch)
        tr = time_training(model, args.batch, args.train_steps if enc == "fast" else 2)
        inf = time_inference(model, args.infer_reps if enc == "fast" else max(3, args.infer_reps // 3))
        achieved = flops / tr["step_s"] / 1e9
        rows[enc] = {
            "params_M": count_parameters(model) / 1e6,
            "fp16_weights_MB": count_parameters(model) * 2 / 1e6,
            "train_img_per_s": tr["img_per_s"],
            "train_cpu_ms_per_img": tr["cpu_ms_per_img"],
            "train_step_GFLOP": flops / 1e9,
            "achieved_GFLOP_per_s": achieved,
            "fraction_of_fp32_peak": achieved / peak32,
            "infer_ms": inf["best_ms"],
            "infer_best_variant": inf["best"],
            "infer_variants_ms": inf["variants_ms"],
            "infer_variants_cpu_ms": inf["variants_cpu_ms"],
        }
        print(f"  measured {enc}", file=sys.stderr)
    ratios = {
        "train_speedup_fast_vs_r2n2": rows["fast"]["train_img_per_s"] / rows["r2n2"]["train_img_per_s"],
        "train_cpu_speedup_fast_vs_r2n2": rows["r2n2"]["train_cpu_ms_per_img"] / rows["fast"]["train_cpu_ms_per_img"],
        "infer_speedup_fast_vs_r2n2": rows["r2n2"]["infer_ms"] / rows["fast"]["infer_ms"],
        "flop_ratio_r2n2_over_fast": rows["r2n2"]["train_step_GFLOP"] / rows["fast"]["train_step_GFLOP"],
    }
    result = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "threads": args.threads,
                    "torch": torch.__version__, "loadavg": os.getloadavg(), "fp32_matmul_peak_GFLOP_s": peak32, "bf16_matmul_peak_GFLOP_s": peak16},
        "batch": args.batch,
        "encoders": rows,
        "ratios": ratios,
    }
    if args.iou_epochs == 0 and args.iou_reuse:
        result["iou"] = {**json.loads(args.iou_reuse.read_text())["iou"], "reused_from": str(args.iou_reuse)}
    if args.iou_epochs > 0:
        chosen = [e.strip() for e in args.iou_encoders.split(",") if e.strip()]
        epochs = {e: (args.iou_epochs_fast or args.iou_epochs) if e == "fast" else args.iou_epochs for e in ENCODERS if e in chosen}
        result["iou"] = iou_comparison(epochs, args.objects_per_class, args.root, args.threads)
        if args.iou_reuse:
            old = json.loads(args.iou_reuse.read_text()).get("iou", {})
            if old.get("data", {}).get("root") != result["iou"]["data"]["root"]:
                raise SystemExit(f"{args.iou_reuse}: IoU rows were measured on another data set; pass the same --root")
            for enc in ENCODERS:
                if enc not in result["iou"] and enc in old:
                    result["iou"][enc] = {**old[enc], "reused_from": str(args.iou_reuse)}

    print(f"\nproposed model, batch {args.batch}, {args.threads} threads; fp32 matmul peak {peak32:.0f} GFLOP/s (bf16 {peak16:.0f}); load avg {os.getloadavg()[0]:.1f}")
    hdr = f"{'encoder':8} {'params M':>8} {'train img/s':>11} {'cpu ms/img':>10} {'GFLOP/step':>10} {'GFLOP/s':>8} {'% peak':>7} {'infer ms':>8}  best variant"
    print(hdr)
    print("-" * len(hdr))
    for enc, r in rows.items():
        print(f"{enc:8} {r['params_M']:8.2f} {r['train_img_per_s']:11.1f} {r['train_cpu_ms_per_img']:10.1f} {r['train_step_GFLOP']:10.1f} "
              f"{r['achieved_GFLOP_per_s']:8.1f} {100 * r['fraction_of_fp32_peak']:6.1f}% {r['infer_ms']:8.1f}  {r['infer_best_variant']}")
    print(f"fast vs r2n2: training ×{ratios['train_speedup_fast_vs_r2n2']:.1f} (CPU time ×{ratios['train_cpu_speedup_fast_vs_r2n2']:.1f}), "
          f"inference ×{ratios['infer_speedup_fast_vs_r2n2']:.1f}, FLOPs ÷{ratios['flop_ratio_r2n2_over_fast']:.1f}")
    if "iou" in result:
        for enc in (e for e in ENCODERS if e in result["iou"] and "test_iou@0.4_instance" in result["iou"][e]):
            r = result["iou"][enc]
            print(f"{enc:8} test IoU@0.4 {r['test_iou@0.4_instance']:.3f} (class mean {r['test_iou@0.4_class_mean']:.3f}), accuracy {r['accuracy']:.3f}, "
                  f"{r['epochs']} epochs in {r['train_s']:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
