"""What the CLI and the API call: load inputs, build, audit, test robustness, write results.

Services take keyword-only arguments. Reading and computing never write; the ``write_*``
functions write one result directory each, atomically (see ``ascc.indices.output``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ascc.indices import audit as audit_tables
from ascc.indices import uncertainty
from ascc.indices.data import Dataset, read_data
from ascc.indices.definition import IndexDefinition, load_definition, weight_problems
from ascc.indices.errors import DefinitionError, IndexInputError, Problem
from ascc.indices.imeta import apply_imeta, read_imeta
from ascc.indices.output import provenance, stage_tables, write_tables
from ascc.indices.pipeline import Build, build


def load(
    *, definition: Path | str, data: Path | str, meta: Path | str | None = None
) -> tuple[IndexDefinition, Dataset]:
    """The checked definition (with its hierarchy from ``meta`` if given) and its data."""
    d = load_definition(definition)
    others: set[str] = set()
    if meta is not None:
        imeta = read_imeta(meta)
        d = apply_imeta(d, imeta)
        others = set(imeta.others)
    elif not d.nodes:
        raise DefinitionError(
            Problem(
                "the definition has no indicators and aggregates; give them or pass an iMeta file",
                file=d.file,
            )
        )
    return d, read_data(data, d, allowed_extra=others)


def build_index(*, definition: IndexDefinition, dataset: Dataset) -> Build:
    return build(definition, dataset)


def compute(*, definition: Path | str, data: Path | str, meta: Path | str | None = None) -> Build:
    d, dataset = load(definition=definition, data=data, meta=meta)
    return build(d, dataset)


def write_build(
    result: Build, *, out: Path | str, meta: Path | str | None = None, overwrite: bool = False
) -> Path:
    manifest = {"kind": "compute", **provenance(result, meta=str(meta) if meta else None)}
    return write_tables(out, stage_tables(result), manifest, overwrite=overwrite)


def audit(result: Build, **parameters) -> dict[str, pd.DataFrame]:
    """The audit tables (``ascc.indices.audit``) plus the effective weights."""
    tables = audit_tables.audit(result, **parameters)
    tables["weights.csv"] = stage_tables(result)["weights.csv"]
    return tables


def write_audit(
    result: Build,
    *,
    out: Path | str,
    meta: Path | str | None = None,
    overwrite: bool = False,
    tables: dict[str, pd.DataFrame] | None = None,
    parameters: dict | None = None,
) -> Path:
    """Write the audit; ``tables`` when already computed with ``parameters`` (COINr's names)."""
    parameters = parameters or {}
    tables = tables if tables is not None else audit(result, **parameters)
    manifest = {
        "kind": "audit",
        **provenance(result, meta=str(meta) if meta else None),
        "audit": {**audit_defaults(), **parameters},
    }
    return write_tables(out, tables, manifest, overwrite=overwrite)


def audit_defaults() -> dict:
    """The audit's parameters and their defaults (COINr's), from ``ascc.indices.audit.audit``."""
    found = inspect.signature(audit_tables.audit).parameters.values()
    return {p.name: p.default for p in found if p.kind is inspect.Parameter.KEYWORD_ONLY}


def run_uncertainty(
    *,
    definition: IndexDefinition,
    dataset: Dataset,
    n: int | None = None,
    kind: str | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> uncertainty.UncertaintyResult:
    spec = definition.uncertainty
    if spec is None:
        raise DefinitionError(
            Problem("the definition has no uncertainty section (uncertain factors)", file=definition.file)
        )
    changes = {k: v for k, v in (("n", n), ("kind", kind), ("seed", seed)) if v is not None}
    spec = replace(spec, **changes)
    if spec.kind == "SA" and len(spec.factors) < 2:
        raise DefinitionError(
            Problem("a sensitivity analysis needs at least two uncertain factors", file=definition.file)
        )
    return uncertainty.run(definition, dataset, spec, progress=progress)


def write_uncertainty(
    result: uncertainty.UncertaintyResult,
    nominal: Build,
    *,
    out: Path | str,
    meta: Path | str | None = None,
    overwrite: bool = False,
) -> Path:
    tables: dict[str, pd.DataFrame] = {
        "rank_intervals.csv": result.rank_stats(),
        "replications.csv": result.replications(),
    }
    if result.sensitivity is not None:
        tables["sensitivity.csv"] = result.sensitivity
    spec = result.spec
    manifest = {
        "kind": "uncertainty",
        **provenance(nominal, meta=str(meta) if meta else None),
        "uncertainty": {
            "type": spec.kind,
            "target": result.target,
            "n": spec.n,
            "replications": len(result.output),
            "failed": int(result.failed.sum()),
            "seed": spec.seed,
            "n_boot": spec.n_boot,
            "ci_tol": spec.ci_tol,
            "output_variance": result.variance,
            "factors": [
                {"name": f.name, "step": f.step, "options": f.n_options, "noise": dict(f.noise) or None}
                for f in spec.factors
            ],
        },
        "warnings": list(nominal.warnings) + list(result.warnings),
    }
    return write_tables(out, tables, manifest, overwrite=overwrite)


def list_definitions(*, directory: Path | str) -> list[IndexDefinition]:
    """Every readable definition in ``directory`` (editions side by side), by code and edition."""
    found = []
    for path in sorted(Path(directory).glob("*.y*ml")):
        try:
            found.append(load_definition(path))
        except DefinitionError:
            continue
    return sorted(found, key=lambda d: (d.code, d.edition or "", d.version))


def what_if(
    *,
    definition_text: str,
    data_text: str,
    meta_text: str | None = None,
    weights: dict[str, float] | None = None,
    methods: dict | None = None,
    target: str | None = None,
) -> dict:
    """Scores and ranks with changed weights or methods, next to the definition's own."""
    import math
    import tempfile

    from ascc.indices import specs
    from ascc.indices.weights import effective_weights
    from ascc.indices.yaml_lines import Reporter

    with tempfile.TemporaryDirectory(prefix="ascc-whatif-") as tmp:
        folder = Path(tmp)
        (folder / "definition.yaml").write_text(definition_text, encoding="utf-8")
        (folder / "data.csv").write_text(data_text, encoding="utf-8")
        meta = None
        if meta_text is not None:
            meta = folder / "imeta.csv"
            meta.write_text(meta_text, encoding="utf-8")
        try:
            d, dataset = load(definition=folder / "definition.yaml", data=folder / "data.csv", meta=meta)
        except IndexInputError as exc:  # name the request's parts, not the temporary files
            prefix = f"{folder}/"
            raise type(exc)(
                [replace(p, file=p.file.removeprefix(prefix) if p.file else p.file) for p in exc.problems]
            ) from None
    rep = Reporter("request")
    steps = d.steps
    for step, raw in (methods or {}).items():
        if step not in specs.STEP_NAMES:
            rep.add(f"methods: unknown step {step!r} (steps: {', '.join(specs.STEP_NAMES)})", field="methods")
            continue
        steps = specs.with_step(steps, step, specs.parse_step(step, raw, rep))
    for code, weight in (weights or {}).items():
        if code not in d.by_code:
            rep.add(f"weights: unknown code {code!r}", field="weights")
        elif not math.isfinite(weight) or weight < 0:
            rep.add(f"weights: {code!r} must be a finite weight >= 0, not {weight}", field="weights")
    if target is not None and target not in d.by_code:
        rep.add(f"target: unknown code {target!r}", field="target")
    if rep.problems:
        raise DefinitionError(rep.problems)
    if weights:
        steps = replace(
            steps, weights=replace(steps.weights, custom=(*steps.weights.custom, *weights.items()))
        )
    for message in weight_problems(d, steps.weights):
        rep.add(message, field="weights")
    if rep.problems:
        raise DefinitionError(rep.problems)
    nominal = build(d, dataset)
    changed = build(d, dataset, steps=steps)
    code = target or d.root
    frame = changed.aggregated
    index = {(u, t): i for i, (u, t) in enumerate(_keys(nominal.aggregated))}

    def number(x) -> float | None:
        return None if x is None or not math.isfinite(x) else float(x)

    results = []
    for i, key in enumerate(_keys(frame)):
        j = index.get(key)
        rank = number(changed.ranks.column(code)[i])
        nom_rank = None if j is None else number(nominal.ranks.column(code)[j])
        results.append(
            {
                "uCode": key[0],
                "Time": key[1],
                "score": number(frame.column(code)[i]),
                "rank": None if rank is None else int(rank),
                "nominal_score": None if j is None else number(nominal.aggregated.column(code)[j]),
                "nominal_rank": None if nom_rank is None else int(nom_rank),
            }
        )
    results.sort(key=lambda r: (-(r["Time"] or 0), r["rank"] if r["rank"] is not None else math.inf))
    return {
        "index": {"code": d.code, "name": d.name, "version": d.version, "edition": d.edition},
        "target": code,
        "results": results,
        "effective_weights": [
            {k: number(v) if isinstance(v, float) else v for k, v in row.items()}
            for row in effective_weights(d, changed.weights).to_dict(orient="records")
        ],
        "warnings": list(changed.warnings),
    }


def _keys(frame) -> list[tuple[str, int | None]]:
    times = frame.times if frame.times is not None else [None] * len(frame.units)
    return [(str(u), None if t is None else int(t)) for u, t in zip(frame.units, times, strict=True)]
