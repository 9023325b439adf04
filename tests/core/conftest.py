"""Fixtures shared by the prediction and evaluation tests: a private copy of the tiny data set
(so prior caches stay out of the shared one) and briefly trained checkpoints of both models."""

import pytest

from tests.core.trained import private_root, trained_checkpoint


@pytest.fixture(scope="module")
def data_root(tiny_synth_root, tmp_path_factory):
    return private_root(tiny_synth_root, tmp_path_factory.mktemp("private"))


@pytest.fixture(scope="module")
def proposed_ckpt(data_root, tmp_path_factory):
    return trained_checkpoint(data_root, tmp_path_factory.mktemp("runs"), "proposed")


@pytest.fixture(scope="module")
def baseline_ckpt(data_root, tmp_path_factory):
    return trained_checkpoint(data_root, tmp_path_factory.mktemp("runs"), "baseline")
