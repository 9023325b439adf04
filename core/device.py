"""One reading of a ``--device`` value, shared by every command that runs a model.

Checking the device before anything is loaded keeps the blame where it belongs: a machine
without CUDA is an option problem ("--device 'cuda': no CUDA GPU here"), not an unreadable
checkpoint, and a typo ("tpu") is reported with the values that are accepted.
"""

from __future__ import annotations

import re

import torch

from core.errors import ReconError

ACCEPTED = "auto, cpu, cuda, cuda:N or mps"


def device_help(default: str) -> str:
    """The ``--device`` help text of every command: the values :func:`resolve_device` accepts
    (the same list its error gives) and that command's default."""
    return f"{ACCEPTED} (default {default})"

_CUDA_INDEX = re.compile(r"^cuda:(\d+)$")


class DeviceError(ReconError):
    """A ``--device`` value that is unknown or names hardware this machine lacks."""

    def __init__(self, spec: str, problem: str, option: str = "--device"):
        self.spec = spec
        self.option = option
        super().__init__(f"{option} {spec!r}: {problem}")


def resolve_device(spec: str | None, local_rank: int = 0, option: str = "--device") -> torch.device:
    """``auto`` (CUDA when present, else CPU), ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` -> a
    ``torch.device`` that exists here. ``local_rank`` picks the GPU for a bare ``cuda`` (one
    process per GPU under torchrun). Raises ``DeviceError`` naming ``option`` and the value."""
    raw = "auto" if spec is None else str(spec)
    text = raw.strip().lower()
    if text in ("", "auto"):
        return torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")
    if text == "cpu":
        return torch.device("cpu")
    if text == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceError(raw, "no Apple GPU (MPS) is available here; use auto or cpu", option)
        return torch.device("mps")
    match = _CUDA_INDEX.match(text)
    if text == "cuda" or match:
        if not torch.cuda.is_available():
            raise DeviceError(raw, "no CUDA GPU is available here (this PyTorch build sees none); use auto or cpu", option)
        index = int(match.group(1)) if match else local_rank
        count = torch.cuda.device_count()
        if index >= count:
            visible = "cuda:0" if count == 1 else f"cuda:0..cuda:{count - 1}"
            raise DeviceError(raw, f"there is no CUDA GPU {index} here ({count} visible: {visible})", option)
        return torch.device("cuda", index)
    raise DeviceError(raw, f"unknown device; accepted: {ACCEPTED}", option)


def device_arg(text: str) -> str:
    """argparse ``type``: reject a value that is not a device at all while parsing options
    (availability is checked by ``resolve_device`` when the command runs)."""
    t = text.strip().lower()
    if t in ("auto", "cpu", "cuda", "mps") or _CUDA_INDEX.match(t):
        return t
    import argparse

    raise argparse.ArgumentTypeError(f"unknown device {text!r}; accepted: {ACCEPTED}")
