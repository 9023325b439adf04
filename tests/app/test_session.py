"""The comparison work behind the window, without Qt: prior choice, missing models, ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import CheckpointError, DataError
from core.io.binvox import read_binvox
from core.taxonomy import NAME_TO_SYNSET
from recon_gui.resources import PHOTOS_DIR, gallery_photos, gallery_samples, ground_truth_for
from recon_gui.session import (
    ComparisonRequest,
    input_camera,
    load_predictor,
    run_comparison,
)

CHAIR = NAME_TO_SYNSET["chair"]


def sample_image(samples_root, synset: str, view: str = "00.png"):
    return next((samples_root / "ShapeNetRendering" / synset).glob(f"*/rendering/{view}"))


@pytest.fixture(scope="module")
def predictors(gui_checkpoints):
    return {slot: load_predictor(path, slot) for slot, path in gui_checkpoints.items()}


def test_auto_prior_follows_the_proposed_top_class(predictors, samples_root):
    image = sample_image(samples_root, CHAIR)
    result = run_comparison(predictors, ComparisonRequest(image, ground_truth_for(image)))
    proposed, baseline = result.predictions["proposed"], result.predictions["baseline"]
    assert baseline.prior_class == proposed.predicted_class == max(proposed.probabilities, key=proposed.probabilities.get)
    assert result.true_class == "chair"
    assert result.ground_truth.shape == (32, 32, 32)
    assert np.array_equal(result.ground_truth > 0.5, read_binvox(ground_truth_for(image)).data)
    assert result.input_preview.shape == (127, 127, 3) and result.thumbnail.shape[2] == 4
    assert result.camera is not None and result.messages == {"baseline": "", "proposed": ""}


def test_a_bad_truth_or_camera_file_costs_only_its_own_part(predictors, samples_root, tmp_path):
    import shutil

    image = sample_image(samples_root, CHAIR)
    folder = tmp_path / "rendering"
    shutil.copytree(image.parent, folder)
    (folder / "rendering_metadata.txt").write_text("0 0 0 1 25\n" * 23)  # one line short
    result = run_comparison(predictors, ComparisonRequest(folder / "00.png", ground_truth_for(image)))
    assert result.predictions["proposed"] is not None and result.ground_truth is not None
    assert result.camera is None and "rendering_metadata.txt" in result.messages["camera"]

    bad = tmp_path / "model.binvox"
    bad.write_bytes(b"#binvox 1\ndim 32 32 32\ntranslate a b c\nscale 1\ndata\n")
    result = run_comparison(predictors, ComparisonRequest(image, bad))
    assert result.predictions["baseline"] is not None and result.ground_truth is None
    assert str(bad) in result.messages["truth"] and result.camera is None


def test_fixed_prior_missing_models_and_foreign_classes(predictors, samples_root):
    image = sample_image(samples_root, CHAIR)
    fixed = run_comparison(predictors, ComparisonRequest(image, prior_choice="table"))  # in 7 and 13 classes
    assert fixed.predictions["baseline"].prior_class == "table" and fixed.ground_truth is None

    alone = run_comparison({"baseline": predictors["baseline"], "proposed": None}, ComparisonRequest(image))
    assert alone.predictions == {"baseline": None, "proposed": None}
    assert "pick a prior class" in alone.messages["baseline"] and "no proposed model" in alone.messages["proposed"]
    assert alone.probabilities is None

    unknown = run_comparison(predictors, ComparisonRequest(image, prior_choice="spaceship"))
    assert unknown.predictions["baseline"] is None and "spaceship" in unknown.messages["baseline"]
    assert unknown.predictions["proposed"] is not None  # one model's problem does not hide the other


def test_bad_picture_raises_naming_the_file(predictors, tmp_path):
    bogus = tmp_path / "x.jpg"
    bogus.write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(DataError, match="x.jpg"):
        run_comparison(predictors, ComparisonRequest(bogus))


def test_slot_mismatch_is_a_checkpoint_error(gui_checkpoints):
    with pytest.raises(CheckpointError, match="baseline"):
        load_predictor(gui_checkpoints["baseline"], "proposed")


def test_gallery_and_ground_truth_lookup(samples_root, tmp_path):
    samples = gallery_samples(samples_root)
    assert len(samples) == 13 and all(s.binvox is not None and s.binvox.is_file() for s in samples)
    assert [s.label for s in samples][:3] == ["airplane", "bench", "cabinet"]
    assert gallery_samples(tmp_path) == []
    loose = tmp_path / "photo.png"
    loose.write_bytes(b"")
    assert ground_truth_for(loose) is None and input_camera(loose) is None


def test_gallery_photos_list_the_shipped_photo_and_only_pictures(samples_root, tmp_path):
    photos = gallery_photos(samples_root)
    assert [(p.image.name, p.label, p.binvox) for p in photos] == [
        ("cluttered_chair.jpg", "cluttered chair (photo)", None)]
    assert "rectangle" in photos[0].tip
    assert gallery_photos(tmp_path) == []
    folder = tmp_path / PHOTOS_DIR
    folder.mkdir()
    for name in ("b_room.PNG", "a_desk.jpeg", "notes.json", "c.txt"):
        (folder / name).write_bytes(b"")
    (folder / "d.png").mkdir()  # a folder named like a picture is not one
    assert [p.label for p in gallery_photos(tmp_path)] == ["a desk (photo)", "b room (photo)"]
