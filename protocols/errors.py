"""The project's own errors. Anything a user's input can cause is one of these."""

from __future__ import annotations


class ProtocatError(Exception):
    """Base of every error protocat raises on purpose."""


class UnreadableFile(ProtocatError):
    """A whole input file cannot be read: empty, binary, not a bibliographic export ..."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class VocabularyError(ProtocatError):
    """The vocabulary data file is malformed."""


class CatalogueError(ProtocatError):
    """The catalogue database cannot be opened, migrated or written."""


class ExportError(ProtocatError):
    """An export could not be written."""


class UsageError(ProtocatError):
    """The command line asked for something that does not exist (exit status 2)."""
