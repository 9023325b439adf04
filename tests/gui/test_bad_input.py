"""Bad input never breaks the window: one clear message, and the next good picture still works."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.taxonomy import NAME_TO_SYNSET
from tests.gui.gui_helpers import drop_files, sample_image, wait_for_result, wait_idle

CHAIR = NAME_TO_SYNSET["chair"]


def assert_reported_and_usable(qtbot, window, samples_root, *fragments: str) -> None:
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    message = window.last_error
    for fragment in fragments:
        assert fragment in message, message
    assert window.error_dialogs[-1].text() == message
    assert not window.error_dialogs[-1].isModal()
    assert message in window.statusBar().currentMessage()
    window.close_error_dialogs()
    wait_idle(qtbot, window)
    # still usable: a good picture goes through
    result = wait_for_result(qtbot, window, lambda: drop_files(window, sample_image(samples_root, CHAIR)))
    assert result.predictions["proposed"] is not None


def png_with_declared_size(path, width: int, height: int) -> None:
    """A tiny file whose header claims a gigantic picture (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))


def test_not_an_image(qtbot, window, samples_root, tmp_path):
    bogus = tmp_path / "notes.png"
    bogus.write_text("this is text, not a picture")
    drop_files(window, bogus)
    assert_reported_and_usable(qtbot, window, samples_root, str(bogus), "not an image")


def test_decompression_bomb(qtbot, window, samples_root, tmp_path):
    bomb = tmp_path / "huge.png"
    png_with_declared_size(bomb, 40000, 40000)
    drop_files(window, bomb)
    assert_reported_and_usable(qtbot, window, samples_root, str(bomb), "too large")


def test_folder_and_missing_file(qtbot, window, samples_root, tmp_path):
    drop_files(window, tmp_path)
    assert_reported_and_usable(qtbot, window, samples_root, str(tmp_path), "folder")
    window.open_image(tmp_path / "gone.png")
    assert_reported_and_usable(qtbot, window, samples_root, "gone.png", "not found")


def test_large_grayscale_16_bit_picture_is_accepted_with_a_note(qtbot, window, tmp_path):
    y, x = np.mgrid[0:1500, 0:2000]
    disc = ((x - 1000) ** 2 + (y - 750) ** 2 < 500 ** 2)
    grey = np.where(disc, 12000, 65000).astype(np.uint16)
    path = tmp_path / "grey16.png"
    Image.fromarray(grey).save(path)
    assert Image.open(path).mode.startswith("I")
    result = wait_for_result(qtbot, window, lambda: drop_files(window, path))
    assert "16-bit" in result.background_note and "downscaled" in result.background_note
    assert window.input_panel.note_label.text() == result.background_note
    assert result.ground_truth is None and not window.error_dialogs


def test_checkpoint_of_the_other_model_is_refused_and_the_loaded_one_kept(qtbot, window, samples_root, gui_checkpoints):
    before = window.predictors["proposed"]
    window.load_checkpoint(str(gui_checkpoints["baseline"]), "proposed")
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=30000)
    assert str(gui_checkpoints["baseline"]) in window.last_error and "baseline" in window.last_error
    assert window.predictors["proposed"] is before
    window.close_error_dialogs()
    wait_idle(qtbot, window)
    result = wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR)))
    assert result.predictions["proposed"] is not None


def test_truncated_checkpoint(qtbot, window, samples_root, gui_checkpoints, tmp_path):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(gui_checkpoints["proposed"].read_bytes()[:5000])
    window.load_checkpoint(str(broken), "proposed")
    assert_reported_and_usable(qtbot, window, samples_root, str(broken))


def test_broken_ground_truth_still_shows_the_predictions(qtbot, window, samples_root, tmp_path):
    broken = tmp_path / "model.binvox"
    broken.write_bytes(b"#binvox 1\ndim 32 32 32\ndata\n\x01")
    result = wait_for_result(qtbot, window, lambda: window.open_image(sample_image(samples_root, CHAIR), broken))
    assert result.predictions["proposed"] is not None and result.ground_truth is None
    assert str(broken) in result.messages["truth"]
    assert str(broken) in window.statusBar().currentMessage()
    assert window.comparison.views["truth"].actor is None
    assert window.comparison.views["proposed"].caption.text().endswith("IoU n/a")
