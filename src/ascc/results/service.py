"""Activities (programmes and projects): create, read, update, delete, and their links.

Writes take the principal and check it first: the ASEAN Secretariat, or the chair of the activity's
responsible body. Every reference is checked against its domain before anything is written; all
problems are reported together, each naming its field (``Invalid`` with ``errors``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db.concurrency import check_version, hold
from ascc.decisions import service as decisions_service
from ascc.disasters import service as disasters_service
from ascc.kit import clock
from ascc.kit.errors import Conflict, Forbidden, Invalid, NotFound
from ascc.registry import service as registry_service
from ascc.results import framework
from ascc.results import schemas as s
from ascc.results.models import Activity

FIELDS = tuple(s.ActivityWrite.model_fields)


def etag(row: Activity) -> str:
    return f'"activity-{row.id}-r{row.revision}"'


def _exists(call, **kwargs) -> bool:
    try:
        call(**kwargs)
    except NotFound:
        return False
    return True


def check(
    session: Session, *, principal: Principal, data: s.ActivityWrite, current: int | None = None
) -> None:
    """Every problem with ``data``, each naming its field; raises ``Invalid`` listing them all."""
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"parameter": field, "message": message})

    if not (data.title_en or data.title_id):
        bad("title_en", "a title is required (title_en or title_id)")
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        a, b = getattr(data, start), getattr(data, end)
        if a and b and b < a:
            bad(end, f"{end} {b} is before {start} {a}")
    if (data.budget is None) != (data.currency is None):
        bad("currency" if data.currency is None else "budget", "budget and currency go together")
    if data.budget_value_date and data.budget is None:
        bad("budget_value_date", "a value date needs a budget")
    if data.local_id and not data.reporting_org_ref:
        bad("reporting_org_ref", "the IATI identifier is the reporting organisation's ref + the local id")
    if data.programme_id and not _exists(
        registry_service.get_programme, session=session, programme_id=data.programme_id
    ):
        bad("programme_id", f"no registry programme {data.programme_id!r}")
    if data.sector and not _exists(registry_service.get_sector, session=session, sector_id=data.sector):
        bad("sector", f"no sector {data.sector!r}")
    if data.responsible_body and not _exists(
        registry_service.get_body, session=session, body_id=data.responsible_body
    ):
        bad("responsible_body", f"no body {data.responsible_body!r}")
    for i, b in enumerate(data.implementing_bodies):
        if not _exists(registry_service.get_body, session=session, body_id=b):
            bad(f"implementing_bodies[{i}]", f"no body {b!r}")
    partners = {p.id for p in registry_service.list_partners(session)}
    for i, p in enumerate(data.partners):
        if p.partner not in partners:
            bad(f"partners[{i}].partner", f"no partner {p.partner!r}")
    if data.funding_partner and data.funding_partner not in partners:
        bad("funding_partner", f"no partner {data.funding_partner!r}")
    if data.funding_fund:
        funds = {f.id for f in registry_service.list_programmes(session, kind="fund")}
        if data.funding_fund not in funds:
            bad("funding_fund", f"no fund {data.funding_fund!r} (one of {', '.join(sorted(funds))})")
    members = {m.code for m in registry_service.list_member_states(session)}
    for i, code in enumerate(data.member_states):
        if code not in members:
            bad(f"member_states[{i}]", f"{code!r} is not an ASEAN member state")
    for problem in split_problems(data.country_percentages, data.member_states):
        bad("country_percentages", problem)
    outcomes = framework.get_outcomes(session, keys=data.outcomes)
    for i, key in enumerate(data.outcomes):
        if key not in outcomes:
            bad(f"outcomes[{i}]", f"no plan outcome {key!r} (give plan-id/code, e.g. vnm-project-161/G1.O2)")
    for i, d in enumerate(data.decisions):
        if not _exists(decisions_service.get_item, session=session, principal=principal, item_id=d):
            bad(f"decisions[{i}]", f"no decision {d}")
    for i, e in enumerate(data.events):
        if not _exists(disasters_service.get_event, session=session, event_id=e):
            bad(f"events[{i}]", f"no disaster event {e}")
    for name, values in (
        ("implementing_bodies", data.implementing_bodies),
        ("member_states", data.member_states),
        ("outcomes", data.outcomes),
        ("decisions", data.decisions),
        ("events", data.events),
    ):
        if len(set(values)) != len(values):
            bad(name, "lists a value twice")
    identifier = _identifier(data)
    if identifier:
        clash = session.scalar(select(Activity.id).where(Activity.iati_identifier == identifier))
        if clash is not None and clash != current:
            bad("local_id", f"activity {clash} already has the IATI identifier {identifier}")
    if errors:
        raise Invalid(
            "; ".join(f"{e['parameter']}: {e['message']}" for e in errors),
            parameter=errors[0]["parameter"],
            errors=errors,
        )


def split_problems(split: dict[str, Decimal] | None, member_states: list[str]) -> list[str]:
    """What is wrong with a recorded split over the member states (empty: none, or a good one):
    it names every listed member state and no other, each share 0-100, together 100."""
    if not split:
        return []
    problems = []
    if set(split) != set(member_states):
        problems.append(
            f"names {', '.join(sorted(split)) or 'no member state'}; give a percentage for each listed "
            f"member state ({', '.join(member_states) or 'none listed'}) and no other"
        )
    for code, share in split.items():
        if not share.is_finite() or not 0 <= share <= 100:
            problems.append(f"{code}: {share} is not a percentage from 0 to 100")
    if all(x.is_finite() for x in split.values()) and sum(split.values()) != 100:
        problems.append(f"the percentages add up to {sum(split.values())}, not 100")
    return problems


def _identifier(data: s.ActivityWrite) -> str | None:
    if data.reporting_org_ref and data.local_id:
        return f"{data.reporting_org_ref}-{data.local_id}"
    return None


def _authorise(principal: Principal, *, body: str | None) -> None:
    permissions.require_secretariat_or_chair(principal, body_id=body)


def apply(row: Activity, data: s.ActivityWrite) -> None:
    values = data.model_dump()
    values["sector_id"] = values.pop("sector")
    values["country_percentages"] = (
        {k: str(v) for k, v in data.country_percentages.items()} if data.country_percentages else None
    )
    values["partners"] = [{"partner": p.partner, "role": p.role} for p in data.partners]
    for k, v in values.items():
        setattr(row, k, v)
    row.iati_identifier = _identifier(data)


def create_activity(
    session: Session,
    *,
    principal: Principal,
    data: s.ActivityWrite,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    _authorise(principal, body=data.responsible_body)
    check(session, principal=principal, data=data)
    now = clock.now()
    row = Activity(revision=1, created_at=now, updated_at=now, sources=sources or [])
    apply(row, data)
    session.add(row)
    session.flush()
    return activity_read(session, row)


def _load(session: Session, activity_id: int, *, lock: bool = False) -> Activity:
    row = hold(session, Activity, activity_id) if lock else session.get(Activity, activity_id)
    if row is None:
        raise NotFound(f"no activity {activity_id}")
    return row


def update_activity(
    session: Session,
    *,
    principal: Principal,
    activity_id: int,
    data: s.ActivityWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    row = _load(session, activity_id, lock=True)
    _authorise(principal, body=row.responsible_body)
    if (
        principal.role is not None
        and principal.role.value == "chair"
        and data.responsible_body != row.responsible_body
    ):
        raise Forbidden("a chair cannot hand an activity to another body")
    check_version(etag(row), if_match, what=f"activity {activity_id}")
    check(session, principal=principal, data=data, current=row.id)
    apply(row, data)
    row.revision += 1
    row.updated_at = clock.now()
    session.flush()
    return activity_read(session, row)


def delete_activity(
    session: Session, *, principal: Principal, activity_id: int, if_match: str | None = None
) -> None:
    row = _load(session, activity_id, lock=True)
    _authorise(principal, body=row.responsible_body)
    check_version(etag(row), if_match, what=f"activity {activity_id}")
    session.delete(row)
    session.flush()


def _names(session: Session) -> dict[str, dict[str, Any]]:
    return {
        "partners": {p.id: p.name.model_dump() for p in registry_service.list_partners(session)},
        "bodies": {
            b.id: {"acronym": b.acronym, "name": b.name.model_dump()}
            for b in registry_service.list_bodies(session, limit=500).items
        },
    }


def activity_read(session: Session, row: Activity, names: dict | None = None) -> dict[str, Any]:
    names = names or _names(session)
    outcomes = framework.get_outcomes(session, keys=row.outcomes or [])
    events = []
    for e in row.events or []:
        ev = disasters_service.get_event(session, event_id=e)
        events.append({k: ev[k] for k in ("id", "glide", "hazard", "hazard_name", "name", "start_date")})
    status = s.ACTIVITY_STATUS.get(row.status) if row.status else None
    return {
        "id": row.id,
        "etag": etag(row),
        "revision": row.revision,
        "programme_id": row.programme_id,
        "iati_identifier": row.iati_identifier,
        "reporting_org_ref": row.reporting_org_ref,
        "reporting_org_type": row.reporting_org_type,
        "reporting_org_name": row.reporting_org_name,
        "local_id": row.local_id,
        "title": {"en": row.title_en, "id": row.title_id},
        "description": {"en": row.description_en, "id": row.description_id},
        "sector": row.sector_id,
        "responsible_body": row.responsible_body,
        "implementing_bodies": row.implementing_bodies or [],
        "partners": [
            p
            | {
                "name": names["partners"].get(p["partner"]),
                "role_name": dict(zip(("en", "id"), s.ORGANISATION_ROLES[p["role"]], strict=True))
                if p.get("role")
                else None,
            }
            for p in row.partners or []
        ],
        "funding_fund": row.funding_fund,
        "funding_partner": row.funding_partner,
        "budget": row.budget,
        "currency": row.currency,
        "budget_value_date": row.budget_value_date,
        "planned_start": row.planned_start,
        "planned_end": row.planned_end,
        "actual_start": row.actual_start,
        "actual_end": row.actual_end,
        "status": row.status,
        "status_name": {"en": status[0], "id": status[1]} if status else None,
        "member_states": row.member_states or [],
        "country_percentages": (
            {k: Decimal(v) for k, v in row.country_percentages.items()} if row.country_percentages else None
        ),
        "outcomes": [framework.element_read(outcomes[k]) for k in row.outcomes or [] if k in outcomes],
        "decisions": row.decisions or [],
        "events": events,
        "sources": row.sources or [],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def get_activity(session: Session, *, activity_id: int) -> dict[str, Any]:
    return activity_read(session, _load(session, activity_id))


def list_activities(
    session: Session,
    *,
    event_id: int | None = None,
    plan_id: str | None = None,
    programme_id: str | None = None,
) -> list[dict[str, Any]]:
    """Activities in id order, optionally those linked to a disaster event, to an outcome of a plan,
    or being a registry programme."""
    rows = list(session.scalars(select(Activity).order_by(Activity.id)))
    if event_id is not None:
        rows = [r for r in rows if event_id in (r.events or [])]
    if plan_id is not None:
        rows = [r for r in rows if any(k.partition("/")[0] == plan_id for k in r.outcomes or [])]
    if programme_id is not None:
        rows = [r for r in rows if r.programme_id == programme_id]
    names = _names(session)
    return [activity_read(session, r, names) for r in rows]


def rows(session: Session) -> list[Activity]:
    return list(session.scalars(select(Activity).order_by(Activity.id)))


def rows_for_export(session: Session, *, ids: list[int] | None = None) -> list[Activity]:
    stmt = select(Activity).order_by(Activity.id)
    if ids:
        stmt = stmt.where(Activity.id.in_(ids))
    rows = list(session.scalars(stmt))
    if ids and len(rows) != len(set(ids)):
        missing = sorted(set(ids) - {r.id for r in rows})
        raise NotFound(f"no activity {', '.join(map(str, missing))}")
    if not rows:
        raise Conflict("there is no activity to export")
    return rows
