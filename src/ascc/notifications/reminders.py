"""Time-based reminders, derived by the notify job (``ascc notify run``, the ``ascc serve --jobs``
loop), never inside a request.

- A data call's deadline nears (``data_call_reminder``): :data:`REMINDER_DAYS` before the deadline
  (7 days and 1 day), the active focal points of each member state asked that still has missing
  values (neither submitted nor approved since the call opened, ``monitoring.datacalls.completeness``)
  are told what is missing. A member state that has submitted everything gets none. A threshold
  that had already passed when the call opened is skipped (the opening notification said it).
- A meeting's paper deadline nears (``papers_due_reminder``): the same days before a recorded
  meeting's paper deadline (``meetings.cycle.preparatory_deadlines``), the chairs of the meeting's
  body and the ASEAN Secretariat.

When the job has not run for a while, only the tightest threshold reached is sent (never two at
once). Each reminder made is recorded (``ReminderSent``: a key naming the event, its date and the
threshold, and the user) with the notification, so running the job again sends none twice; a
changed deadline is a new key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ascc.accounts.models import User
from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.kit import clock
from ascc.meetings import cycle
from ascc.monitoring import datacalls
from ascc.monitoring.models import DataCall
from ascc.notifications.events import _focal_points, _notify, _secretariat, _users
from ascc.notifications.models import ReminderSent
from ascc.registry import service as registry_service

#: days before a deadline at which a reminder goes out, widest first
REMINDER_DAYS = (7, 1)
#: at most this many indicators are named in a reminder's list of what is missing
MAX_NAMED = 20
ANSWERED = ("approved", "submitted")


def _when(days: int) -> dict[str, str]:
    if days == 0:
        return {"en": "today", "id": "hari ini"}
    if days == 1:
        return {"en": "tomorrow", "id": "besok"}
    return {"en": f"in {days} days", "id": f"dalam {days} hari"}


def threshold(days_left: int, *, opened_days_before: int | None = None) -> int | None:
    """The tightest threshold of :data:`REMINDER_DAYS` reached ``days_left`` days before a deadline
    (None before the first and after the deadline). ``opened_days_before``: how many days before the
    deadline the thing opened; a threshold reached before (or on) that day is not a reminder."""
    if days_left < 0:
        return None
    reached = [
        t for t in REMINDER_DAYS if days_left <= t and (opened_days_before is None or t < opened_days_before)
    ]
    return min(reached) if reached else None


def _remind(
    session: Session,
    recipients: list,
    *,
    key: str,
    kind: str,
    link: str,
    fields: dict[str, dict[str, Any]],
    now: dt.datetime,
) -> int:
    """Notify those of ``recipients`` not yet reminded under ``key``; record them. Returns how many."""
    done = set(session.scalars(select(ReminderSent.user_id).where(ReminderSent.key == key)))
    fresh = [(u, p) for u, p in recipients if u.id not in done]
    made = _notify(session, fresh, kind=kind, link=link, fields=fields, now=now)
    for note in made:
        session.add(ReminderSent(key=key, user_id=note.user_id, sent_at=now))
    return len(made)


def _missing(state: dict[str, Any]) -> dict[str, str]:
    parts = []
    for ind in state["indicators"]:
        periods = [c["period"] for c in ind["cells"] if c["status"] not in ANSWERED]
        if periods:
            parts.append(f"{ind['indicator']} ({', '.join(periods)})")
    shown = "; ".join(parts[:MAX_NAMED])
    more = len(parts) - MAX_NAMED
    if more > 0:
        return {"en": f"{shown}; and {more} more indicators", "id": f"{shown}; dan {more} indikator lainnya"}
    return {"en": shown, "id": shown}


def data_call_reminders(session: Session, *, now: dt.datetime) -> int:
    """Remind the focal points of member states with missing values of open calls near their deadline."""
    today = now.date()
    made = 0
    for call in session.scalars(select(DataCall).where(DataCall.deadline >= today).order_by(DataCall.id)):
        opened = call.created_at if call.created_at.tzinfo else call.created_at.replace(tzinfo=dt.UTC)
        opened_before = (call.deadline - opened.astimezone(dt.UTC).date()).days
        t = threshold((call.deadline - today).days, opened_days_before=opened_before)
        if t is None:
            continue
        found = datacalls.completeness(session, call, states=list(call.member_states), today=today)
        when = _when((call.deadline - today).days)
        for state in found["member_states"]:
            if not state["missing"]:
                continue
            code = state["member_state"]
            details = _missing(state)
            common = {
                "title": call.title,
                "deadline": call.deadline.isoformat(),
                "member_state": code,
                "missing": state["missing"],
                "expected": state["expected"],
            }
            fields = {lang: {**common, "when": when[lang], "details": details[lang]} for lang in ("en", "id")}
            made += _remind(
                session,
                _focal_points(session, member_state=code),
                key=f"data_call:{call.id}:{call.deadline.isoformat()}:{t}",
                kind="data_call_reminder",
                link=f"/data-calls/{call.id}",
                fields=fields,
                now=now,
            )
    return made


def paper_reminders(session: Session, *, now: dt.datetime) -> int:
    """Remind the chairs of a meeting's body and the Secretariat that the meeting's papers are due."""
    today = now.date()
    made = 0
    for meeting in registry_service.list_meetings(session):
        if meeting.date_start is None or meeting.date_start < today:
            continue
        due = cycle.preparatory_deadlines(meeting.date_start)["papers_due"]
        t = threshold((due - today).days)
        if t is None:
            continue
        title = meeting.title.model_dump()
        when = _when((due - today).days)
        common = {"due": due.isoformat(), "date": meeting.date_start.isoformat()}
        fields = {
            "en": {**common, "title": title["en"], "when": when["en"]},
            "id": {**common, "title": title.get("id") or title["en"], "when": when["id"]},
        }
        chairs = _users(session, User.role == Role.chair.value, User.body_id == meeting.body)
        made += _remind(
            session,
            chairs + _secretariat(session),
            key=f"papers:{meeting.id}:{due.isoformat()}:{t}",
            kind="papers_due_reminder",
            link=f"/meetings/{meeting.id}",
            fields=fields,
            now=now,
        )
    return made


def derive(session: Session, *, now: dt.datetime | None = None) -> int:
    """Make every reminder due at ``now`` not made yet; returns how many notifications were made."""
    now = now or clock.now()
    made = data_call_reminders(session, now=now) + paper_reminders(session, now=now)
    session.flush()
    return made


def run(factory: sessionmaker[Session], *, now: dt.datetime | None = None) -> int:
    """The job's step: :func:`derive` in its own transaction (actor ``notify``)."""
    with unit_of_work(factory) as session:
        session.info["actor"] = "notify"
        return derive(session, now=now)
