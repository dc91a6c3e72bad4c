"""My work: ``/me`` (and ``/me.json``) lists what waits for the signed-in person, by role, each
entry linking to the page where the person acts. The header shows the number of waiting things
(``waiting_count``, hooked into ``web.pages``).

Everything is read through the domains' services, a few queries per section whatever the number
of items: a focal point's positions and clearances due, its member state's rejected submissions
and unsubmitted drafts, and the open data calls that still miss values from its member state (with
what is missing, one query per call); a chair's open items per stage and its body's next meetings;
the Secretariat's sign-off queue, silence procedures ending soon, assistance requests without
offers, overdue data calls (deadline passed, values missing) and the completeness of the open ones;
the AHA Centre's open assistance requests and events without a recent situation report. The open
calls' completeness informs the Secretariat and is not counted as waiting (``INFO_SECTIONS``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.decisions import schemas as decision_schemas
from ascc.decisions import service as decisions_service
from ascc.disasters import assistance, sitreps
from ascc.kit import clock
from ascc.meetings import service as meetings_service
from ascc.monitoring import datacalls, signoff
from ascc.web import pages

#: a silence procedure "ends soon" when its deadline is at most this far away
SILENCE_SOON = dt.timedelta(days=14)
#: an event under way "needs a situation report" when none was written or revised for this long
SITREP_DAYS = 7
STAGES = [st.value for st in decision_schemas.STAGES]
#: the Secretariat's overdue data calls: those whose deadline passed at most this long ago
OVERDUE_WINDOW = dt.timedelta(days=365)
#: sections that inform and are not things waiting (not in the counts)
INFO_SECTIONS = frozenset({"open_data_calls"})
ANSWERED = ("approved", "submitted")


def _item(state: decision_schemas.FormulationState, **extra: Any) -> dict[str, Any]:
    return {
        "id": state.id,
        "title": {"en": state.title_en, "id": state.title_id},
        "body_id": state.body_id,
        "version": state.version,
        "silence_deadline": state.silence_deadline,
        "url": f"/decisions/{state.id}",
        **extra,
    }


def _call(c: dict[str, Any], counts: dict[str, Any], today: dt.date) -> dict[str, Any]:
    return {
        "id": c["id"],
        "title": c["title"],
        "deadline": c["deadline"],
        "days_left": (c["deadline"] - today).days,
        **{k: counts[k] for k in ("expected", "submitted", "approved", "missing")},
        "url": f"/data-calls/{c['id']}",
    }


def _data_calls(session: Session, principal: Principal, today: dt.date) -> list[dict[str, Any]]:
    """The open calls asking the focal point's member state that still miss values from it."""
    out = []
    for c in datacalls.list_calls(session, principal=principal, today=today):
        if not c["open"]:
            continue
        call = datacalls.get_call(session, principal=principal, call_id=c["id"], today=today)
        (mine,) = call["completeness"]["member_states"]
        if not mine["missing"]:
            continue
        missing = [
            {
                "indicator": ind["indicator"],
                "name": call["indicator_names"].get(ind["indicator"]),
                "periods": [cell["period"] for cell in ind["cells"] if cell["status"] not in ANSWERED],
            }
            for ind in mine["indicators"]
            if ind["missing"]
        ]
        out.append(
            _call(c, mine, today)
            | {
                "missing_values": missing,
                "template_xlsx": f"/data-calls/{c['id']}/template.xlsx",
                "template_csv": f"/data-calls/{c['id']}/template.csv",
            }
        )
    return sorted(out, key=lambda e: (e["deadline"], e["id"]))


