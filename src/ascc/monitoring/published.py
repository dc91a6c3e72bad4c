"""What the public reads: indicators and their *published* observations.

Published means approved by the Secretariat (``approval == "approved"``) and current: for each
observation key (indicator, member state, area, period, sex, age, urbanisation) the latest approved
revision. A newer revision that is still a draft, submitted or rejected does not hide the published
value, and is never shown to the public; once approved it replaces it. Every public read in the API,
SDMX-REST, pages and downloads goes through ``published_filter``.

Regional aggregates state their coverage against the registry's member states on the period's
date: "8 of 11 member states" (Timor-Leste, admitted on 26 October 2025, is the eleventh; a 2024
figure counts ten). **The coverage rule** (``headline``, the one place that picks "the latest
period" of an ASEAN-wide figure): a regional headline is the latest period, up to this year (later
periods are projections), in which at least ``min_coverage`` of the member states of that date
report (default two thirds, ``DEFAULT_MIN_COVERAGE``; per indicator ``Indicator.min_coverage``).
A more recent period that falls short is shown only as *partial* ("2024: 1 of 10 reported").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ascc.db.lookups import present
from ascc.kit import clock
from ascc.kit.errors import Invalid, NotFound
from ascc.kit.pagination import MAX_LIMIT, Page
from ascc.monitoring import precision, rules, terms
from ascc.monitoring.models import NATIONAL, TOTAL, Area, Indicator, Observation, of_member_states
from ascc.registry import service as registry_service

KEY_COLUMNS = ("indicator_code", "member_state", "area_code", "period", "sex", "age", "urbanisation")


def published_filter(obs: type[Observation] | Any = Observation) -> ColumnElement[bool]:
    """Approved, and no later approved revision of the same key."""
    newer = aliased(Observation)
    same_key = [getattr(newer, c) == getattr(obs, c) for c in KEY_COLUMNS]
    return and_(
        obs.approval == "approved",
        ~exists().where(*same_key, newer.approval == "approved", newer.revision > obs.revision),
    )


def indicator_read(row: Indicator) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": {"en": row.name_en, "id": row.name_id},
        "definition": {"en": row.definition_en, "id": row.definition_id},
        "unit": row.unit,
        "direction": row.direction,
        "sector": row.sector,
        "sector_tag": row.sector_tag,
        "level": row.level,
        "frequency": row.frequency,
        "disaggregations": list(row.disaggregations or []),
        "numerator": row.numerator,
        "denominator": row.denominator,
        "computed": formula(row),
        "source": {
            "organisation": row.source_org,
            "dataset": row.source_dataset,
            "url": row.source_url,
            "licence": row.licence,
        },
        "sources": list(row.sources or []),
        # the Indonesian fields the platform translated (``terms.translated_fields``)
        "translated": terms.translated_fields(row.sources),
        # how its figures are read (``monitoring.reading_rules``); None: the default
        "reading_rules": {
            "min_coverage": row.min_coverage,
            "decimals": row.decimals,
            "tolerance": row.tolerance,
            "best_value": row.best_value,
        },
    }


def formula_text(numerator: str, denominator: str, multiplier: float) -> str:
    text = f"{numerator} / {denominator}"
    return text if multiplier == 1 else f"{text} × {multiplier:,g}".replace(",", " ")


def computed_entry(row: Indicator) -> dict[str, Any] | None:
    """The ``kind: computed`` entry of a computed indicator's sources (None: not computed)."""
    if not (row.numerator and row.denominator):
        return None
    for s in row.sources or []:
        if isinstance(s, dict) and s.get("kind") == "computed":
            return s
    return {"kind": "computed", "multiplier": 1.0}


def formula(row: Indicator) -> dict[str, Any] | None:
    """``{numerator, denominator, multiplier, text}`` of a computed indicator, else None."""
    entry = computed_entry(row)
    if entry is None:
        return None
    mult = float(entry.get("multiplier") or 1)
    return {
        "numerator": row.numerator,
        "denominator": row.denominator,
        "multiplier": mult,
        "text": formula_text(row.numerator, row.denominator, mult),
    }


