"""The facet and filter columns of every search entry, in memory, as numpy arrays.

A search finds its matches in the full-text index (:mod:`ascc.knowledge.backends`) as entry ids;
everything else it needs of the matches (may this reader see it, does it pass the filters, which
facet values does it count for, which document does it belong to) is read here, by array indexing,
instead of joining every match to its row in SQL. String columns are dictionary-encoded: ``kind``,
``audience``, and the ``|a|b|`` sets of sectors and languages, each distinct set once, so a filter or
a facet works on a few distinct values and then on integer codes.

The columns are kept per engine and per process, keyed on the search index's counter
(``db.version.SEARCH_INDEX``), which every write of the index increments in the writing
transaction (:func:`moved`, called once at the end of each index operation, so the counter's row
is locked only from then to the commit). A copy is kept only when read by a connection with no
uncommitted writes of its own (SQLite: no transaction open, pysqlite begins one at the first write;
PostgreSQL: no transaction id assigned), so what is cached is committed data, whichever process
or machine wrote it; a transaction that has written anything reads its own columns, uncached.
A copy remembers the tables it was read from, and a request served from it records them
(``db.version.depends_on``), as the response cache needs.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ascc.db import version

T = TypeVar("T")
log = logging.getLogger(__name__)
NO_YEAR = np.iinfo(np.int32).min
NO_DOCUMENT = -1
#: the columns read, in this order (SQLite reads them from the covering index of migration 0015)
COLUMNS = ("id", "audience", "kind", "year", "heading", "document_id", "languages", "sectors")

#: per engine, per builder: (the counter it was built at, what it built, the tables it read)
_cache: weakref.WeakKeyDictionary[Engine, dict[Callable, tuple[int, Any, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)
_gates: weakref.WeakKeyDictionary[Engine, dict[Callable, threading.Lock]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("|") if v)


@dataclasses.dataclass(frozen=True)
class Columns:
    """Per row (an entry, rows in id order) the coded facet columns."""

    ids: np.ndarray  # int64, the entry id of each row, ascending
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
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[at] == ids, at, -1)

    def codes(self, names: tuple[str, ...], wanted) -> np.ndarray:
        """Codes of the vocabulary entries ``wanted`` accepts."""
        return np.array([i for i, name in enumerate(names) if wanted(name)], dtype=np.int64)


def load_sql(dialect: str) -> str:
    """The statement that reads the columns (on SQLite from the covering index alone)."""
    source = "search_entries INDEXED BY ix_search_entries_facets" if dialect == "sqlite" else "search_entries"
    return f"SELECT {', '.join(COLUMNS)} FROM {source} ORDER BY id"


def _coded(values: tuple, dtype) -> tuple[np.ndarray, tuple]:
    """Dictionary encoding: the code of each value, and the distinct values in code order."""
    seen: dict = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=dtype, count=len(values))
    return codes, tuple(seen)


def _build(session: Session) -> Columns:
    cursor = session.connection().connection.cursor()  # the DB-API cursor: rows need no wrapping
    sql = load_sql(session.get_bind().dialect.name)
    version.reading(sql)
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return _columns(rows)


def _columns(rows: list) -> Columns:
    """The columns of ``rows`` (the :data:`COLUMNS` of entries, ids ascending)."""
    ids_, audiences, kinds, years, headings, documents, languages, sectors = (
        zip(*rows, strict=True) if rows else ((),) * len(COLUMNS)
    )
    n = len(rows)
    ids = np.fromiter(ids_, dtype=np.int64, count=n)
    audience, audience_names = _coded(audiences, np.int16)
    kind, kind_names = _coded(kinds, np.int16)
    language, language_sets = _coded(languages, np.int32)
    sector, sector_sets = _coded(sectors, np.int32)
    return Columns(
        ids=ids,
        kind=kind,
        audience=audience,
        year=np.fromiter((NO_YEAR if y is None else y for y in years), dtype=np.int32, count=n),
        heading=np.fromiter(headings, dtype=bool, count=n),
        document=np.fromiter((NO_DOCUMENT if d is None else d for d in documents), dtype=np.int64, count=n),
        languages=language,
        sectors=sector,
        kinds=kind_names,
        audiences=audience_names,
        language_sets=tuple(_split(v) for v in language_sets),
        sector_sets=tuple(_split(v) for v in sector_sets),
    )


#: a patch reads at most this share of the entries; past it, a whole build is as cheap
PATCH_SHARE = 0.25


def written_since(session: Session, counter: int, fields: str) -> tuple[np.ndarray, list] | None:
    """For a patch of a copy made at search index counter ``counter``: the ids of every entry now,
    and ``fields`` of the entries stamped after ``counter`` (``knowledge.index.STAMP``), in id
    order; ``None`` when more than :data:`PATCH_SHARE` of the entries were written."""
    cursor = session.connection().connection.cursor()
    try:
        version.reading("SELECT id, stamp FROM search_entries")
        version.reading(f"SELECT {fields} FROM search_entries")
        cursor.execute("SELECT id FROM search_entries ORDER BY id")
        live = np.fromiter((r[0] for r in cursor.fetchall()), dtype=np.int64)
        cursor.execute(f"SELECT {fields} FROM search_entries WHERE stamp > ? ORDER BY id", (counter,))
        written = cursor.fetchall()
    finally:
        cursor.close()
    return None if len(written) > max(64, PATCH_SHARE * len(live)) else (live, written)


def kept_rows(old: np.ndarray, live: np.ndarray, new: np.ndarray) -> np.ndarray | None:
    """Which rows (entry ids ``old``) of a copy a patch keeps: the entries still there and not
    written since (``new``); ``None`` when an entry is there that neither holds (written by
    something that does not stamp: only a whole build is safe)."""
    keep = np.isin(old, live, assume_unique=True) & ~np.isin(old, new, assume_unique=True)
    return keep if int(keep.sum()) + len(new) == len(live) else None


def _patched(session: Session, old: Columns, counter: int) -> Columns | None:
    """The columns made from ``old`` (the copy at search index counter ``counter``): rows of entries
    gone or written since dropped, the entries stamped after ``counter`` read and added (see
    ``postings.patched``); ``None`` when a whole build is better or the only safe way. Only on
    SQLite, whose writers hold the write lock from their first write to their commit, so a stamp is
    never lower than the counter of a copy that misses the entry; PostgreSQL's writers run side by
    side (two can stamp alike and commit one after the other), so its copies are built whole."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    since = written_since(session, counter, ", ".join(COLUMNS))
    if since is None:
        return None
    live, written = since
    new = _columns(written)
    keep = kept_rows(old.ids, live, new.ids)
    if keep is None:
        return None
    order = np.argsort(np.concatenate([old.ids[keep], new.ids]), kind="stable")

    def joined(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[keep], b])[order]

    def recoded(
        names: tuple, more: tuple, codes: np.ndarray, old_codes: np.ndarray
    ) -> tuple[np.ndarray, tuple]:
        known = {name: i for i, name in enumerate(names)}
        for name in more:
            known.setdefault(name, len(known))
        to = np.array([known[name] for name in more], dtype=np.int64)
        merged = np.concatenate(
            [old_codes[keep].astype(np.int64), to[codes] if len(codes) else codes.astype(np.int64)]
        )
        return merged[order].astype(old_codes.dtype), tuple(known)

    kind, kinds = recoded(old.kinds, new.kinds, new.kind, old.kind)
    audience, audiences = recoded(old.audiences, new.audiences, new.audience, old.audience)
    languages, language_sets = recoded(old.language_sets, new.language_sets, new.languages, old.languages)
    sectors, sector_sets = recoded(old.sector_sets, new.sector_sets, new.sectors, old.sectors)
    return Columns(
        ids=joined(old.ids, new.ids),
        kind=kind,
        audience=audience,
        year=joined(old.year, new.year),
        heading=joined(old.heading, new.heading),
        document=joined(old.document, new.document),
        languages=languages,
        sectors=sectors,
        kinds=kinds,
        audiences=audiences,
        language_sets=language_sets,
        sector_sets=sector_sets,
    )


