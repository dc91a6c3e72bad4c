"""Results pages: the activity list and one activity (with what the IATI export still needs).
The plan page shows its results framework and the disaster event page its linked programmes
(``web.pages.plan``, ``web.disasters.disaster``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf
from ascc.kit.errors import DomainError, Invalid
from ascc.registry import service as registry_service
from ascc.results import iati
from ascc.results import schemas as s
from ascc.results import service as results_service
from ascc.results.models import Activity
from ascc.web.pages import page, registry_names, render

actions = APIRouter(include_in_schema=False)
STATUS_NAMES = {k: {"en": v[0], "id": v[1]} for k, v in s.ACTIVITY_STATUS.items()}
ROLE_NAMES = {k: {"en": v[0], "id": v[1]} for k, v in s.ORGANISATION_ROLES.items()}


@page("/activities", "activities.html")
def activities(session: Session, request: Request) -> dict[str, Any]:
    items = results_service.list_activities(session)
    missing = {a["id"]: iati.missing_fields(session.get(Activity, a["id"])) for a in items}
    return {"activities": items, "missing": missing, "statuses": STATUS_NAMES}


def activity(session: Session, request: Request, activity_id: str) -> dict[str, Any]:
    if not activity_id.isdigit() or len(activity_id) > 9:
        raise Invalid(f"{activity_id!r} is not an activity number", parameter="activity_id")
    detail = results_service.get_activity(session, activity_id=int(activity_id))
    return {
        "activity": detail,
        "missing": iati.missing_fields(session.get(Activity, detail["id"])),
        "names": registry_names(session),
    }


# --- forms (the Secretariat, or the responsible body's chair) ------------------------------------


def _choices(session: Session) -> dict[str, Any]:
    return {
        "sectors": registry_service.list_sectors(session),
        "bodies": registry_service.list_bodies(session, limit=500).items,
        "partners": registry_service.list_partners(session),
        "funds": registry_service.list_programmes(session, kind="fund"),
        "programmes": registry_service.list_programmes(session),
        "member_states": registry_service.list_member_states(session),
        "statuses": STATUS_NAMES,
        "roles": ROLE_NAMES,
        "org_types": s.ORGANISATION_TYPES,
    }


def _form(session: Session, request: Request, activity_id: str | None) -> dict[str, Any]:
    principal = request.state.principal
    if activity_id is None:
        permissions.require_secretariat_or_chair(principal, body_id=principal.body_id)
        values: dict[str, Any] = {
            "partners": [],
            "member_states": [],
            "implementing_bodies": [],
            "outcomes": [],
            "decisions": [],
            "events": [],
            "title": {},
            "description": {},
        }
        if principal.body_id:
            values["responsible_body"] = principal.body_id
        return {"values": values, "action": "/activities/new", "revision": None} | _choices(session)
    detail = activity(session, request, activity_id)["activity"]
    permissions.require_secretariat_or_chair(principal, body_id=detail["responsible_body"])
    return {
        "values": detail,
        "action": f"/activities/{detail['id']}/edit",
        "revision": detail["etag"],
    } | _choices(session)


@page("/activities/new", "activity_form.html")
def new_activity(session: Session, request: Request) -> dict[str, Any]:
    return _form(session, request, None)


@page("/activities/{activity_id}/edit", "activity_form.html")
def edit_activity(session: Session, request: Request, activity_id: str) -> dict[str, Any]:
    return _form(session, request, activity_id)


def _words(raw: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", raw.strip()) if w]


def _numbers(raw: str, field: str) -> list[int]:
    out = []
    for w in _words(raw):
        if not w.isdigit() or len(w) > 9:
            raise Invalid(f"{field}: {w!r} is not a record number", parameter=field)
        out.append(int(w))
    return out


def _split(raw: str) -> dict[str, str] | None:
    """``PHL=60, IDN=40`` (member state = percentage) as typed in the form."""
    split = {}
    for w in _words(raw):
        code, sep, share = w.partition("=")
        if not (sep and code and share):
            raise Invalid(
                f"country_percentages: {w!r} is not member state=percentage (e.g. PHL=60)",
                parameter="country_percentages",
            )
        split[code] = share
    return split or None


def _data(form: dict[str, Any]) -> s.ActivityWrite:
    opt = {k: (str(form.get(k) or "").strip() or None) for k in TEXT_FIELDS}
    partners = [
        s.PartnerRole(partner=p, role=int(r) if r else None)
        for p, r in zip(form["partner"], form["partner_role"], strict=False)
        if p
    ]
    return s.ActivityWrite(
        **opt,
        status=int(form["status"]) if form.get("status") else None,
        partners=partners,
        member_states=form["member_states"],
        country_percentages=_split(form.get("country_percentages") or ""),
        implementing_bodies=_words(form.get("implementing_bodies", "")),
        outcomes=_words(form.get("outcomes", "")),
        decisions=_numbers(form.get("decisions", ""), "decisions"),
        events=_numbers(form.get("events", ""), "events"),
    )


TEXT_FIELDS = (
    "programme_id",
    "reporting_org_ref",
    "reporting_org_type",
    "reporting_org_name",
    "local_id",
    "title_en",
    "title_id",
    "description_en",
    "description_id",
    "sector",
    "responsible_body",
    "funding_fund",
    "funding_partner",
    "budget",
    "currency",
    "budget_value_date",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)


async def _submitted(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {k: form.get(k) for k in form}
    for many in ("partner", "partner_role", "member_states"):
        values[many] = form.getlist(many)
    check_csrf(request, values.get("csrf"))
    return values


def _save(
    request: Request, values: dict[str, Any], work: Callable, again: tuple[Callable, str | None]
) -> Response:
    """Run one write in its own unit of work; a refusal shows the form again with the reasons and the
    values as typed, and writes nothing."""
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            target = work(session, principal, _data(values))
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Invalid(
                "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                )
            )
        build, arg = again
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = build(session, request, arg) if arg is not None else build(session, request)
        typed = ctx["values"] | {k: v for k, v in values.items() if k != "csrf"}
        typed["title"] = {"en": values.get("title_en"), "id": values.get("title_id")}
        typed["description"] = {"en": values.get("description_en"), "id": values.get("description_id")}
        typed["partners"] = [
            {"partner": p, "role": int(r) if r.isdigit() else None}
            for p, r in zip(values["partner"], values["partner_role"], strict=False)
            if p
        ]
        for k in ("implementing_bodies", "outcomes", "decisions", "events"):
            typed[k] = _words(values.get(k) or "")
        return render(
            request, "activity_form.html", ctx | {"values": typed, "error": exc.detail}, status=exc.status
        )
    return RedirectResponse(target, status_code=303)


@actions.post("/activities/new")
async def create_activity_form(request: Request) -> Response:
    values = await _submitted(request)

    def work(session, principal, data):
        return f"/activities/{results_service.create_activity(session, principal=principal, data=data)['id']}"

    return _save(request, values, work, (_form_new, None))


@actions.post("/activities/{activity_id}/edit")
async def edit_activity_form(request: Request, activity_id: int) -> Response:
    values = await _submitted(request)

    def work(session, principal, data):
        results_service.update_activity(
            session,
            principal=principal,
            activity_id=activity_id,
            data=data,
            if_match=values.get("revision") or None,
        )
        return f"/activities/{activity_id}"

    return _save(request, values, work, (edit_activity, str(activity_id)))


@actions.post("/activities/{activity_id}/delete")
async def delete_activity_form(request: Request, activity_id: int) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        results_service.delete_activity(
            session, principal=principal, activity_id=activity_id, if_match=form.get("revision") or None
        )
    return RedirectResponse("/activities", status_code=303)


def _form_new(session: Session, request: Request) -> dict[str, Any]:
    return _form(session, request, None)


# registered after /activities/new, which "/activities/{activity_id}" would otherwise take
page("/activities/{activity_id}", "activity.html")(activity)