def observation_read(row: Observation) -> dict[str, Any]:
    return {
        "indicator": row.indicator_code,
        "member_state": row.member_state,
        "area": row.area_code or None,
        "period": row.period,
        "sex": row.sex,
        "age": row.age,
        "urbanisation": row.urbanisation,
        "value": row.value,
        "obs_status": row.obs_status,
        "source": row.source,
        "note": row.note,
        "revision": row.revision,
    }


def get_indicator_row(session: Session, code: str) -> Indicator:
    row = session.get(Indicator, code)
    if row is None:
        raise NotFound(f"no indicator {code!r}")
    return row


def find_indicator(session: Session, code: str) -> dict[str, Any] | None:
    """The indicator's definition (:func:`indicator_read`), or None when there is no such code."""
    row = session.get(Indicator, code)
    return None if row is None else indicator_read(row)


def _coverage(session: Session) -> dict[str, Any]:
    rows = (
        select(
            Observation.indicator_code,
            func.count(func.distinct(Observation.member_state)),
            func.min(Observation.period),
            func.max(Observation.period),
            func.count(),
        )
        .where(published_filter())
        .group_by(Observation.indicator_code)
    )
    return {
        code: {"member_states": n, "first_period": lo, "last_period": hi, "observations": k}
        for code, n, lo, hi, k in session.execute(rows)
    }


