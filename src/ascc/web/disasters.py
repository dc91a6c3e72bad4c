"""Disaster pages: the event list with filters, one event with its sources, statistics."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from ascc.disasters import service as disasters_service
from ascc.disasters.hazards import HAZARDS
from ascc.kit.errors import Invalid
from ascc.registry import service as registry_service
from ascc.web.pages import page


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not raw.isdigit():
        raise Invalid(f"{name}={raw!r} is not a whole number", parameter=name)
    return int(raw)


@page("/disasters", "disasters.html")
def disasters(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    filters = {"member_state": qp.get("member_state") or None, "hazard": qp.get("hazard") or None,
               "year": _int(request, "year")}  # fmt: skip
    offset = _int(request, "offset", 0)
    result = disasters_service.list_events(session, **filters, limit=50, offset=offset)
    return {"events": result.items, "total": result.total, "offset": offset, "limit": 50,
            "pages": math.ceil(result.total / 50) if result.total else 1, "filters": filters,
            "hazards": {k: {"en": v[1], "id": v[2]} for k, v in HAZARDS.items()},
            "member_states": registry_service.list_member_states(session)}  # fmt: skip


@page("/disasters/stats", "disaster_stats.html")
def disaster_stats(session: Session, request: Request) -> dict[str, Any]:
    return {"stats": disasters_service.statistics(session),
            "hazards": {k: {"en": v[1], "id": v[2]} for k, v in HAZARDS.items()}}  # fmt: skip


@page("/disasters/alerts", "disaster_alerts.html")
def disaster_alerts(session: Session, request: Request) -> dict[str, Any]:
    return {"alerts": disasters_service.list_alerts(session, current=True)}


@page("/disasters/{event_id}", "disaster.html")
def disaster(session: Session, request: Request, event_id: str) -> dict[str, Any]:
    if not event_id.isdigit():
        raise Invalid(f"{event_id!r} is not an event number", parameter="event_id")
    return {"event": disasters_service.get_event(session, event_id=int(event_id))}
