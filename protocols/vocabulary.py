"""The controlled vocabulary, loaded from ``protocols/data/vocabulary.toml`` and validated.

The data file is the single place the codes, their labels and their search terms
live; everything else asks this module.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen

from protocols.errors import VocabularyError

# Every kind of code an entry uses; the data file must define each of them.
KINDS = (
    "exercise_types",
    "comparators",
    "condition",
    "chronicity",
    "specificity",
    "age_group",
    "outcomes",
    "design",
    "intensity_metric",
    "intensity_class",
    "supervision",
    "delivery",
    "setting",
    "cert",
    "tidier",
)
LANGUAGES = ("en", "zh")


@frozen
class Term:
    """A code of the vocabulary with its labels and the words that signal it."""

    kind: str
    code: str
    labels: dict[str, str]
    terms: tuple[str, ...]
    narrower: dict[str, tuple[str, ...]]


@frozen
class Vocabulary:
    version: int
    kinds: dict[str, dict[str, Term]]

    def codes(self, kind: str) -> tuple[str, ...]:
        return tuple(self.kinds[kind])

    def label(self, kind: str, code: str, lang: str = "en") -> str:
        term = self.kinds[kind].get(code)
        return term.labels.get(lang) or term.labels["en"] if term else code

    def term(self, kind: str, code: str) -> Term:
        return self.kinds[kind][code]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VocabularyError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def parse_vocabulary(data: dict[str, Any], origin: str = "vocabulary") -> Vocabulary:
    """Validate the parsed TOML and build the vocabulary, naming the first fault found."""
    meta = data.get("meta", {})
    version = meta.get("version")
    if not isinstance(version, int):
        raise VocabularyError(f"{origin}: [meta] version must be an integer")
    kinds: dict[str, dict[str, Term]] = {}
    for kind in KINDS:
        table = data.get(kind)
        if not isinstance(table, dict) or not table:
            raise VocabularyError(f"{origin}: missing table [{kind}]")
        entries: dict[str, Term] = {}
        for code, spec in table.items():
            where = f"{origin}: [{kind}.{code}]"
            if not isinstance(spec, dict):
                raise VocabularyError(f"{where}: expected a table")
            unknown = set(spec) - {"en", "zh", "terms", "narrower"}
            if unknown:
                raise VocabularyError(f"{where}: unknown keys {sorted(unknown)}")
            labels = {}
            for lang in LANGUAGES:
                label = spec.get(lang)
                if not isinstance(label, str) or not label.strip():
                    raise VocabularyError(f"{where}: missing label '{lang}'")
                labels[lang] = label
            narrower_spec = spec.get("narrower", {})
            if not isinstance(narrower_spec, dict):
                raise VocabularyError(f"{where}: 'narrower' must be a table")
            narrower = {
                name: _strings(words, f"{where}.narrower.{name}")
                for name, words in narrower_spec.items()
            }
            entries[code] = Term(
                kind=kind,
                code=code,
                labels=labels,
                terms=_strings(spec.get("terms", []), f"{where}.terms"),
                narrower=narrower,
            )
        kinds[kind] = entries
    extra = set(data) - set(KINDS) - {"meta"}
    if extra:
        raise VocabularyError(f"{origin}: unknown tables {sorted(extra)}")
    return Vocabulary(version=version, kinds=kinds)


def read_data_file(shipped: str, path: str | Path | None = None) -> tuple[dict[str, Any], str]:
    """The TOML table of ``path``, or of ``protocols/data/<shipped>`` when no path is given,
    with the name to put in its error messages; ``VocabularyError`` if it is not TOML."""
    if path is None:
        raw = resources.files("protocols").joinpath(f"data/{shipped}").read_bytes()
        origin = f"protocols/data/{shipped}"
    else:
        raw = Path(path).read_bytes()
        origin = str(path)
    try:
        return tomllib.loads(raw.decode("utf-8")), origin
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"{origin}: {exc}") from exc


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and validate a vocabulary file (default: the one shipped in the package)."""
    return parse_vocabulary(*read_data_file("vocabulary.toml", path))


@cache
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()


def codes(kind: str) -> tuple[str, ...]:
    """The codes of one kind in the shipped vocabulary."""
    return default_vocabulary().codes(kind)
