"""Encodings: UTF-8 with or without BOM, UTF-16, Latin-1/cp1252 and GBK, never mojibake."""

from __future__ import annotations

import pytest

from protocols.errors import UnreadableFile
from protocols.model import Record
from protocols.records import read_file
from protocols.records.decoding import _legacy_order, open_input

RIS = "TY  - JOUR\nTI  - {title}\nAU  - {author}\nPY  - 2020\nER  - \n"


def _write(tmp_path, name, text, encoding):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _title(path):
    records = [r for r in read_file(path) if isinstance(r, Record)]
    return records[0]


@pytest.mark.parametrize(
    ("title", "author"),
    [
        ("Réadaptation après entorse: étude contrôlée", "Lefèvre, Hélène"),
        ("Krafttraining für ältere Menschen", "Müller, Jürgen"),
        ("Exercício aeróbico em idosos", "Gonçalves, João"),
        ("créé à l'hôpital", "Côté, Noël"),
    ],
)
def test_latin1_text_is_not_read_as_chinese(tmp_path, title, author):
    # Each of these decodes without error as GB18030 too ("éa" is a valid GBK pair).
    path = _write(tmp_path, "latin.ris", RIS.format(title=title, author=author), "cp1252")
    record = _title(path)
    assert record.title == title
    assert record.authors[0].family == author.split(",")[0]
    assert record.origins[0].encoding == "cp1252"
    assert "read as cp1252" in record.warnings[-1]


def test_gbk_text_is_read_as_chinese(tmp_path):
    title = "运动疗法对慢性腰痛患者疼痛和功能的影响"
    path = _write(tmp_path, "gbk.ris", RIS.format(title=title, author="张, 伟"), "gbk")
    record = _title(path)
    assert record.title == title
    assert record.origins[0].encoding == "gb18030"


def test_utf8_with_and_without_bom_and_utf16(tmp_path):
    text = RIS.format(title="Ünïcode title", author="Østergaard, Åse")
    for name, data in (
        ("plain.ris", text.encode("utf-8")),
        ("bom.ris", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("u16.ris", text.encode("utf-16")),
        ("crlf.ris", text.replace("\n", "\r\n").encode("utf-8")),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        record = _title(path)
        assert record.title == "Ünïcode title"
        assert record.origins[0].encoding in ("utf-8", "utf-16")


def test_legacy_order_from_byte_layout():
    assert _legacy_order("café au lait, crème brûlée".encode("cp1252"))[0] == "cp1252"
    assert _legacy_order("运动疗法和功能训练".encode("gbk"))[0] == "gb18030"


def test_binary_and_empty_files_are_unreadable(tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"  \n")
    for path in (binary, empty):
        with pytest.raises(UnreadableFile) as info:
            open_input(path)
        assert info.value.file == str(path)


def test_latin1_capital_a_tilde_is_not_taken_for_mojibake(tmp_path):
    # "Ã" followed by ASCII is Portuguese in Latin-1, not UTF-8 read as cp1252.
    path = _write(
        tmp_path, "pt.ris", RIS.format(title="SÃO PAULO study", author="Silva, J"), "cp1252"
    )
    assert _title(path).title == "SÃO PAULO study"


def test_utf8_file_with_a_stray_byte_is_read_with_a_warning(tmp_path):
    text = RIS.format(title="Réadaptation précoce", author="Lefèvre, Hélène").encode("utf-8")
    path = tmp_path / "mixed.ris"
    path.write_bytes(text.replace(b"Lef", b"L\xe9f", 1))
    record = _title(path)
    assert record.title == "Réadaptation précoce"
    assert record.origins[0].encoding == "utf-8 (invalid bytes replaced)"
    assert any("not valid UTF-8" in w for w in record.warnings)
