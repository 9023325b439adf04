import os
from pathlib import Path

import pytest

# Quiet, deterministic, and headless-friendly defaults for the whole suite.
os.environ.setdefault("PYVISTA_OFF_SCREEN", "false")
os.environ.setdefault("OMP_NUM_THREADS", "2")

DATA = Path(__file__).parent / "data"
REAL_R2N2 = DATA / "real_r2n2"


@pytest.fixture(scope="session")
def real_r2n2_root() -> Path:
    return REAL_R2N2


@pytest.fixture(scope="session")
def tiny_synth_root(tmp_path_factory) -> Path:
    """13 classes × 3 procedural objects (seed 0) in the R2N2 layout, generated once per session."""
    from core.synth.writer import generate_dataset

    root = tmp_path_factory.mktemp("synth")
    generate_dataset(root, objects_per_class=3, seed=0, workers=2)
    return root
