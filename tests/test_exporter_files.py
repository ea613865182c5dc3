"""The file helpers every exporter uses: writes aside then renames, safe names."""

from __future__ import annotations

import os
import stat

import pytest

from exporters.files import atomic_write


def test_a_failed_write_leaves_the_previous_file_and_no_part_file(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_text("previous")
    with pytest.raises(RuntimeError), atomic_write(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the exporter failed")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_a_finished_write_replaces_the_file_with_the_usual_permissions(tmp_path):
    target = tmp_path / "sub" / "out.xlsx"
    old = os.umask(0o022)
    try:
        with atomic_write(target) as tmp:
            tmp.write_text("new")
    finally:
        os.umask(old)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
