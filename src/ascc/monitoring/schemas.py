"""Read shapes of monitoring records (for the API, pages and exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ascc.registry.schemas import PageFields, Text


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IndicatorRead(_Read):
    code: str
    name_en: str
    name_id: str | None
    definition_en: str | None
    definition_id: str | None
    unit: str | None
    direction: str | None
    sector: str | None
    sector_tag: str | None
    level: str
    frequency: str
    disaggregations: list[str]
    numerator: str | None
    denominator: str | None
    source_org: str | None
    source_dataset: str | None
    source_url: str | None
    licence: str | None
    sources: list[dict[str, Any]]


class AreaRead(_Read):
    code: str
    scheme: str
    member_state: str
    name: str
    iso_3166_2: str | None
    bps_code: str | None
    sources: list[dict[str, Any]]


class ObservationRead(_Read):
    id: int
    indicator_code: str
    member_state: str
    area_code: str
    period: str
    sex: str
    age: str
    urbanisation: str
    value: float | None
    obs_status: str
    source: str | None
    note: str | None
    revision: int
    is_current: bool
    approval: str
    submission_id: int | None
    batch_id: int | None
    recorded_at: dt.datetime


class BatchRead(_Read):
    id: int
    filename: str
    sha256: str
    format: str
    rows: int
    inserted: int
    revised: int
    unchanged: int
    actor: str
    created_at: dt.datetime


# --- the published reads as ``/api/v1/indicators`` returns them (``monitoring.published``) -------


class Formula(BaseModel):
    numerator: str
    denominator: str
    multiplier: float
    text: str


class IndicatorSource(BaseModel):
    organisation: str | None
    dataset: str | None
    url: str | None
    licence: str | None


class ReadingRules(BaseModel):
    """How the indicator's figures are read (``monitoring.reading_rules``); None: the default."""

    min_coverage: float | None
    decimals: int | None
    tolerance: float | None
    best_value: float | None


class PublishedCoverage(BaseModel):
    member_states: int
    first_period: str | None
    last_period: str | None
    observations: int


class PublishedIndicator(BaseModel):
    code: str
    name: Text
    definition: Text
    unit: str | None
    direction: str | None
    sector: str | None
    sector_tag: str | None
    level: str
    frequency: str
    disaggregations: list[str]
    numerator: str | None
    denominator: str | None
    computed: Formula | None
    source: IndicatorSource
    sources: list[dict[str, Any]]
    reading_rules: ReadingRules
    published: PublishedCoverage


class PublishedIndicatorPage(BaseModel):
    items: list[PublishedIndicator]
    total: int
    limit: int
    offset: int


class IndicatorOutcome(BaseModel):
    plan: str
    plan_title: Text
    code: str
    title: Text
    url: str


class PublishedIndicatorDetail(PublishedIndicator):
    aggregate: dict[str, Any] | None
    outcomes: list[IndicatorOutcome]


# --- pages of the lists (``/api/v1/targets``, ``/api/v1/submissions``, ``/api/v1/data-calls``) --


class ObservationPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="published observations, by member state, area and period"
    )


class TargetRead(BaseModel):
    id: int
    indicator_code: str
    member_state: str | None = Field(description="null: a regional target")
    regional: bool
    plan_id: str | None
    sector: str | None
    baseline_year: int | None
    baseline_value: float | None
    target_year: int
    target_value: float
    source: str
    quote: str | None
    notes: str | None
    updated_by: str
    updated_at: dt.datetime
    etag: str = Field(description="send it as If-Match to replace or delete the target")


class TargetPage(PageFields):
    items: list[TargetRead]


class SubmissionSummary(BaseModel):
    """A submission without its observations (``GET /api/v1/submissions/{id}`` has them)."""

    id: int
    member_state: str
    state: str = Field(description="submitted, approved or rejected")
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    comment: str | None
    counts: dict[str, Any]
    etag: str


class SubmissionPage(PageFields):
    items: list[SubmissionSummary]


class DataCallSummary(BaseModel):
    """A data call without its completeness (``GET /api/v1/data-calls/{id}`` has it)."""

    id: int
    title: str
    message: Text
    indicators: list[str]
    periods: list[str]
    member_states: list[str]
    deadline: dt.date
    open: bool = Field(description="the deadline is today or later")
    created_by: str
    created_at: dt.datetime
    expected: int = Field(description="values asked: indicators × periods × member states")


class DataCallPage(PageFields):
    items: list[DataCallSummary]
