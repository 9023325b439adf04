"""The command line is checked before any window opens: one line naming the option's file."""

from __future__ import annotations

from recon_gui.app import check_args, parse_args


def test_a_folder_given_as_checkpoint_is_named_a_folder(tmp_path):
    folder = tmp_path / "dir.pt"
    folder.mkdir()
    for option, slot in (("--checkpoint-proposed", "proposed"), ("--checkpoint-baseline", "baseline")):
        message = check_args(parse_args([option, str(folder)]))
        assert message == f"{folder}: {slot} checkpoint is a folder, not a checkpoint file"
    missing = check_args(parse_args(["--checkpoint-proposed", str(tmp_path / "missing.pt")]))
    assert missing == f"{tmp_path / 'missing.pt'}: proposed checkpoint not found"
