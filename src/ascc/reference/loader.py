"""Load the checked reference set into the database, idempotently.

Each reference row remembers the fingerprint (``ref_digest``) of the reference values it was last
loaded with. On a later run, for each record:

- no row yet → created;
- row still equals what was loaded (no user edit) → updated to the new reference values, if any;
- row was edited by a user and the reference did not change → left alone;
- row was edited by a user *and* the reference changed → left alone and reported as a conflict.

Nothing is committed here: the caller's unit of work makes the whole load all-or-nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ascc.audit.provenance import Kept
from ascc.kit.digest import digest
from ascc.reference import schema
from ascc.reference.files import ReferenceSet
from ascc.registry import models as m


@dataclasses.dataclass
class Conflict:
    table: str
    key: str
    fields: list[str]

    def __str__(self) -> str:
        return f"{self.table} {self.key}: edited here and changed in the reference ({', '.join(self.fields)})"


@dataclasses.dataclass
class LoadReport:
    created: dict[str, int] = dataclasses.field(default_factory=dict)
    updated: dict[str, int] = dataclasses.field(default_factory=dict)
    unchanged: dict[str, int] = dataclasses.field(default_factory=dict)
    kept_edits: dict[str, int] = dataclasses.field(default_factory=dict)
    conflicts: list[Conflict] = dataclasses.field(default_factory=list)
    #: every record left as someone edited it (kept edits and conflicts), the first few named
    kept: Kept = dataclasses.field(default_factory=Kept)

    def bump(self, counter: dict[str, int], table: str) -> None:
        counter[table] = counter.get(table, 0) + 1


def _dump(items: list) -> list[dict[str, Any]]:
    return [i.model_dump(mode="json", exclude_none=False) for i in items]


def _tracked(rec: schema._Sourced) -> dict[str, Any]:
    return {"sources": _dump(rec.sources), "corrections": _dump(rec.corrections)}


def _member_state(r: schema.MemberState) -> dict[str, Any]:
    return {"iso2": r.iso2, "name_en": r.name_en, "name_id": r.name_id, "joined": r.joined} | _tracked(r)


def _pillar(r: schema.Pillar) -> dict[str, Any]:
    return r.model_dump(include={"name_en", "name_id", "description_en", "description_id"}) | _tracked(r)


def _sector(r: schema.Sector) -> dict[str, Any]:
    v = r.model_dump(include={"name_en", "name_id", "summary_en", "summary_id"})
    return v | {"pillar_id": r.pillar} | _tracked(r)


def _partner(r: schema.Partner) -> dict[str, Any]:
    return {"name_en": r.name_en, "name_id": r.name_id, "kind": str(r.kind)} | _tracked(r)


def _format(r: schema.PartnerFormat) -> dict[str, Any]:
    return {"name_en": r.name_en, "name_id": r.name_id, "partners": list(r.partners)} | _tracked(r)


def _body(r: schema.Body) -> dict[str, Any]:
    return {
        "acronym": r.acronym,
        "name_en": r.name_en,
        "name_id": r.name_id,
        "level": str(r.level),
        "sector_id": r.sector,
        "other_sectors": list(r.other_sectors),
        "inferences": _dump(r.inferences),
        "pillar_id": r.pillar,
        "partner_format_id": r.partner_format,
        "meeting_interval": str(r.meeting_interval) if r.meeting_interval else None,
        "chair_rotation": r.chair_rotation.model_dump(mode="json") if r.chair_rotation else None,
        "established": r.established,
        "dates": _dump(r.dates),
        "dates_note": r.dates_note,
        "formats": _dump(r.formats),
        "mandate_en": r.mandate_en,
        "mandate_id": r.mandate_id,
        "composition_id": r.composition_id,
        "reports_to": list(r.reports_to),
    } | _tracked(r)


def _focal_point(r: schema.FocalPoint) -> dict[str, Any]:
    return {
        "member_state": r.member_state,
        "sector_id": r.sector,
        "agency_name_id": r.agency_name_id,
        "agency_name_en": r.agency_name_en,
        "agency_acronym": r.agency_acronym,
    } | _tracked(r)


def _plan(r: schema.Plan) -> dict[str, Any]:
    v = r.model_dump(mode="json", exclude={"id", "sources", "corrections", "adopted"})
    return v | {"adopted": r.adopted} | _tracked(r)


def _programme(r: schema.Programme) -> dict[str, Any]:
    return r.model_dump(mode="json", exclude={"id", "sources", "corrections"}) | _tracked(r)


def _meeting(r: schema.Meeting) -> dict[str, Any]:
    v = r.model_dump(mode="json", exclude={"id", "sources", "corrections", "body", "date_start", "date_end"})
    return v | {"body_id": r.body, "date_start": r.date_start, "date_end": r.date_end} | _tracked(r)


def _statistic(r: schema.Statistic) -> dict[str, Any]:
    v = r.model_dump(mode="json", exclude={"id", "sources", "corrections", "sector"})
    return v | {"sector_id": r.sector} | _tracked(r)


def _statement(r: schema.Statement) -> dict[str, Any]:
    table, _, key = r.subject.partition("/")
    return {
        "kind": str(r.kind),
        "subject_type": table,
        "subject_id": key,
        "text_id": r.text_id,
        "text_en": r.text_en,
    } | _tracked(r)


@dataclasses.dataclass(frozen=True)
class _Spec:
    name: str
    model: type
    key: Callable[[Any], dict[str, Any]]
    values: Callable[[Any], dict[str, Any]]
    #: the record's place in its file is a value too (``position``: statements keep the file's order)
    ordered: bool = False


SPECS = (
    _Spec("member_states", m.MemberState, lambda r: {"code": r.code}, _member_state),
    _Spec("pillars", m.Pillar, lambda r: {"id": r.id}, _pillar),
    _Spec("sectors", m.Sector, lambda r: {"id": r.id}, _sector),
    _Spec("partners", m.Partner, lambda r: {"id": r.id}, _partner),
    _Spec("formats", m.PartnerFormat, lambda r: {"id": r.id}, _format),
    _Spec("bodies", m.Body, lambda r: {"id": r.id}, _body),
    _Spec(
        "focal_points",
        m.FocalPoint,
        lambda r: {"member_state": r.member_state, "sector_id": r.sector, "agency_name_id": r.agency_name_id},
        _focal_point,
    ),
    _Spec("plans", m.Plan, lambda r: {"id": r.id}, _plan),
    _Spec("programmes", m.Programme, lambda r: {"id": r.id}, _programme),
    _Spec("meetings", m.Meeting, lambda r: {"id": r.id}, _meeting),
    _Spec("statistics", m.Statistic, lambda r: {"id": r.id}, _statistic),
    _Spec("statements", m.Statement, lambda r: {"id": r.id}, _statement, ordered=True),
)


#: columns added after rows were first loaded (migrations 0030, 0032): left out of a digest while empty,
#: so that a row loaded before (NULL there) keeps the digest it was loaded with and still reads as
#: unedited, and a record that leaves them empty keeps its digest too
_ADDED_LATER = frozenset({"other_sectors", "inferences", "dates", "dates_note", "date_url"})


def _digest(values: dict[str, Any]) -> str:
    return digest({k: v for k, v in values.items() if not (k in _ADDED_LATER and v in (None, []))})


def _current(row: Any, fields: list[str]) -> dict[str, Any]:
    out = {}
    for f in fields:
        if f == "reports_to":
            out[f] = [line.target_id for line in row.reporting]
        else:
            out[f] = getattr(row, f)
    return out


def _apply(row: Any, values: dict[str, Any]) -> None:
    for f, v in values.items():
        if f == "reports_to":
            row.reporting = [m.ReportingLine(target_id=t, position=i) for i, t in enumerate(v)]
        else:
            setattr(row, f, v)


def _find(session: Session, spec: _Spec, key: dict[str, Any]) -> Any:
    stmt = select(spec.model).filter_by(**key)
    if spec.model is m.Body:
        stmt = stmt.options(selectinload(m.Body.reporting))
    return session.scalars(stmt).one_or_none()


def _label(key: dict[str, Any]) -> str:
    return "/".join(str(v) for v in key.values())


def load_reference(session: Session, ref: ReferenceSet) -> LoadReport:
    """Write ``ref`` into the database; see the module docstring for the rules. Flushes only."""
    report = LoadReport()
    deferred_lines: list[tuple[Any, list[str]]] = []
    for spec in SPECS:
        for position, rec in enumerate(ref[spec.name]):
            key = spec.key(rec)
            values = spec.values(rec) | ({"position": position} if spec.ordered else {})
            new_digest = _digest(values)
            row = _find(session, spec, key)
            if row is None:
                row = spec.model(**key)
                lines = values.pop("reports_to", None)
                if lines is not None:
                    row.reporting = []  # an empty, loaded collection: filled once all bodies exist
                _apply(row, values)
                row.ref_digest = new_digest
                session.add(row)
                if lines is not None:
                    deferred_lines.append((row, lines))
                report.bump(report.created, spec.name)
                continue
            current = _current(row, list(values))
            if _digest(current) == row.ref_digest:
                if new_digest == row.ref_digest:
                    report.bump(report.unchanged, spec.name)
                else:
                    _apply(row, values)
                    row.ref_digest = new_digest
                    report.bump(report.updated, spec.name)
            elif new_digest == row.ref_digest:
                report.bump(report.kept_edits, spec.name)
                report.kept.add(f"{spec.name} {_label(key)}", "edited since it was loaded")
            else:
                changed = sorted(f for f in values if current.get(f) != values[f])
                report.conflicts.append(Conflict(spec.name, _label(key), changed))
                report.kept.add(f"{spec.name} {_label(key)}", "edited here; the reference changed it too")
        session.flush()
    for row, lines in deferred_lines:
        row.reporting = [m.ReportingLine(target_id=t, position=i) for i, t in enumerate(lines)]
    session.flush()
    return report
