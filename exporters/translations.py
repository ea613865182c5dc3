"""The PDFs' own words in English and Chinese (``protocols/data/translations.toml``), validated.

Code labels come from the vocabulary; this file holds only the interface text and
the stop rules the project wrote for handouts.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from attrs import frozen

from protocols.errors import VocabularyError
from protocols.vocabulary import LANGUAGES, codes, read_data_file


@frozen
class StopRules:
    """Warning signs for one condition (or ``general``), with the sources they follow."""

    lines: dict[str, tuple[str, ...]]
    sources: tuple[str, ...]


@frozen
class Translations:
    version: int
    ui: dict[str, dict[str, str]]
    stop_rules: dict[str, StopRules]

    def text(self, key: str, lang: str, **values: Any) -> str:
        """The interface text ``key`` in ``lang``, with its placeholders filled."""
        template = self.ui[key][lang]
        return template.format(**values) if values else template

    def stops(self, condition: str | None, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(lines, sources) of the general stop rules plus those of ``condition``."""
        chosen = [self.stop_rules["general"]]
        if condition in self.stop_rules and condition != "general":
            chosen.append(self.stop_rules[condition])
        lines = tuple(line for rules in chosen for line in rules.lines[lang])
        sources = tuple(source for rules in chosen for source in rules.sources)
        return lines, sources


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _lines(value: Any, where: str) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise VocabularyError(f"{where}: expected a non-empty list of non-empty strings")
    return tuple(value)


def parse_translations(data: dict[str, Any], origin: str = "translations") -> Translations:
    """Validate the parsed TOML, naming the first fault found."""
    version = data.get("meta", {}).get("version")
    if not isinstance(version, int):
        raise VocabularyError(f"{origin}: [meta] version must be an integer")
    extra = set(data) - {"meta", "ui", "stop_rules"}
    if extra:
        raise VocabularyError(f"{origin}: unknown tables {sorted(extra)}")
    ui: dict[str, dict[str, str]] = {}
    for key, spec in data.get("ui", {}).items():
        where = f"{origin}: [ui.{key}]"
        if not isinstance(spec, dict) or set(spec) != set(LANGUAGES):
            raise VocabularyError(f"{where}: needs exactly the languages {list(LANGUAGES)}")
        for lang in LANGUAGES:
            if not isinstance(spec[lang], str) or not spec[lang].strip():
                raise VocabularyError(f"{where}: '{lang}' must be non-empty text")
        try:
            names = {lang: _placeholders(spec[lang]) for lang in LANGUAGES}
        except ValueError as exc:
            raise VocabularyError(f"{where}: {exc}") from None
        if len({frozenset(n) for n in names.values()}) != 1:
            raise VocabularyError(f"{where}: the languages use different placeholders {names}")
        ui[key] = dict(spec)
    stop_rules: dict[str, StopRules] = {}
    conditions = set(codes("condition"))
    for name, spec in data.get("stop_rules", {}).items():
        where = f"{origin}: [stop_rules.{name}]"
        if name != "general" and name not in conditions:
            raise VocabularyError(f"{where}: not 'general' nor a condition code")
        if not isinstance(spec, dict) or set(spec) != {*LANGUAGES, "sources"}:
            raise VocabularyError(f"{where}: needs {list(LANGUAGES)} and sources")
        lines = {lang: _lines(spec[lang], f"{where}.{lang}") for lang in LANGUAGES}
        if len({len(v) for v in lines.values()}) != 1:
            raise VocabularyError(f"{where}: the languages have different numbers of lines")
        stop_rules[name] = StopRules(
            lines=lines, sources=_lines(spec["sources"], f"{where}.sources")
        )
    if "general" not in stop_rules:
        raise VocabularyError(f"{origin}: missing [stop_rules.general]")
    return Translations(version=version, ui=ui, stop_rules=stop_rules)


def load_translations(path: str | Path | None = None) -> Translations:
    return parse_translations(*read_data_file("translations.toml", path))


@cache
def default_translations() -> Translations:
    return load_translations()
