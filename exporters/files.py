"""Writing export files safely: aside, then renamed into place; safe names."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attrs import frozen


@frozen
class ExportReport:
    """What an export wrote, and what it had to change in the data to write it."""

    path: str
    rows: int = 0
    notes: tuple[str, ...] = ()


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); an export gets the usual permissions.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def safe_filename(text: str, suffix: str = "", max_length: int = 80) -> str:
    """A file name from untrusted text: no separators, no dot files, no device names."""
    name = unicodedata.normalize("NFKC", text)
    name = _UNSAFE.sub("_", name).strip("._")[:max_length].strip("._")
    if not name or name.lower() in _RESERVED:
        name = f"untitled_{name}" if name else "untitled"
    return name + suffix
