"""Engines: SQLite with WAL, foreign keys on and memory-mapped reads, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolProxiedConnection

from ascc.db import version


def normalise_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) → ``postgresql+psycopg://``; other URLs unchanged."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


MMAP_SIZE = 268435456
#: the page size of a new SQLite database (SQLite's default is 4096)
PAGE_SIZE = 16384
_RESTORES_FOREIGN_KEYS = "ascc.restores_foreign_keys"
_FOREIGN_KEYS_OFF = "ascc.foreign_keys_off"


def _before_transaction(conn: Connection) -> PoolProxiedConnection | None:
    """The pooled DB-API connection of ``conn`` if it is a SQLite connection of :func:`make_engine`
    (its pool restores the pragmas a bulk load changes) with no transaction open yet; else ``None``."""
    if conn.dialect.name != "sqlite":
        return None
    fairy = conn.connection
    raw = fairy.driver_connection
    if not fairy.info.get(_RESTORES_FOREIGN_KEYS) or raw is None or raw.in_transaction:
        return None
    return fairy


def suspend_foreign_keys(conn: Connection) -> bool:
    """Turn SQLite's foreign-key enforcement off for the transaction ``conn`` is about to begin, for
    a bulk load that checks its references itself (once per distinct value, not once per row).

    Only on a SQLite connection of :func:`make_engine` with no transaction open yet (the pragma is
    a no-op inside one); enforcement comes back on when the connection returns to the pool, after
    the transaction has ended. Returns whether it was turned off."""
    fairy = _before_transaction(conn)
    if fairy is None:
        return False
    fairy.driver_connection.execute("PRAGMA foreign_keys=OFF")
    fairy.info[_FOREIGN_KEYS_OFF] = True
    return True


_RESTORES_JOURNAL = "ascc.restores_journal"


def bulk_journal(conn: Connection) -> bool:
    """For a bulk load into SQLite that only this connection has open: write the transaction
    about to begin through a rollback journal (``journal_mode = DELETE``, ``synchronous = FULL``)
    instead of the WAL, so that the new pages are written once, into the database file, rather than
    into the WAL and then again by the checkpoint that follows the commit.

    The commit is as atomic and durable as in WAL mode (FULL: the journal and the database are
    synced at the commit). The switch needs the database to itself: with any other connection open
    (another worker, a reader) SQLite refuses it at once (no waiting: the busy timeout is 0 for the
    attempt) and the load stays in WAL mode. While it runs, other connections wait for it instead
    of reading the last committed state. WAL mode and ``synchronous = NORMAL`` come back when the
    connection returns to the pool, after the transaction has ended (and any new connection sets
    WAL mode itself). Only on a SQLite connection of :func:`make_engine` with no transaction open;
    returns whether the journal was switched."""
    fairy = _before_transaction(conn)
    if fairy is None:
        return False
    raw = fairy.driver_connection
    if raw.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        return False
    timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        mode = raw.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower()
    except sqlite3.OperationalError:  # another connection has the database open
        mode = "wal"
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    if mode != "delete":
        return False
    raw.execute("PRAGMA synchronous = FULL")
    # no memory map for it: the pages it writes into the file would otherwise be mapped back in
    # (and count as the process's memory) when read again
    fairy.info[_RESTORES_JOURNAL] = raw.execute("PRAGMA mmap_size").fetchone()[0]
    raw.execute("PRAGMA mmap_size = 0")
    return True


def make_engine(url: str, *, count_tables: bool = True, **kwargs) -> Engine:
    """``count_tables``: move the per-table write counters at every commit (``db.version.watch``);
    off for the migrations, which may run before their table exists."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # 16 KiB pages for a new database (a no-op for an existing one, which keeps its own): a
            # bulk import of a million observations writes a quarter of the pages, with fewer
            # B-tree splits and WAL frames; must come before WAL mode, which fixes the page size
            cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # read pages from the OS cache without copying them into each connection's own small
            # page cache (the search joins many index rows; 256 MiB of address space, not memory)
            cur.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
            cur.close()
            _record.info[_RESTORES_FOREIGN_KEYS] = True

        @event.listens_for(engine, "checkin")
        def _foreign_keys_back_on(dbapi_conn, record):
            if record is not None and record.info.pop(_FOREIGN_KEYS_OFF, False):
                dbapi_conn.execute("PRAGMA foreign_keys=ON")  # the pool has ended the transaction
            if record is not None and (mmap := record.info.pop(_RESTORES_JOURNAL, None)) is not None:
                dbapi_conn.execute("PRAGMA journal_mode=WAL")  # back from a bulk load's rollback journal
                dbapi_conn.execute("PRAGMA synchronous=NORMAL")
                dbapi_conn.execute(f"PRAGMA mmap_size={int(mmap)}")

    else:
        if "poolclass" not in kwargs:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        engine = create_engine(url, **kwargs)
    if count_tables:
        version.watch(engine)
    return engine
