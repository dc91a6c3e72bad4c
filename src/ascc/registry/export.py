"""Exports of the registry: plain JSON, CSV tables, and Popolo JSON (organizations and memberships).

Popolo (https://www.popoloproject.com/specs/) has no organisation-to-organisation relation besides
``parent_id``: a body's first reporting line becomes its ``parent_id`` and every reporting line is
also a membership with ``role: "reports to"`` whose ``member`` is the reporting body. Member states
are organizations classified ``member state``, members of every ASEAN body from their admission.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ascc.kit.pagination import MAX_LIMIT
from ascc.kit.spreadsheet import record
from ascc.registry import service as registry_service


def _all_bodies(session: Session) -> list:
    out, offset = [], 0
    while True:
        page = registry_service.list_bodies(session, limit=MAX_LIMIT, offset=offset)
        out.extend(page.items)
        offset += MAX_LIMIT
        if offset >= page.total:
            return out


def registry_json(session: Session) -> dict[str, list[dict[str, Any]]]:
    tables = {
        "member_states": registry_service.list_member_states(session),
        "pillars": registry_service.list_pillars(session),
        "sectors": registry_service.list_sectors(session),
        "partners": registry_service.list_partners(session),
        "formats": registry_service.list_formats(session),
        "bodies": _all_bodies(session),
        "focal_points": registry_service.list_focal_points(session),
        "plans": registry_service.list_plans(session),
        "programmes": registry_service.list_programmes(session),
        "meetings": registry_service.list_meetings(session),
        "statistics": registry_service.list_statistics(session),
        "statements": registry_service.list_statements(session),
    }
    return {name: [r.model_dump(mode="json") for r in rows] for name, rows in tables.items()}


def _flatten(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        if set(value) <= {"en", "id"}:
            return value.get("en") or value.get("id") or ""
        return "; ".join(f"{k}={_flatten(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict) and "file" in v:
                parts.append(v.get("url") or f"{v['file']}: {v.get('quote')}")
            else:
                parts.append(_flatten(v))
        return " | ".join(parts)
    return str(value)


def registry_csv(session: Session) -> dict[str, str]:
    """One CSV text per table; localised texts become ``<field>_en`` and ``<field>_id`` columns."""
    tables = {}
    for name, rows in registry_json(session).items():
        if not rows:
            continue
        columns: list[str] = []
        flat_rows = []
        for row in rows:
            flat: dict[str, str] = {}
            for key, value in row.items():
                if isinstance(value, dict) and set(value) <= {"en", "id"} and value:
                    flat[f"{key}_en"] = value.get("en") or ""
                    flat[f"{key}_id"] = value.get("id") or ""
                else:
                    flat[key] = _flatten(value)
            for key in flat:
                if key not in columns:
                    columns.append(key)
            flat_rows.append(flat)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(record(row) for row in flat_rows)  # texts neutralised for spreadsheets
        tables[name] = buf.getvalue()
    return tables


def _popolo_sources(sources: list, pages: Mapping[str, str]) -> list[dict[str, str]]:
    out = []
    for s in sources:
        if s.url:
            out.append({"url": s.url})
        elif s.file in pages:
            out.append({"url": pages[s.file], "note": s.quote or ""})
        else:
            out.append({"url": f"seed:{s.file}", "note": s.quote or ""})
    return out


def registry_popolo(session: Session, *, pages: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``pages``: the address of the page of each seed file a source quotes (the knowledge base
    serves the seeds as documents), so that a source is a link a reader can follow; a seed without
    a page stays ``seed:<file>``."""
    pages = pages or {}
    states = registry_service.list_member_states(session)
    bodies = _all_bodies(session)
    organizations: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    for st in states:
        organizations.append(
            {
                "id": st.code,
                "name": st.name.en,
                "other_names": [{"name": st.name.id, "note": "id"}],
                "classification": "member state",
                "identifiers": [
                    {"scheme": "ISO 3166-1 alpha-3", "identifier": st.code},
                    {"scheme": "ISO 3166-1 alpha-2", "identifier": st.iso2},
                ],
                "sources": _popolo_sources(st.sources, pages),
            }
        )
    for b in bodies:
        other = [{"name": b.name.id, "note": "id"}] if b.name.id else []
        if b.acronym:
            other.append({"name": b.acronym, "note": "acronym"})
        org: dict[str, Any] = {
            "id": b.id,
            "name": b.name.en,
            "other_names": other,
            "classification": b.level,
            "parent_id": b.reports_to_ids[0] if b.reports_to_ids else None,
            "sources": _popolo_sources(b.sources, pages),
        }
        if b.established:
            org["founding_date"] = str(b.established)
        organizations.append(org)
        for target in b.reports_to_ids:
            memberships.append(
                {
                    "id": f"{b.id}--reports-to--{target}",
                    "role": "reports to",
                    "member": {"@type": "Organization", "id": b.id},
                    "organization_id": target,
                }
            )
        if b.partner_format is None and b.level not in ("secretariat_unit", "foundation", "award", "fund"):
            for st in states:
                memberships.append(
                    {
                        "id": f"{st.code}--member-of--{b.id}",
                        "role": "member state",
                        "member": {"@type": "Organization", "id": st.code},
                        "organization_id": b.id,
                        "start_date": st.joined.isoformat(),
                    }
                )
    return {"organizations": organizations, "memberships": memberships}
