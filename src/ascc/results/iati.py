"""IATI 2.03 activity XML (lxml).

An activity is exported only when it has what the IATI 2.03 activity schema requires: identifier
(reporting organisation ref + local id), reporting organisation (ref, type, name), title,
description, at least one participating organisation with its role, status, at least one date,
and for a budget its value date and period (the planned dates). ``missing_fields`` lists what an
activity lacks; ``export`` writes the complete activities and lists the others with what each lacks
(never a made-up value); asked for named activities only, it refuses (409) when one is incomplete.
A budget is exported only when its period (the planned dates) is at most one year, as the IATI
rulesets require: a multi-year total is not split into years the record does not state, and the
activity's entry in ``notes`` says so.

Mapping: the responsible body is the accountable organisation (role 2), implementing bodies role 4,
partners their recorded role, the funding partner or fund role 1; member states are recipient
countries (ISO 3166-1 alpha-2); the sector uses vocabulary 99 (the reporting organisation's own,
the registry's sector ids); each linked disaster event with a GLIDE number becomes a
humanitarian-scope of type 1 (emergency) in vocabulary 1-2 (GLIDE), and marks the activity
humanitarian.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from ascc.disasters import service as disasters_service
from ascc.kit import clock
from ascc.kit.errors import Conflict
from ascc.registry import service as registry_service
from ascc.results.models import Activity

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: IATI ActivityDateType codes
DATE_TYPES = (("planned_start", "1"), ("actual_start", "2"), ("planned_end", "3"), ("actual_end", "4"))


def _orgs(row: Activity) -> list[tuple[str, str, int | None]]:
    """(kind, id, role) for every participating organisation, in IATI role order."""
    orgs: list[tuple[str, str, int | None]] = []
    if row.funding_partner:
        orgs.append(("partner", row.funding_partner, 1))
    if row.funding_fund:
        orgs.append(("fund", row.funding_fund, 1))
    if row.responsible_body:
        orgs.append(("body", row.responsible_body, 2))
    orgs += [("partner", p["partner"], p.get("role")) for p in row.partners or []]
    orgs += [("body", b, 4) for b in row.implementing_bodies or []]
    return orgs


def missing_fields(row: Activity) -> list[str]:
    """What the IATI 2.03 schema needs and the activity does not have (empty: exportable)."""
    missing = [
        f
        for f in ("reporting_org_ref", "reporting_org_type", "reporting_org_name", "local_id")
        if not getattr(row, f)
    ]
    if not (row.title_en or row.title_id):
        missing.append("title")
    if not (row.description_en or row.description_id):
        missing.append("description_en or description_id")
    orgs = _orgs(row)
    if not orgs:
        missing.append(
            "a participating organisation (responsible_body, implementing_bodies, partners or funding)"
        )
    missing += [f"partners[{i}].role" for i, p in enumerate(row.partners or []) if not p.get("role")]
    if row.status is None:
        missing.append("status")
    if not any(getattr(row, f) for f, _ in DATE_TYPES):
        missing.append("an activity date (planned_start, actual_start, planned_end or actual_end)")
    if row.budget is not None:
        missing += [f for f in ("budget_value_date", "planned_start", "planned_end") if not getattr(row, f)]
    # the IATI rulesets (rule ids in brackets): no transactions are exported, so the activity itself
    # needs a sector (6.2.2) and a recipient country (3.7.1); several countries need their shares
    # (3.1.1, 3.1.2), which are never guessed; actual dates are not in the future (11.1.4, 11.1.5);
    # identifiers hold no / & | ? (1.3.13, 1.14.13)
    if not row.sector_id:
        missing.append("sector")
    if not row.member_states:
        missing.append("member_states")
    elif len(row.member_states) > 1 and not row.country_percentages:
        missing.append("country_percentages (the split over the member states)")
    today = clock.now().date()
    missing += [
        f"{f} not in the future"
        for f in ("actual_start", "actual_end")
        if (d := getattr(row, f)) and d > today
    ]
    missing += [
        f"{f} without / & | ?"
        for f in ("reporting_org_ref", "local_id")
        if set(getattr(row, f) or "") & set("/&|?")
    ]
    return missing


def _narratives(parent: etree._Element, en: str | None, id_: str | None) -> None:
    if en:
        etree.SubElement(parent, "narrative").text = en
    if id_:
        etree.SubElement(parent, "narrative", {XML_LANG: "id"}).text = id_


def _activity(session: Session, row: Activity, names: dict[str, Any]) -> etree._Element:
    attrs = {XML_LANG: "en", "last-updated-datetime": _stamp(row.updated_at)}
    if row.currency:
        attrs["default-currency"] = row.currency
    glides = []
    for e in row.events or []:
        event = disasters_service.get_event(session, event_id=e)
        if event["glide"]:
            glides.append(event)
    if glides:
        attrs["humanitarian"] = "1"
    a = etree.Element("iati-activity", attrs)
    etree.SubElement(a, "iati-identifier").text = row.iati_identifier
    org = etree.SubElement(a, "reporting-org", {"ref": row.reporting_org_ref, "type": row.reporting_org_type})
    etree.SubElement(org, "narrative").text = row.reporting_org_name
    _narratives(etree.SubElement(a, "title"), row.title_en, row.title_id)
    _narratives(etree.SubElement(a, "description", {"type": "1"}), row.description_en, row.description_id)
    for kind, ident, role in _orgs(row):
        p = etree.SubElement(a, "participating-org", {"role": str(role)})
        name = names[kind].get(ident) or {}
        _narratives(p, name.get("en") or (None if name.get("id") else ident), name.get("id"))
    etree.SubElement(a, "activity-status", {"code": str(row.status)})
    for field, code in DATE_TYPES:
        if getattr(row, field):
            etree.SubElement(a, "activity-date", {"type": code, "iso-date": getattr(row, field).isoformat()})
    split = row.country_percentages or {}
    for code in row.member_states or []:
        country = {"code": names["iso2"][code]} | ({"percentage": split[code]} if code in split else {})
        etree.SubElement(a, "recipient-country", country)
    if row.sector_id:
        sector = etree.SubElement(a, "sector", {"vocabulary": "99", "code": row.sector_id})
        name = names["sectors"].get(row.sector_id) or {}
        _narratives(sector, name.get("en") or (None if name.get("id") else row.sector_id), name.get("id"))
    for event in glides:
        scope = etree.SubElement(
            a, "humanitarian-scope", {"type": "1", "vocabulary": "1-2", "code": event["glide"]}
        )
        _narratives(scope, event["name"] or event["hazard_name"]["en"], None)
    if row.budget is not None and _budget_fits(row):
        budget = etree.SubElement(a, "budget")
        etree.SubElement(budget, "period-start", {"iso-date": row.planned_start.isoformat()})
        etree.SubElement(budget, "period-end", {"iso-date": row.planned_end.isoformat()})
        value = etree.SubElement(
            budget, "value", {"currency": row.currency, "value-date": row.budget_value_date.isoformat()}
        )
        value.text = f"{row.budget:.2f}"
    return a


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _names(session: Session) -> dict[str, Any]:
    programmes = {p.id: p.name.model_dump() for p in registry_service.list_programmes(session)}
    return {
        "partner": {p.id: p.name.model_dump() for p in registry_service.list_partners(session)},
        "body": {b.id: b.name.model_dump() for b in registry_service.list_bodies(session, limit=500).items},
        "fund": programmes,
        "sectors": {x.id: x.name.model_dump() for x in registry_service.list_sectors(session)},
        "iso2": {m.code: m.iso2 for m in registry_service.list_member_states(session)},
    }


@dataclasses.dataclass
class Export:
    """The document, the activities left out (id, title, what each lacks) and notes on what was
    left out of the exported ones (a budget over more than a year)."""

    xml: bytes
    left_out: list[dict[str, Any]]
    notes: list[str]


def _budget_fits(row: Activity) -> bool:
    """IATI's budget rule: a period of at most one year."""
    if row.budget is None or not (row.planned_start and row.planned_end):
        return True
    start = row.planned_start
    a_year_on = (
        dt.date(start.year + 1, 3, 1)
        if (start.month, start.day) == (2, 29)
        else start.replace(year=start.year + 1)
    )
    return row.planned_end < a_year_on


