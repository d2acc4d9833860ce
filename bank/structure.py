"""A bank version's structure: its dimensions, and its questions with their descriptors and
rungs, in the models' order. Read in four queries.

A published version never changes (bank.models refuses to save or delete any of its rows), so
its structure is read once per process and kept: every questionnaire page and every answer
save of every respondent, and every scoring, would otherwise read the same few hundred rows.
The memory is a few hundred kilobytes per version, and a process meets a handful of them. A
draft is read afresh each time, as a methodology admin may be editing it.

The objects are shared between requests: read them, never change them.
"""

import threading
from dataclasses import dataclass, field

from bank.models import BankVersion, Dimension, Question

# Enough for every version a process serves; past it the oldest is read again when needed.
KEPT_VERSIONS = 32


@dataclass(frozen=True)
class BankStructure:
    dimensions: tuple[Dimension, ...]  # by order
    questions: tuple[Question, ...]  # by dimension, order and key; descriptors and rungs read
    by_key: dict[str, Question] = field(repr=False)

    def in_dimension(self, key: str) -> list[Question]:
        return [question for question in self.questions if question.dimension == key]


_kept: dict[tuple[int, object], BankStructure] = {}
_lock = threading.Lock()


def _read(version: BankVersion) -> BankStructure:
    dimensions = tuple(version.dimensions.all())
    questions = tuple(version.questions.prefetch_related("descriptors", "rungs"))
    for question in questions:
        question.version = version  # each question's version is this one: no query to reach it
    return BankStructure(dimensions, questions, {q.key: q for q in questions})


def structure_of(version: BankVersion) -> BankStructure:
    """The version's structure; kept in memory once the version is published."""
    if not version.is_published:
        return _read(version)
    # The publication time is part of the key: a test database rolled back reuses ids.
    key = (version.pk, version.published_at)
    structure = _kept.get(key)
    if structure is None:
        structure = _read(version)
        with _lock:
            if len(_kept) >= KEPT_VERSIONS:
                _kept.pop(next(iter(_kept)))
            _kept[key] = structure
    return structure


def forget() -> None:
    """Drop what is kept (the tests do, as each test's database starts anew)."""
    with _lock:
        _kept.clear()
