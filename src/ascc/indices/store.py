"""Stored results: compute a definition on a data snapshot and keep its scores, ranks and intervals.

``store_run`` records the definition version (its YAML text and SHA-256), the run (the data
snapshot it came from, as an iData CSV with its SHA-256 and a description of the input files, the
run parameters and when it was computed) and one result row per unit, year and aggregate, with the
rank interval (5th to 95th percentile) from the uncertainty analysis when one was asked for.

Idempotent: the same definition digest, data digest and parameters find the existing run; nothing
is added. Services only flush; the caller owns the unit of work. The result rows are written with
one bulk insert: the run row itself (audited) is the record of the change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ascc.audit import rows as audit_rows
from ascc.indices import service
from ascc.indices.data import Dataset, StoreRows
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import DefinitionError, Problem
from ascc.indices.models import IndexDefinitionRecord, IndexResult, IndexRun
from ascc.indices.pipeline import Build
from ascc.kit.errors import NotFound
from ascc.kit.spreadsheet import cells


@dataclass(frozen=True)
class StoreReport:
    slug: str
    definition_id: int
    run_id: int
    created: bool
    results: int


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else repr(float(x))


def snapshot_csv(definition: IndexDefinition, dataset: Dataset) -> str:
    """The data a build used, as COINr iData CSV (full precision); reading it gives the same build."""
    units = definition.units
    frame = dataset.frame
    times = frame.times
    if times is None and dataset.time is not None:
        times = np.full(len(frame.units), dataset.time)
    header = [units.id]
    if units.name and dataset.names:
        header.append(units.name)
    if units.time and times is not None:
        header.append(units.time)
    header += [*units.groups, *units.denominator_names, *frame.codes]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, unit in enumerate(frame.units):
        row: list[Any] = [unit]
        if units.name and dataset.names:
            row.append(dataset.names.get(str(unit), ""))
        if units.time and times is not None:
            row.append(int(times[i]))
        row += [dataset.groups[g][i] or "" for g in units.groups]
        row += [_number(dataset.denominators[d][i]) for d in units.denominator_names]
        row += [_number(v) for v in frame.values[i]]
        writer.writerow(row)
    return out.getvalue()


def _result_rows(result: Build, intervals: dict[tuple[str, int | None], tuple[float, float]], run_id: int):
    d = result.definition
    frame = result.aggregated
    year_default = result.dataset.time
    names = result.dataset.names
    rows = []
    for code in d.output_codes:
        node = d.by_code[code]
        if node.kind != "aggregate":
            continue
        scores = frame.column(code)
        ranks = result.ranks.column(code)
        for i, unit in enumerate(frame.units):
            year = int(frame.times[i]) if frame.times is not None else year_default
            low, high = intervals.get((str(unit), year), (None, None)) if code == d.root else (None, None)
            rows.append(
                {
                    "run_id": run_id,
                    "unit_code": str(unit),
                    "unit_name": names.get(str(unit)),
                    "year": year,
                    "code": code,
                    "level": node.level,
                    "score": None if math.isnan(scores[i]) else float(scores[i]),
                    "rank": None if math.isnan(ranks[i]) else int(ranks[i]),
                    "rank_low": low,
                    "rank_high": high,
                }
            )
    return rows


def store_run(
    session: Session,
    *,
    definition: Path | str,
    data: Path | str | StoreRows,
    meta: Path | str | None = None,
    slug: str | None = None,
    uncertainty_n: int | None = None,
    seed: int | None = None,
    progress=None,
) -> StoreReport:
    """Compute ``definition`` on ``data`` and store it, or find the run stored from the same inputs."""
    definition = Path(definition)
    slug = slug or definition.stem
    d, dataset = service.load(definition=definition, data=data, meta=meta)
    yaml_text = definition.read_text(encoding="utf-8")
    meta_text = Path(meta).read_text(encoding="utf-8") if meta is not None else None
    data_csv = snapshot_csv(d, dataset)
    data_sha = _sha(data_csv + "\0" + (meta_text or ""))
    parameters: dict[str, Any] = {"uncertainty": None}
    if uncertainty_n:
        if d.uncertainty is None:
            raise DefinitionError(
                Problem(
                    reason="the definition has no uncertainty section for the rank intervals", file=d.file
                )
            )
        parameters["uncertainty"] = {
            "type": "UA",
            "n": uncertainty_n,
            "seed": seed if seed is not None else d.uncertainty.seed,
            "target": d.root,
            "interval": [0.05, 0.95],
        }
    params_sha = _sha(json.dumps(parameters, sort_keys=True))
    def_sha = _sha(yaml_text)
    record = session.scalar(select(IndexDefinitionRecord).where(IndexDefinitionRecord.sha256 == def_sha))
    if record is None:
        record = IndexDefinitionRecord(
            slug=slug,
            index_code=d.code,
            name=d.name,
            edition=d.edition,
            version=d.version,
            yaml_text=yaml_text,
            sha256=def_sha,
        )
        session.add(record)
        session.flush()
    existing = session.scalar(
        select(IndexRun).where(
            IndexRun.definition_id == record.id,
            IndexRun.data_sha256 == data_sha,
            IndexRun.parameters_sha256 == params_sha,
        )
    )
    if existing is not None:
        count = len(session.scalars(select(IndexResult.id).where(IndexResult.run_id == existing.id)).all())
        return StoreReport(
            slug=record.slug, definition_id=record.id, run_id=existing.id, created=False, results=count
        )
    result = service.build_index(definition=d, dataset=dataset)
    warnings = list(result.warnings)
    intervals: dict[tuple[str, int | None], tuple[float, float]] = {}
    if parameters["uncertainty"]:
        ua = service.run_uncertainty(
            definition=d,
            dataset=dataset,
            n=uncertainty_n,
            kind="UA",
            seed=parameters["uncertainty"]["seed"],
            progress=progress,
        )
        warnings += list(ua.warnings)
        stats = ua.rank_stats()
        for _, row in stats.iterrows():
            year = int(row["Time"]) if "Time" in stats.columns else dataset.time
            low, high = float(row["Q5"]), float(row["Q95"])
            if math.isfinite(low) and math.isfinite(high):
                intervals[(str(row["uCode"]), year)] = (low, high)
    frame = dataset.frame
    years = sorted({int(t) for t in frame.times}) if frame.times is not None else [dataset.time]
    rows = _result_rows(result, intervals, 0)  # the run's id once it has one
    run = IndexRun(
        definition_id=record.id,
        data_sha256=data_sha,
        data_description={
            "file": Path(str(dataset.source)).name if dataset.source else None,
            "file_sha256": dataset.sha256,
            "layout": dataset.layout,
            "meta": Path(meta).name if meta is not None else None,
            "meta_sha256": _sha(meta_text) if meta_text is not None else None,
            "units": len(set(map(str, frame.units))),
            "years": years,
        },
        data_csv=data_csv,
        meta_csv=meta_text,
        parameters={
            **parameters,
            "steps": json.loads(json.dumps(result.steps.describe(), default=str)),
            "weights": {k: float(v) for k, v in result.weights.items()},
        },
        parameters_sha256=params_sha,
        warnings=warnings,
        computed_at=datetime.now(UTC),
        results_sha256=audit_rows.digest_of(audit_rows.INDEX_RESULTS, rows),  # in the run's audit entry
    )
    session.add(run)
    session.flush()
    for row in rows:
        row["run_id"] = run.id
    if rows:
        session.execute(insert(IndexResult), rows)
    return StoreReport(slug=slug, definition_id=record.id, run_id=run.id, created=True, results=len(rows))


# --- reading ----------------------------------------------------------------------------------


def list_indices(session: Session) -> list[dict[str, Any]]:
    """Every stored index edition (its latest definition version and run), by index and edition."""
    out = []
    seen: set[str] = set()
    rows = session.execute(
        select(IndexDefinitionRecord, IndexRun)
        .join(IndexRun, IndexRun.definition_id == IndexDefinitionRecord.id)
        .order_by(IndexRun.computed_at.desc(), IndexRun.id.desc())
    ).all()
    for record, run in rows:
        if record.slug in seen:
            continue
        seen.add(record.slug)
        out.append({**_definition_read(record), "run": _run_read(run)})
    return sorted(out, key=lambda r: (r["index_code"], r["edition"] or "", r["slug"]))


def _definition_read(record: IndexDefinitionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "slug": record.slug,
        "index_code": record.index_code,
        "name": record.name,
        "edition": record.edition,
        "version": record.version,
        "sha256": record.sha256,
    }


def _run_read(run: IndexRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "data_sha256": run.data_sha256,
        "data": run.data_description,
        "parameters": {k: v for k, v in run.parameters.items() if k not in ("steps", "weights")},
        "computed_at": run.computed_at,
        "warnings": run.warnings,
    }


@dataclass
class StoredIndex:
    record: IndexDefinitionRecord
    run: IndexRun
    results: list[IndexResult]

    def read(self) -> dict[str, Any]:
        return {**_definition_read(self.record), "run": _run_read(self.run)}


def latest(session: Session, *, slug: str) -> StoredIndex:
    """The latest run of the index edition ``slug``, with its results."""
    row = session.execute(
        select(IndexDefinitionRecord, IndexRun)
        .join(IndexRun, IndexRun.definition_id == IndexDefinitionRecord.id)
        .where(IndexDefinitionRecord.slug == slug)
        .order_by(IndexRun.computed_at.desc(), IndexRun.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"no stored index {slug!r}")
    record, run = row
    results = list(
        session.scalars(
            select(IndexResult)
            .where(IndexResult.run_id == run.id)
            .order_by(IndexResult.year, IndexResult.code, IndexResult.unit_code)
        )
    )
    return StoredIndex(record, run, results)


def results_csv(stored: StoredIndex) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "uCode",
            "uName",
            "Time",
            "Code",
            "Level",
            "Score",
            "Rank",
            "RankQ5",
            "RankQ95",
            "definition_sha256",
            "data_sha256",
        ]
    )
    for r in stored.results:
        writer.writerow(
            cells(
                [
                    r.unit_code,
                    r.unit_name or "",
                    "" if r.year is None else r.year,
                    r.code,
                    r.level,
                    _number(r.score),
                    "" if r.rank is None else r.rank,
                    _number(r.rank_low),
                    _number(r.rank_high),
                    stored.record.sha256,
                    stored.run.data_sha256,
                ]
            )
        )
    return out.getvalue()


def texts(stored: StoredIndex) -> service.Texts:
    """The stored definition version, data snapshot and iMeta, as the engine reads texts."""
    return service.Texts(
        stored.record.yaml_text,
        stored.run.data_csv,
        stored.run.meta_csv,
        names=(f"{stored.record.slug}.yaml", "data.csv", "meta.csv"),
    )


def load_stored(stored: StoredIndex) -> tuple[IndexDefinition, Dataset]:
    """The stored definition version and its data snapshot, read back as the engine reads files."""
    return service.load_texts(texts(stored))
