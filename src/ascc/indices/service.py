"""What the CLI and the API call: load inputs, build, audit, test robustness, write results.

Services take keyword-only arguments. Reading and computing never write; the ``write_*``
functions write one result directory each, atomically (see ``ascc.indices.output``).
"""

from __future__ import annotations

import hashlib
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ascc.indices import audit as audit_tables
from ascc.indices import uncertainty
from ascc.indices.data import CsvText, Dataset, StoreRows, read_data
from ascc.indices.definition import IndexDefinition, definition_from_text, load_definition, weight_problems
from ascc.indices.errors import DefinitionError, Problem
from ascc.indices.imeta import IMeta, apply_imeta, imeta_from_text, read_imeta
from ascc.indices.output import provenance, stage_tables, write_tables
from ascc.indices.pipeline import Build, build
from ascc.indices.specs import Steps


def load(
    *, definition: Path | str, data: Path | str | StoreRows, meta: Path | str | None = None
) -> tuple[IndexDefinition, Dataset]:
    """The checked definition (with its hierarchy from ``meta`` if given) and its data.

    ``data``: a file, or ``StoreRows`` (the indicator store's rows in memory).
    """
    d, others = _with_meta(load_definition(definition), None if meta is None else read_imeta(meta))
    return d, read_data(data, d, allowed_extra=others)


def _with_meta(d: IndexDefinition, imeta: IMeta | None) -> tuple[IndexDefinition, set[str]]:
    if imeta is not None:
        return apply_imeta(d, imeta), set(imeta.others)
    if not d.nodes:
        raise DefinitionError(
            Problem(
                reason="the definition has no indicators and aggregates; give them or pass an iMeta file",
                file=d.file,
            )
        )
    return d, set()


# --- texts instead of files, and a small cache of what they give ------------------------------
#
# Pages and the what-if API read a definition, data and iMeta held as text (a request's fields, a
# stored run's copies). Parsing them and building are pure functions of the texts (and of the
# methods and weights), so each process keeps the last few results, keyed by the texts' SHA-256.
# Cached objects are shared: callers never change them.

CACHE_SIZE = 16
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple, make: Callable[[], Any]) -> Any:
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()  # outside the lock: another thread may build the same, which is harmless
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _sha(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Texts:
    """A definition, its data and its iMeta as text, with the names problems give them."""

    definition: str
    data: str | None = None
    meta: str | None = None
    names: tuple[str, str, str] = ("definition.yaml", "data.csv", "imeta.csv")

    @cached_property
    def key(self) -> tuple[str | None, ...]:
        return (_sha(self.definition), _sha(self.data), _sha(self.meta), *self.names)


def definition_of(texts: Texts) -> IndexDefinition:
    """The checked definition (with the hierarchy of the iMeta text): the data are not read."""

    def make() -> IndexDefinition:
        d = definition_from_text(texts.definition, file=texts.names[0])
        imeta = None if texts.meta is None else imeta_from_text(texts.meta, file=texts.names[2])
        return _with_meta(d, imeta)

    return _cached(("definition", *texts.key), make)[0]


def load_texts(texts: Texts) -> tuple[IndexDefinition, Dataset]:
    """``load`` for texts: the checked definition and its data, without any file."""

    def make() -> tuple[IndexDefinition, Dataset]:
        d = definition_of(texts)
        others = set() if texts.meta is None else set(imeta_from_text(texts.meta, file=texts.names[2]).others)
        return d, read_data(CsvText.of(texts.data or "", file=texts.names[1]), d, allowed_extra=others)

    return _cached(("load", *texts.key), make)


def cached_build(texts: Texts, steps: Steps | None = None) -> Build:
    """The build of ``texts`` with ``steps`` (the definition's own when None), kept per process."""
    d, dataset = load_texts(texts)
    steps = steps or d.steps
    try:
        hash(steps)
    except TypeError:  # a spec holding something unhashable: build, do not keep
        return build(d, dataset, steps=steps)
    return _cached(("build", *texts.key, steps), lambda: build(d, dataset, steps=steps))


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
            Problem(
                reason="the definition has no uncertainty section (uncertain factors)", file=definition.file
            )
        )
    changes = {k: v for k, v in (("n", n), ("kind", kind), ("seed", seed)) if v is not None}
    spec = replace(spec, **changes)
    if spec.kind == "SA" and len(spec.factors) < 2:
        raise DefinitionError(
            Problem(
                reason="a sensitivity analysis needs at least two uncertain factors", file=definition.file
            )
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
    texts = Texts(definition_text, data_text, meta_text)
    return what_if_texts(texts, weights=weights, methods=methods, target=target)


def what_if_texts(
    texts: Texts,
    *,
    weights: dict[str, float] | None = None,
    methods: dict | None = None,
    target: str | None = None,
) -> dict:
    """``what_if`` on ``texts``; the builds (the nominal one and the changed one) are cached."""
    import math

    from ascc.indices import specs
    from ascc.indices.yaml_lines import Reporter

    d, _dataset = load_texts(texts)
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
    nominal = cached_build(texts)
    changed = cached_build(texts, steps)
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
        "effective_weights": effective_weight_rows(d, changed.weights),
        "warnings": list(changed.warnings),
    }


def effective_weight_rows(d: IndexDefinition, weights: dict[str, float]) -> list[dict]:
    """``weights.effective_weights`` as JSON rows (a weight that is not a number is None)."""
    import math

    from ascc.indices.weights import effective_weights

    return [
        {k: (float(v) if math.isfinite(v) else None) if isinstance(v, float) else v for k, v in row.items()}
        for row in effective_weights(d, weights).to_dict(orient="records")
    ]


def nominal_weights_of(texts: Texts, *, stored: dict[str, float] | None = None) -> dict[str, float]:
    """The weights a build of ``texts`` uses: from the definition, or ``stored`` (a run's record of
    them); only data-driven (PCA) weights that were not stored need the build."""
    from ascc.indices.weights import nominal_weights

    d = definition_of(texts)
    if stored:
        return dict(stored)
    if d.steps.weights.method != "pca":
        return nominal_weights(d, d.steps.weights)
    return cached_build(texts).weights


def _keys(frame) -> list[tuple[str, int | None]]:
    times = frame.times if frame.times is not None else [None] * len(frame.units)
    return [(str(u), None if t is None else int(t)) for u, t in zip(frame.units, times, strict=True)]
