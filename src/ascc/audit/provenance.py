"""Who wrote a record last, for the loaders' rule: insert what is missing, update only what the
loader wrote itself and nobody touched since, never change what a person wrote.

A person is a signed-in account: the actor ``user:<id>`` (``Principal.actor``), set on the session by
a request, a page or a command run ``--as`` someone. Loaders run as ``cli:<command>`` (or ``system``).
Row-by-row writes are in the audit trail (one entry per change, with its actor); bulk writes keep
their actor on the batch row (e.g. ``observation_batches.actor``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.audit.models import AuditEntry

PERSON = "user:"
#: how many skipped records a loader names (the rest are counted)
EXAMPLES = 3


def is_person(actor: str | None) -> bool:
    return bool(actor) and str(actor).startswith(PERSON)


def last_actors(session: Session, *, entity: str, ids: Iterable[str]) -> dict[str, str]:
    """Per entity id (as the audit trail writes it: the primary key, ``/``-joined), the actor of its
    latest audited change; ids never audited are absent."""
    wanted = sorted({str(i) for i in ids})
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        latest = (
            select(AuditEntry.entity_id, func.max(AuditEntry.seq).label("seq"))
            .where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(chunk))
            .group_by(AuditEntry.entity_id)
            .subquery()
        )
        stmt = select(AuditEntry.entity_id, AuditEntry.actor).join(latest, AuditEntry.seq == latest.c.seq)
        out.update(dict(session.execute(stmt).tuples().all()))
    return out


def person_deletions(session: Session, *, entity: str) -> list[dict]:
    """The rows of ``entity`` that a person deleted (their values before the deletion), oldest first."""
    stmt = (
        select(AuditEntry.before)
        .where(
            AuditEntry.entity == entity, AuditEntry.action == "delete", AuditEntry.actor.like(PERSON + "%")
        )
        .order_by(AuditEntry.seq)
    )
    return [b for b in session.scalars(stmt) if isinstance(b, dict)]


@dataclasses.dataclass
class Kept:
    """What a loader left alone, and why: a count and the first few, named."""

    count: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)

    def add(self, what: str, why: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{what} ({why})")

    def extend(self, other: Kept) -> None:
        self.count += other.count
        self.examples += other.examples[: max(0, EXAMPLES - len(self.examples))]

    def __bool__(self) -> bool:
        return self.count > 0

    def line(self, what: str) -> str:
        """``kept 2 as they are, not overwritten (what): a (why); b (why)``."""
        more = f"; and {self.count - len(self.examples)} more" if self.count > len(self.examples) else ""
        return f"kept {self.count} as they are, not overwritten ({what}): {'; '.join(self.examples)}{more}"
