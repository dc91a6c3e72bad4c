"""The store's own view of the indicator data, for officers, the command line and tests: every
indicator and area, the current observations whatever their approval state (drafts, submissions,
rejected values) or every revision, the import batches, counts, and an SDMX export of what is
stored. The public reads — only approved values, the latest revision per key — are
:mod:`ascc.monitoring.published`; the write path is :mod:`ascc.monitoring.service`."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.kit.errors import NotFound
from ascc.monitoring import schemas as s
from ascc.monitoring.models import Area, ImportBatch, Indicator, Observation, of_member_states
from ascc.monitoring.sdmx import messages as sdmx


def indicator_read(row: Indicator) -> s.IndicatorRead:
    return s.IndicatorRead.model_validate(row)


def list_indicators(
    session: Session, *, sector: str | None = None, level: str | None = None
) -> list[s.IndicatorRead]:
    stmt = select(Indicator).order_by(Indicator.code)
    if sector:
        stmt = stmt.where(Indicator.sector == sector)
    if level:
        stmt = stmt.where(Indicator.level == level)
    return [indicator_read(r) for r in session.scalars(stmt)]


def get_indicator(session: Session, code: str) -> s.IndicatorRead:
    row = session.get(Indicator, code)
    if row is None:
        raise NotFound(f"no indicator with code {code!r}")
    return indicator_read(row)


def list_areas(
    session: Session, *, member_state: str | None = None, scheme: str | None = None
) -> list[s.AreaRead]:
    stmt = select(Area).order_by(Area.member_state, Area.code)
    if member_state:
        stmt = stmt.where(Area.member_state == member_state)
    if scheme:
        stmt = stmt.where(Area.scheme == scheme)
    return [s.AreaRead.model_validate(r) for r in session.scalars(stmt)]


def observations(
    session: Session,
    *,
    indicator: str | Sequence[str] | None = None,
    member_state: str | Sequence[str] | None = None,
    area: str | None = None,
    national: bool | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    approval: str | Sequence[str] | None = None,
    current: bool = True,
    submission_id: int | None = None,
) -> list[s.ObservationRead]:
    """Observations, current ones by default; ``national`` True/False keeps national/subnational rows."""
    return [s.ObservationRead.model_validate(r) for r in session.scalars(_observations_stmt(**locals()))]


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _observations_stmt(
    session=None,
    *,
    indicator=None,
    member_state=None,
    area=None,
    national=None,
    period_from=None,
    period_to=None,
    approval=None,
    current=True,
    submission_id=None,
):
    o = Observation
    stmt = select(o)
    if current:
        stmt = stmt.where(o.is_current.is_(True))
    if indicator:
        stmt = stmt.where(o.indicator_code.in_(_as_list(indicator)))
    if member_state:  # without indicators, every indicator: the unique key finds the rows
        stmt = stmt.where(
            o.member_state.in_(_as_list(member_state))
            if indicator
            else of_member_states(o, _as_list(member_state))
        )
    if area is not None:
        stmt = stmt.where(o.area_code == area)
    if national is True:
        stmt = stmt.where(o.area_code == "")
    elif national is False:
        stmt = stmt.where(o.area_code != "")
    if period_from:
        stmt = stmt.where(o.period >= period_from)
    if period_to:
        stmt = stmt.where(o.period <= period_to)
    if approval:
        stmt = stmt.where(o.approval.in_(_as_list(approval)))
    if submission_id is not None:
        stmt = stmt.where(o.submission_id == submission_id)
    return stmt.order_by(
        o.indicator_code, o.member_state, o.area_code, o.period, o.sex, o.age, o.urbanisation, o.revision
    )


def history(
    session: Session,
    *,
    indicator: str,
    member_state: str,
    period: str,
    area: str = "",
    sex: str = "_T",
    age: str = "_T",
    urbanisation: str = "_T",
) -> list[s.ObservationRead]:
    """Every revision of one observation, oldest first."""
    o = Observation
    stmt = (
        select(o)
        .where(
            o.indicator_code == indicator,
            o.member_state == member_state,
            o.area_code == area,
            o.period == period,
            o.sex == sex,
            o.age == age,
            o.urbanisation == urbanisation,
        )
        .order_by(o.revision)
    )
    return [s.ObservationRead.model_validate(r) for r in session.scalars(stmt)]


def list_batches(session: Session) -> list[s.BatchRead]:
    return [
        s.BatchRead.model_validate(r) for r in session.scalars(select(ImportBatch).order_by(ImportBatch.id))
    ]


def counts(session: Session) -> dict[str, int]:
    o = Observation
    return {
        "indicators": session.scalar(select(func.count()).select_from(Indicator)) or 0,
        "areas": session.scalar(select(func.count()).select_from(Area)) or 0,
        "observations": session.scalar(select(func.count()).select_from(o).where(o.is_current.is_(True)))
        or 0,
        "revisions": session.scalar(select(func.count()).select_from(o)) or 0,
    }


def export(
    session: Session,
    *,
    fmt: str = "sdmx-csv",
    indicator: str | Sequence[str] | None = None,
    member_state: str | Sequence[str] | None = None,
    approval: str | Sequence[str] | None = None,
    generic: bool = False,
) -> bytes:
    """Current observations as SDMX-CSV 2.0 or an SDMX-ML 2.1 data message (``generic`` or
    structure-specific); re-importing the result changes nothing."""
    units = dict(session.execute(select(Indicator.code, Indicator.unit)).all())
    stmt = _observations_stmt(indicator=indicator, member_state=member_state, approval=approval)
    rows = (
        s.ObservationRead.model_validate(r) for r in session.scalars(stmt.execution_options(yield_per=5000))
    )
    if fmt == "sdmx-csv":
        buf = io.StringIO()
        sdmx.write_csv(rows, buf, units)
        return buf.getvalue().encode("utf-8")
    if fmt == "sdmx-ml":
        return sdmx.write_ml(rows, units, generic=generic)
    raise ValueError(f"unknown export format {fmt!r} (sdmx-csv or sdmx-ml)")
