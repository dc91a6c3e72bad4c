"""Counters that committed writes increment, in the same transaction as the writes.

Row ``ALL`` (1) counts every committed write: response caches key on it, so a cache entry can never
outlive the data it was built from, even when the write happened in another process or on another
machine sharing the database. Row ``SEARCH_INDEX`` (2) counts writes of the search index
(``knowledge.index``): the search's in-memory facet columns key on it, so writes elsewhere do not
make them reload.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import threading
import weakref
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Engine, Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ascc.db.base import Base
from ascc.kit import clock

ALL = 1
SEARCH_INDEX = 2  # row made by migration 0016
T = TypeVar("T")


class DataVersion(Base):
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump(session: Session, counter: int = ALL) -> None:
    table = DataVersion.__table__  # a Core statement: cheaper than the ORM's bulk update
    session.execute(update(table).where(table.c.id == counter).values(version=table.c.version + 1))


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return (
            conn.execute(select(DataVersion.version).where(DataVersion.id == ALL)).scalar_one_or_none() or 0
        )


def read(session: Session, counter: int) -> int | None:
    """The counter as this session sees it; ``None`` if the database has no such row. (A plain
    statement: it is read before every search.)"""
    row = (
        session.connection()
        .exec_driver_sql(f"SELECT version FROM data_version WHERE id = {int(counter)}")
        .first()
    )
    return None if row is None else row[0]


# --- per-table counters -----------------------------------------------------------------------
#
# Besides row ``ALL``, every committed transaction moves one counter per table it wrote (and per
# table its writes change through a foreign key's ON DELETE/ON UPDATE action or a trigger), in the
# same transaction: rows ``table_counter(name)`` of ``data_version``, made at the first write of the
# table. The engines of ``db.engine.make_engine`` do it themselves, for every statement that reaches
# the database (ORM flushes, Core and raw SQL alike): the statements a connection runs are watched,
# and the counters are moved just before the database commits. A statement that writes something
# the watcher cannot name (DDL, anything not a plain INSERT, UPDATE or DELETE) moves ``EVERYTHING``.
#
# A reader records, while :func:`tracking` is on, the name of every table its statements mention:
# what it built from them is current while those tables' counters (and ``EVERYTHING``'s) stay.

TABLE_BASE = 1000
EVERYTHING = "*"
#: the counters themselves: neither a reader's source nor a write to count
_IGNORED = frozenset({"data_version"})
_WRITTEN = "ascc.written_tables"
_HAS_COUNTERS = " counters"  # a key of ``_effects``' maps that no table has
_DML = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)
#: the tables written by the statements of a trigger's body
_TARGETS = re.compile(
    r'(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)', re.I
)
_QUIET = re.compile(
    r"^\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SHOW|EXPLAIN)\b", re.IGNORECASE
)
_READ_WITH = re.compile(r"^\s*WITH\b", re.IGNORECASE)
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Reads(set):
    """The tables a reader's statements mentioned; ``until``: the moment its answer may change
    without any write (a deadline passing), if there is one."""

    until: dt.datetime | None = None


_reads: ContextVar[Reads | None] = ContextVar("ascc_table_reads", default=None)
#: per engine: table → the tables a write of it also changes (foreign-key actions, triggers)
_effects: weakref.WeakKeyDictionary[Engine, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def table_counter(name: str) -> int:
    """The ``data_version`` row that counts the writes of table ``name`` (``EVERYTHING``: of the schema)."""
    return TABLE_BASE + zlib.crc32(name.lower().encode()) % (1 << 30)


@functools.lru_cache(maxsize=8192)
def _words(statement: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(statement)) - _IGNORED


@functools.lru_cache(maxsize=8192)
def _written(statement: str) -> str | None:
    """The table a statement writes, ``EVERYTHING`` if it writes what cannot be named, else None."""
    found = _DML.match(statement)
    if found:
        return found.group(1).lower()
    if _QUIET.match(statement):
        return None
    if _READ_WITH.match(statement) and not _WRITES.search(statement):
        return None
    return EVERYTHING


@contextmanager
def tracking() -> Iterator[Reads]:
    """Record the tables every statement run in this context (and the threads it starts work in,
    which copy it) mentions, into the set yielded."""
    tables = Reads()
    token = _reads.set(tables)
    try:
        yield tables
    finally:
        _reads.reset(token)


def depends_on(tables: Iterable[str]) -> None:
    """What the current reader uses was built from ``tables`` (a copy kept in memory, built by
    statements run earlier): record them as if they had been read now."""
    reads = _reads.get()
    if reads is not None:
        reads.update(tables)


def reading(statement: str) -> None:
    """A statement run on a driver cursor (which no engine event sees) reads the tables it names."""
    depends_on(_words(statement))


def valid_until(moment: dt.datetime) -> None:
    """What the current reader reads changes at ``moment`` by itself (without a write)."""
    reads = _reads.get()
    if reads is not None and (reads.until is None or moment < reads.until):
        reads.until = moment


def _before_cursor_execute(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    reads = _reads.get()
    if reads is not None:
        reads.update(_words(statement))
    table = _written(statement)
    if table is not None and table not in _IGNORED:
        conn.info.setdefault(_WRITTEN, set()).add(table)


def _forget(conn, *_args) -> None:
    conn.info.pop(_WRITTEN, None)


def _effects_of(engine: Engine, raw) -> dict[str, frozenset[str]]:
    """Which tables a write of each table changes too, read from the database's own schema."""
    known = _effects.get(engine)
    if known is not None:
        return known
    edges: dict[str, set[str]] = {}
    cursor = raw.cursor()
    try:
        if engine.dialect.name == "sqlite":
            tables = [
                r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            ]
            names = {t.lower() for t in tables}
            for table in tables:
                quoted = table.replace('"', '""')
                for row in cursor.execute(f'PRAGMA foreign_key_list("{quoted}")').fetchall():
                    if row[5].upper() not in ("NO ACTION", "RESTRICT") or row[6].upper() not in (
                        "NO ACTION",
                        "RESTRICT",
                    ):
                        edges.setdefault(row[2].lower(), set()).add(table.lower())
            for table, sql in cursor.execute(
                "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall():
                body = re.split(r"\bBEGIN\b", sql, maxsplit=1, flags=re.IGNORECASE)[-1]
                targets = _TARGETS.findall(body)
                edges.setdefault(table.lower(), set()).update(t.lower() for t in targets or [EVERYTHING])
        else:
            cursor.execute(
                "SELECT p.relname, c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' "
                "AND (k.confdeltype <> 'a' AND k.confdeltype <> 'r' OR k.confupdtype <> 'a' AND k.confupdtype <> 'r')"
            )
            for parent, child in cursor.fetchall():
                edges.setdefault(parent.lower(), set()).add(child.lower())
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
            for (table,) in cursor.fetchall():
                edges.setdefault(table.lower(), set()).add(EVERYTHING)
            cursor.execute("SELECT to_regclass('data_version') IS NOT NULL")
            names = {"data_version"} if cursor.fetchone()[0] else set()
    finally:
        cursor.close()
    known = {_HAS_COUNTERS: frozenset({"yes"}) if "data_version" in names else frozenset()}
    for table in edges:  # the closure: a cascade can cascade further
        seen, todo = set(), [table]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        known[table] = frozenset(seen)
    _effects[engine] = known
    return known


def _before_commit(conn) -> None:
    written = conn.info.pop(_WRITTEN, None)
    if not written:
        return
    raw = conn.connection.dbapi_connection
    effects = _effects_of(conn.engine, raw)
    if not effects.get(_HAS_COUNTERS):
        _effects.pop(conn.engine, None)  # looked again at the next commit: a migration may make it
        return
    tables = set(written)
    for table in written:
        tables |= effects.get(table, frozenset())
    counters = sorted({table_counter(t) for t in tables})  # one order: concurrent commits cannot deadlock
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cursor = raw.cursor()
    try:
        for counter in counters:
            cursor.execute(
                f"INSERT INTO data_version (id, version) VALUES ({mark}, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = data_version.version + 1",
                (counter,),
            )
    finally:
        cursor.close()


def watch(engine: Engine) -> None:
    """Count the tables every transaction of ``engine`` writes (see the section's comment)."""
    event.listen(engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(engine, "begin", _forget)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "commit", _before_commit)


def versions(engine: Engine) -> dict[int, int]:
    """Every counter as committed now."""
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, version FROM data_version").all())


class Counters:
    """Reads every counter on one connection of its own, kept open (autocommit: each read sees
    what is committed then): a few hundred microseconds, cheap enough to run on the event loop of
    a server, without waiting for a worker thread or a connection of the pool. Thread-safe."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._raw = None

    def _connect(self):
        fairy = self.engine.raw_connection()
        raw = fairy.driver_connection
        fairy.detach()  # ours for good: never returned to (nor reset by) the pool
        if self.engine.dialect.name != "sqlite":
            raw.rollback()
            raw.autocommit = True
        return raw

    def read(self) -> dict[int, int]:
        with self._lock:
            for attempt in (1, 2):
                if self._raw is None:
                    self._raw = self._connect()
                try:
                    cursor = self._raw.cursor()
                    try:
                        cursor.execute("SELECT id, version FROM data_version")
                        return dict(cursor.fetchall())
                    finally:
                        cursor.close()
                except Exception:
                    self.close_locked()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def close_locked(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):  # a broken connection is dropped either way
                raw.close()

    def close(self) -> None:
        with self._lock:
            self.close_locked()


# --- answers kept while their tables stay -----------------------------------------------------
#
# A read that many requests repeat, of tables that change rarely (the bodies, say, which every
# calendar, decision and results page lists), is kept per engine and process with the counters of
# the tables it read, and served while none of them (nor ``EVERYTHING``) has moved. The counters are
# read on the session's own connection before the read is built, so a copy is never older than the
# counters it is kept under (at worst newer: then it is built once more). A session with
# uncommitted writes of its own reads afresh: the copy holds only what every connection sees.

_kept: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[dict[int, int], Reads, Any]]] = (
    weakref.WeakKeyDictionary()
)
_kept_lock = threading.Lock()
#: copies kept per engine, the oldest dropped first
KEPT_MAX = 4096


def committed_counters(session: Session) -> dict[int, int] | None:
    """Every counter, as committed, on ``session``'s connection; ``None`` when that connection has
    uncommitted writes (SQLite: a transaction is open, pysqlite begins one at the first write;
    PostgreSQL: a transaction id is assigned)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        if conn.connection.driver_connection.in_transaction:
            return None
        return dict(conn.exec_driver_sql("SELECT id, version FROM data_version").all())
    rows = conn.exec_driver_sql(
        "SELECT id, version, pg_current_xact_id_if_assigned() IS NULL FROM data_version"
    ).all()
    if rows and not rows[0][2]:
        return None
    return {r[0]: r[1] for r in rows}


def _stamp(tables: Iterable[str], counters: dict[int, int]) -> dict[int, int]:
    ids = {table_counter(t) for t in tables} | {table_counter(EVERYTHING)}
    return {i: counters.get(i, 0) for i in ids}


def kept(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` (a read on ``session``), or the copy this process kept of it under ``key`` while
    the tables that read mentioned have not been written since. The caller must not change what
    it gets: the copy is shared by every thread. A request served from a copy records its tables
    (and its deadline) as if it had read them now, as the response cache needs."""
    counters = committed_counters(session)
    if counters is None:
        return build()
    engine = session.get_bind().engine
    held = _kept.get(engine, {}).get(key)
    if held is not None:
        stamp, reads, value = held
        now = clock.now()
        if all(counters.get(i, 0) == v for i, v in stamp.items()) and (
            reads.until is None or now < reads.until
        ):
            depends_on(reads)
            if reads.until is not None:
                valid_until(reads.until)
            return value
    with tracking() as reads:
        value = build()
    depends_on(reads)
    if reads.until is not None:
        valid_until(reads.until)
    with _kept_lock:
        mine = _kept.setdefault(engine, {})
        mine.pop(key, None)
        mine[key] = (_stamp(reads, counters), reads, value)
        while len(mine) > KEPT_MAX:  # keys a client chooses (a token) cannot grow it without end
            del mine[next(iter(mine))]
    return value
