"""Append to and verify the audit chain; turn ORM changes into entries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, inspect, select, update
from sqlalchemy.orm import Session

from ascc.audit.checkpoints import Checkpoint
from ascc.audit.models import AuditEntry, AuditHead
from ascc.kit import clock

GENESIS = "0" * 64
REDACTED = "<redacted>"
#: tables whose changes are not audited (the audit itself, counters, throttling noise)
SKIP_TABLES = {"audit_entries", "audit_head", "data_version", "login_throttles"}
#: columns never written into the trail
SECRET_COLUMNS = {"password_hash", "token_hash"}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> str:
    payload = _canonical([seq, at.isoformat(), actor, action, entity, entity_id, before, after])
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def hold_head(session: Session) -> None:
    """Hold the chain head until the commit (``FOR UPDATE`` on PostgreSQL; SQLite's writers hold
    the database already). A committing writer takes it before the other rows every commit
    shares (search index version, data version), so two commits never wait on each other."""
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict | None,
    after: dict | None,
) -> AuditEntry:
    """Add one entry to the chain, in the caller's transaction."""
    head = AuditHead.__table__.c  # Core statements: the ORM's bulk-update machinery costs more than the write
    row = session.execute(
        update(AuditHead.__table__)
        .where(head.id == 1)
        .values(seq=head.seq + 1)
        .returning(head.seq, head.hash)
    ).one()
    seq, prev = row
    at = clock.now().replace(microsecond=(clock.now().microsecond // 1000) * 1000)
    before, after = _jsonable(before), _jsonable(after)
    digest = entry_hash(
        prev_hash=prev,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    session.execute(update(AuditHead.__table__).where(head.id == 1).values(hash=digest))
    return entry


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(_canonical(value))


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad: int | None = None
    reason: str | None = None
    #: when a data row is bad: its table and primary key (``a/b`` for a composite key)
    table: str | None = None
    row: str | None = None
    rows_checked: int = 0
    warnings: tuple[str, ...] = ()
    #: the hash of the last entry checked (the head, when the chain is intact)
    last_hash: str = GENESIS


def snapshot(session: Session) -> None:
    """Read the trail and the rows from one snapshot (writers may go on meanwhile); call first."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:  # SQLite: a read transaction (in WAL mode, a snapshot as of its first read)
        session.connection().exec_driver_sql("BEGIN")


def _entries(session: Session):
    """The chain, in order, streamed (columns only, no ORM objects)."""
    e = AuditEntry
    stmt = select(
        e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.prev_hash, e.hash
    )
    return session.execute(stmt.order_by(e.seq).execution_options(yield_per=2000))


def verify(
    session: Session,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    rows: bool = False,
    tables: Iterable[Table] | None = None,
) -> VerifyResult:
    """Walk the chain from the start; report the first altered, missing or extra entry.

    ``checkpoints`` (from :mod:`ascc.audit.checkpoints`) anchor the head outside the database: the
    chain must hold each checkpoint's entry with its hash, and reach at least the last one. With
    ``rows``, every row of ``tables`` (default: every mapped table) must then be what the trail
    says it is (:mod:`ascc.audit.integrity`).
    """
    from ascc.audit import integrity

    head = session.get(AuditHead, 1)
    marks: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        marks.setdefault(cp.seq, []).append(cp)
    replay = integrity.Replay(tables) if rows else None
    prev, expected_seq, checked, anchored = GENESIS, 1, 0, 0
    for seq, at, actor, action, entity, entity_id, before, after, prev_hash, digest in _entries(session):
        if seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing")
        if prev_hash != prev:
            return VerifyResult(False, checked, seq, f"entry {seq} does not follow entry {seq - 1}")
        recomputed = entry_hash(
            prev_hash=prev,
            seq=seq,
            at=_utc(at),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
        if recomputed != digest:
            return VerifyResult(False, checked, seq, f"entry {seq} was altered")
        for cp in marks.get(seq, ()):
            if cp.hash != digest:
                return VerifyResult(
                    False,
                    checked,
                    seq,
                    f"entry {seq} is not the one checkpointed at {cp.at} "
                    f"(checkpoints line {cp.line}): the chain was rewritten between entry "
                    f"{anchored + 1} and this one",
                )
            anchored = seq
        if replay is not None:
            replay.entry(seq, action, entity, entity_id, after)
        prev, expected_seq, checked = digest, expected_seq + 1, checked + 1
    head_seq = head.seq if head else 0
    if head_seq != checked:
        return VerifyResult(False, checked, checked + 1, f"entries {checked + 1}..{head_seq} are missing")
    if head is not None and head_seq and head.hash != prev:
        return VerifyResult(False, checked, head_seq, "the chain head does not match the last entry")
    if marks and max(marks) > checked:
        last = marks[max(marks)][-1]
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the chain ends at entry {checked} but was checkpointed "
            f"at entry {last.seq} on {last.at} (checkpoints line {last.line}): entries were "
            "removed and the head rewound",
        )
    if replay is None:
        return VerifyResult(True, checked, last_hash=prev)
    return dataclasses.replace(replay.check(session, checked=checked), last_hash=prev)


def history(session: Session, *, entity: str, entity_id: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
    return list(session.scalars(stmt.order_by(AuditEntry.seq)))


# --- from ORM changes ---------------------------------------------------------------------------


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs]


def _identity(obj: Any) -> str:
    return "/".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _value(key: str, value: Any) -> Any:
    return redact(value) if key in SECRET_COLUMNS else value


def redact(value: Any) -> Any:
    """A secret as the trail holds it: not the secret, a digest of it, so that a secret changed in the
    database behind the application's back no longer matches its last entry (older entries: REDACTED)."""
    if value is None:
        return None
    return f"{REDACTED[:-1]} sha256:{hashlib.sha256(str(value).encode()).hexdigest()}>"


def snapshot_changes(session: Session) -> list[list]:
    """Before a flush: ``[action, object, before, after]`` for every audited pending change."""
    out: list[list] = []
    for obj in session.new:
        if obj.__table__.name not in SKIP_TABLES:
            out.append(["create", obj, None, None])
    for obj in session.dirty:
        if obj.__table__.name in SKIP_TABLES or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        before = {}
        for key in _columns(obj):
            hist = state.attrs[key].history
            old = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
            before[key] = _value(key, old)
        out.append(["update", obj, before, None])
    for obj in session.deleted:
        if obj.__table__.name not in SKIP_TABLES:
            values = {k: _value(k, getattr(obj, k)) for k in _columns(obj)}
            out.append(["delete", obj, values, None, _identity(obj)])
    return out


def complete_changes(changes: list[list]) -> None:
    """After a flush: fill in the values after the change and the identity (now assigned)."""
    for change in changes:
        action, obj = change[0], change[1]
        if action != "delete" and change[3] is None:
            change[3] = {k: _value(k, getattr(obj, k)) for k in _columns(obj)}
        if len(change) == 4:
            change.append(_identity(obj))


def record_changes(session: Session, changes: list[list], *, actor: str) -> int:
    """Append one entry per real change; returns how many were written."""
    written = 0
    for action, obj, before, after, entity_id in changes:
        if action == "update" and _jsonable(before) == _jsonable(after):
            continue
        append(
            session,
            actor=actor,
            action=action,
            entity=obj.__table__.name,
            entity_id=entity_id,
            before=before,
            after=after,
        )
        written += 1
    return written