def export(
    session: Session, *, rows: list[Activity], now: dt.datetime | None = None, named: bool = False
) -> Export:
    """The ``iati-activities`` document of the complete activities among ``rows``, with the
    incomplete ones listed. ``named`` (the caller asked for these activities): ``Conflict`` (409)
    listing, per activity, the fields the schema needs that it lacks, when any does."""
    incomplete = [
        {"id": r.id, "title": r.title_en or r.title_id, "missing": m}
        for r in rows
        if (m := missing_fields(r))
    ]
    if incomplete and named:
        detail = "; ".join(
            f"activity {i['id']} ({i['title']}) lacks {', '.join(i['missing'])}" for i in incomplete
        )
        raise Conflict(f"not exportable to IATI 2.03: {detail}", activities=incomplete)
    left = {i["id"] for i in incomplete}
    names = _names(session)
    root = etree.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": _stamp(now or clock.now())}
    )
    notes = []
    for i in incomplete:
        root.append(etree.Comment(f" not exported: activity {i['id']} lacks {', '.join(i['missing'])} "))
    for r in rows:
        if r.id in left:
            continue
        if not _budget_fits(r):
            notes.append(
                f"activity {r.id}: budget not exported, its period {r.planned_start}–{r.planned_end} "
                "is over one year and no yearly budgets are recorded"
            )
        root.append(_activity(session, r, names))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Export(xml, incomplete, notes)
