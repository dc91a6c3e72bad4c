"""Composite index pages: the stored editions, and per edition its methodology, ranking with rank
intervals, domain breakdown, trend, what-if weights and downloads.

The what-if form works without JavaScript (GET with ``w_<code>`` weights; the server recomputes);
``/static/indices.js`` posts the same weights to ``/api/v1/indices/what-if`` and redraws the table.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ascc.db.uow import unit_of_work
from ascc.drawing import charts
from ascc.http.openapi import download
from ascc.indices import service as indices_service
from ascc.indices import store as index_store
from ascc.indices.definition import IndexDefinition, Node
from ascc.kit import spreadsheet
from ascc.kit.errors import Invalid, NotFound
from ascc.web import chart_files, i18n
from ascc.web.pages import downloads, page

STEP_LABELS = {
    "denominate": ("Denomination", "Denominasi"),
    "impute": ("Imputation", "Imputasi"),
    "screen": ("Unit screening", "Penyaringan unit"),
    "treat": ("Outlier treatment", "Penanganan pencilan"),
    "normalise": ("Normalisation", "Normalisasi"),
    "weights": ("Weighting", "Pembobotan"),
    "aggregate": ("Aggregation", "Agregasi"),
}
BAR = {"width": 220, "height": 16, "pad": 6}


def _demonstration(record_or_read: Any) -> bool:
    version = getattr(record_or_read, "version", None) or record_or_read.get("version") or ""
    return "demo" in version.lower()


@page("/indices", "index_list.html")
def indices(session: Session, request: Request) -> dict[str, Any]:
    items = index_store.list_indices(session)
    for item in items:
        item["demonstration"] = _demonstration(item)
    return {"indices": items}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k}: {_describe(v)}" for k, v in value.items() if v not in (None, (), [], {}, "none")]
        return ", ".join(parts) or "none"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_describe(v) for v in value) + "]"
    return str(value)


def _name(node: Node) -> dict[str, str]:
    """A domain's, pillar's or indicator's name in both languages (``loc`` picks the page's): the
    definition's ``name`` is the English one, ``name_id`` the Indonesian where it gives one."""
    return {"en": node.name, "id": node.name_id or node.name}


def _methodology(d: IndexDefinition, effective: dict[str, float | None]) -> dict[str, Any]:
    steps = d.steps.describe()
    levels = []
    for level in range(d.max_level, 1, -1):
        name = d.level_names[level - 1] if len(d.level_names) >= level else f"Level {level}"
        levels.append(
            {
                "level": level,
                "name": name,
                "aggregates": [
                    {
                        "code": c,
                        "name": _name(d.by_code[c]),
                        "parent": d.by_code[c].parent,
                        "weight": d.by_code[c].weight,
                        "effective": effective.get(c),
                        "children": list(d.children[c]),
                    }
                    for c in d.level_codes(level)
                ],
            }
        )
    indicators = [
        {
            "code": n.code,
            "name": _name(n),
            "parent": n.parent,
            "direction": n.direction,
            "weight": n.weight,
            "effective": effective.get(n.code),
            "unit": n.unit,
            "goalposts": n.goalposts,
            "target": n.target,
            "denominator": n.denominator,
            "series": n.series,
        }
        for n in d.indicators
    ]
    return {
        "levels": levels,
        "indicators": indicators,
        "steps": [
            {"step": k, "label": STEP_LABELS.get(k, (k, k)), "method": _describe(v)} for k, v in steps.items()
        ],
        "sources": list(d.sources),
        "description": d.description,
        "uncertainty": None
        if d.uncertainty is None
        else [{"name": f.name, "step": f.step, "options": f.n_options} for f in d.uncertainty.factors],
    }


def _weights(request: Request, defaults: dict[str, float]) -> dict[str, float]:
    """``w_<code>`` query parameters: finite numbers >= 0, each error naming its field."""
    out: dict[str, float] = {}
    for name, raw in request.query_params.items():
        if not name.startswith("w_"):
            continue
        code = name[2:]
        if code not in defaults:
            raise Invalid(
                f"{name}: {code!r} is not a weighted domain or pillar of this index", parameter=name
            )
        try:
            value = float(raw)
        except ValueError:
            raise Invalid(f"{name}={raw!r} is not a number", parameter=name) from None
        if not math.isfinite(value) or value < 0:
            raise Invalid(f"{name}={raw!r} must be a number of at least 0", parameter=name)
        out[code] = value
    if out and sum(out.get(c, w) for c, w in defaults.items()) <= 0:
        raise Invalid("the weights must not all be 0", parameter="w_" + next(iter(out)))
    return out


