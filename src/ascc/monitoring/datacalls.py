"""Data calls: the ASEAN Secretariat asks member states for values (what DHIS2 calls a data set
and its reporting rate).

A call names indicators × periods × member states (national totals), a deadline and a message
(English, optionally Indonesian). Only the Secretariat opens one; the Secretariat sees every call, a
focal point the calls that ask its member state. Each asked member state gets a pre-filled template
(CSV or XLSX, the plain template's columns plus ``indicator_name`` and ``published_value``, which
the importer reads past): one row per expected value with the indicator's unit and the value
published now; the focal point fills ``value`` and uploads it as drafts, then submits as usual.

Completeness counts, per member state and per indicator, the expected values and how far each got
*since the call was opened*: ``approved``, ``submitted`` (waiting for review), else ``missing`` (a
draft not yet submitted, a rejected value, or nothing). A value is on time when its submission
(or, for a value the Secretariat imported as approved, its recording) is dated on or before the
deadline; a value still missing after the deadline is late.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.kit import clock
from ascc.kit.errors import Forbidden, Invalid, NotFound
from ascc.kit.spreadsheet import cells, template_workbook, xlsx_bytes
from ascc.monitoring import published, rules
from ascc.monitoring.imports.importer import PLAIN_COLUMNS, PLAIN_INFO
from ascc.monitoring.models import NATIONAL, TOTAL, DataCall, Indicator, Observation, Submission
from ascc.monitoring.signoff import require_reader
from ascc.registry import service as registry_service

MAX_TITLE = 300
MAX_MESSAGE = 4000
#: expected values of one call at most (indicators × periods × member states)
MAX_CELLS = 20_000
#: the template's columns: the plain template's, with the indicator's name and the published value
TEMPLATE_HEADER = (
    "series_code",
    PLAIN_INFO[0],
    "country_iso3",
    "region_scheme",
    "region_code",
    "period",
    "sex",
    "age",
    "urbanisation",
    "value",
    PLAIN_INFO[1],
    "obs_status",
    "unit",
    "source_id",
    "note",
)
assert set(TEMPLATE_HEADER) == set(PLAIN_COLUMNS) | set(PLAIN_INFO)
#: the years a call asks for (the importer's periods: annual)
YEAR = re.compile(r"[0-9]{4}")
STATUSES = ("approved", "submitted", "draft", "rejected", "missing")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes (stored in UTC); PostgreSQL aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _codes(values: list[str] | None, *, upper: bool = False) -> list[str]:
    out: list[str] = []
    for v in values or ():
        for part in str(v).split(","):
            part = part.strip().upper() if upper else part.strip()
            if part and part not in out:
                out.append(part)
    return out


def summary(row: DataCall, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or clock.today()
    return {
        "id": row.id,
        "title": row.title,
        "message": {"en": row.message_en, "id": row.message_id},
        "indicators": list(row.indicators),
        "periods": list(row.periods),
        "member_states": list(row.member_states),
        "deadline": row.deadline,
        "open": today <= row.deadline,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "expected": len(row.indicators) * len(row.periods) * len(row.member_states),
    }


def _call(session: Session, call_id: int) -> DataCall:
    row = session.get(DataCall, call_id)
    if row is None:
        raise NotFound(f"no data call {call_id}")
    return row


def _require_sees(principal: Principal, row: DataCall) -> None:
    """The Secretariat sees every call; a focal point the calls that ask its member state."""
    permissions.require_signed_in(principal)
    if principal.role is Role.secretariat:
        return
    if principal.role is Role.focal_point and principal.member_state in row.member_states:
        return
    if principal.role is Role.focal_point:
        raise Forbidden(f"data call {row.id} does not ask {principal.member_state}")
    raise Forbidden(
        "only the ASEAN Secretariat and the focal points of the member states asked see a data call"
    )


def create(
    session: Session,
    *,
    principal: Principal,
    title: str,
    indicators: list[str],
    periods: list[str],
    member_states: list[str],
    deadline: dt.date | str,
    message_en: str | None = None,
    message_id: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The Secretariat opens a data call. Bad input is ``Invalid`` naming the field; nothing is stored."""
    permissions.require_secretariat(principal)
    today = today or clock.today()
    title = (title or "").strip()
    if not title:
        raise Invalid("title: a data call needs a title", parameter="title")
    if len(title) > MAX_TITLE:
        raise Invalid(f"title: at most {MAX_TITLE} characters", parameter="title")
    messages = {}
    for field, text in (("message_en", message_en), ("message_id", message_id)):
        text = (text or "").strip() or None
        if text and len(text) > MAX_MESSAGE:
            raise Invalid(f"{field}: at most {MAX_MESSAGE} characters", parameter=field)
        messages[field] = text
    codes = _codes(indicators)
    if not codes:
        raise Invalid("indicators: name at least one indicator", parameter="indicators")
    rows = {r.code: r for r in session.scalars(select(Indicator).where(Indicator.code.in_(codes)))}
    unknown = [c for c in codes if c not in rows]
    if unknown:
        raise Invalid(f"indicators: unknown {', '.join(unknown)}", parameter="indicators")
    for c in codes:
        if rows[c].level != "national":
            raise Invalid(
                f"indicators: {c} is subnational; a data call asks for national values",
                parameter="indicators",
            )
        if published.computed_entry(rows[c]) is not None:
            raise Invalid(
                f"indicators: {c} is computed from other indicators; ask for its inputs",
                parameter="indicators",
            )
    wanted_periods = _codes(periods)
    if not wanted_periods:
        raise Invalid("periods: name at least one year", parameter="periods")
    last = rules.last_year(today)
    for p in wanted_periods:
        if not YEAR.fullmatch(p) or not rules.FIRST_YEAR <= int(p) <= last:
            raise Invalid(
                f"periods: {p!r} is not a year from {rules.FIRST_YEAR} to {last}", parameter="periods"
            )
    states = _codes(member_states, upper=True)
    if not states:
        raise Invalid("member_states: name at least one member state", parameter="member_states")
    known = {m.code for m in registry_service.list_member_states(session)}
    if [s for s in states if s not in known]:
        raise Invalid(
            f"member_states: unknown {', '.join(s for s in states if s not in known)}",
            parameter="member_states",
        )
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline.strip())
        except ValueError:
            raise Invalid(
                f"deadline: {deadline!r} is not a date (YYYY-MM-DD)", parameter="deadline"
            ) from None
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    if deadline < today:
        raise Invalid(f"deadline: {deadline.isoformat()} is in the past", parameter="deadline")
    if len(codes) * len(wanted_periods) * len(states) > MAX_CELLS:
        raise Invalid(f"indicators: a call asks for at most {MAX_CELLS} values", parameter="indicators")
    mark = session.scalar(select(func.max(Observation.id)))
    row = DataCall(
        title=title,
        indicators=sorted(codes),
        periods=sorted(wanted_periods),
        member_states=sorted(states),
        deadline=deadline,
        created_by=principal.label,
        created_at=clock.now(),
        observation_mark=mark or 0,
        **messages,
    )
    session.add(row)
    session.flush()
    return summary(row, today=today)


