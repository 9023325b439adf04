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