def _bar(low: float | None, high: float | None, rank: int | None, n: int) -> dict[str, Any] | None:
    if rank is None or n < 1:
        return None
    w, pad = BAR["width"], BAR["pad"]

    def x(r: float) -> float:
        return round(pad + (w - 2 * pad) * ((r - 1) / (n - 1) if n > 1 else 0.5), 1)

    return {
        "x1": x(low if low is not None else rank),
        "x2": x(high if high is not None else rank),
        "x": x(rank),
        **BAR,
    }


def _trend(stored: Any, slug: str, lang: str) -> charts.Chart | None:
    """The index score per year, one line per unit (``drawing.charts``); None with fewer than two years."""
    _ = i18n.translations(lang).gettext
    root = indices_service.definition_of(index_store.texts(stored)).root
    rows = [r for r in stored.results if r.code == root and r.year is not None and r.score is not None]
    if len({r.year for r in rows}) < 2:
        return None
    names = {r.unit_code: r.unit_name or r.unit_code for r in stored.results}
    points: dict[str, list[tuple[str, float]]] = {}
    for r in sorted(rows, key=lambda r: r.year):
        points.setdefault(r.unit_code, []).append((str(r.year), float(r.score)))
    title = stored.record.name
    return charts.line(
        [charts.Series(u, names.get(u, u), pts) for u, pts in sorted(points.items())],
        name=f"{slug}-trend",
        kind="trend",
        title=title,
        lang=lang,
        x_label=_("Year"),
        y_label=_("Index score"),
        desc=_("Index score per year and unit"),
    )


@chart_files.routes("/indices/{slug}", ("trend",))
def trend_file(request: Request, slug: str) -> Response:
    """The trend chart as SVG (in the page's language) or as the CSV of its values."""
    lang = i18n.choose_language(request)[0]
    return chart_files.serve(
        request,
        lambda session: _trend(index_store.latest(session, slug=slug), slug, lang),
        chart_files.extension(request),
        f"the index {slug} has no trend over two years or more",
    )