def list_calls(
    session: Session, *, principal: Principal, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every call for the Secretariat; a focal point's member state's calls; newest first."""
    permissions.require_signed_in(principal)
    if principal.role is not Role.secretariat and not (
        principal.role is Role.focal_point and principal.member_state
    ):
        raise Forbidden("only the ASEAN Secretariat and focal points see data calls")
    rows = session.scalars(select(DataCall).order_by(DataCall.id.desc()))
    return [
        summary(r, today=today)
        for r in rows
        if principal.role is Role.secretariat or principal.member_state in r.member_states
    ]


def _counts(cells_: list[dict[str, Any]]) -> dict[str, int]:
    n = {"expected": len(cells_), "submitted": 0, "approved": 0, "missing": 0, "on_time": 0, "late": 0}
    for c in cells_:
        n[c["status"] if c["status"] in ("approved", "submitted") else "missing"] += 1
        if c["timeliness"]:
            n[c["timeliness"]] += 1
    return n


def completeness(session: Session, row: DataCall, *, states: list[str], today: dt.date) -> dict[str, Any]:
    """Per member state (of ``states``) and indicator, each expected value's state since the call opened.

    A value answers the call when its row was recorded after the call opened (an id above the call's
    mark) or it was submitted after; a value published before does not count, even if recorded in
    the same second."""
    opened = _utc(row.created_at) or clock.now()  # never None: the column is NOT NULL
    mark = row.observation_mark
    stmt = (
        select(
            Observation.indicator_code,
            Observation.member_state,
            Observation.period,
            Observation.approval,
            Observation.is_current,
            Observation.recorded_at,
            Submission.submitted_at,
            Observation.id,
        )
        .outerjoin(Submission, Submission.id == Observation.submission_id)
        .where(
            Observation.indicator_code.in_(list(row.indicators)),
            Observation.member_state.in_(states),
            Observation.period.in_(list(row.periods)),
            Observation.area_code == NATIONAL,
            Observation.sex == TOTAL,
            Observation.age == TOTAL,
            Observation.urbanisation == TOTAL,
        )
    )
    found: dict[tuple[str, str, str], list[tuple[str, bool, dt.datetime]]] = {}
    for code, ms, period, approval, current, recorded, submitted, oid in session.execute(stmt):
        sent = _utc(submitted)
        at = sent if sent is not None else _utc(recorded)
        if mark is None:  # a call opened before calls kept a mark: by time, to the second
            answer = at is not None and at >= opened.replace(microsecond=0)
        else:
            answer = oid > mark or (sent is not None and sent >= opened)
        if answer and at is not None:
            found.setdefault((code, ms, period), []).append((approval, bool(current), max(at, opened)))
    overdue = today > row.deadline

    def cell(code: str, ms: str, period: str) -> dict[str, Any]:
        revisions = found.get((code, ms, period), [])
        status, at = "missing", None
        for wanted in ("approved", "submitted"):
            times = [a for approval, _, a in revisions if approval == wanted]
            if times:
                status, at = wanted, min(times)
                break
        else:
            current = [approval for approval, is_current, _ in revisions if is_current]
            if current and current[0] in ("draft", "rejected"):
                status = current[0]
        if at is not None:
            timeliness = "on_time" if at.date() <= row.deadline else "late"
        else:
            timeliness = "late" if overdue else None
        return {"period": period, "status": status, "timeliness": timeliness, "at": at}

    by_state = []
    per_indicator: dict[str, list[dict[str, Any]]] = {c: [] for c in row.indicators}
    everything: list[dict[str, Any]] = []
    for ms in states:
        indicators = []
        mine: list[dict[str, Any]] = []
        for code in row.indicators:
            cs = [cell(code, ms, p) for p in row.periods]
            indicators.append({"indicator": code, **_counts(cs), "cells": cs})
            per_indicator[code] += cs
            mine += cs
        everything += mine
        by_state.append({"member_state": ms, **_counts(mine), "indicators": indicators})
    return {
        "total": _counts(everything),
        "member_states": by_state,
        "indicators": [{"indicator": c, **_counts(cs)} for c, cs in per_indicator.items()],
    }


def describe(session: Session, *, principal: Principal, call_id: int) -> dict[str, Any]:
    """A call without its completeness (for a template's cover sheet)."""
    row = _call(session, call_id)
    _require_sees(principal, row)
    return summary(row)


def get_call(
    session: Session, *, principal: Principal, call_id: int, today: dt.date | None = None
) -> dict[str, Any]:
    """A call with its completeness: every member state's for the Secretariat, its own for a focal point."""
    row = _call(session, call_id)
    _require_sees(principal, row)
    today = today or clock.today()
    states = list(row.member_states) if principal.role is Role.secretariat else [principal.member_state or ""]
    names = dict(session.execute(select(Indicator.code, Indicator.name_en)).all())
    return summary(row, today=today) | {
        "indicator_names": {c: names.get(c) for c in row.indicators},
        "completeness": completeness(session, row, states=states, today=today),
    }


def template_rows(
    session: Session, *, principal: Principal, call_id: int, member_state: str
) -> list[dict[str, Any]]:
    """One row per expected value of ``member_state`` (the Secretariat, or that member state's focal
    point), with the indicator's name and unit and the value published now."""
    row = _call(session, call_id)
    member_state = (member_state or "").strip().upper()
    _require_sees(principal, row)
    if member_state not in row.member_states:
        raise Invalid(
            f"member_state: data call {row.id} does not ask {member_state or 'no member state'}",
            parameter="member_state",
        )
    require_reader(principal, member_state=member_state)
    indicators = {
        r.code: r for r in session.scalars(select(Indicator).where(Indicator.code.in_(row.indicators)))
    }
    now = {
        (o.indicator_code, o.period): o.value
        for o in published.published_rows(
            session,
            codes=row.indicators,
            member_states=[member_state],
            areas=[NATIONAL],
            sex=[TOTAL],
            age=[TOTAL],
            urbanisation=[TOTAL],
        )
    }
    out = []
    for code in row.indicators:
        ind = indicators.get(code)
        for period in row.periods:
            value = now.get((code, period))
            out.append(
                {
                    "series_code": code,
                    "indicator_name": ind.name_en if ind else "",
                    "country_iso3": member_state,
                    "region_scheme": "",
                    "region_code": "",
                    "period": period,
                    "sex": TOTAL,
                    "age": TOTAL,
                    "urbanisation": TOTAL,
                    "value": "",
                    "published_value": "" if value is None else value,
                    "obs_status": "",
                    "unit": (ind.unit if ind else "") or "",
                    "source_id": "",
                    "note": "",
                }
            )
    return out


def template_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TEMPLATE_HEADER)
    for r in rows:
        values = [f"{r[c]:.15g}" if isinstance(r[c], float) else r[c] for c in TEMPLATE_HEADER]
        w.writerow(cells(values))
    return buf.getvalue()


def template_xlsx(rows: list[dict[str, Any]], call: dict[str, Any]) -> bytes:
    """The rows on the first sheet (the one that is read); the call's title, deadline and message on
    a second sheet."""
    wb, ws = template_workbook(TEMPLATE_HEADER)
    for r in rows:
        ws.append(cells([r[c] if r[c] != "" else None for c in TEMPLATE_HEADER]))
    about = wb.create_sheet("data call")
    for label, value in (
        ("title", call["title"]),
        ("deadline", call["deadline"].isoformat()),
        ("message", call["message"]["en"] or ""),
        ("pesan", call["message"]["id"] or ""),
    ):
        about.append(cells([label, value]))
    return xlsx_bytes(wb)
