"""The composition root for storage: sessions whose commits are audited and bump the data version.

Every session made by ``session_factory`` records each committed change in the audit chain (with
``session.info["actor"]`` as the actor, ``"system"`` if unset) and increments the data version
that response caches key on, in the same transaction as the change itself. It also refreshes the
search index entries of every written record (``ascc.knowledge.index.sync``) before the commit,
and adds the notifications (and queued e-mails) that a flush's changes cause
(``ascc.notifications.events.derive``) to the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ascc.audit import service as audit_service
from ascc.db import version
from ascc.knowledge import index as search_index
from ascc.notifications import events as notification_events

PENDING = "ascc_pending_changes"


class AuditedSession(Session):
    """A session with the audit and data-version hooks (see the module docstring)."""


@event.listens_for(AuditedSession, "before_flush")
def _before_flush(session: Session, _ctx, _instances) -> None:
    notification_events.derive(session)  # first: the notifications it adds are audited too
    session.info.setdefault(PENDING, []).extend(audit_service.snapshot_changes(session))
    search_index.touch(session, [*session.new, *session.dirty, *session.deleted])


@event.listens_for(AuditedSession, "after_flush")
def _after_flush(session: Session, _ctx) -> None:
    audit_service.complete_changes(session.info.get(PENDING, []))


@event.listens_for(AuditedSession, "after_flush_postexec")
def _after_flush_postexec(session: Session, _ctx) -> None:
    notification_events.derive_after(session)  # what needs the ids the flush assigned


@event.listens_for(AuditedSession, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()
    session.flush()  # what the first flush's own hooks added (``derive_after``); else a no-op
    if session.info.get(PENDING):
        # one order for the rows every commit shares: the audit head, then the search index's
        # and the data version's (without it two commits deadlock on PostgreSQL under load)
        audit_service.hold_head(session)
    search_index.sync(session)  # the search index follows every committed write
    changes = session.info.pop(PENDING, [])
    if changes:
        actor = session.info.get("actor", "system")
        if audit_service.record_changes(session, changes, actor=actor):
            version.bump(session)


@event.listens_for(AuditedSession, "after_commit")
def _after_commit(session: Session) -> None:
    search_index.done(session)


@event.listens_for(AuditedSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    search_index.done(session)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=AuditedSession, expire_on_commit=False, autoflush=True)