@page("/indices/{slug}", "index_detail.html")
def index_detail(session: Session, request: Request, slug: str) -> dict[str, Any]:
    stored = index_store.latest(session, slug=slug)
    texts = index_store.texts(stored)
    d = indices_service.definition_of(texts)  # the data are read (and the index built) for a what-if only
    root = d.root
    domain_level = 2 if d.max_level > 2 else d.max_level
    domains = list(d.level_codes(domain_level)) if domain_level < d.max_level else []
    weight_codes = [c for c in d.level_codes(2)] if d.max_level > 2 else []
    weights = _weights(request, {c: d.by_code[c].weight for c in weight_codes})
    if weights:
        what_if = indices_service.what_if_texts(texts, weights=weights)
        effective_rows = what_if["effective_weights"]
    else:
        what_if = {"results": [], "warnings": []}
        used = indices_service.nominal_weights_of(texts, stored=stored.run.parameters.get("weights"))
        effective_rows = indices_service.effective_weight_rows(d, used)
    effective = {r["iCode"]: r["EffectiveWeight"] for r in effective_rows}
    names = {r.unit_code: r.unit_name or r.unit_code for r in stored.results}
    years = sorted({r.year for r in stored.results if r.year is not None})
    raw_year = request.query_params.get("year")
    year = years[-1] if years else None
    if raw_year:
        if not raw_year.isdigit() or int(raw_year) not in years:
            raise Invalid(
                f"year={raw_year!r} is not a year of this index ({', '.join(map(str, years))})",
                parameter="year",
            )
        year = int(raw_year)
    at_year = [r for r in stored.results if r.year == year]
    index_rows = {r.unit_code: r for r in at_year if r.code == root}
    n_units = len(index_rows)
    changed = {r["uCode"]: r for r in what_if["results"] if r["Time"] in (year, None)}
    ranking = []
    for unit, r in index_rows.items():
        new = changed.get(unit, {}) if weights else {}
        rank = new.get("rank") if weights else r.rank
        ranking.append(
            {
                "unit": unit,
                "name": names.get(unit, unit),
                "score": new.get("score") if weights else r.score,
                "rank": rank,
                "nominal_score": r.score,
                "nominal_rank": r.rank,
                "rank_low": r.rank_low,
                "rank_high": r.rank_high,
                "bar": _bar(r.rank_low, r.rank_high, r.rank, n_units),
            }
        )
    ranking.sort(key=lambda r: (r["rank"] if r["rank"] is not None else math.inf, r["unit"]))
    breakdown = []
    by_key = {(r.unit_code, r.code): r for r in at_year}
    for row in ranking:
        breakdown.append(
            {
                "unit": row["unit"],
                "name": row["name"],
                "scores": [getattr(by_key.get((row["unit"], c)), "score", None) for c in domains],
                "index": row["nominal_score"],
            }
        )
    weight_form = [
        {
            "code": c,
            "name": _name(d.by_code[c]),
            "value": weights.get(c, d.by_code[c].weight),
            "default": d.by_code[c].weight,
        }
        for c in weight_codes
    ]
    return {
        "index": stored.read(),
        "demonstration": _demonstration(stored.record),
        "root": root,
        "root_name": _name(d.by_code[root]),
        "level_names": list(d.level_names),
        "methodology": _methodology(d, effective),
        "years": years,
        "year": year,
        "ranking": ranking,
        "has_intervals": any(r["rank_low"] is not None for r in ranking),
        "domains": [{"code": c, "name": _name(d.by_code[c])} for c in domains],
        "breakdown": breakdown,
        "trend": _trend(stored, slug, i18n.choose_language(request)[0]),
        "weights": weight_form,
        "what_if": bool(weights),
        "what_if_warnings": what_if["warnings"] if weights else [],
        "downloads": {
            "results": f"/indices/{slug}/results.csv",
            "definition": f"/indices/{slug}/definition.yaml",
            "data": f"/indices/{slug}/data.csv",
            "meta": f"/indices/{slug}/meta.csv" if stored.run.meta_csv is not None else None,
        },
    }


def _download(request: Request, slug: str, part: str) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        stored = index_store.latest(session, slug=slug)
        if part == "results":
            body, kind, name = index_store.results_csv(stored), "text/csv", f"{slug}-results.csv"
        elif part == "definition":
            body, kind, name = stored.record.yaml_text, "application/yaml", f"{slug}.yaml"
        elif part == "data":
            body, kind, name = spreadsheet.csv_text(stored.run.data_csv), "text/csv", f"{slug}-data.csv"
        elif stored.run.meta_csv is not None:
            body, kind, name = spreadsheet.csv_text(stored.run.meta_csv), "text/csv", f"{slug}-meta.csv"
        else:
            raise NotFound(f"index {slug!r} has no iMeta file")
    return Response(
        body,
        media_type=f"{kind}; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Definition-SHA256": stored.record.sha256,
            "X-Data-SHA256": stored.run.data_sha256,
        },
    )


@downloads.get(
    "/indices/{slug}/results.csv",
    name="index_results_csv",
    response_class=Response,
    responses=download("text/csv", "the stored index run's file"),
)
def results_csv(request: Request, slug: str) -> Response:
    return _download(request, slug, "results")


@downloads.get(
    "/indices/{slug}/definition.yaml",
    name="index_definition_yaml",
    response_class=Response,
    responses=download("application/yaml", "the stored index run's file"),
)
def definition_yaml(request: Request, slug: str) -> Response:
    return _download(request, slug, "definition")


@downloads.get(
    "/indices/{slug}/data.csv",
    name="index_data_csv",
    response_class=Response,
    responses=download("text/csv", "the stored index run's file"),
)
def data_csv(request: Request, slug: str) -> Response:
    return _download(request, slug, "data")


@downloads.get(
    "/indices/{slug}/meta.csv",
    name="index_meta_csv",
    response_class=Response,
    responses=download("text/csv", "the stored index run's file"),
)
def meta_csv(request: Request, slug: str) -> Response:
    return _download(request, slug, "meta")