def list_indicators(
    session: Session,
    *,
    sector: str | None = None,
    level: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """Indicator definitions (filter by registry sector, level, words in the code or names), each
    with what is published of it: member states, first and last period, observations."""
    if level is not None and level not in ("national", "subnational"):
        raise Invalid(f"level={level!r}: national or subnational", parameter="level")
    if not (1 <= limit <= MAX_LIMIT) or offset < 0:
        raise Invalid(f"limit must be 1..{MAX_LIMIT} and offset at least 0", parameter="limit")
    stmt = select(Indicator).order_by(Indicator.code)
    if sector:
        stmt = stmt.where(Indicator.sector == sector)
    if level:
        stmt = stmt.where(Indicator.level == level)
    rows = list(session.scalars(stmt))
    if q:
        words = q.lower().split()
        rows = [
            r
            for r in rows
            if all(w in " ".join(filter(None, (r.code, r.name_en, r.name_id))).lower() for w in words)
        ]
    coverage = _coverage(session)
    empty = {"member_states": 0, "first_period": None, "last_period": None, "observations": 0}
    items = [
        indicator_read(r) | {"published": coverage.get(r.code, empty)} for r in rows[offset : offset + limit]
    ]
    return Page(items=items, total=len(rows), limit=limit, offset=offset)


def get_indicator(session: Session, *, code: str) -> dict[str, Any]:
    row = get_indicator_row(session, code)
    empty = {"member_states": 0, "first_period": None, "last_period": None, "observations": 0}
    return indicator_read(row) | {"published": _coverage(session).get(row.code, empty)}


def period_bounds(start: str | None, end: str | None) -> list[ColumnElement[bool]]:
    """``start``/``end`` as SDMX periods ("2015", "2015-Q1"): an end year includes its sub-periods."""
    out = []
    if start:
        out.append(Observation.period >= start)
    if end:
        out.append(Observation.period < end + "~")  # "~" sorts after every period character
    return out


def observations(
    session: Session,
    *,
    code: str,
    member_states: Sequence[str] = (),
    areas: Sequence[str] | None = (NATIONAL,),
    start: str | None = None,
    end: str | None = None,
    sex: Sequence[str] = (TOTAL,),
    age: Sequence[str] = (TOTAL,),
    urbanisation: Sequence[str] = (TOTAL,),
    limit: int | None = None,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    """Published observations of one indicator, by member state, area and period. ``areas=None``:
    national and subnational; an empty ``sex``/``age``/``urbanisation`` means every value."""
    get_indicator_row(session, code)
    stmt = _published_select(
        codes=(code,),
        member_states=member_states,
        areas=areas,
        start=start,
        end=end,
        sex=sex,
        age=age,
        urbanisation=urbanisation,
    )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    items = [observation_read(r) for r in session.scalars(stmt)]
    return Page(items=items, total=total, limit=limit or total, offset=offset)


def _published_select(
    *,
    codes: Sequence[str] = (),
    member_states: Sequence[str] = (),
    areas: Sequence[str] | None = (NATIONAL,),
    start: str | None = None,
    end: str | None = None,
    sex: Sequence[str] = (),
    age: Sequence[str] = (),
    urbanisation: Sequence[str] = (),
    history: bool = False,
):
    # history: every approved revision (the public's past versions), never a draft or a rejection
    shown = Observation.approval == "approved" if history else published_filter()
    stmt = select(Observation).where(shown, *period_bounds(start, end))
    if member_states and not codes:  # every indicator, named, so that the unique key finds the rows
        stmt, member_states = stmt.where(of_member_states(Observation, member_states)), ()
    for column, values in (
        (Observation.indicator_code, codes),
        (Observation.member_state, member_states),
        (Observation.sex, sex),
        (Observation.age, age),
        (Observation.urbanisation, urbanisation),
    ):
        if values:
            stmt = stmt.where(column.in_(list(values)))
    if areas is not None:
        stmt = stmt.where(Observation.area_code.in_(list(areas)))
    return stmt.order_by(*(getattr(Observation, c) for c in KEY_COLUMNS), Observation.revision)


def published_rows(
    session: Session,
    *,
    codes: Sequence[str] = (),
    member_states: Sequence[str] = (),
    areas: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    sex: Sequence[str] = (),
    age: Sequence[str] = (),
    urbanisation: Sequence[str] = (),
    history: bool = False,
) -> list[Observation]:
    """Published observation rows for exports (SDMX-REST, downloads); with ``history`` every
    approved revision of each key, oldest first, not only the latest."""
    stmt = _published_select(
        codes=codes,
        member_states=member_states,
        areas=areas,
        start=start,
        end=end,
        sex=sex,
        age=age,
        urbanisation=urbanisation,
        history=history,
    )
    return list(session.scalars(stmt))


def member_state_names(session: Session) -> dict[str, dict[str, str | None]]:
    return {m.code: m.name.model_dump() for m in registry_service.list_member_states(session)}


def national_series(session: Session, *, code: str) -> dict[str, list[tuple[str, float]]]:
    """Published national totals per member state: ``{ISO3: [(period, value), …]}`` in period order."""
    rows = observations(session, code=code).items
    out: dict[str, list[tuple[str, float]]] = {}
    for r in rows:
        if r["value"] is not None:
            out.setdefault(r["member_state"], []).append((r["period"], r["value"]))
    return out


def periods(series: dict[str, list[tuple[str, float]]]) -> list[str]:
    return sorted({p for pts in series.values() for p, _ in pts})


COVERAGE_KEYS = ("reporting", "member_states", "required", "min_coverage", "reporting_codes", "missing_codes")
#: the default coverage rule of a regional headline: two thirds of the member states of the date
DEFAULT_MIN_COVERAGE = 2 / 3


def period_date(period: str) -> dt.date | None:
    """The date whose member states a period is counted against: the end of its year."""
    head = period[:4]
    return dt.date(int(head), 12, 31) if head.isdigit() else None


def required_reporting(members: int, share: float) -> int:
    """How many of ``members`` must report to meet ``share`` (at least one)."""
    return max(1, math.ceil(share * members - 1e-9))


def period_coverage(
    period: str, reporting: Iterable[str], members_on: Callable[[dt.date | None], Sequence[str]], share: float
) -> dict[str, Any]:
    """``{period, reporting, member_states, required, covered, reporting_codes, missing_codes}``:
    who reports ``period`` out of the member states on its date, and whether that meets ``share``."""
    members = list(members_on(period_date(period)))
    codes = sorted(set(reporting) & set(members))
    need = required_reporting(len(members), share)
    return {
        "period": period,
        "reporting": len(codes),
        "member_states": len(members),
        "required": need,
        "min_coverage": share,
        "covered": len(codes) >= need,
        "reporting_codes": codes,
        "missing_codes": sorted(set(members) - set(codes)),
    }


def headline(
    reporting: Mapping[str, Iterable[str]],
    *,
    members_on: Callable[[dt.date | None], Sequence[str]],
    min_coverage: float | None = None,
    until: int | None = None,
) -> dict[str, Any]:
    """The coverage rule. ``reporting``: period → the member states with a value in it. The headline
    period is the latest (up to ``until``, default this year) that meets the rule, with its coverage;
    ``partial`` is the coverage of the latest period after it that does not (None when there is
    none). ``period`` is None when no period meets the rule."""
    share = DEFAULT_MIN_COVERAGE if min_coverage is None else min_coverage
    until = until or clock.today().year
    cache: dict[dt.date | None, Sequence[str]] = {}

    def members(on: dt.date | None) -> Sequence[str]:
        if on not in cache:
            cache[on] = members_on(on)
        return cache[on]

    candidates = sorted(
        (p for p in reporting if (d := period_date(p)) is None or d.year <= until), reverse=True
    )
    partial = None
    for period in candidates:
        found = period_coverage(period, reporting[period], members, share)
        if found["covered"]:
            return found | {"partial": partial}
        partial = partial or found
    return {
        "period": None,
        "reporting": 0,
        "member_states": 0,
        "required": 0,
        "min_coverage": share,
        "covered": False,
        "reporting_codes": [],
        "missing_codes": [],
        "partial": partial,
    }


def members_on(session: Session) -> Callable[[dt.date | None], list[str]]:
    """The registry's member states on a date (None: today), for ``headline``; each date is read
    once per function returned (a scorecard asks for the same years for every indicator)."""
    cache: dict[dt.date | None, list[str]] = {}

    def on(date: dt.date | None) -> list[str]:
        if date not in cache:
            cache[date] = [m.code for m in registry_service.list_member_states(session, on=date)]
        return cache[date]

    return on


def reporting_by_period(series: Mapping[str, Iterable[tuple[Any, Any]]]) -> dict[str, set[str]]:
    """``{member state: [(period, value), …]}`` → ``{period: member states with a value}``."""
    out: dict[str, set[str]] = {}
    for state, points in series.items():
        for period, value in points:
            if value is not None:
                out.setdefault(str(period), set()).add(state)
    return out


def indicator_headline(session: Session, *, code: str) -> dict[str, Any]:
    """The coverage rule applied to one indicator's published national totals (``headline``)."""
    row = get_indicator_row(session, code)
    return headline(
        reporting_by_period(national_series(session, code=code)),
        members_on=members_on(session),
        min_coverage=row.min_coverage,
    )


def regional_aggregate(
    session: Session, *, code: str, period: str | None = None, on: dt.date | None = None
) -> dict[str, Any] | None:
    """The ASEAN aggregate of the published national totals for ``period`` (default: the headline
    period of the coverage rule, ``headline``; the latest period when none meets it, marked not
    ``covered``): the unweighted mean, the total for additive units, and the coverage — which member
    states report, out of the registry's member states on the period's date (or on ``on``), and the
    more recent ``partial`` period. The total is given only for additive units (counts of persons:
    ``rules.is_additive``); shares, rates and indices get the mean alone."""
    indicator = get_indicator_row(session, code)
    series = national_series(session, code=code)
    known = periods(series)
    if not known:
        return None
    members = members_on(session)
    who = members if on is None else (lambda _d: members(on))
    share = DEFAULT_MIN_COVERAGE if indicator.min_coverage is None else indicator.min_coverage
    rule = headline(reporting_by_period(series), members_on=who, min_coverage=share)
    if period is None:
        period = rule["period"] or (rule["partial"] or {}).get("period") or known[-1]
    elif period not in known:
        raise Invalid(f"period={period!r}: no published value of {code} for it", parameter="period")
    coverage = period_coverage(
        period, [ms for ms, pts in series.items() if any(p == period for p, _ in pts)], who, share
    )
    counted = set(coverage["reporting_codes"])
    values = {ms: v for ms, pts in series.items() for p, v in pts if p == period and ms in counted}
    n = len(values)
    partial = rule["partial"] if rule["partial"] and rule["partial"]["period"] > period else None
    return {
        "indicator": code,
        "period": period,
        "mean": sum(values.values()) / n if n else None,
        "total": sum(values.values()) if n and rules.is_additive(indicator.unit) else None,
        "additive": rules.is_additive(indicator.unit),
        "covered": coverage["covered"],
        "coverage": {k: coverage[k] for k in COVERAGE_KEYS},
        "headline_period": rule["period"],
        "partial": partial,
        "decimals": precision.decimals((v for pts in series.values() for _, v in pts), indicator.decimals),
        "values": dict(sorted(values.items())),
    }


def coverage_text(coverage: dict[str, Any], lang: str = "en") -> str:
    """ "8 of 11 member states" / "8 dari 11 negara anggota"."""
    n, total = coverage["reporting"], coverage["member_states"]
    if lang == "id":
        return f"{n} dari {total} negara anggota"
    return f"{n} of {total} member state" + ("" if total == 1 else "s")


def partial_text(coverage: dict[str, Any]) -> str:
    """ "2024: 1 of 10 reported — partial"."""
    return f"{coverage['period']}: {coverage['reporting']} of {coverage['member_states']} reported — partial"


def indicator_codes(session: Session, codes: Iterable[str]) -> set[str]:
    """The codes of ``codes`` that name an indicator of the catalogue."""
    return present(session, Indicator.code, codes)


def all_indicator_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Indicator.code)))


