"""Results pages: the activity list and one activity (with what the IATI export still needs).
The plan page shows its results framework and the disaster event page its linked programmes
(``web.pages.plan``, ``web.disasters.disaster``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from ascc.kit.errors import Invalid
from ascc.results import iati
from ascc.results import schemas as s
from ascc.results import service as results_service
from ascc.results.models import Activity
from ascc.web.pages import page

STATUS_NAMES = {k: {"en": v[0], "id": v[1]} for k, v in s.ACTIVITY_STATUS.items()}


@page("/activities", "activities.html")
def activities(session: Session, request: Request) -> dict[str, Any]:
    items = results_service.list_activities(session)
    missing = {a["id"]: iati.missing_fields(session.get(Activity, a["id"])) for a in items}
    return {"activities": items, "missing": missing, "statuses": STATUS_NAMES}


@page("/activities/{activity_id}", "activity.html")
def activity(session: Session, request: Request, activity_id: str) -> dict[str, Any]:
    if not activity_id.isdigit() or len(activity_id) > 9:
        raise Invalid(f"{activity_id!r} is not an activity number", parameter="activity_id")
    detail = results_service.get_activity(session, activity_id=int(activity_id))
    return {"activity": detail, "missing": iati.missing_fields(session.get(Activity, detail["id"]))}
