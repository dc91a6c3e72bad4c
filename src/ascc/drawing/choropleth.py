"""Choropleth maps of one indicator: member states, or subnational areas, coloured by their latest
approved value. Drawn on the server as SVG geometry in the frame of ``ascc.kit.geo`` (the same
projection as the disaster maps). No tiles, no CDN, no script.

Classes are quantiles of the values shown (up to five; fewer when values repeat), so each class holds
about the same number of areas; the legend gives each class's range. An area without an approved
value is hatched ("no data"). National indicators colour the member states; subnational ones colour
the GDL regions (``IDNr101``) and the Indonesian provinces (``ID-JB``, on the pre-2012 boundaries) of
the member states that have a value (an Indonesia-only indicator draws Indonesia alone). The map's
``view_box`` is the box around the drawn areas with a margin (``geo.view_box``): it zooms to the
area asked about and cuts none off; the other member states stay as a grey outline for context.

A national map without a year shows the headline period of the coverage rule
(``published.indicator_headline``: the latest year enough member states reported), with its
coverage, and names a more recent partial year; a subnational map shows each area's latest value.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit import clock, geo
from ascc.kit.errors import Invalid, NotFound
from ascc.monitoring import models as m
from ascc.monitoring import precision, published, terms
from ascc.monitoring.published import published_filter

#: light to dark (ColorBrewer "YlGnBu", 5 classes)
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
MAX_CLASSES = len(PALETTE)


def breaks(values: list[float], k: int = MAX_CLASSES) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes (the last is the maximum); duplicates merged."""
    vals = sorted(v for v in values if v is not None and math.isfinite(v))
    if not vals:
        return []
    n = len(vals)
    k = max(1, min(k, n))
    bounds = []
    for i in range(1, k + 1):
        q = vals[min(n - 1, math.ceil(i * n / k) - 1)]
        if not bounds or q > bounds[-1]:
            bounds.append(q)
    return bounds


def class_of(value: float | None, bounds: list[float]) -> int | None:
    """Index of the first class whose upper bound is at or above ``value``; None = no data."""
    if value is None or not bounds:
        return None
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds) - 1


def legend(bounds: list[float], values: list[float]) -> list[dict[str, Any]]:
    if not bounds:
        return []
    low = min(values)
    colours = _colours(len(bounds))
    out = []
    for i, b in enumerate(bounds):
        lo = low if i == 0 else bounds[i - 1]
        count = sum(1 for v in values if class_of(v, bounds) == i)
        out.append({"index": i, "from": lo, "to": b, "colour": colours[i], "count": count, "first": i == 0})
    return out


def _colours(k: int) -> list[str]:
    """``k`` colours spread over the palette, so three classes run light, middle, dark."""
    if k == 1:
        return [PALETTE[2]]
    return [PALETTE[round(i * (len(PALETTE) - 1) / (k - 1))] for i in range(k)]


def _year(period: str) -> int | None:
    return int(period[:4]) if period[:4].isdigit() else None


def latest_values(
    session: Session, *, indicator: str, subnational: bool, period: int | None = None
) -> dict[str, tuple[float, str]]:
    """Unit (ISO3 or area code) → (value, period): its latest published (approved) total (or in ``period``).
    "Latest" stops at this year: later periods are projections."""
    until = clock.today().year
    o = m.Observation
    stmt = select(o.member_state, o.area_code, o.period, o.value).where(
        o.indicator_code == indicator,
        published_filter(o),
        o.value.is_not(None),
        o.sex == m.TOTAL,
        o.age == m.TOTAL,
        o.urbanisation == m.TOTAL,
        (o.area_code != m.NATIONAL) if subnational else (o.area_code == m.NATIONAL),
    )
    best: dict[str, tuple[float, str]] = {}
    for state, area, per, value in session.execute(stmt):
        year = _year(per)
        if year is None or year > until or (period is not None and year != period):
            continue
        unit = area if subnational else state
        if unit not in best or per > best[unit][1]:
            best[unit] = (value, per)
    return best


def _fmt(v: float) -> str:
    if abs(v) >= 1_000_000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"


