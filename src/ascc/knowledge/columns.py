"""The facet and filter columns of every search entry, in memory, as numpy arrays.

A search finds its matches in the full-text index (:mod:`ascc.knowledge.backends`) as entry ids;
everything else it needs of the matches (may this reader see it, does it pass the filters, which
facet values does it count for, which document does it belong to) is read here, by array indexing,
instead of joining every match to its row in SQL. String columns are dictionary-encoded: ``kind``,
``audience``, and the ``|a|b|`` sets of sectors and languages, each distinct set once, so a filter or
a facet works on a few distinct values and then on integer codes.

The columns are kept per engine and per process, keyed on the search index's version counter
(``db.version.SEARCH_INDEX``), which every index write increments in its own transaction: a cached
copy is only used while the index is as it was when the copy was read, whichever process wrote it.
A session that has itself written the index and not yet committed reads its own columns, uncached.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ascc.db import version

#: ``session.info`` key: the transaction in which the session wrote the index (see :func:`written`)
WRITTEN = "ascc_search_index_written"
NO_YEAR = np.iinfo(np.int32).min
NO_DOCUMENT = -1
#: the columns read, in this order (SQLite reads them from the covering index of migration 0015)
COLUMNS = ("id", "audience", "kind", "year", "heading", "document_id", "languages", "sectors")

_cache: weakref.WeakKeyDictionary[Engine, tuple[int, Columns]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v)


@dataclasses.dataclass(frozen=True)
class Columns:
    """Entry ``id`` → row ``at[id]`` (-1: no such entry); per row the coded facet columns."""

    at: np.ndarray  # int32, indexed by entry id
    ids: np.ndarray  # int64, the entry id of each row
    kind: np.ndarray  # int16 codes into ``kinds``
    audience: np.ndarray  # int16 codes into ``audiences``
    year: np.ndarray  # int32, NO_YEAR where none
    heading: np.ndarray  # bool
    document: np.ndarray  # int64, NO_DOCUMENT where none
    languages: np.ndarray  # int32 codes into ``language_sets``
    sectors: np.ndarray  # int32 codes into ``sector_sets``
    kinds: tuple[str, ...]
    audiences: tuple[str, ...]
    language_sets: tuple[tuple[str, ...], ...]
    sector_sets: tuple[tuple[str, ...], ...]

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The rows of these entry ids; -1 for an id this copy does not know (written since)."""
        inside = (ids >= 0) & (ids < len(self.at))
        out = np.full(len(ids), -1, dtype=np.int64)
        out[inside] = self.at[ids[inside]]
        return out

    def codes(self, names: tuple[str, ...], wanted) -> np.ndarray:
        """Codes of the vocabulary entries ``wanted`` accepts."""
        return np.array([i for i, name in enumerate(names) if wanted(name)], dtype=np.int64)


def load_sql(dialect: str) -> str:
    """The statement that reads the columns (on SQLite from the covering index alone)."""
    source = "search_entries INDEXED BY ix_search_entries_facets" if dialect == "sqlite" else "search_entries"
    return f"SELECT {', '.join(COLUMNS)} FROM {source}"


def _coded(values: tuple, dtype) -> tuple[np.ndarray, tuple]:
    """Dictionary encoding: the code of each value, and the distinct values in code order."""
    seen: dict = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=dtype, count=len(values))
    return codes, tuple(seen)


def _build(session: Session) -> Columns:
    cursor = session.connection().connection.cursor()  # the DB-API cursor: rows need no wrapping
    try:
        cursor.execute(load_sql(session.get_bind().dialect.name))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    ids_, audiences, kinds, years, headings, documents, languages, sectors = (
        zip(*rows, strict=True) if rows else ((),) * len(COLUMNS)
    )
    n = len(rows)
    ids = np.fromiter(ids_, dtype=np.int64, count=n)
    audience, audience_names = _coded(audiences, np.int16)
    kind, kind_names = _coded(kinds, np.int16)
    language, language_sets = _coded(languages, np.int32)
    sector, sector_sets = _coded(sectors, np.int32)
    at = np.full(int(ids.max()) + 1 if n else 0, -1, dtype=np.int32)
    at[ids] = np.arange(n, dtype=np.int32)
    return Columns(
        at=at, ids=ids, kind=kind, audience=audience,
        year=np.fromiter((NO_YEAR if y is None else y for y in years), dtype=np.int32, count=n),
        heading=np.fromiter(headings, dtype=bool, count=n),
        document=np.fromiter((NO_DOCUMENT if d is None else d for d in documents), dtype=np.int64, count=n),
        languages=language, sectors=sector, kinds=kind_names, audiences=audience_names,
        language_sets=tuple(_split(v) for v in language_sets), sector_sets=tuple(_split(v) for v in sector_sets),
    )  # fmt: skip


def columns(session: Session) -> Columns:
    """The columns as this session sees the index: the process's copy while it is current."""
    if _wrote(session):
        return _build(session)
    current = version.read(session, version.SEARCH_INDEX)
    if current is None:  # no counter to key on (a database from before migration 0016): never cached
        return _build(session)
    engine = session.get_bind().engine
    cached = _cache.get(engine)
    if cached is not None and cached[0] == current:
        return cached[1]
    built = _build(session)
    with _lock:
        _cache[engine] = (current, built)
    return built


def _wrote(session: Session) -> bool:
    """Has this session written the index in its current transaction?"""
    transaction = session.get_transaction()
    return transaction is not None and session.info.get(WRITTEN) is transaction


def written(session: Session) -> None:
    """Called by every write of the index: the counter moves, in the writing transaction, once."""
    if not _wrote(session):
        session.info[WRITTEN] = session.get_transaction()
        version.bump(session, version.SEARCH_INDEX)
        version.bump(session)  # the response caches key on every write, the index's too
