"""`recon train`: train the baseline or the proposed model on an R2N2-layout data set.

Flags override a TOML config file (``--config``), which overrides a preset (``--preset``).
Multi-GPU / multi-node: ``torchrun --nproc-per-node N -m core.cli train ...``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.progress import TqdmProgress


def _views(text: str):
    return "all" if text.strip().lower() == "all" else int(text)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from core.models.registry import model_names, option_values
    from core.train.config import PRESETS

    p = subparsers.add_parser(
        "train",
        help="train the baseline or the proposed model",
        description="Train a single-view reconstruction model. Writes OUT/{last.pt,best.pt,metrics.jsonl,splits.json,config.json}. "
        "--resume OUT/last.pt continues a run exactly where it stopped.",
    )
    p.add_argument("--model", choices=model_names(), help="architecture (default proposed)")
    p.add_argument("--data", help="data set root (R2N2 layout)")
    p.add_argument("--classes", help="'13' (default), '7', or a comma list of class names")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="Adam learning rate (default 1e-3)")
    p.add_argument("--ce-weight", type=float, metavar="A", help="a in a·CE + b·BCE (default 0.05; 0.001 with --classes 7)")
    p.add_argument("--bce-weight", type=float, metavar="B", help="b in a·CE + b·BCE (default 1)")
    p.add_argument("--fusion", choices=option_values("fusion"), help="how the proposed model joins its embeddings")
    p.add_argument("--embed-dim", type=int, choices=option_values("embed_dim"))
    p.add_argument("--encoder", choices=option_values("encoder"), help="image encoder (default fast)")
    p.add_argument("--dropout", type=float, help="dropout before the class logits")
    p.add_argument("--views", type=_views, help="'all' or N random views per object per epoch")
    p.add_argument("--split-file", help="split JSON (default: made from --split-seed and saved in OUT)")
    p.add_argument("--split-seed", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", help="run folder, e.g. runs/NAME (default runs/run)")
    p.add_argument("--resume", help="a last.pt to continue from")
    p.add_argument("--config", help="TOML file of training options (top level or [train])")
    p.add_argument("--preset", choices=sorted(PRESETS), help="a named set of options")
    p.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    p.add_argument("--workers", type=int, dest="num_workers", help="data loader worker processes (default 0)")
    p.add_argument("--max-steps-per-epoch", type=int, help="cap steps per epoch (quick runs)")
    p.add_argument("--save-every", type=int, dest="save_every_steps", metavar="N", help="also write last.pt every N steps")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)
    return p


def config_from_args(args: argparse.Namespace):
    """argparse namespace → TrainConfig (only flags actually given override file/preset)."""
    from core.train.checkpoint import read_checkpoint_dict
    from core.train.config import build_train_config

    overrides = {
        "model": args.model,
        "data_root": args.data,
        "classes": args.classes,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "ce_weight": args.ce_weight,
        "bce_weight": args.bce_weight,
        "fusion": args.fusion,
        "embed_dim": args.embed_dim,
        "encoder": args.encoder,
        "dropout": args.dropout,
        "views": args.views,
        "split_file": args.split_file,
        "split_seed": args.split_seed,
        "seed": args.seed,
        "resume": args.resume,
        "device": args.device,
        "num_workers": args.num_workers,
        "max_steps_per_epoch": args.max_steps_per_epoch,
        "save_every_steps": args.save_every_steps,
    }
    if args.out:
        out = Path(args.out)
        overrides["out_dir"] = str(out.parent)
        overrides["name"] = out.name
    if args.resume:
        # a resumed run keeps its stored settings; only flags given here change run control
        stored = read_checkpoint_dict(args.resume).get("train_config") or {}
        for key in ("epochs", "device", "num_workers", "save_every_steps"):
            if overrides.get(key) is None and key in stored:
                overrides[key] = stored[key]
    return build_train_config(preset=args.preset, config_file=args.config, **overrides)


def run(args: argparse.Namespace) -> int:
    from core.train.trainer import resolve_device, train

    try:
        cfg = config_from_args(args)
        resolve_device(cfg.device)  # "cuda" on a CPU-only build: one line now, not a traceback later
        if not cfg.data_root and not cfg.resume:
            raise ValueError("no data set: pass --data DIR (an R2N2-layout root) or --resume PATH")
    except ValueError as exc:
        print(f"recon train: error: {exc}", file=sys.stderr)
        return 2
    with TqdmProgress(f"train {cfg.model}", unit="step", disable=args.quiet) as bar:
        result = train(cfg, progress=bar)
    last = result.history[-1] if result.history else {}
    summary = ", ".join(f"{k}={v:.4f}" for k, v in last.items() if k.startswith(("val_iou@", "val_acc", "train_loss")) and isinstance(v, float))
    print(f"trained {cfg.model} for {result.epochs_completed} epoch(s), {result.global_step} steps; {summary}")
    print(f"best: {result.best_path}\nlast: {result.last_path}")
    return 0
