"""The seam between records and the search index: the record core says what changed, the index listens.

Dependencies point one way: the core never imports the search app, yet every write must keep the index current.
The search app registers its writers here when Django starts (``search.apps``); services call these functions.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class IndexWriters:
    update: Callable[[Iterable[models.Model]], None]
    remove: Callable[[type[models.Model], Iterable[int]], None]
    rebuild: Callable[..., int]


_writers: list[IndexWriters] = []


def index_register(writers: IndexWriters) -> None:
    """Called once by the search app when Django starts."""
    if writers not in _writers:
        _writers.append(writers)


def index_update(records: Iterable[models.Model]) -> None:
    """Write these records' current state to the index (a record no longer public leaves it)."""
    records = list(records)
    for writers in _writers:
        writers.update(records)


def index_remove(model: type[models.Model], pks: Iterable[int]) -> None:
    """Drop deleted records from the index."""
    pks = list(pks)
    for writers in _writers:
        writers.remove(model, pks)


def index_rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the public records; returns how many documents were written."""
    return sum(writers.rebuild(progress) for writers in _writers)