def indicator_map(session: Session, *, code: str, period: int | None = None) -> dict[str, Any]:
    """The map of one indicator: shapes with their class, colour and title; legend; coverage."""
    ind = session.get(m.Indicator, code)
    if ind is None:
        raise NotFound(f"no indicator {code!r}")
    if period is not None and not 1900 <= period <= 2100:
        raise Invalid("period must be a year between 1900 and 2100", parameter="period")
    subnational = ind.level == "subnational"
    rule = None if subnational else published.indicator_headline(session, code=code)
    if rule is not None and period is None and rule["period"] is not None:
        period = _year(rule["period"])
    values = latest_values(session, indicator=code, subnational=subnational, period=period)
    shown_coverage = None
    if rule is not None and period is not None:
        shown_coverage = published.period_coverage(
            str(period), values, published.members_on(session), rule["min_coverage"]
        )
    partial = (
        rule["partial"]
        if rule and rule["partial"] and period is not None and rule["partial"]["period"] > str(period)
        else None
    )
    bounds = breaks([v for v, _ in values.values()])
    colours = _colours(len(bounds)) if bounds else []
    countries = geo.countries()
    layers: list[dict[str, Any]] = []
    if subnational:
        areas = {a.code: a for a in session.scalars(select(m.Area))}
        shapes = [("GDL", c, s) for c, s in geo.regions().items()]
        shapes += [("ISO3166-2", c, s) for c, s in geo.provinces().items()]
        by_country: dict[str, set[str]] = defaultdict(set)
        for unit in values:
            area = areas.get(unit)
            if area is not None:
                by_country[area.member_state].add(area.scheme)
        for scheme, unit, shape in shapes:
            # only the member states with a value are drawn (the map zooms to them), all when none has one
            if by_country and shape.get("country") not in by_country:
                continue
            # Indonesia is drawn by its provinces when it reports them, else by its GDL regions
            if scheme == "GDL" and shape["country"] == "IDN" and "ISO3166-2" in by_country["IDN"]:
                continue
            if scheme == "ISO3166-2" and "ISO3166-2" not in by_country["IDN"]:
                continue
            layers.append(
                _shape(
                    unit,
                    shape,
                    values.get(unit),
                    bounds,
                    colours,
                    name=areas[unit].name if unit in areas else shape["name"],
                    unit_label=ind.unit,
                )
            )
    else:
        for unit, shape in sorted(countries.items()):
            layers.append(
                _shape(
                    unit, shape, values.get(unit), bounds, colours, name=shape["name"], unit_label=ind.unit
                )
            )
    shown = [s for s in layers if s["value"] is not None]
    periods = sorted({s["period"] for s in shown})
    return {
        "indicator": {
            "code": ind.code,
            "name": {"en": ind.name_en, "id": ind.name_id},
            "unit": ind.unit,
            "translated": terms.translated_fields(ind.sources),
            "direction": ind.direction,
            "level": ind.level,
            "source_org": ind.source_org,
            "decimals": precision.decimals((v for v, _ in values.values()), ind.decimals),
            "source_url": ind.source_url,
            "licence": ind.licence,
        },
        "period": period,
        "width": geo.WIDTH,
        "height": geo.HEIGHT,
        "view_box": geo.view_box(s["d"] for s in layers),
        "outline": [{"code": c, "d": s["d"]} for c, s in sorted(countries.items())] if subnational else [],
        "shapes": layers,
        "legend": legend(bounds, [s["value"] for s in shown]),
        "member_coverage": shown_coverage,
        "partial": partial,
        "coverage": {
            "with_data": len(shown),
            "shapes": len(layers),
            "periods": periods,
            "values_without_shape": sorted(set(values) - {s["code"] for s in layers}),
        },
        "boundaries": _boundaries(subnational),
    }


def _shape(
    unit: str,
    shape: dict[str, str],
    value: tuple[float, str] | None,
    bounds: list[float],
    colours: list[str],
    *,
    name: str,
    unit_label: str | None,
) -> dict[str, Any]:
    klass = class_of(value[0], bounds) if value else None
    return {
        "code": unit,
        "d": shape["d"],
        "name": name,
        "country": shape.get("country") or unit,
        "value": value[0] if value else None,
        "period": value[1] if value else None,
        "label": f"{_fmt(value[0])}{' ' + unit_label if unit_label else ''} ({value[1]})" if value else None,
        "class": klass,
        "colour": colours[klass] if klass is not None else None,
    }


def _boundaries(subnational: bool) -> list[dict[str, str]]:
    out = [{"file": geo.COUNTRIES, "source": "Natural Earth 1:50m admin-0", "licence": "public domain"}]
    if subnational:
        out += [
            {
                "file": geo.GDL_REGIONS,
                "source": "Global Data Lab SHDI regions",
                "licence": "GDL terms (attribution)",
            },
            {
                "file": geo.IDN_PROVINCES,
                "source": "Natural Earth 1:10m admin-1 (pre-2012)",
                "licence": "public domain",
            },
        ]
    return out
