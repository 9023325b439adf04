"""The wheel carries everything an installed studio needs: demo checkpoints, sample pictures,
icons (the top-level resources/ folder as the package recon_resources), found through
importlib.resources from anywhere, and both entry points report the installed version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "core", "recon_gui", "resources")


def _run(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_wheel_ships_resources_and_runs_outside_the_repository(tmp_path):
    # build from a copy, so the working tree gets no build/ or *.egg-info
    src = tmp_path / "src"
    for name in SOURCES:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(item, src / name)
    dist, target, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), "."], cwd=src)
    wheel = next(dist.glob("recon_gui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("recon_resources/checkpoints/proposed.pt", "recon_resources/checkpoints/baseline.pt",
                   "recon_resources/icons/recon-gui.svg", "core/cli.py", "recon_gui/app.py"):
        assert needed in names, needed
    sources = {p.relative_to(src).as_posix() for pkg in ("core", "recon_gui") for p in (src / pkg).rglob("*.py")}
    assert sources - set(names) == set()  # every module ships (a folder without __init__.py would not)
    shipped_pngs = [n for n in names if n.startswith("recon_resources/samples/ShapeNetRendering/") and n.endswith("/00.png")]
    shipped_voxels = [n for n in names if n.startswith("recon_resources/samples/ShapeNetVox32/") and n.endswith(".binvox")]
    assert len(shipped_pngs) == len(shipped_voxels) >= 13
    _run(pip + ["install", "--no-deps", "--target", str(target), str(wheel)], cwd=tmp_path)

    # from outside the repository, the installed copy alone (dependencies from this environment)
    env = {k: v for k, v in os.environ.items() if k not in ("RECON_GUI_RESOURCES", "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    probe = _run([sys.executable, "-c", "import json, core, recon_gui.resources as g, core.resources as r;"
                  "print(json.dumps([core.__file__, str(r.checkpoint_path('proposed')), str(g.samples_root()), str(r.icon_path('recon-gui'))]))"],
                 cwd=elsewhere, env=env)
    core_file, checkpoint, samples, icon = map(Path, json.loads(probe.stdout))
    for p in (core_file, checkpoint, samples, icon):
        assert p.exists() and p.is_relative_to(target), p
    image = sorted(samples.glob("ShapeNetRendering/03001627/*/rendering/00.png"))[0]  # a chair
    out = elsewhere / "out"
    pred = _run([sys.executable, "-m", "core.cli", "predict", str(image), "--checkpoint", str(checkpoint), "--out", str(out), "--json"],
                cwd=elsewhere, env=env)
    result = json.loads(pred.stdout.strip().splitlines()[-1])
    assert result["model"] == "proposed" and result["occupied_voxels"] > 0 and Path(result["files"]["obj"]).is_file()

    from core.resources import package_version

    version = package_version()
    for script in ("recon", "recon-gui"):
        done = _run([str(target / "bin" / script), "--version"], cwd=elsewhere, env=env)
        assert done.stdout.strip() == f"{script} {version}"


def test_resources_are_found_through_one_function(tmp_path, monkeypatch):
    from core import resources

    monkeypatch.delenv(resources.ENV_VAR, raising=False)
    root = resources.resources_root()
    assert (root / "checkpoints" / "proposed.pt").is_file() and resources.samples_root() == root / "samples"
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    assert resources.checkpoint_path("baseline") == tmp_path / "checkpoints" / "baseline.pt"
    from recon_gui.resources import checkpoint_path

    assert checkpoint_path("proposed") == tmp_path / "checkpoints" / "proposed.pt"
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        checkpoint_path("nope")
