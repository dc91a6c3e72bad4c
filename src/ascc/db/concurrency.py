"""Changing a record that exists: the client's version is checked and the change written in one
atomic step, the same way for every record.

A write that changes an existing record (an edit, a state move, something added to it) does::

    row = hold(session, Model, key)                        # the record as it is now, held
    check_version(etag(row), if_match, what="decision 7")  # 428 without If-Match, 412 if stale
    ...change it, move its revision...

``hold`` makes the check and the write one step. On PostgreSQL the row is locked
(``SELECT … FOR UPDATE``): a concurrent writer of the same record waits, then reads the revision
the first one wrote and fails the check. On SQLite the transaction first takes the database's
write lock (``BEGIN IMMEDIATE``), so nothing commits between the read and the write. Either way
the row is read again after the lock (``populate_existing``), never from an earlier copy in the
session. Of twenty concurrent writes with the same ETag exactly one succeeds; the others get 412.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ascc.kit.errors import PreconditionFailed, PreconditionRequired

T = TypeVar("T")


def hold_writes(session: Session) -> None:
    """From here to the end of the transaction no other writer commits (SQLite: ``BEGIN
    IMMEDIATE`` unless this transaction writes already; PostgreSQL: nothing, rows are locked one
    by one by :func:`hold`)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.driver_connection
    if raw is not None and not raw.in_transaction:
        # the driver opens a transaction only before its first write; open it now, as a writer,
        # so that the reads that decide the write see the last committed state and keep seeing it
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def hold(session: Session, model: type[T], key: Any) -> T | None:
    """The row of ``model`` with primary key ``key`` as committed now, held against concurrent
    writers until this transaction ends; ``None`` if there is none."""
    hold_writes(session)
    return session.get(model, key, with_for_update=True, populate_existing=True)


def check_version(current: str, if_match: str | None, *, what: str) -> None:
    """Refuse a change made without the record's current ETag: 428 when ``If-Match`` is missing,
    412 when it names another version. ``*`` (any version) is accepted, as HTTP defines it."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"send If-Match with the ETag of {what} as you read it, so that a change made in the "
            "meantime is not overwritten",
            current_etag=current,
        )
    tags = [t.strip() for t in if_match.split(",")]
    if current not in tags and "*" not in tags:
        raise PreconditionFailed(
            f"{what} changed since you read it; reload it and try again", current_etag=current
        )
