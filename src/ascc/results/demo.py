"""Demo activities: the registry's programmes and projects, as the seeds describe them.

Only what the registry records is filled in (title, description, sector, partners, member states,
sources); the seeds give no dates, budgets, statuses, partner roles or IATI identifiers, so those stay
empty and the IATI export lists them as missing. Idempotent: a programme that already has an
activity is skipped (an activity people edited is never changed), and so is one whose activity a
person deleted: loading again does not bring it back.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts.schemas import Principal, Role
from ascc.audit.provenance import Kept, person_deletions
from ascc.kit import clock
from ascc.registry import service as registry_service
from ascc.results import schemas as s
from ascc.results import service as results_service
from ascc.results.models import Activity

KINDS = ("programme", "project")
#: decision items are not read for demo activities; a principal is needed only to check them
_LOADER = Principal(name="results loader", role=Role.secretariat)


def load_demo(session: Session, *, kept: Kept | None = None) -> tuple[int, int]:
    """Create an activity for each registry programme or project that has none and whose activity no
    person deleted (those are counted in ``kept``). Returns (created, already there). Flushes only."""
    have = set(session.scalars(select(Activity.programme_id).where(Activity.programme_id.is_not(None))))
    deleted = {b.get("programme_id"): b for b in person_deletions(session, entity=Activity.__tablename__)}
    kept = kept if kept is not None else Kept()
    created = skipped = 0
    for kind in KINDS:
        for p in registry_service.list_programmes(session, kind=kind):
            if p.id in have:
                skipped += 1
                continue
            if p.id in deleted:
                kept.add(f"programme {p.id}", "its activity was deleted by a person")
                continue
            data = s.ActivityWrite(
                programme_id=p.id,
                title_en=p.name.en,
                title_id=p.name.id,
                description_en=p.description.en,
                description_id=p.description.id,
                sector=p.sectors[0] if p.sectors else None,
                partners=[s.PartnerRole(partner=x) for x in p.partners],
                member_states=p.member_states,
            )
            results_service.check(session, principal=_LOADER, data=data)
            now = clock.now()
            row = Activity(
                revision=1,
                created_at=now,
                updated_at=now,
                sources=[x.model_dump(exclude_none=True) for x in p.sources],
            )
            results_service.apply(row, data)
            session.add(row)
            created += 1
    session.flush()
    return created, skipped
