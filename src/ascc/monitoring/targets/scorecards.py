"""Scorecards: the progress status of indicators per plan, per sector and per member state, computed
from published national totals only: per observation key its latest approved revision (drafts,
submissions awaiting review and rejected values never count, nor hide the published value).

Which indicators a scorecard holds:

- a **plan**: the indicators of the plan's sectors; a plan of the ASCC-wide coordination sector
  (``ascc-coordination``: the Blueprint, the Strategic Plan, the Visions) covers every sector's
  indicators. The base year is the plan's first year when it has one, else 2015.
- a **sector**: the indicators whose ``sector`` is that sector; base year 2015.
- a **member state**: every indicator, grouped by sector; base year 2015.

Which target applies to a member state's series: its own target for the plan, else its own target,
else the regional target for the plan, else the regional target (a regional target is the level each
member state aims at); none → the trend method (``progress.assess`` without a target, with the
indicator's floor or ceiling, ``best_value``). A change within the indicator's tolerance
(``precision.tolerance``) is *no significant change*. The regional
status of an indicator is the method's aggregate: the mean score over the member states assessed,
with its coverage ("7 of 11 member states"). Its latest year (``last_year``) is the headline year of
the coverage rule (``published.headline``: enough member states of that year reported), and a more
recent year that falls short is named as ``partial``, not as the regional figure's year.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit import clock
from ascc.kit.errors import Invalid
from ascc.monitoring import models as m
from ascc.monitoring import precision, published, rules, terms
from ascc.monitoring.published import published_filter
from ascc.monitoring.targets import progress
from ascc.monitoring.targets import service as targets_service
from ascc.registry import service as registry_service

PILLAR_WIDE = "ascc-coordination"


def _year(period: str) -> int | None:
    head = period[:4]
    return int(head) if head.isdigit() and (len(period) == 4 or not period[4:5].isdigit()) else None


def approved_series(
    session: Session, *, indicators: list[str], until: int | None = None
) -> dict[str, dict[str, dict[int, float]]]:
    """indicator → member state → year → value: the published national totals (latest approved revisions) up to ``until``
    (default: this year; later periods are projections, e.g. WPP's medium variant, not progress)."""
    until = until or clock.today().year
    out: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    if not indicators:
        return out
    o = m.Observation
    stmt = select(o.indicator_code, o.member_state, o.period, o.value).where(
        o.indicator_code.in_(indicators),
        published_filter(o),
        o.area_code == m.NATIONAL,
        o.sex == m.TOTAL,
        o.age == m.TOTAL,
        o.urbanisation == m.TOTAL,
        o.value.is_not(None),
    )
    for code, state, period, value in session.execute(stmt):
        year = _year(period)
        if year is not None and year <= until:
            out[code][state][year] = value
    return out


def _indicator(row: m.Indicator) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": {"en": row.name_en, "id": row.name_id},
        "unit": row.unit,
        "translated": terms.translated_fields(row.sources),
        "direction": row.direction,
        "sector": row.sector,
        "level": row.level,
        "source": {
            "org": row.source_org,
            "dataset": row.source_dataset,
            "url": row.source_url,
            "licence": row.licence,
        },
    }


def _indicators(session: Session, *, sectors: set[str] | None) -> list[m.Indicator]:
    stmt = select(m.Indicator).order_by(m.Indicator.sector, m.Indicator.code)
    if sectors is not None:
        stmt = stmt.where(m.Indicator.sector.in_(sorted(sectors)))
    return [i for i in session.scalars(stmt) if i.level != "subnational"]


def _pick_target(found: dict, code: str, state: str | None, plan_id: str | None):
    for key in ((code, state, plan_id), (code, state, None), (code, None, plan_id), (code, None, None)):
        if key in found:
            return found[key]
    return None


def _cell(
    series: dict[int, float],
    indicator: m.Indicator,
    target,
    base_year: int | None,
    tolerance: float | None = None,
) -> dict[str, Any]:
    if target is not None:
        result = progress.assess(
            series,
            direction=indicator.direction,
            base_year=target.baseline_year or base_year,
            baseline_value=target.baseline_value,
            target_value=target.target_value,
            target_year=target.target_year,
            tolerance=tolerance,
        )
    else:
        result = progress.assess(
            series,
            direction=indicator.direction,
            base_year=base_year,
            limit=best_value(indicator),
            tolerance=tolerance,
        )
    return {
        "status": result.status.value,
        "method": result.method,
        "value": result.value,
        "score": result.score,
        "base_year": result.base_year,
        "base_value": result.base_value,
        "latest_year": result.latest_year,
        "latest_value": result.latest_value,
        "observed_cagr": result.observed_cagr,
        "required_cagr": result.required_cagr,
        "reason": result.reason,
        "target": targets_service.read(target) if target is not None else None,
        "_result": result,
    }


def best_value(indicator: m.Indicator) -> float | None:
    """The floor or ceiling of the trend method: the indicator's ``best_value``, else 100 for a share."""
    if indicator.best_value is not None:
        return indicator.best_value
    return 100.0 if _is_share(indicator) else None


