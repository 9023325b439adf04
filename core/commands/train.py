"""`recon train`: train a registered model (core.models.registry) on an R2N2-layout data set.

Flags override a TOML config file (``--config``), which overrides a preset (``--preset``).
Multi-GPU / multi-node: ``torchrun --nproc-per-node N -m core.cli train ...``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands.common import ProgressBar


def _views(text: str):
    return "all" if text.strip().lower() == "all" else int(text)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``train``; model and option choices come from the model registry."""
    from core.device import device_help
    from core.models.registry import model_names, option_values
    from core.train.config import PRESETS

    p = subparsers.add_parser(
        "train",
        help=f"train a model ({', '.join(model_names())})",
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
    p.add_argument("--fusion", choices=option_values("fusion"), help="how a model with two embeddings joins them (models that have this option)")
    p.add_argument("--embed-dim", type=int, choices=option_values("embed_dim"))
    p.add_argument("--encoder", choices=option_values("encoder"), help="image encoder (default fast)")
    p.add_argument("--dropout", type=float, help="dropout before the class logits")
    p.add_argument("--views", type=_views, help="'all' or N random views per object per epoch")
    p.add_argument("--split-file", help="split JSON (default: made from --split-seed and saved in OUT)")
    p.add_argument("--split-seed", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", help="run folder, e.g. runs/NAME (default runs/run); a new run refuses a folder that holds one")
    new = p.add_mutually_exclusive_group()
    new.add_argument("--overwrite", action="store_true", help="replace the run already in --out (its last.pt, best.pt, metrics)")
    new.add_argument("--fresh-name", action="store_true", help="if --out holds a run, train into OUT-2 (OUT-3, …) instead")
    resume = p.add_argument("--resume", help="a last.pt to continue from, in its own folder with its own settings")
    p.add_argument("--config", help="TOML file of training options (top level or [train])")
    p.add_argument("--preset", choices=sorted(PRESETS), help="a named set of options")
    p.add_argument("--device", help=device_help("auto"))
    p.add_argument("--workers", type=int, dest="num_workers", help="data loader worker processes (default 0)")
    p.add_argument("--max-steps-per-epoch", type=int, help="cap steps per epoch (quick runs)")
    p.add_argument("--save-every", type=int, dest="save_every_steps", metavar="N", help="also write last.pt every N steps")
    p.add_argument("--lr-schedule", choices=("constant", "cosine", "onecycle"), help="learning-rate schedule (default constant)")
    p.add_argument("--warmup-steps", type=int, metavar="N", help="linear learning-rate warm-up over the first N steps")
    p.add_argument("--time-limit", type=float, metavar="MINUTES", help="stop cleanly after this much training time (validates, saves last/best)")
    p.add_argument("--amp", action=argparse.BooleanOptionalAction, default=None, help="bf16 mixed precision on CUDA (default on; --no-amp: TF32)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    from core.train.config import cli_flag
    from core.train.run_folder import RESUME_MAY_CHANGE

    flags = [flag for f in RESUME_MAY_CHANGE if (flag := cli_flag(f)) in p._option_string_actions]
    resume.help += f" (only {', '.join(flags)} may change)"
    p.set_defaults(run=run)
    return p


def _overrides(args: argparse.Namespace) -> dict:
    """The TrainConfig fields given on the command line (None = not given)."""
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
        "device": args.device,
        "num_workers": args.num_workers,
        "max_steps_per_epoch": args.max_steps_per_epoch,
        "save_every_steps": args.save_every_steps,
        "lr_schedule": getattr(args, "lr_schedule", None),
        "warmup_steps": getattr(args, "warmup_steps", None),
        "time_limit": getattr(args, "time_limit", None),
        "amp": getattr(args, "amp", None),
    }
    if args.out:
        out = Path(args.out)
        overrides["out_dir"] = str(out.parent)
        overrides["name"] = out.name
    return overrides


def _resume_config(args: argparse.Namespace, overrides: dict):
    """A resumed run: the checkpoint's settings, changed only where allowed (RunFolder's rule).

    Values from ``--preset``/``--config`` count as asked for too, named by that option."""
    from core.train.config import PRESETS, cli_flag, load_toml
    from core.train.run_folder import merge_resume, read_resume_checkpoint

    asked: dict = {}
    names: dict[str, str] = {}
    preset = args.preset
    if args.config:
        file_values = load_toml(args.config)
        preset = preset or file_values.pop("preset", None)
        file_values.pop("preset", None)
    else:
        file_values = {}
    if preset:
        asked.update(PRESETS.get(preset, {}))
        names.update({k: f"--preset {preset}" for k in PRESETS.get(preset, {})})
    asked.update(file_values)
    names.update({k: f"--config {args.config}" for k in file_values})
    for key, value in overrides.items():
        if value is not None:
            asked[key] = value
            names[key] = cli_flag(key)
    payload = read_resume_checkpoint(args.resume)
    return merge_resume(payload.get("train_config") or {}, args.resume, asked, names)


def config_from_args(args: argparse.Namespace):
    """argparse namespace → TrainConfig (only flags actually given override file/preset).

    With ``--resume`` the checkpoint's stored settings win and a conflicting flag raises
    RunFolderError naming it (see core.train.run_folder.merge_resume). Raises ValueError /
    ReconError for bad values, naming the option or file.
    """
    from core.train.config import build_train_config

    overrides = _overrides(args)
    if args.resume:
        return _resume_config(args, overrides)
    return build_train_config(preset=args.preset, config_file=args.config, **overrides)


def prepare_run_folder(cfg, overwrite: bool = False, fresh_name: bool = False):
    """Make sure a new run does not write over an earlier one; returns the config to train.

    A folder that holds a run is refused (RunFolderError naming it and the ways out) unless
    ``overwrite`` (the old run's files are removed first) or ``fresh_name`` (the run moves to
    the first free OUT-2, OUT-3, …). Resumed runs pass through unchanged.
    """
    from core.train.run_folder import RunFolder

    if cfg.resume:
        return cfg
    folder = RunFolder(cfg.run_dir)
    if fresh_name:
        folder = folder.next_free()
        return cfg.replace(out_dir=str(folder.path.parent), name=folder.path.name)
    folder.check_new_run(overwrite)
    if overwrite:
        folder.clear_run()
    return cfg


def run(args: argparse.Namespace) -> int:
    """Train (or resume) as the flags say; 0 when done, 2 for a bad option (one line on stderr).

    ReconError (a run folder that holds a run, a conflicting resume option, bad data) reaches
    ``core.cli`` and becomes one line and exit 2 there."""
    from core.train.trainer import resolve_device, train

    try:
        cfg = config_from_args(args)
        resolve_device(cfg.device)  # "cuda" on a CPU-only build: one line now, not a traceback later
        if not cfg.data_root and not cfg.resume:
            raise ValueError("no data set: pass --data DIR (an R2N2-layout root) or --resume PATH")
    except ValueError as exc:
        print(f"recon train: error: {exc}", file=sys.stderr)
        return 2
    asked_dir = cfg.run_dir
    cfg = prepare_run_folder(cfg, overwrite=args.overwrite, fresh_name=args.fresh_name)  # RunFolderError: exit 2
    if cfg.run_dir != asked_dir:
        print(f"{asked_dir} holds a run; this one goes to {cfg.run_dir}", file=sys.stderr)
    with ProgressBar(f"train {cfg.model}", unit="step", disable=args.quiet) as bar:
        result = train(cfg, progress=bar)
    last = result.history[-1] if result.history else {}
    summary = ", ".join(f"{k}={v:.4f}" for k, v in last.items() if k.startswith(("val_iou@", "val_acc", "train_loss")) and isinstance(v, float))
    capped = " (stopped by --time-limit)" if getattr(result, "stopped_by_time_limit", False) else ""
    print(f"trained {result.config.model} for {result.epochs_completed} epoch(s), {result.global_step} steps{capped}; {summary}")
    print(f"best: {result.best_path}\nlast: {result.last_path}")
    return 0
