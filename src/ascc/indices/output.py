"""Writing results: one CSV per table, a manifest, all or nothing.

Files are first written to a temporary directory next to the destination and moved into place
only when every file is complete, so a failed run leaves no partial results. Floats are written
in shortest round-trip form (re-reading gives the identical bits); missing values are empty cells.
The manifest records where the results came from: the definition (code, version, edition and
SHA-256 of the file) and the data snapshot (path and SHA-256), plus each output file's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ascc.indices.pipeline import STAGES, Build
from ascc.indices.weights import effective_weights
from ascc.kit import spreadsheet

MANIFEST = "manifest.json"


class OutputExists(Exception):
    """The destination holds files that are not results of an earlier run."""


def stage_tables(result: Build) -> dict[str, pd.DataFrame]:
    """``<stage>.csv`` for every data set, ``ranks.csv`` and the step details."""
    id_col = result.definition.units.id
    time_col = result.definition.units.time or "Time"
    tables = {f"{stage}.csv": result.stages[stage].to_pandas(id_col, time_col) for stage in STAGES}
    ranks = result.ranks.to_pandas(id_col, time_col)
    for code in result.ranks.codes:
        ranks[code] = ranks[code].astype("Int64")
    tables["ranks.csv"] = ranks
    tables["screening.csv"] = pd.DataFrame(result.screen_summary)
    tables["treatment.csv"] = _treatment_table(result)
    tables["treated_points.csv"] = _treated_points(result)
    tables["weights.csv"] = effective_weights(result.definition, result.weights)
    return tables


def _treatment_table(result: Build) -> pd.DataFrame:
    table = pd.DataFrame(result.treat_details)
    for column in table.columns:
        if column.endswith(".Pass"):
            table[column] = table[column].astype("boolean")
        elif column.endswith(".nwin"):
            table[column] = table[column].astype("Int64")
    return table


def _treated_points(result: Build) -> pd.DataFrame:
    frame = result.stages["screened"]
    table = pd.DataFrame("", index=range(len(frame.units)), columns=list(frame.codes), dtype=object)
    for row, code, how in result.treated_points:
        table.at[row, code] = how
    table.insert(0, result.definition.units.id, frame.units)
    if frame.times is not None:
        table.insert(1, result.definition.units.time or "Time", frame.times)
    return table


def provenance(result: Build, *, meta: str | None = None) -> dict[str, Any]:
    d = result.definition
    ds = result.dataset
    frame = ds.frame
    return {
        "index": {
            "code": d.code,
            "name": d.name,
            "version": d.version,
            "edition": d.edition,
            "definition": d.file,
            "definition_sha256": d.sha256,
        },
        "data": {
            "file": ds.source,
            "sha256": ds.sha256,
            "layout": ds.layout,
            "meta": meta,
            "meta_sha256": _sha(Path(meta)) if meta else None,
            "units": len(np.unique(frame.units)),
            "time": ds.time if frame.times is None else sorted(int(t) for t in np.unique(frame.times)),
        },
        "steps": result.steps.describe(),
        "engine": {"ascc": _version("ascc"), "numpy": np.__version__, "pandas": pd.__version__},
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warnings": list(result.warnings),
    }


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tables(
    out_dir: Path | str, tables: dict[str, pd.DataFrame], manifest: dict[str, Any], *, overwrite: bool = False
) -> Path:
    """Write ``tables`` and ``manifest.json`` to ``out_dir`` atomically; returns ``out_dir``.

    An existing ``out_dir`` is replaced only if it is empty, holds an earlier manifest, or
    ``overwrite`` is set; otherwise ``OutputExists`` is raised and nothing is touched.
    """
    out = Path(out_dir)
    if out.exists():
        if not out.is_dir():
            raise OutputExists(f"{out} exists and is not a directory")
        if any(out.iterdir()) and not (out / MANIFEST).exists() and not overwrite:
            raise OutputExists(
                f"{out} is not empty and holds no earlier results; use --overwrite to replace it"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()  # unlike mkdtemp, honours the umask
    try:
        files = {}
        for name, table in tables.items():
            path = tmp / name
            spreadsheet.frame(table).to_csv(path, index=False, na_rep="", lineterminator="\n")
            files[name] = _sha(path)
        manifest = {**manifest, "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.{uuid.uuid4().hex}.old"
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
