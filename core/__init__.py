"""recon-gui core: data, models, training, metrics and geometry (no Qt)."""

__version__ = "0.1.0"
