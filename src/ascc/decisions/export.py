"""Adopted decisions for others to reuse: Popolo motions and vote events, and Atom entries.

Popolo has no reservation or ad referendum: each member state's vote is ``yes`` (joined, with a
reservation or after capital clearance, the nuance in ``note``) or ``no``; under a silence
procedure a member state that did not object is recorded ``yes`` with the note "silence".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from ascc.accounts.schemas import Principal
from ascc.decisions import service as decisions_service
from ascc.registry import service as registry_service

OPTION = {"join": "yes", "reservation": "yes", "ad_referendum": "yes", "object": "no"}


def adopted(session: Session, *, principal: Principal) -> list:
    items = decisions_service.list_items(session, principal=principal, status="adopted")
    return [decisions_service.get_item(session, principal=principal, item_id=i.id) for i in items]


def _votes(item) -> list[dict[str, Any]]:
    by_state = {p.member_state: p for p in item.positions}
    votes = []
    members = item.consensus.members if item.consensus else sorted(by_state)
    for code in members:
        p = by_state.get(code)
        if p is None:
            votes.append({"voter_id": code, "option": "yes", "note": "silence"})
            continue
        note = {
            "reservation": f"reservation: {p.text}",
            "ad_referendum": f"ad referendum, cleared {p.cleared_on}",
        }
        vote = {"voter_id": code, "option": OPTION[p.kind.value]}
        if p.kind.value in note:
            vote["note"] = note[p.kind.value]
        votes.append(vote)
    return votes


def _time(day: dt.date) -> str:
    """Popolo's ``date`` of a motion and ``start_date`` of a vote event are ``date-time``: an adoption
    is a day, given as its start in UTC (as the Atom feed gives it)."""
    return f"{day.isoformat()}T00:00:00Z"


def popolo(session: Session, *, principal: Principal, base_url: str) -> dict[str, Any]:
    """``base_url``: where the platform is read (``ASCC_SITE_URL``, else the request's), so that each
    motion and vote event names the decision's page as its source."""
    base_url = base_url.rstrip("/")
    items = adopted(session, principal=principal)
    states = registry_service.list_member_states(session)
    organizations = [{"id": m.code, "name": m.name.en, "classification": "member state"} for m in states]
    body_ids = sorted({i.body_id for i in items})
    for bid in body_ids:
        b = registry_service.get_body(session, body_id=bid)
        organizations.append({"id": b.id, "name": b.name.en, "classification": b.level})
    memberships = [
        {
            "id": f"{m.code}--member-of--{bid}",
            "role": "member state",
            "member": {"@type": "Organization", "id": m.code},
            "organization_id": bid,
            "start_date": m.joined.isoformat(),
        }
        for bid in body_ids
        for m in states
    ]
    motions, vote_events = [], []
    for item in items:
        text = item.proposals[-1] if item.proposals else None
        motion_id = f"decision-{item.id}-v{text.number if text else 0}"
        sources = [{"url": f"{base_url}/decisions/{item.id}", "note": "the decision's page"}]
        motions.append(
            {
                "id": motion_id,
                "organization_id": item.body_id,
                "text": text.text_en if text else item.title_en,
                "classification": item.adoption_method,
                "date": _time(item.adopted_on),
                "result": "pass",
                "title": item.title_en,
                "sources": sources,
            }
        )
        votes = _votes(item)
        counts = Counter(v["option"] for v in votes)
        vote_events.append(
            {
                "id": f"decision-{item.id}",
                "motion_id": motion_id,
                "organization_id": item.body_id,
                "start_date": _time(item.adopted_on),
                "result": "pass",
                "votes": votes,
                "counts": [{"option": k, "value": v} for k, v in sorted(counts.items())],
                "sources": sources,
            }
        )
    return {
        "organizations": organizations,
        "memberships": memberships,
        "motions": motions,
        "vote_events": vote_events,
    }
