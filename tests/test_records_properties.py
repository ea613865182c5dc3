"""Arbitrary bytes given to detection and to every reader: records, rejects or
``UnreadableFile``, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocols.errors import UnreadableFile
from protocols.model import Record, Reject
from protocols.records import FORMATS, detect, read_file, read_files
from protocols.records.decoding import open_input

# Bytes that look a little like exports, so the readers get past their first checks.
_PIECES = [
    b"TY  - JOUR\n",
    b"ER  - \n",
    b"TI  - ",
    b"AU  - ",
    b"PY  - ",
    b"PMID- 1\n",
    b"FAU - ",
    b"AD  - ",
    b"      ",
    b"PT J\n",
    b"FN x\n",
    b"   ",
    b"@article{",
    b"}",
    b"=",
    b",",
    b'[{"title": ',
    b'"',
    b"]",
    b"<PubmedArticle>",
    b"</PubmedArticle>",
    b"<xml><records>",
    b"<record>",
    b"</record>",
    b"%0 ",
    b"%T ",
    b"<1>\n",
    b"Title\n",
    b"Author\n",
    b"Source\n",
    b"Title,Authors,Year\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\n",
    b"\r\n",
    b"\xe9",
    b"\xc4\xe3",
]
export_like = st.lists(st.sampled_from(_PIECES) | st.binary(max_size=20), max_size=40).map(b"".join)
any_bytes = st.binary(max_size=400) | export_like


def _write(data: bytes) -> Path:
    with tempfile.NamedTemporaryFile(delete=False, suffix=".txt") as handle:
        handle.write(data)
    return Path(handle.name)


@given(any_bytes)
def test_detection_never_fails_otherwise(data):
    path = _write(data)
    try:
        detect(open_input(path))
    except UnreadableFile:
        pass
    finally:
        path.unlink()


@pytest.mark.parametrize("fmt", list(FORMATS))
@given(data=any_bytes)
def test_each_reader_gives_records_rejects_or_unreadable(fmt, data):
    path = _write(data)
    try:
        for item in read_file(path, fmt=fmt):
            assert isinstance(item, (Record, Reject))
    except UnreadableFile as exc:
        assert exc.file == str(path)
    finally:
        path.unlink()


@given(st.lists(any_bytes, min_size=1, max_size=3))
def test_read_files_reports_every_file(blobs):
    paths = [_write(b) for b in blobs]
    try:
        result = read_files(paths)
        items = list(result.items())
        assert all(isinstance(i, (Record, Reject)) for i in items)
        read = {Path(f.path) for f in result.files}
        failed = {Path(e.file) for e in result.errors}
        assert read | failed == set(paths)
        records_in = sum(f.records for f in result.files)
        records_out = sum(isinstance(i, Record) for i in items)
        assert records_out + result.duplicates == records_in
    finally:
        for path in paths:
            path.unlink()