_build.patch = _patched  # type: ignore[attr-defined]  # ``committed`` patches the copy it holds


def _committed_counter(session: Session) -> int | None:
    """The search counter, if this session's connection has no uncommitted writes (then it reads
    what every other connection reads); else, or if the database has no counter, ``None``."""
    counters = version.committed_counters(session)
    return None if counters is None else counters.get(version.SEARCH_INDEX)


def committed(session: Session, build: Callable[[Session], T], *, wait: bool = True) -> T | None:
    """``build(session)`` as of the committed index, kept per engine and process while the search
    counter stays; ``None`` when this session has uncommitted writes (it must read its own).

    When no copy is current: with ``wait``, this thread builds it, or waits for the thread already
    building it (one at a time per engine and builder); without, ``None`` at once, and a thread of
    its own builds the copy for the calls after (the caller answers another way meanwhile). A
    build never replaces one made at a later counter.
    """
    current = _committed_counter(session)
    if current is None:
        return None
    engine = session.get_bind().engine
    held = _cache.get(engine, {}).get(build)
    if held is not None and held[0] == current:
        version.depends_on(held[2])  # a response built from the copy depends on its sources
        return held[1]
    with _lock:
        gate = _gates.setdefault(engine, {}).setdefault(build, threading.Lock())
    if not wait:
        if gate.acquire(blocking=False):
            threading.Thread(target=_build_apart, args=(engine, build, gate), daemon=True).start()
        return None
    with gate:
        return _build_and_keep(session, engine, build, current)


def _build_and_keep(session: Session, engine: Engine, build: Callable[[Session], T], current: int) -> T:
    held = _cache.get(engine, {}).get(build)
    if held is not None and held[0] == current:  # built while this thread waited
        version.depends_on(held[2])
        return held[1]
    with version.tracking() as tables:
        built = None
        patch = getattr(build, "patch", None)  # a builder that can bring an older copy up to date
        if patch is not None and held is not None and held[0] < current:
            built = patch(session, held[1], held[0])
        if built is None:
            built = build(session)
    version.depends_on(tables)
    with _lock:
        mine = _cache.setdefault(engine, {})
        if build not in mine or mine[build][0] <= current:
            mine[build] = (current, built, frozenset(tables))
    return built


def _build_apart(engine: Engine, build: Callable[[Session], Any], gate: threading.Lock) -> None:
    """Build a copy in a thread of its own, on a connection of its own; ``gate`` is held."""
    try:
        with Session(engine) as session:
            current = _committed_counter(session)
            if current is not None:
                _build_and_keep(session, engine, build, current)
    except Exception:  # the searches go on without the copy; the next one tries again
        log.exception("building the search's %s failed", getattr(build, "__module__", build))
    finally:
        gate.release()


def columns(session: Session) -> Columns:
    """The columns as this session sees the index: the process's copy while it is current."""
    held = committed(session, _build)
    return _build(session) if held is None else held


def moved(session: Session) -> None:
    """The index was written in this transaction: its counter moves (and the data version, which
    response caches key on). Called once at the end of each index operation that wrote."""
    version.bump(session, version.SEARCH_INDEX)
    version.bump(session)