def _secretariat_calls(
    session: Session, principal: Principal, today: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """Overdue calls (deadline passed within ``OVERDUE_WINDOW``, values missing) and open calls."""
    overdue, open_ = [], []
    for c in datacalls.list_calls(session, principal=principal, today=today):
        if not c["open"] and c["deadline"] < today - OVERDUE_WINDOW:
            continue
        done = datacalls.get_call(session, principal=principal, call_id=c["id"], today=today)["completeness"]
        total = done["total"]
        if c["open"]:
            share = (
                round(100 * (total["submitted"] + total["approved"]) / total["expected"])
                if total["expected"]
                else 100
            )
            open_.append(_call(c, total, today) | {"percent": share})
        elif total["missing"]:
            late = [
                {"member_state": m["member_state"], "missing": m["missing"]}
                for m in done["member_states"]
                if m["missing"]
            ]
            overdue.append(_call(c, total, today) | {"member_states_missing": late})
    return {
        "overdue_data_calls": sorted(overdue, key=lambda e: (e["deadline"], e["id"])),
        "open_data_calls": sorted(open_, key=lambda e: (e["deadline"], e["id"])),
    }


def _focal_point(session: Session, principal: Principal, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    code = principal.member_state
    assert code is not None
    states = [
        st
        for st in decisions_service.formulation_states(session, principal=principal, member_state=code)
        if not principal.sectors or st.sector_id is None or st.sector_id in principal.sectors
    ]
    positions_due = [_item(st) for st in states if st.version is not None and st.position is None]
    clearances_due = [
        _item(st, clearance_due=st.position.clearance_due)
        for st in states
        if st.position is not None
        and st.position.kind is decision_schemas.PositionKind.ad_referendum
        and st.position.cleared_on is None
    ]
    rejected = [
        {
            "id": r["id"],
            "reviewed_by": r["reviewed_by"],
            "reviewed_at": r["reviewed_at"],
            "comment": r["comment"],
            "indicators": r["counts"].get("indicators") or [],
            "url": f"/submissions/{r['id']}",
        }
        for r in signoff.open_rejections(session, principal=principal, member_state=code)
    ]
    drafts = [
        {"indicator": d["indicator"], "name": d["name"], "drafts": d["draft"], "url": "/submissions/new"}
        for d in signoff.drafts(session, principal=principal, member_state=code)["indicators"]
        if d["draft"]
    ]
    return {
        "positions_due": positions_due,
        "clearances_due": clearances_due,
        "rejected_submissions": rejected,
        "drafts": drafts,
        "data_calls": _data_calls(session, principal, today),
    }


def _chair(session: Session, principal: Principal, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    body_id = principal.body_id
    assert body_id is not None
    items = decisions_service.list_items(session, principal=principal, status="open", body_id=body_id)
    order = {st: i for i, st in enumerate(STAGES)}
    entries = [
        {
            "id": it.id,
            "title": {"en": it.title_en, "id": it.title_id},
            "stage": it.stage.value,
            "url": f"/decisions/{it.id}",
        }
        for it in sorted(items, key=lambda it: (order[it.stage.value], it.id))
    ]
    meetings = [
        m | {"url": f"/meetings/{m['meeting_id']}" if m["meeting_id"] else f"/bodies/{body_id}"}
        for m in meetings_service.next_meetings(session, principal=principal, body_id=body_id, today=today)
    ]
    return {"items": entries, "meetings": meetings}


def _secretariat(session: Session, principal: Principal, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    queue = [
        {
            "id": r["id"],
            "member_state": r["member_state"],
            "submitted_by": r["submitted_by"],
            "submitted_at": r["submitted_at"],
            "observations": r["counts"].get("observations"),
            "url": f"/submissions/{r['id']}",
        }
        for r in reversed(signoff.list_submissions(session, principal=principal, state="submitted"))
    ]
    silences = sorted(
        (
            _item(st)
            for st in decisions_service.formulation_states(session, principal=principal)
            if st.silence_deadline is not None and st.silence_deadline <= now + SILENCE_SOON
        ),
        key=lambda e: e["silence_deadline"],
    )
    requests = [_request(r) for r in assistance.open_requests(session, without_offers=True)]
    return {
        "signoff_queue": queue,
        "silences_ending": silences,
        "requests_without_offers": requests,
        **_secretariat_calls(session, principal, now.date()),
    }


def _request(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "event_id": r["event_id"],
        "member_state": r["member_state"],
        "title": r["title"],
        "offers": r["offers"],
        "created_at": r["created_at"],
        "url": f"/disasters/requests/{r['id']}",
    }


def _aha_centre(session: Session, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    events = [
        e | {"url": f"/disasters/{e['id']}"}
        for e in sitreps.events_without_recent_sitrep(session, days=SITREP_DAYS, now=now)
    ]
    return {
        "open_requests": [_request(r) for r in assistance.open_requests(session)],
        "events_without_sitrep": events,
    }


def sections(
    session: Session, principal: Principal, *, now: dt.datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """What waits for ``principal``, section by section (an empty dict: nothing to act on here)."""
    now = now or clock.now()
    if principal.role is Role.focal_point and principal.member_state:
        return _focal_point(session, principal, now.date())
    if principal.role is Role.chair and principal.body_id:
        return _chair(session, principal, now.date())
    if principal.role is Role.secretariat:
        return _secretariat(session, principal, now)
    if principal.role is Role.aha_centre:
        return _aha_centre(session, now)
    return {}


def waiting_count(session: Session, principal: Principal) -> int:
    """The number shown next to "My work" in the header."""
    return count_waiting(sections(session, principal))


def count_waiting(found: dict[str, list[dict[str, Any]]]) -> int:
    return sum(len(entries) for key, entries in found.items() if key not in INFO_SECTIONS)


@pages.page("/me", "me.html")
def me(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_signed_in(principal)
    found = sections(session, principal)
    count = count_waiting(found)
    request.state.waiting = count  # the header's count, without asking twice
    stage_counts = (
        {st: sum(1 for it in found["items"] if it["stage"] == st) for st in STAGES}
        if ("items" in found)
        else None
    )
    return {
        "role": principal.role.value if principal.role else None,
        "member_state": principal.member_state,
        "body_id": principal.body_id,
        "count": count,
        "sections": found,
        "stage_counts": stage_counts,
        "silence_soon_days": SILENCE_SOON.days,
        "sitrep_days": SITREP_DAYS,
    }


pages.waiting_count = waiting_count