def _is_share(indicator: m.Indicator) -> bool:
    """A share of a whole ("% of population") has a natural limit of 100 when higher is better; ratios to
    GDP or exports and gross rates ("% gross", which pass 100) have none."""
    unit = (indicator.unit or "").lower()
    return (
        indicator.direction == "higher"
        and unit.startswith("% of")
        and not any(w in unit for w in ("gdp", "export", "gross"))
    )


def build(
    session: Session,
    *,
    indicators: list[m.Indicator],
    member_states: list[str],
    base_year: int | None,
    plan_id: str | None = None,
) -> dict[str, Any]:
    codes = [i.code for i in indicators]
    data = approved_series(session, indicators=codes)
    found = targets_service.targets_for(session, indicators=codes)
    rows = []
    totals: dict[str, int] = defaultdict(int)
    members_on = published.members_on(session)
    for ind in indicators:
        cells = {}
        values = [v for st in data.get(ind.code, {}).values() for v in st.values()]
        tolerance = precision.tolerance(values, declared=ind.tolerance, places=ind.decimals)
        for state in member_states:
            cell = _cell(
                data.get(ind.code, {}).get(state, {}),
                ind,
                _pick_target(found, ind.code, state, plan_id),
                base_year,
                tolerance,
            )
            cells[state] = cell
        status, mean, assessed = progress.aggregate(c["_result"] for c in cells.values())
        for c in cells.values():
            c.pop("_result")
        reporting = sorted(s for s in member_states if data.get(ind.code, {}).get(s))
        years = [y for s in reporting for y in data[ind.code][s]]
        rule = published.headline(
            published.reporting_by_period({s: data[ind.code][s].items() for s in reporting}),
            members_on=members_on,
            min_coverage=ind.min_coverage,
        )
        totals[status.value] += 1
        rows.append(
            {
                "indicator": _indicator(ind) | {"decimals": precision.decimals(values, ind.decimals)},
                "cells": cells,
                "regional": {
                    "status": status.value,
                    "score": mean,
                    "assessed": assessed,
                    "member_states": len(member_states),
                    "reporting": len(reporting),
                    "first_year": min(years) if years else None,
                    "last_year": int(rule["period"]) if rule["period"] else None,
                    "headline": {k: rule[k] for k in ("period", "reporting", "member_states", "required")},
                    "partial": rule["partial"]
                    and {k: rule["partial"][k] for k in ("period", "reporting", "member_states", "required")},
                    "regional_target": targets_service.read(t)
                    if (t := _pick_target(found, ind.code, None, plan_id)) is not None
                    else None,
                },
            }
        )
    return {
        "rows": rows,
        "member_states": member_states,
        "base_year": base_year or progress.DEFAULT_BASE_YEAR,
        "statuses": [s.value for s in reversed(progress.ORDER)],
        "totals": dict(totals),
        "method_url": progress.SOURCE_URL,
    }


def _members(session: Session) -> list[str]:
    return [s.code for s in registry_service.list_member_states(session)]


def _base(base_year: int | None) -> int | None:
    if base_year is not None and not 1900 <= base_year <= 2100:
        raise Invalid("base year must be between 1900 and 2100", parameter="base")
    return base_year


def plan_sectors(session: Session, plan_sectors_: list[str]) -> set[str] | None:
    if PILLAR_WIDE in plan_sectors_:
        return None
    return set(plan_sectors_)


def plan_scorecard(session: Session, *, plan_id: str, base_year: int | None = None) -> dict[str, Any]:
    plan = registry_service.get_plan(session, plan_id=plan_id)
    sectors = plan_sectors(session, plan.sectors)
    base = _base(base_year) or plan.period_start or progress.DEFAULT_BASE_YEAR
    card = build(
        session,
        indicators=_indicators(session, sectors=sectors),
        member_states=_members(session),
        base_year=base,
        plan_id=plan.id,
    )
    return card | {
        "plan": plan.model_dump(mode="json"),
        "pillar_wide": sectors is None,
        "sectors": sorted(sectors) if sectors is not None else None,
    }


def sector_scorecard(session: Session, *, sector_id: str, base_year: int | None = None) -> dict[str, Any]:
    sector = registry_service.get_sector(session, sector_id=sector_id)
    card = build(
        session,
        indicators=_indicators(session, sectors={sector.id}),
        member_states=_members(session),
        base_year=_base(base_year),
    )
    return card | {"sector": sector.model_dump(mode="json")}


def member_state_scorecard(session: Session, *, code: str, base_year: int | None = None) -> dict[str, Any]:
    state = registry_service.get_member_state(session, code=code)
    card = build(
        session,
        indicators=_indicators(session, sectors=None),
        member_states=[state.code],
        base_year=_base(base_year),
    )
    for row in card["rows"]:
        row["cell"] = row["cells"][state.code]
    return card | {"state": state.model_dump(mode="json")}


