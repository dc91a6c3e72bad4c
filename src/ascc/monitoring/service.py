"""Monitoring services: store a checked file (revisions, never overwriting), and read indicators,
areas and observations.

Storing compares the file with the current observations: a new key is inserted as revision 1, a
changed value (or status, source or note) becomes the next revision and the previous row is kept
with ``is_current`` false, and an unchanged row is left alone. The rows go in with bulk Core
inserts (``executemany``); the batch row is the one ORM object, so a whole import is one audit
entry and one data-version bump (see :mod:`ascc.wiring`). A file that changes nothing writes
nothing: no batch, no audit entry.

A file without an attribute column (``DATA_SOURCE``/``source_id``, ``COMMENT_OBS``/``note``) keeps the
stored source and note: an absent column is not compared, and a changed value's new revision carries
the previous one's. A loader stores with ``only_own``: it revises only keys whose current revision it
wrote itself (approved, by its own actor, in no submission); a key whose current revision a person
wrote (a draft, a pending submission, an approval, a rejection) or another writer is left alone and
counted in ``ImportReport.kept``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ascc.audit import rows as audit_rows
from ascc.audit.provenance import Kept, is_person
from ascc.audit.rows import RowsDigest
from ascc.db.engine import bulk_journal, suspend_foreign_keys
from ascc.kit import errors
from ascc.monitoring import published
from ascc.monitoring.imports import files, importer, profiles
from ascc.monitoring.imports.importer import KEY, Catalogue, Parsed, Problem
from ascc.monitoring.imports.reading import Progress
from ascc.monitoring.models import APPROVALS, ImportBatch, Indicator, Observation
from ascc.registry import service as registry_service

WRITE_CHUNK = 50_000
#: from this many new rows, a SQLite import checks the foreign keys itself (and journals alone)
BULK_ROWS = 10_000
_COLUMNS = {
    "indicator": "indicator_code",
    "member_state": "member_state",
    "area": "area_code",
    "period": "period",
    "sex": "sex",
    "age": "age",
    "urbanisation": "urbanisation",
}


@dataclasses.dataclass
class ImportReport:
    file: str
    format: str
    rows: int = 0
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    problems: list[Problem] = dataclasses.field(default_factory=list)
    #: keys a loader left alone (``store(only_own=True)``): their current revision is not its own
    kept: Kept = dataclasses.field(default_factory=Kept)
    #: what the import left out or did besides storing the rows (ignored columns, recomputed values)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class NotFound(errors.NotFound, LookupError):
    """A record the request names is not there (404 through the domain error handler)."""


def import_file(
    session: Session,
    path: Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    approval: str = "draft",
    actor: str | None = None,
    progress: Progress | None = None,
    name: str | None = None,
    data: bytes | None = None,
    catalogue: Catalogue | None = None,
    only_own: bool = False,
    profile: str | profiles.Profile | None = None,
) -> ImportReport:
    """Check a file and, when it has no problem at all (and this is not a dry run), store it
    (``only_own``: as a loader, see :func:`store`; ``profile``: see ``files.parse``).

    Rows of computed indicators are not stored as given: the indicators are recomputed from their
    inputs once the file is stored (so that a whole export imports into an empty platform)."""
    cat = catalogue or Catalogue.load(session)
    parsed = files.parse(path, cat, fmt=fmt, name=name, data=data, progress=progress, profile=profile)
    dropped = _drop_computed(session, parsed)
    report = store(
        session, parsed, dry_run=dry_run, approval=approval, actor=actor, progress=progress, only_own=only_own
    )
    if dropped:
        rows = sum(dropped.values())
        codes = ", ".join(sorted(dropped))
        if report.ok and not dry_run:
            from ascc.monitoring import computed

            again = computed.recompute(session, codes=sorted(dropped), actor=actor)
            report.notes.append(
                f"{rows} row(s) of computed indicators ({codes}) were not imported: "
                f"recomputed from the published values of their inputs ({again.values} values, "
                f"{again.inserted} new, {again.revised} revised)"
            )
        else:
            report.notes.append(
                f"{rows} row(s) of computed indicators ({codes}) are not imported: they are "
                "recomputed from their inputs"
            )
    return report


def _computed_inputs(session: Session) -> dict[str, tuple[str, str]]:
    return {
        c: (n, d)
        for c, n, d in session.execute(
            select(Indicator.code, Indicator.numerator, Indicator.denominator).where(
                Indicator.numerator.is_not(None), Indicator.denominator.is_not(None)
            )
        )
    }


def _drop_computed(session: Session, parsed: Parsed) -> dict[str, int]:
    """Take the rows of computed indicators out of a checked file; per indicator, how many."""
    frame = parsed.frame
    if frame is None or not len(frame) or parsed.problems:
        return {}
    inputs = _computed_inputs(session)
    codes = frame["indicator"].astype(object).to_numpy()
    mask = np.isin(codes, list(inputs)) if inputs else np.zeros(len(frame), dtype=bool)
    if not mask.any():
        return {}
    attrs = dict(frame.attrs)
    kept = frame.loc[~mask].drop(columns=["key_position"], errors="ignore").reset_index(drop=True)
    kept.attrs.update(attrs)
    parsed.frame = kept
    found, counts = np.unique(codes[mask], return_counts=True)
    return {str(c): int(k) for c, k in zip(found, counts, strict=True)}


def computed_rows(session: Session, parsed: Parsed) -> list[Problem]:
    """Rows of a file for computed indicators: their values come only from ``ascc indicators compute``."""
    frame = parsed.frame
    if frame is None or not len(frame):
        return []
    inputs = _computed_inputs(session)
    if not inputs or not set(inputs) & set(frame["indicator"].cat.categories):
        return []
    unit = "row" if parsed.format == "xlsx" else ("observation" if parsed.format == "sdmx-ml" else "line")
    column = "INDICATOR" if parsed.format.startswith("sdmx") else "series_code"
    column = profiles.column_of(parsed.format, "indicator") if parsed.format in profiles.BUILT_IN else column
    codes = frame["indicator"].astype(str).to_numpy()
    return [
        Problem(
            file=parsed.name,
            line=int(line),
            column=column,
            reason=f"{code} is computed from {inputs[code][0]} and {inputs[code][1]}; import those instead",
            unit=unit,
        )
        for code, line in zip(codes, frame["line"].to_numpy(), strict=True)
        if code in inputs
    ]


def store(
    session: Session,
    parsed: Parsed,
    *,
    dry_run: bool = False,
    approval: str = "draft",
    actor: str | None = None,
    progress: Progress | None = None,
    only_own: bool = False,
) -> ImportReport:
    """Store a checked file; ``only_own``: as a loader (see the module docstring)."""
    if approval not in APPROVALS:
        raise ValueError(f"approval must be one of {APPROVALS}")
    report = ImportReport(
        parsed.name,
        parsed.format,
        rows=parsed.rows,
        dry_run=dry_run,
        problems=parsed.problems,
        notes=parsed.notes,
    )
    if parsed.problems or parsed.frame is None:
        return report
    frame = parsed.frame
    old = _current(session, frame, provenance=only_own)
    n = len(frame)
    if "action" in frame.columns:  # SDMX-CSV ACTION=D and ACTION=M rows
        report.problems = _merge_and_delete(parsed, frame, old)
        if report.problems:
            return report
    revision = np.ones(n, dtype=np.int64)
    insert_mask = np.ones(n, dtype=bool)
    superseded: list[int] = []
    absent = [c for c in ("source", "note") if c in frame.attrs.get("absent", ())]
    if len(old):
        pos = old["pos"].to_numpy()
        same = _same(frame, old, pos, absent)
        insert_mask[pos[same]] = False
        changed = ~same
        if only_own:
            others = _not_own(
                session, old, changed, actor or session.info.get("actor", "system"), report.kept
            )
            insert_mask[pos[others]] = False
            changed &= ~others
            same |= others
        if absent and changed.any():  # the new revision keeps the stored source and note
            _carry(frame, old, pos, changed, absent)
        revision[pos[changed]] = old["revision"].to_numpy()[changed] + 1
        superseded = [int(i) for i in old["id"].to_numpy()[changed]]
        report.unchanged = int(same.sum()) - report.kept.count
        report.revised = int(changed.sum())
    report.inserted = int(insert_mask.sum()) - report.revised
    if dry_run or not insert_mask.any():
        return report
    batch = ImportBatch(
        filename=parsed.name[:500],
        sha256=parsed.sha256,
        format=parsed.format,
        rows=n,
        inserted=report.inserted,
        revised=report.revised,
        unchanged=report.unchanged,
        actor=actor or session.info.get("actor", "system"),
        approval=approval,
    )
    order = _in_key_order(frame, np.flatnonzero(insert_mask))
    batch.rows_sha256 = _rows_digest(frame, order, revision)  # recorded in the batch's audit entry
    inserting = int(insert_mask.sum())
    # a bulk load checks its references once per distinct value (see _check_references), not per row
    own_checks = inserting > BULK_ROWS and suspend_foreign_keys(session.connection())
    if own_checks:  # written once, through a rollback journal, when no other connection is open
        bulk_journal(session.connection())
    session.add(batch)
    session.flush()
    report.batch_id = batch.id
    for i in range(0, len(superseded), 500):
        ids = superseded[i : i + 500]
        session.execute(update(Observation).where(Observation.id.in_(ids)).values(is_current=False))
    _insert(
        session,
        frame,
        order,
        revision,
        batch.id,
        approval,
        progress,
    )
    if own_checks:
        _check_references(session, frame, insert_mask)
    return report


def _merge_and_delete(parsed: Parsed, frame: pd.DataFrame, old: pd.DataFrame) -> list[Problem]:
    """A row to delete must name a stored observation; a merged or deleted row keeps the stored
    source, note and status where its cell is empty (``importer``'s ``blank`` bits)."""
    pos = old["pos"].to_numpy().astype(np.int64)
    stored = np.zeros(len(frame), dtype=bool)
    stored[pos] = True
    deleting = (frame["action"] == "D").to_numpy()
    lines = frame["line"].to_numpy()
    problems = [
        Problem(
            file=parsed.name,
            line=int(lines[i]),
            column="ACTION",
            reason="ACTION=D: there is no such observation to delete",
        )
        for i in np.flatnonzero(deleting & ~stored)
    ]
    if problems or not len(old):
        return problems
    blank = frame["blank"].to_numpy()[pos]
    for bit, col in ((1, "source"), (2, "note"), (4, "obs_status")):
        rows = (blank & bit) != 0
        if rows.any():
            values = frame[col].astype(object).to_numpy().copy()
            values[pos[rows]] = old[col].fillna("").astype(object).to_numpy()[rows]
            frame[col] = pd.Categorical(values)
    return []


def _rows_digest(frame: pd.DataFrame, rows: np.ndarray, revision: np.ndarray) -> str:
    """The digest of the rows :func:`_insert` writes, in its order (``ascc.audit.rows.RowsDigest``),
    a column at a time: the same values it binds (an empty source or note is NULL)."""
    digest = RowsDigest(audit_rows.OBSERVATIONS)
    for c in (*KEY, "obs_status", "source", "note"):
        texts = frame[c].cat.categories.to_numpy(dtype=object).copy()
        if c in ("source", "note"):
            texts[texts == ""] = audit_rows.NULL
        codes = frame[c].cat.codes.to_numpy()[rows]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        digest.texts(_COLUMNS.get(c, c), texts[codes].tolist(), lengths[codes])
    digest.floats("value", frame["value"].to_numpy()[rows])
    digest.ints("revision", revision[rows])
    digest.count += len(rows)
    return digest.hexdigest()


def _check_references(session: Session, frame: pd.DataFrame, inserted: np.ndarray) -> None:
    """The foreign keys of the inserted rows, checked once per distinct value: every indicator and
    member state they name exists (their batch is this transaction's own row, their submission
    none). Run after the insert, when this transaction holds SQLite's write lock, so that no other
    writer can remove a parent before the commit."""

    named = {
        "indicator": (frame["indicator"], lambda used: published.indicator_codes(session, used)),
        "member_state": (
            frame["member_state"],
            lambda used: registry_service.member_state_codes(session, used),
        ),
    }
    for what, (values, existing) in named.items():
        used = values.cat.categories[np.unique(values.cat.codes.to_numpy()[inserted])].tolist()
        if missing := sorted(set(used) - existing(used)):
            raise IntegrityError(f"observations.{what}", missing, LookupError(f"no such {what}: {missing}"))


def _current(session: Session, frame: pd.DataFrame, *, provenance: bool = False) -> pd.DataFrame:
    """The current observations with a key in ``frame``, with ``pos``: the matching row of the frame
    (``provenance``: also their approval state, submission and batch)."""
    o = Observation
    cols = [
        o.id,
        *(getattr(o, c) for c in _COLUMNS.values()),
        o.value,
        o.obs_status,
        o.source,
        o.note,
        o.revision,
        *((o.approval, o.submission_id, o.batch_id) if provenance else ()),
    ]
    indicators = list(frame["indicator"].cat.categories)
    rows: list = []
    for i in range(0, len(indicators), 200):
        stmt = select(*cols).where(o.is_current.is_(True), o.indicator_code.in_(indicators[i : i + 200]))
        rows += session.execute(stmt).all()
    names = ["id", *KEY, "value", "obs_status", "source", "note", "revision"]
    names += ["approval", "submission_id", "batch_id"] if provenance else []
    old = pd.DataFrame(rows, columns=names)
    if not len(old):
        old["pos"] = []
        return old
    codes = {}
    for k in KEY:
        codes[k] = pd.Categorical(old[k], categories=frame[k].cat.categories).codes
    old_keys = pd.DataFrame(codes)
    known = (old_keys >= 0).all(axis=1).to_numpy()
    old, old_keys = old[known].reset_index(drop=True), old_keys[known].reset_index(drop=True)
    new_keys = pd.DataFrame({k: frame[k].cat.codes for k in KEY})
    new_keys["pos"] = np.arange(len(frame))
    merged = old_keys.merge(new_keys, on=list(KEY), how="left")
    old["pos"] = merged["pos"].to_numpy()
    return old[old["pos"].notna()].astype({"pos": np.int64}).reset_index(drop=True)


def _same(frame: pd.DataFrame, old: pd.DataFrame, pos: np.ndarray, absent: Sequence[str] = ()) -> np.ndarray:
    """Per current row, whether the file says the same; a column the file does not have is not compared."""
    new_v = frame["value"].to_numpy()[pos]
    old_v = old["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    same = (new_v == old_v) | (np.isnan(new_v) & np.isnan(old_v))
    for col in ("obs_status", *(c for c in ("source", "note") if c not in absent)):
        new_t = frame[col].astype(object).to_numpy()[pos]
        old_t = old[col].fillna("").astype(object).to_numpy()
        same &= new_t == old_t
    return same


def _carry(
    frame: pd.DataFrame, old: pd.DataFrame, pos: np.ndarray, changed: np.ndarray, absent: list[str]
) -> None:
    """Give the changed rows of ``frame`` the stored value of each ``absent`` attribute column."""
    for col in absent:
        values = frame[col].astype(object).to_numpy().copy()
        values[pos[changed]] = old[col].fillna("").astype(object).to_numpy()[changed]
        frame[col] = pd.Categorical(values)


def _label(row) -> str:
    """``IDN SP.DYN.LE00.IN 2024`` (with the area and any disaggregation that is not the total)."""
    parts = [row.member_state, row.indicator, *([row.area] if row.area else []), row.period]
    parts += [f"{k}={getattr(row, k)}" for k in ("sex", "age", "urbanisation") if getattr(row, k) != "_T"]
    return " ".join(str(p) for p in parts)


def _not_own(session: Session, old: pd.DataFrame, changed: np.ndarray, own: str, kept: Kept) -> np.ndarray:
    """Per current row, whether it is ``changed`` and someone other than the loader ``own`` wrote it
    (a person's draft, submission, approval or rejection, or another writer's batch); each such row is
    counted in ``kept``."""
    out = np.zeros(len(old), dtype=bool)
    if not changed.any():
        return out
    batch_ids = sorted({int(b) for b in old["batch_id"][changed].dropna()})
    actors: dict[int, str] = {}
    for i in range(0, len(batch_ids), 500):
        stmt = select(ImportBatch.id, ImportBatch.actor).where(ImportBatch.id.in_(batch_ids[i : i + 500]))
        actors.update(dict(session.execute(stmt).tuples().all()))
    for i, row in zip(np.flatnonzero(changed), old[changed].itertuples(index=False), strict=True):
        sub = None if pd.isna(row.submission_id) else int(row.submission_id)
        actor = None if pd.isna(row.batch_id) else actors.get(int(row.batch_id))
        if row.approval == "submitted":
            why = f"submitted for review in submission {sub}, not yet reviewed"
        elif row.approval == "rejected":
            why = f"rejected in submission {sub}; the member state corrects it"
        elif row.approval == "draft":
            why = f"a draft by {actor}" if is_person(actor) else f"a draft written by {actor}"
        elif sub is not None:
            why = f"approved by the Secretariat in submission {sub}"
        elif actor != own:
            why = f"written by {actor}" if is_person(actor) else f"written by {actor}, not by this loader"
        else:
            continue
        out[i] = True
        kept.add(_label(row), why)
    return out


def _in_key_order(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted as the unique index sorts them, so that the B-tree is filled in order."""
    chosen = np.zeros(len(frame), dtype=bool)
    chosen[rows] = True
    order = importer.key_order(frame)
    return order[chosen[order]]


ROWS_PER_STATEMENT = 100
CACHE_KIB = 32768  # the page cache of a bulk load (KiB)


def _sqlite_rows(
    dbapi, bound: dict[str, np.ndarray], codes: dict[str, np.ndarray], literal: dict[str, str]
) -> None:
    """``executemany`` of multi-row ``VALUES`` statements (fewer statement steps than one per row).

    A column whose value is the same in every row of a statement (``codes`` tell, for the columns
    that have them) is bound once and named by its number (``?1``) in each row; only the other
    columns are bound row by row. The rows keep their order: consecutive statements that share the
    same columns go in one ``executemany``.
    """
    per = ROWS_PER_STATEMENT
    names = [*bound, *literal]
    head = f"INSERT INTO observations ({', '.join(names)}) VALUES "
    tail = list(literal.values())
    m = len(next(iter(bound.values())))
    whole = m - m % per
    blocks = whole // per
    if blocks:
        shareable = [c for c in bound if c in codes]
        same = np.zeros((blocks, len(shareable)), dtype=bool)
        for j, c in enumerate(shareable):
            grid = codes[c][:whole].reshape(blocks, per)
            same[:, j] = (grid == grid[:, :1]).all(axis=1)
        kind = same.astype(np.int64) @ (1 << np.arange(len(shareable), dtype=np.int64))
        cuts = np.flatnonzero(np.diff(kind)) + 1
        statements: dict[int, str] = {}
        for a, b in zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [blocks])), strict=True):
            shared = [c for c, s in zip(shareable, same[a], strict=True) if s]
            varying = [c for c in bound if c not in shared]
            if int(kind[a]) not in statements:
                slot = {c: i + 1 for i, c in enumerate(shared)}
                rows = []
                for r in range(per):
                    first = len(shared) + r * len(varying) + 1
                    slots = [f"?{slot[c]}" if c in slot else f"?{first + varying.index(c)}" for c in bound]
                    rows.append(f"({', '.join(slots + tail)})")
                statements[int(kind[a])] = head + ", ".join(rows)
            lo, hi, n = a * per, b * per, b - a
            params = np.empty((n, len(shared) + per * len(varying)), dtype=object)
            for i, c in enumerate(shared):
                params[:, i] = bound[c][lo:hi:per]
            if varying:
                cells = np.empty((n * per, len(varying)), dtype=object)
                for j, c in enumerate(varying):
                    cells[:, j] = bound[c][lo:hi]
                params[:, len(shared) :] = cells.reshape(n, per * len(varying))
            dbapi.executemany(statements[int(kind[a])], params.tolist())
    if whole < m:
        one = f"({', '.join(['?'] * len(bound) + tail)})"
        dbapi.executemany(head + one, list(zip(*(bound[c][whole:] for c in bound), strict=True)))


def _insert(
    session: Session,
    frame: pd.DataFrame,
    rows: np.ndarray,
    revision: np.ndarray,
    batch_id: int,
    approval: str,
    progress: Progress | None,
) -> None:
    """Bulk insert ``rows`` of ``frame``, a chunk at a time.

    On SQLite the rows go straight to the driver's ``executemany``; what is the same for every row
    of a chunk (the batch, the approval state, ``is_current``, a revision number, an absent source or
    note) is written into the statement as a literal rather than bound per row, which halves the
    cost of binding, and what is the same for a run of rows (an indicator, a member state) is bound
    once per statement of 100 rows (see :func:`_sqlite_rows`). Every literal is an integer, NULL or a checked enumeration value, never text
    from the file. Other databases get a Core ``insert`` with the rows as parameter sets.
    """
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # a larger page cache for this connection keeps the indexes' pages in memory
        conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
        # the time of recording, the same for the whole batch, written once instead of the column's
        # default evaluated for every row (as the default writes it: "YYYY-MM-DD HH:MM:SS", UTC)
        now = conn.exec_driver_sql("SELECT CURRENT_TIMESTAMP").scalar_one()
        if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", now):
            raise ValueError(f"unexpected CURRENT_TIMESTAMP {now!r}")
    if approval not in APPROVALS:
        raise ValueError(f"approval must be one of {APPROVALS}")
    cats = {c: frame[c].cat.categories.to_numpy(dtype=object) for c in (*KEY, "source", "note", "obs_status")}
    code_arrays = {c: frame[c].cat.codes.to_numpy() for c in cats}
    values = frame["value"].to_numpy()
    for i in range(0, len(rows), WRITE_CHUNK):
        idx = rows[i : i + WRITE_CHUNK]
        bound: dict[str, object] = {_COLUMNS[c]: cats[c][code_arrays[c][idx]] for c in KEY}
        v = values[idx].astype(object)
        v[np.isnan(values[idx])] = None
        bound["value"] = v
        bound["obs_status"] = cats["obs_status"][code_arrays["obs_status"][idx]]
        shared_codes = {_COLUMNS.get(c, c): code_arrays[c][idx] for c in code_arrays}  # same code, same text
        literal = {"is_current": "1", "approval": f"'{approval}'", "batch_id": str(int(batch_id))}
        if sqlite:
            literal["recorded_at"] = f"'{now}'"
        for c in ("source", "note"):  # an empty cell is NULL; found from the codes, not the texts
            absent = (cats[c] == "")[code_arrays[c][idx]]
            if absent.all():
                literal[c] = "NULL"
            else:
                col = cats[c][code_arrays[c][idx]]
                col[absent] = None
                bound[c] = col
        rev = revision[idx]
        if (rev == rev[0]).all():
            literal["revision"] = str(int(rev[0]))
        else:
            bound["revision"] = np.array(rev.tolist(), dtype=object)
        if sqlite:
            _sqlite_rows(conn.connection.driver_connection, bound, shared_codes, literal)
        else:
            consts = {
                "is_current": True,
                "approval": approval,
                "batch_id": batch_id,
                "source": None,
                "note": None,
                "revision": int(rev[0]),
            }
            base = {k: consts[k] for k in literal}
            keys = list(bound)
            conn.execute(
                insert(Observation.__table__),
                [base | dict(zip(keys, t, strict=True)) for t in zip(*bound.values(), strict=True)],
            )
        if progress:
            progress("write", i + len(idx), len(rows))


# --- reading -----------------------------------------------------------------------------------
