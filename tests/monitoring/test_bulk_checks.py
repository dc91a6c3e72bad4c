"""A bulk import on SQLite checks its references once per distinct value instead of letting SQLite
check every row: enforcement is off only for that transaction, comes back on with the connection,
and a reference that does not exist still stops the import with nothing stored."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from ascc.db.engine import make_engine, suspend_foreign_keys
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.imports import importer
from ascc.monitoring.models import ImportBatch, Observation
from ascc.wiring import session_factory
from tests.monitoring.conftest import PLAIN_HEADER, write

STATES = ("IDN", "PHL", "THA")


def _csv(indicator: str, years=range(1950, 2037), value: float = 1.5) -> str:
    return PLAIN_HEADER + "".join(
        f"{indicator},{ms},{year},{value + i},,WDI,\n"
        for i, (ms, year) in enumerate((m, y) for m in STATES for y in years)
    )


def _import(url, path, *, bulk_rows: int, monkeypatch, catalogue=None):
    monkeypatch.setattr(monitoring_service, "BULK_ROWS", bulk_rows)
    engine = make_engine(url)
    session = session_factory(engine)()
    session.info["actor"] = "test"
    try:
        report = monitoring_service.import_file(session, path, catalogue=catalogue)
        session.commit()
        return engine, report
    except Exception:
        session.rollback()
        engine.dispose()
        raise
    finally:
        session.close()


def test_a_bulk_import_leaves_the_keys_sound_and_enforcement_on(mon_url, tmp_path, monkeypatch):
    path = write(tmp_path, "bulk.csv", _csv("SE.PRM.ENRR"))
    engine, report = _import(mon_url, path, bulk_rows=50, monkeypatch=monkeypatch)
    try:
        assert report.ok and report.inserted == 3 * 87
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check(observations)").all() == []
                names = {
                    r[0]
                    for r in conn.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE tbl_name = 'observations'"
                    )
                }
                # the unique key and the partial submission index; no index on member_state (0017)
                assert (
                    "ix_observations_submission_id" in names and "ix_observations_member_state" not in names
                )
            stamps = (
                conn.execute(
                    select(Observation.recorded_at).where(Observation.batch_id == report.batch_id).distinct()
                )
                .scalars()
                .all()
            )
            created = conn.execute(
                select(ImportBatch.created_at).where(ImportBatch.id == report.batch_id)
            ).scalar_one()
        assert len(stamps) == 1 and isinstance(stamps[0], dt.datetime)
        assert abs(stamps[0].replace(tzinfo=None) - created.replace(tzinfo=None)) < dt.timedelta(minutes=5)
    finally:
        engine.dispose()


@pytest.mark.parametrize("bulk_rows", [50, 10**9], ids=["own-checks", "database-checks"])
def test_an_indicator_gone_since_the_check_stops_the_import(mon_url, tmp_path, monkeypatch, bulk_rows):
    engine = make_engine(mon_url)
    with session_factory(engine)() as session:
        catalogue = importer.Catalogue.load(session)
        before = session.scalar(select(func.count()).select_from(Observation))
    engine.dispose()
    catalogue.indicators["XX.GONE"] = catalogue.indicators["SE.PRM.ENRR"]  # checked against, not stored
    path = write(tmp_path, "gone.csv", _csv("XX.GONE"))
    with pytest.raises((IntegrityError, sqlite3.IntegrityError)):  # the driver's own, from a bulk statement
        _import(mon_url, path, bulk_rows=bulk_rows, monkeypatch=monkeypatch, catalogue=catalogue)
    engine = make_engine(mon_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == before
        assert session.scalar(select(func.count()).where(Observation.indicator_code == "XX.GONE")) == 0
        if session.connection().dialect.name == "sqlite":
            assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_enforcement_is_suspended_only_before_a_transaction_and_only_for_it(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}", pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
            assert suspend_foreign_keys(conn) is True
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            conn.commit()
        with engine.connect() as conn:  # the same pooled connection, enforcement back on
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")  # a transaction is open now
            assert suspend_foreign_keys(conn) is False
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            conn.rollback()
    finally:
        engine.dispose()
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")  # no hook to turn it back on: never off
    try:
        with plain.connect() as conn:
            conn.execute(text("SELECT 1"))
            assert suspend_foreign_keys(conn) is False
    finally:
        plain.dispose()