def against_region(session: Session, *, code: str) -> dict[str, Any]:
    """A member state's published national totals beside the ASEAN figure: for each indicator it
    reports, its latest year's value and, for the same year, the unweighted mean of the member
    states reporting it (and their total, for counts of persons: ``rules.is_additive``), with that year's coverage under the coverage rule (``published.headline``'s
    share; a year below it is ``covered: False``, shown as partial). ``reported`` of ``available``:
    the indicators with a national total from this member state, of those with any."""
    state = registry_service.get_member_state(session, code=code)
    indicators = _indicators(session, sectors=None)
    data = approved_series(session, indicators=[i.code for i in indicators])
    members_on = published.members_on(session)
    rows = []
    for ind in indicators:
        series = data.get(ind.code, {})
        own = series.get(state.code)
        if not own:
            continue
        year = max(own)
        share = published.DEFAULT_MIN_COVERAGE if ind.min_coverage is None else ind.min_coverage
        coverage = published.period_coverage(
            str(year), [s for s, points in series.items() if year in points], members_on, share
        )
        counted = [series[s][year] for s in coverage["reporting_codes"]]
        additive = rules.is_additive(ind.unit)
        values = [v for points in series.values() for v in points.values()]
        rows.append(
            {
                "indicator": _indicator(ind) | {"decimals": precision.decimals(values, ind.decimals)},
                "year": year,
                "value": own[year],
                "asean": {
                    "mean": sum(counted) / len(counted) if counted else None,
                    "total": sum(counted) if counted and additive else None,
                    "additive": additive,
                    "covered": coverage["covered"],
                    "coverage": {k: coverage[k] for k in published.COVERAGE_KEYS},
                },
            }
        )
    return {"rows": rows, "reported": len(rows), "available": sum(1 for i in indicators if data.get(i.code))}


#: how far back a headline's trend looks: the latest year at least this many years before it
TREND_YEARS = 5


def headlines(session: Session, *, per_sector: int = 1) -> list[dict[str, Any]]:
    """The home page's headline figures: per sector, the ``per_sector`` indicators with a direction
    (better is higher or lower) whose regional figure meets the coverage rule, the most recent
    headline year first, then the most member states reporting. Each has its ASEAN figure (the mean
    of the member states reporting the headline year, or their total for counts of persons) and its
    trend over the same member states: the latest earlier year at least :data:`TREND_YEARS` before
    in which enough of them (the rule's count) also reported, and both years' mean over exactly
    those, so the change is not a change of who reports."""
    indicators = [i for i in _indicators(session, sectors=None) if i.direction and i.sector]
    data = approved_series(session, indicators=[i.code for i in indicators])
    members_on = published.members_on(session)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ind in indicators:
        series = data.get(ind.code, {})
        if not series:
            continue
        rule = published.headline(
            published.reporting_by_period({s: pts.items() for s, pts in series.items()}),
            members_on=members_on,
            min_coverage=ind.min_coverage,
        )
        if rule["period"] is None:
            continue
        year = int(rule["period"])
        states = rule["reporting_codes"]
        latest = [series[s][year] for s in states]
        additive = rules.is_additive(ind.unit)
        values = [v for pts in series.values() for v in pts.values()]
        found[ind.sector].append(
            {
                "indicator": _indicator(ind) | {"decimals": precision.decimals(values, ind.decimals)},
                "year": year,
                "additive": additive,
                "value": sum(latest) if additive else sum(latest) / len(latest),
                "coverage": {k: rule[k] for k in published.COVERAGE_KEYS},
                "partial": rule["partial"]
                and {k: rule["partial"][k] for k in ("period", "reporting", "member_states")},
                "trend": _trend(series, states, year, rule["required"], ind.direction),
            }
        )
    out = []
    for sector in sorted(found):
        ranked = sorted(
            found[sector], key=lambda h: (-h["year"], -h["coverage"]["reporting"], h["indicator"]["code"])
        )
        out.extend(ranked[:per_sector])
    return out


def _trend(
    series: dict[str, dict[int, float]], states: list[str], year: int, required: int, direction: str
) -> dict[str, Any] | None:
    """The change of the mean over the member states reporting both ``year`` and the latest year at
    least :data:`TREND_YEARS` before it in which ``required`` of them reported; None without one."""
    earlier = sorted({y for s in states for y in series[s] if y <= year - TREND_YEARS}, reverse=True)
    for then in earlier:
        panel = [s for s in states if then in series[s]]
        if len(panel) < required:
            continue
        before = sum(series[s][then] for s in panel) / len(panel)
        now = sum(series[s][year] for s in panel) / len(panel)
        change = now - before
        if before and abs(change) < abs(before) * 0.01:
            verdict = "same"
        else:
            verdict = "better" if (change > 0) == (direction == "higher") else "worse"
        return {
            "year": then,
            "panel": panel,
            "before": before,
            "now": now,
            "change": change,
            "verdict": verdict,
        }
    return None
