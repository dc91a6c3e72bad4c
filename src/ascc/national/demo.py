"""Demo national plans: Viet Nam's Project 161 and its Programme of Action for the ASEAN Community
Vision 2045, as seed 004 states them (``data/national_plans.yaml``).

Idempotent and never reverting a person's work: a plan already loaded (its ``ref_key``) is left as it
is, whatever people changed in it since, and one a person deleted is not brought back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.audit.provenance import Kept, person_deletions
from ascc.kit import clock
from ascc.national import schemas as s
from ascc.national import service
from ascc.national.models import NationalPlan

NATIONAL_PLANS = Path(__file__).parent / "data" / "national_plans.yaml"
PLAN_FIELDS = (
    "member_state",
    "title_en",
    "title_id",
    "period_start",
    "period_end",
    "ministries",
    "registry_plan_id",
    "regional_plan_id",
    "note",
    "sources",
)


def read(path: Path = NATIONAL_PLANS) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_demo(session: Session, *, path: Path = NATIONAL_PLANS, kept: Kept | None = None) -> tuple[int, int]:
    """Create the seeded national plans that are not there yet. Returns (created, already there).
    Each is checked as a person's input would be. Flushes only."""
    kept = kept if kept is not None else Kept()
    have = set(session.scalars(select(NationalPlan.ref_key).where(NationalPlan.ref_key.is_not(None))))
    deleted = {b.get("ref_key") for b in person_deletions(session, entity=NationalPlan.__tablename__)}
    created = skipped = 0
    for entry in read(path):
        key = entry["key"]
        if key in have:
            skipped += 1
            continue
        if key in deleted:
            kept.add(f"national plan {key}", "deleted by a person")
            continue
        data = s.PlanWrite(**{k: entry[k] for k in PLAN_FIELDS if k in entry})
        service.check_plan(session, data)
        now = clock.now()
        row = NationalPlan(
            ref_key=key,
            status=entry["status"],
            revision=1,
            created_at=now,
            updated_at=now,
            consultation_ministries=entry.get("consultation_ministries") or [],
        )
        service.apply_plan(row, data)
        session.add(row)
        session.flush()
        measures = {}
        for m in entry.get("measures") or []:
            md = s.MeasureWrite(**m)
            measures[md.code] = service.new_measure(row.id, md)
            session.add(measures[md.code])
        session.flush()
        for r in entry.get("results") or []:
            rd = s.ResultWrite(**r)
            session.add(service.new_result(row.id, measures[rd.measure].id if rd.measure else None, rd))
        created += 1
    session.flush()
    return created, skipped
