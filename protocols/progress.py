"""Progress and messages on stderr: a live bar on a terminal, nothing when piped.

``--quiet`` leaves only errors; ``--verbose`` adds one line an item. Output meant
for other programs (JSON Lines, the tables of ``search``) goes to stdout and is
never mixed with these.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

T = TypeVar("T")

# How often a progress bar is redrawn (rich's own default is ten times a second).
REDRAW_SECONDS = 0.1

QUIET, NORMAL, VERBOSE = 0, 1, 2
_state = {"level": NORMAL}
_live: list[Progress] = []


def configure(quiet: bool = False, verbose: bool = False) -> None:
    _state["level"] = QUIET if quiet else VERBOSE if verbose else NORMAL


def level() -> int:
    return _state["level"]


def _stderr() -> Console:
    return _live[-1].console if _live else Console(stderr=True, highlight=False)


def info(message: str) -> None:
    """A message for the person at the terminal (stderr); silent with --quiet."""
    if level() >= NORMAL:
        _stderr().print(Text(message), soft_wrap=True)


def detail(message: str) -> None:
    """One line an item, shown with --verbose only."""
    if level() >= VERBOSE:
        _stderr().print(Text(message), soft_wrap=True)


class _RateColumn(ProgressColumn):
    """Items a second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")


def track(
    items: Iterable[T],
    description: str,
    total: int | None = None,
    unit: str = "records",
    console: Console | None = None,
) -> Iterator[T]:
    """Yield ``items``, drawing a bar with counts and rate when stderr is a terminal."""
    console = console or Console(stderr=True)
    if level() == QUIET or not console.is_terminal:
        yield from items
        return
    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn(escape(description))]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns.append(TextColumn("{task.completed:,}"))
    columns += [TextColumn(unit), _RateColumn(), TimeElapsedColumn()]
    # Redrawn from this loop rather than by rich's refresh thread: a process with one
    # thread may fork its --jobs workers (protocols/parallel.py), which is faster.
    with Progress(*columns, console=console, transient=False, auto_refresh=False) as progress:
        _live.append(progress)
        try:
            task = progress.add_task(description, total=total)
            progress.refresh()
            drawn = time.monotonic()
            for item in items:
                yield item
                progress.advance(task)
                if time.monotonic() - drawn >= REDRAW_SECONDS:
                    progress.refresh()
                    drawn = time.monotonic()
        finally:
            _live.pop()


class TrackedView:
    """A catalogue view whose ``entries()`` draws progress, for exporters that read it."""

    def __init__(self, view, description: str) -> None:
        self._view = view
        self._description = description

    def entries(self):
        total = self._view.counts().entries
        return track(self._view.entries(), self._description, total=total, unit="entries")

    def __getattr__(self, name: str):
        return getattr(self._view, name)
