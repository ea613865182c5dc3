"""Exporters: one module a format, registered here (as tablib's ``formats``).

Each module has ``NAME``, ``SUFFIX`` and ``write(view, path, **options) -> ExportReport``.
``view`` is a ``CatalogueView`` (``protocols.store``): it yields records and
entries in a deterministic order. Every ``write`` goes through
``exporters.files.atomic_write``, so a failed export leaves no half-written file.
Adding a format is one new module and one line in ``_MODULES``.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from protocols.errors import UsageError

# Imported on first use: reportlab and openpyxl are slow to import.
_MODULES = {
    "jsonl": "exporters.jsonl",
    "xlsx": "exporters.xlsx",
    "pdf": "exporters.pdf_summary",
    "handouts": "exporters.pdf_handouts",
    "ris": "exporters.ris",
    "medline": "exporters.medline",
}


def names() -> tuple[str, ...]:
    return tuple(_MODULES)


def get(name: str) -> ModuleType:
    try:
        return import_module(_MODULES[name])
    except KeyError:
        raise UsageError(f"unknown export format {name!r}; known: {', '.join(_MODULES)}") from None
