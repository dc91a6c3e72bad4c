"""Reading and marking one's notifications, one's preferences, and the Secretariat's outbox view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.kit import clock
from ascc.kit.errors import Invalid
from ascc.notifications.models import (
    EMAIL_CHOICES,
    LANGUAGES,
    Notification,
    NotificationPreference,
    OutboxMessage,
)

OUTBOX_STATES = ("queued", "sent", "dead")


def _row(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
        "unread": n.read_at is None,
    }


def list_notifications(session: Session, *, principal: Principal, limit: int = 200) -> list[dict[str, Any]]:
    permissions.require_signed_in(principal)
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == principal.user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [_row(n) for n in rows]


def unread_count(session: Session, *, principal: Principal) -> int:
    if not principal.is_authenticated:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == principal.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, *, principal: Principal, notification_id: int | None = None) -> int:
    """Mark one of one's notifications (or, without an id, all of them) read; returns how many."""
    permissions.require_signed_in(principal)
    stmt = select(Notification).where(
        Notification.user_id == principal.user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    now = clock.now()
    rows = list(session.scalars(stmt))
    for n in rows:  # through the ORM: every change is audited
        n.read_at = now
    session.flush()
    return len(rows)


def get_preferences(session: Session, *, principal: Principal) -> dict[str, str]:
    permissions.require_signed_in(principal)
    pref = session.get(NotificationPreference, principal.user_id)
    return {"email": pref.email if pref else "immediate", "language": pref.language if pref else "en"}


def set_preferences(session: Session, *, principal: Principal, email: str, language: str) -> dict[str, str]:
    permissions.require_signed_in(principal)
    if email not in EMAIL_CHOICES:
        raise Invalid(f"email: one of {', '.join(EMAIL_CHOICES)}", parameter="email")
    if language not in LANGUAGES:
        raise Invalid(f"language: one of {', '.join(LANGUAGES)}", parameter="language")
    pref = session.get(NotificationPreference, principal.user_id)
    if pref is None:
        pref = NotificationPreference(user_id=principal.user_id)
        session.add(pref)
    pref.email, pref.language = email, language
    session.flush()
    return get_preferences(session, principal=principal)


def outbox(
    session: Session, *, principal: Principal, status: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """The e-mail outbox for the Secretariat: counts per status and the latest messages."""
    permissions.require_secretariat(principal)
    if status is not None and status not in OUTBOX_STATES:
        raise Invalid(f"status: one of {', '.join(OUTBOX_STATES)}", parameter="status")
    counts = dict.fromkeys(OUTBOX_STATES, 0)
    for state, n in session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ):
        counts[state] = n
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    messages = [
        {
            "id": m.id,
            "to": m.to_addr,
            "subject": m.subject,
            "status": m.status,
            "attempts": m.attempts,
            "next_attempt_at": m.next_attempt_at if m.status == "queued" else None,
            "last_error": m.last_error,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
        }
        for m in session.scalars(stmt)
    ]
    return {"counts": counts, "status": status, "messages": messages}


def requeue_dead(session: Session, *, principal: Principal | None) -> int:
    """Give dead messages a new round of attempts (after the mail server was fixed); returns how many.
    ``principal`` None is the operator's console."""
    if principal is not None:
        permissions.require_secretariat(principal)
    now = clock.now()
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead")))
    for m in rows:
        m.status, m.attempts, m.next_attempt_at = "queued", 0, now
    session.flush()
    return len(rows)
