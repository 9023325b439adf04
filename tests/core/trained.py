"""Checkpoints from a few real training steps on the tiny generated data set, built once per
test session and shared by the predict / evaluate tests."""

from __future__ import annotations

from pathlib import Path

_CACHE: dict[tuple[str, str, str], Path] = {}
_ROOTS: dict[str, Path] = {}


def private_root(root: Path, tmp_dir: Path) -> Path:
    """The same data set seen through symlinks, so caches written next to it (class priors in
    ROOT/.recon_cache) stay out of the shared session fixture (cached per session)."""
    if str(root) not in _ROOTS:
        private = Path(tmp_dir) / "data"
        private.mkdir(parents=True, exist_ok=True)
        for sub in ("ShapeNetRendering", "ShapeNetVox32"):
            (private / sub).symlink_to(Path(root) / sub, target_is_directory=True)
        _ROOTS[str(root)] = private
    return _ROOTS[str(root)]


def trained_checkpoint(root: Path, out_dir: Path, model: str, classes: str = "13") -> Path:
    """best.pt of a 2-step smoke run of ``model`` on ``classes`` (cached per session)."""
    from core.train.config import build_train_config
    from core.train.trainer import train

    key = (str(root), model, classes)
    if key not in _CACHE:
        cfg = build_train_config(preset="smoke", model=model, classes=classes, data_root=str(root), out_dir=str(out_dir),
                                 name=f"{model}-{classes}", width_scale=0.5, tensorboard=False, best_half=False)
        result = train(cfg)
        _CACHE[key] = Path(result.best_path or result.last_path)
    return _CACHE[key]