def units(session: Session) -> dict[str, str | None]:
    return {code: unit for code, unit in session.execute(select(Indicator.code, Indicator.unit))}


def subnational(
    session: Session, *, code: str, member_state: str | None = None, period: str | None = None
) -> dict[str, Any] | None:
    """Published values of an indicator's areas within one member state (default: the first with
    any) for one period (default: its latest): ``{member_state, period, member_states, periods,
    areas: [{code, name, value}], history: [{code, name, points: [(period, value)]}]}`` (``history``:
    every period of each area, for the chart over time); None when nothing subnational is published."""
    get_indicator_row(session, code)
    rows = published_rows(
        session, codes=[code], areas=None, sex=(TOTAL,), age=(TOTAL,), urbanisation=(TOTAL,)
    )
    rows = [r for r in rows if r.area_code and r.value is not None]
    if not rows:
        return None
    states = sorted({r.member_state for r in rows})
    member_state = (member_state or states[0]).upper()
    if member_state not in states:
        raise Invalid(
            f"member_state={member_state!r}: no published areas of {code} for it", parameter="member_state"
        )
    mine = [r for r in rows if r.member_state == member_state]
    known = sorted({r.period for r in mine})
    period = period or known[-1]
    if period not in known:
        raise Invalid(
            f"period={period!r}: no published value of {code} for {member_state}", parameter="period"
        )
    names = {
        c: n
        for c, n in session.execute(select(Area.code, Area.name).where(Area.member_state == member_state))
    }
    areas = [
        {"code": r.area_code, "name": names.get(r.area_code, r.area_code), "value": r.value}
        for r in mine
        if r.period == period
    ]
    history: dict[str, list[tuple[str, float]]] = {}
    for r in sorted(mine, key=lambda r: r.period):
        history.setdefault(r.area_code, []).append((r.period, r.value))
    return {
        "member_state": member_state,
        "period": period,
        "member_states": states,
        "periods": known,
        "areas": sorted(areas, key=lambda a: -a["value"]),
        "history": [
            {"code": c, "name": names.get(c, c), "points": pts} for c, pts in sorted(history.items())
        ],
    }
