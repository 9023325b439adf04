"""Package layout that pyproject.toml alone cannot state: the top-level ``resources/`` folder
ships as the package ``recon_resources`` (found with importlib.resources, see core/resources.py).
Everything else (metadata, dependencies, entry points) is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["core", "core.*", "recon_gui", "recon_gui.*"]) + ["recon_resources"],
    package_dir={"recon_resources": "resources"},
    package_data={
        "recon_gui": ["*.qss"],
        "recon_resources": ["checkpoints/*.pt", "checkpoints/*.md", "icons/*", "samples/*.md", "samples/**/*"],
    },
    include_package_data=False,
)
