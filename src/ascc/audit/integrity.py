"""Do the data rows hold what the audit trail says they hold?

The chain walk feeds every entry to a :class:`Replay`, which keeps, per audited row, the sequence
number of its last entry, whether that entry deleted it, and a digest of the values it recorded
(not the values: the trail of a large database does not fit in memory). Then every live row of
every table is read, a table at a time in primary-key order (streamed), and compared:

- a row whose values differ from its last entry's (a row edited in the database, bypassing the
  application), or that has no entry at all (inserted behind its back), or whose last entry deleted
  it, is bad;
- a row the trail says exists but that is gone is bad, unless the database removed it itself
  (``ON DELETE CASCADE`` from a parent the trail deleted), and a key column set to NULL by
  ``ON DELETE SET NULL`` after its parent was deleted is not a difference.

Bulk tables (:data:`BULK`: rows written with Core ``executemany`` under one audit entry per batch)
are checked per batch: the batch row's audit entry records a digest of the rows it wrote
(:class:`ascc.audit.rows.RowsDigest`), which the rows read back must still give. A changed,
removed or added row is found, named by its batch, not by its own key; batches written before the
digest existed (``NULL``) are checked by their number of rows only. The columns a batch does not
fix (an observation's ``is_current``, ``approval``, ``submission_id``, ``recorded_at``) are
checked against what the trail says of them: only the last revision of a key is current, a row in
a submission has the submission's state and member state, a row in none the approval it was
imported with.

Columns added by a migration after a row's last entry are not checked for that row (the entry does
not name them); secrets are checked through the digest the trail keeps of them (``redact``), except
in entries written before it did.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ascc.audit import rows, service
from ascc.audit.models import AuditEntry
from ascc.audit.rows import RowsDigest, comparable
from ascc.db.base import Base

#: not checked: the trail itself, counters, throttling, and the search index (derived from audited
#: records and rebuilt by ``ascc search reindex``)
UNCHECKED = {*service.SKIP_TABLES, "search_entries"}
CHUNK = 5000


@dataclasses.dataclass(frozen=True)
class Bulk:
    """A table written in batches: ``link`` names the batch row in ``owner``, whose ``digest``
    column (recorded in the owner's audit entry) is the :class:`RowsDigest` of ``columns``."""

    owner: str
    link: str
    digest: str
    columns: dict[str, str]


BULK = {
    "observations": Bulk("observation_batches", "batch_id", "rows_sha256", rows.OBSERVATIONS),
    "index_results": Bulk("index_runs", "run_id", "results_sha256", rows.INDEX_RESULTS),
}
#: values the check of a bulk table needs from the trail (kept during the walk: few rows)
KEPT = {"observation_submissions": ("state", "member_state"), "observation_batches": ("approval",)}
OBSERVATION_KEY = ("indicator_code", "member_state", "area_code", "period", "sex", "age", "urbanisation")


@dataclasses.dataclass
class _Last:
    seq: int
    deleted: bool
    names: tuple[str, ...]
    fingerprint: str
    links: tuple  # the values of the columns with ON DELETE CASCADE / SET NULL


def _identity(table: Table, row: Any) -> str:
    return "/".join(str(row[c.key]) for c in table.primary_key.columns)


class Bad(Exception):
    def __init__(self, table: str, row: str | None, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.table, self.row, self.seq, self.reason = table, row, seq, reason


class Replay:
    """The state of every audited row as the trail leaves it; then the comparison with the live rows."""

    def __init__(self, tables: Iterable[Table] | None = None) -> None:
        chosen = list(tables) if tables is not None else list(Base.metadata.sorted_tables)
        self.tables = {t.name: t for t in chosen if t.name not in UNCHECKED}
        self.last: dict[str, dict[str, _Last]] = {name: {} for name in self.tables}
        self.warnings: list[str] = []
        self.kept: dict[str, dict[str, tuple[int, dict]]] = {name: {} for name in KEPT}
        self._unknown: set[str] = set()
        self._links = {
            name: [fk for fk in t.foreign_keys if fk.ondelete in ("CASCADE", "SET NULL")]
            for name, t in self.tables.items()
        }

    # --- the trail ---------------------------------------------------------------------------

    def entry(self, seq: int, action: str, entity: str, entity_id: str, after: Any) -> None:
        rows = self.last.get(entity)
        if rows is None:
            if entity not in self._unknown and entity not in UNCHECKED:
                self._unknown.add(entity)
                self.warnings.append(f"the trail names a table this version does not know: {entity}")
            return
        if action == "delete" or not isinstance(after, dict):
            old = rows.get(entity_id)
            rows[entity_id] = _Last(seq, True, (), "", old.links if old else ())
            return
        table = self.tables[entity]
        names = tuple(sorted(k for k in after if k in table.c and not _legacy_secret(k, after[k])))
        links = tuple(after.get(fk.parent.key) for fk in self._links[entity])
        rows[entity_id] = _Last(seq, False, names, self._fingerprint(table, names, after), links)
        if entity in KEPT:
            self.kept[entity][entity_id] = (seq, {n: after.get(n) for n in KEPT[entity]})

    @staticmethod
    def _fingerprint(table: Table, names: tuple[str, ...], values: Any, *, live: bool = False) -> str:
        canon = [comparable(table.c[n], _live(n, values[n]) if live else values[n]) for n in names]
        return hashlib.sha256(json.dumps(canon, sort_keys=True, default=str).encode()).hexdigest()

    # --- the live rows ---------------------------------------------------------------------------

    def check(self, session: Session, *, checked: int) -> service.VerifyResult:
        gone: dict[str, set[str]] = {}
        count = 0
        try:
            for name, table in self.tables.items():
                if name in BULK:
                    continue
                count += self._table(session, table, gone)
            for name, spec in BULK.items():
                if name in self.tables:
                    count += self._bulk(session, self.tables[name], spec, gone.get(spec.owner, set()))
            if "observations" in self.tables:
                self._observation_states(session)
        except Bad as bad:
            return service.VerifyResult(
                False, checked, bad.seq, bad.reason, bad.table, bad.row, count, tuple(self.warnings)
            )
        return service.VerifyResult(True, checked, rows_checked=count, warnings=tuple(self.warnings))

    def _table(self, session: Session, table: Table, gone: dict[str, set[str]]) -> int:
        name = table.name
        expected = dict(self.last[name])  # what is left once the live rows are matched
        count = 0
        pk = list(table.primary_key.columns)
        stmt = select(table).order_by(*pk).execution_options(yield_per=CHUNK)
        for row in session.execute(stmt).mappings():
            count += 1
            key = _identity(table, row)
            last = expected.pop(key, None)
            if last is None:
                raise Bad(
                    name,
                    key,
                    None,
                    f"{name} {key} has no audit entry (written behind the application's back)",
                )
            if last.deleted:
                raise Bad(name, key, last.seq, f"{name} {key} was deleted by entry {last.seq} but is there")
            if self._fingerprint(table, last.names, row, live=True) != last.fingerprint:
                diff = self._difference(session, table, row, last, gone)
                if diff:
                    raise Bad(
                        name,
                        key,
                        last.seq,
                        f"{name} {key} differs from its last audit entry {last.seq}: {diff}",
                    )
        deleted = {k for k, last in expected.items() if last.deleted}
        missing = {k: last for k, last in expected.items() if not last.deleted}
        gone[name] = deleted
        progress = True
        while missing and progress:  # a cascade may come from this very table (a parent row)
            progress = False
            for key, last in list(missing.items()):
                if self._cascaded(table, last, gone):
                    gone[name].add(key)
                    del missing[key]
                    progress = True
        if missing:
            key, last = min(missing.items(), key=lambda kv: kv[1].seq)
            raise Bad(
                name,
                key,
                last.seq,
                f"{name} {key} is gone, but no audit entry deleted it (its last, entry {last.seq}, wrote it)",
            )
        return count

    def _cascaded(self, table: Table, last: _Last, gone: dict[str, set[str]]) -> bool:
        for fk, value in zip(self._links[table.name], last.links, strict=True):
            parent = fk.column.table.name
            if fk.ondelete == "CASCADE" and value is not None and str(value) in gone.get(parent, ()):
                return True
        return False

    def _difference(
        self, session: Session, table: Table, row: Any, last: _Last, gone: dict[str, set[str]]
    ) -> str:
        """What differs between ``row`` and its last entry ('' when only ON DELETE SET NULL did it)."""
        after = session.scalar(select(AuditEntry.after).where(AuditEntry.seq == last.seq)) or {}
        set_null = {fk.parent.key: fk for fk in self._links[table.name] if fk.ondelete == "SET NULL"}
        parts = []
        for n in last.names:
            was, now = comparable(table.c[n], after.get(n)), comparable(table.c[n], _live(n, row[n]))
            if was == now:
                continue
            fk = set_null.get(n)
            if fk is not None and now is None and self._parent_gone(fk, after.get(n), gone):
                continue
            parts.append(f"{n} is {_short(_live(n, row[n]))}, the trail says {_short(after.get(n))}")
        return "; ".join(parts)

    def _parent_gone(self, fk: Any, value: Any, gone: dict[str, set[str]]) -> bool:
        parent = fk.column.table
        if str(value) in gone.get(parent.name, ()):
            return True
        last = self.last.get(parent.name, {}).get(str(value))
        return last is not None and last.deleted

    # --- bulk tables -------------------------------------------------------------------------------

    def _bulk(self, session: Session, table: Table, spec: Bulk, gone: set[str]) -> int:
        owner = self.tables[spec.owner]
        recorded: dict[str, tuple[int, str | None]] = {}  # batch id -> (entry, digest)
        need_after = [
            k for k, last in self.last.get(spec.owner, {}).items() if not last.deleted and k not in gone
        ]
        # the digests as the trail recorded them (the owner rows were compared with the trail already)
        seqs = {self.last[spec.owner][k].seq: k for k in need_after}
        for i in range(0, len(need_after), 500):
            chunk = [self.last[spec.owner][k].seq for k in need_after[i : i + 500]]
            for seq, after in session.execute(
                select(AuditEntry.seq, AuditEntry.after).where(AuditEntry.seq.in_(chunk))
            ):
                recorded[seqs[seq]] = (seq, (after or {}).get(spec.digest))
        names = list(RowsDigest(spec.columns).columns)
        digests: dict[str, RowsDigest] = {}
        buffers: dict[str, list[tuple]] = {}
        cols = [table.c[n] for n in names]
        stmt = (
            select(table.c.id, table.c[spec.link], *cols)
            .order_by(table.c.id)
            .execution_options(yield_per=CHUNK)
        )
        count = 0
        for row in session.execute(stmt):
            count += 1
            batch = row[1]
            if batch is None:
                raise Bad(
                    table.name,
                    str(row[0]),
                    None,
                    f"{table.name} {row[0]} belongs to no batch: it has no audit entry",
                )
            b = str(batch)
            if b not in recorded:
                raise Bad(
                    table.name,
                    str(row[0]),
                    None,
                    f"{table.name} {row[0]} belongs to {spec.owner} {b}, which has no audit entry",
                )
            buf = buffers.setdefault(b, [])
            buf.append(tuple(row[2:]))
            if len(buf) >= CHUNK:
                digests.setdefault(b, RowsDigest(spec.columns)).rows(buf)
                buffers[b] = []
        for b, buf in buffers.items():
            digests.setdefault(b, RowsDigest(spec.columns)).rows(buf)
        for b in sorted(recorded, key=lambda k: recorded[k][0]):
            seq, want = recorded[b]
            got = digests.get(b) or RowsDigest(spec.columns)
            if want is None:
                written = self._written(session, owner, b)
                if written is not None and written != got.count:
                    raise Bad(
                        table.name,
                        None,
                        seq,
                        f"{table.name} of {spec.owner} {b}: {got.count} rows, its audit "
                        f"entry {seq} wrote {written}",
                    )
                continue
            if got.hexdigest() != want:
                raise Bad(
                    table.name,
                    None,
                    seq,
                    f"{table.name} of {spec.owner} {b} ({got.count} rows) differ from "
                    f"the rows its audit entry {seq} recorded: a row was changed, removed or added",
                )
        return count

    def _written(self, session: Session, owner: Table, batch: str) -> int | None:
        """How many rows a batch without a digest wrote (an import batch: inserted + revised)."""
        if owner.name != "observation_batches":
            return None
        last = self.last[owner.name][batch]
        after = session.scalar(select(AuditEntry.after).where(AuditEntry.seq == last.seq)) or {}
        return int(after.get("inserted") or 0) + int(after.get("revised") or 0)

    def _observation_states(self, session: Session) -> None:
        """What no batch fixes: only a key's last revision is current; a row in a submission has its
        state and member state; a row in none, the approval its batch imported it with."""
        obs = self.tables["observations"]
        submissions = self._recorded("observation_submissions", ("state", "member_state"))
        batches = self._recorded("observation_batches", ("approval",))
        key = [obs.c[n] for n in OBSERVATION_KEY]
        cols = [
            obs.c.id,
            *key,
            obs.c.revision,
            obs.c.is_current,
            obs.c.approval,
            obs.c.submission_id,
            obs.c.batch_id,
        ]
        # the unique key's order: a key's revisions are together, the last one last
        stmt = select(*cols).order_by(*key, obs.c.revision).execution_options(yield_per=CHUNK)
        pending = None
        for row in session.execute(stmt):
            if pending is not None:
                self._observation(
                    pending, pending[1 : 1 + len(key)] != row[1 : 1 + len(key)], submissions, batches
                )
            pending = row
        if pending is not None:
            self._observation(pending, True, submissions, batches)

    def _observation(self, row: Any, latest: bool, submissions: dict, batches: dict) -> None:
        oid, state = row[0], row[2]
        rev, current, approval, sub, batch = row[-5:]
        if bool(current) != latest:
            raise Bad(
                "observations",
                str(oid),
                None,
                f"observations {oid} (revision {rev}) is "
                f"{'' if current else 'not '}current, but it is {'' if latest else 'not '}the last "
                "revision of its key",
            )
        if sub is not None:
            seq, want = submissions.get(str(sub), (None, None))
            if want is None:
                raise Bad(
                    "observations",
                    str(oid),
                    None,
                    f"observations {oid} is in submission {sub}, which has no audit entry",
                )
            if approval != want[0] or state != want[1]:
                raise Bad(
                    "observations",
                    str(oid),
                    seq,
                    f"observations {oid} is {approval} for {state} in "
                    f"submission {sub}, which its audit entry {seq} says is {want[0]} for {want[1]}",
                )
        else:
            seq, want = batches.get(str(batch), (None, None))
            if want is not None and want[0] is not None and approval != want[0]:
                raise Bad(
                    "observations",
                    str(oid),
                    seq,
                    f"observations {oid} is {approval}, in no "
                    f"submission; its batch {batch} (audit entry {seq}) imported it {want[0]}",
                )

    def _recorded(self, table: str, names: tuple[str, ...]) -> dict[str, tuple[int, tuple]]:
        """``names`` of every row of ``table`` as its last audit entry recorded them."""
        return {
            k: (seq, tuple(values.get(n) for n in names)) for k, (seq, values) in self.kept[table].items()
        }


def _live(name: str, value: Any) -> Any:
    return service.redact(value) if name in service.SECRET_COLUMNS else value


def _legacy_secret(name: str, value: Any) -> bool:
    return name in service.SECRET_COLUMNS and value == service.REDACTED


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
