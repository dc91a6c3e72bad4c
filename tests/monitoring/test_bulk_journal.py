"""A bulk import on SQLite that has the database to itself writes through a rollback journal for
that one transaction (its pages go into the file once, not into the WAL and again at the
checkpoint); WAL mode, ``synchronous = NORMAL`` and the memory map come back with the connection.
With another connection open the switch is refused at once and the import stays in WAL mode. New
SQLite databases get 16 KiB pages; an existing database keeps its own."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import func, select

from ascc.db.engine import MMAP_SIZE, PAGE_SIZE, bulk_journal, make_engine
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.models import Observation
from ascc.wiring import session_factory
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write


def _pragmas(conn) -> tuple:
    return tuple(
        conn.exec_driver_sql(f"PRAGMA {p}").scalar_one() for p in ("journal_mode", "synchronous", "mmap_size")
    )


def test_new_databases_get_larger_pages_and_existing_ones_keep_theirs(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.commit()
        assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == PAGE_SIZE
    engine.dispose()
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute("CREATE TABLE t (x INTEGER)")
    old.commit()
    old.close()
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == 4096
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    engine.dispose()


def test_the_rollback_journal_is_for_one_transaction_of_a_connection_alone(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'j.db'}", pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
            assert _pragmas(conn) == ("wal", 1, MMAP_SIZE)
            assert bulk_journal(conn) is True
            assert _pragmas(conn) == ("delete", 2, 0)  # synchronous FULL for it
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            assert bulk_journal(conn) is False  # a transaction is open
            conn.commit()
        with engine.connect() as conn:  # the same pooled connection, back to the defaults
            assert _pragmas(conn) == ("wal", 1, MMAP_SIZE)
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1
    finally:
        engine.dispose()
    assert sqlite3.connect(tmp_path / "j.db").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_another_open_connection_keeps_the_wal_without_waiting(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
        with engine.connect() as reader, engine.connect() as conn:
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0
            busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
            start = time.monotonic()
            assert bulk_journal(conn) is False
            assert time.monotonic() - start < busy / 1000 / 2  # refused at once, not after the timeout
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == busy
            assert _pragmas(conn) == ("wal", 1, MMAP_SIZE)
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.commit()
            assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1
    finally:
        engine.dispose()


def _csv(years=range(1950, 2037)) -> str:
    return PLAIN_HEADER + "".join(
        f"SE.PRM.ENRR,{ms},{year},{1.5 + i},,WDI,\n"
        for i, (ms, year) in enumerate((m, y) for m in ("IDN", "PHL", "THA") for y in years)
    )


def test_a_bulk_import_alone_uses_it_and_a_failed_one_leaves_nothing(mon_url, tmp_path, monkeypatch):
    """On both backends the import stores the same rows; on SQLite the bulk one went through the
    rollback journal, and one that fails after its rows are written leaves no row behind."""
    monkeypatch.setattr(monitoring_service, "BULK_ROWS", 50)
    used: list[bool] = []

    def spy(conn):
        used.append(bulk_journal(conn))
        return used[-1]

    monkeypatch.setattr(monitoring_service, "bulk_journal", spy)
    sqlite = mon_url.startswith("sqlite")

    def count() -> int:
        engine = make_engine(mon_url)
        try:
            with session_factory(engine)() as session:
                return session.scalar(select(func.count()).select_from(Observation)) or 0
        finally:
            engine.dispose()

    def fail(*args, **kwargs):
        raise RuntimeError("after the rows")

    before = count()
    with monkeypatch.context() as m:  # SQLite's bulk path fails once its rows are written
        m.setattr(monitoring_service, "_check_references", fail)
        path = write(tmp_path, "j1.csv", _csv(range(1950, 2000)))
        if sqlite:
            with pytest.raises(RuntimeError):
                run_import(mon_url, path)
            assert count() == before
        else:  # the database checks the keys itself: nothing to fail
            assert run_import(mon_url, path).ok
    before = count()
    report = run_import(mon_url, write(tmp_path, "j2.csv", _csv()))
    assert report.ok and report.inserted + report.revised + report.unchanged == 3 * 87
    again = run_import(mon_url, write(tmp_path, "j3.csv", _csv()))
    assert again.ok and again.unchanged == 3 * 87 and again.batch_id is None
    assert count() == before + report.inserted + report.revised
    if sqlite:
        engine = make_engine(mon_url)
        try:
            with engine.connect() as conn:
                assert _pragmas(conn) == ("wal", 1, MMAP_SIZE)
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        finally:
            engine.dispose()
    if sqlite:
        assert used[:2] == [True, True]  # the failed import and the bulk one, each alone
    else:
        assert not any(used)
