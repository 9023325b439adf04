"""The generator's class statistics against the real ShapeNetVox32 table (core.synth.real_stats).

Voxels only (no renders): each object goes through the writer's own ``build_object`` and
``voxelize``, so these are the statistics of what ``recon synth`` writes.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.synth.real_stats import DERIVED, REAL, REFERENCE
from core.synth.stats import ClassReference, class_stats, mismatches, stats_of_mean
from core.taxonomy import ALL_CLASSES, SEVEN_CLASSES

OBJECTS = 120  # the ≥ 0.2 box of a class mean needs about a hundred objects to settle
SEED = 0


@pytest.fixture(scope="module")
def seven_stats():
    return {name: class_stats(name, OBJECTS, SEED) for name in SEVEN_CLASSES}


def test_reference_covers_every_class() -> None:
    assert set(REFERENCE) == set(ALL_CLASSES)
    assert {n for n, r in REFERENCE.items() if r.source == REAL} == set(SEVEN_CLASSES)
    for name, ref in REFERENCE.items():
        assert 0 < ref.mean_occupancy < 1
        assert all(0 <= lo <= hi <= 31 for lo, hi in ref.box)
        assert ref.source == REAL or (ref.source == DERIVED and len(ref.why) > 80), name


@pytest.mark.parametrize("name", SEVEN_CLASSES)
def test_seven_classes_match_the_real_table(seven_stats, name: str) -> None:
    """Mean occupancy within 25 % and every edge of the class-mean ≥ 0.2 box within 3 voxels."""
    assert mismatches(name, seven_stats[name]) == []


@pytest.mark.parametrize("name", SEVEN_CLASSES)
def test_classes_vary_like_the_real_ones(seven_stats, name: str) -> None:
    """Share of voxels occupied in at least half of the objects: near the real share, not the
    near-solid or near-identical shapes of an uncalibrated generator (generated speakers used
    to reach 0.62 against a real 0.17, chairs 0.053 against 0.010)."""
    real = REFERENCE[name].share_ge_half
    assert seven_stats[name].share_ge_half <= real + 0.04, (seven_stats[name].share_ge_half, real)


def test_derived_classes_match_their_targets() -> None:
    """The six classes without published class means: same occupancy tolerance; box edges
    within 5 voxels, since these targets are estimates (see each entry's ``why``)."""
    problems = []
    for name in (n for n, r in REFERENCE.items() if r.source == DERIVED):
        problems += mismatches(name, class_stats(name, OBJECTS, SEED), box_tolerance=5)
    assert problems == []


def test_mismatches_names_what_is_off() -> None:
    mean = np.zeros((32, 32, 32))
    mean[4:28, 3:32, 4:28] = 0.25
    ref = ClassReference(float(mean.mean()), 0.0, ((4, 27), (3, 31), (4, 27)), REAL)
    good = stats_of_mean(mean, 10)
    assert good.box == ((4, 27), (3, 31), (4, 27)) and mismatches("chair", good, ref) == []
    shifted = np.roll(mean, 5, axis=1)
    shifted[:, :5] = 0
    problems = mismatches("chair", stats_of_mean(shifted * 2, 10), ref)
    assert any("occupancy" in p for p in problems) and any("box y" in p for p in problems)
    assert mismatches("chair", stats_of_mean(np.zeros((32, 32, 32)), 10), ref)[-1].endswith("≥ 0.2")
