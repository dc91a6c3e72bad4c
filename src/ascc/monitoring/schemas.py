"""Read shapes of monitoring records (for the API, pages and exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ascc.registry.schemas import (
    Bilingual,
    MemberStateRead,
    PageFields,
    PlanRead,
    SectorRead,
    Shape,
    Text,
)


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


class ProgressTarget(Shape):
    """A target with its baseline, year, source and quote; ``member_state`` null = regional."""

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


class TargetRead(ProgressTarget):
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


# --- progress and targets: response shapes (``/api/v1/targets``, ``/api/v1/progress``) -------------

ProgressStatus = Literal[
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "no_significant_change",
    "insufficient_data",
]


class ProgressMethod(Shape):
    """The progress method's thresholds and statuses (see docs/progress.md)."""

    source: str = Field(description="the method's documentation (Open SDG)")
    statuses: list[ProgressStatus] = Field(description="worst to best")
    target_thresholds: dict[str, float]
    trend_thresholds: dict[str, float]
    default_base_year: int


class TargetSetResult(TargetRead):
    result: Literal["created", "updated", "unchanged"]


class TargetImportCounts(Shape):
    """Targets an import created, updated and left unchanged (all rows or none)."""

    created: int
    updated: int
    unchanged: int


class ProgressIndicatorSource(Shape):
    org: str | None
    dataset: str | None
    url: str | None
    licence: str | None


class ProgressIndicator(Shape):
    code: str
    name: Bilingual
    unit: str | None
    translated: list[str] = Field(description="fields that are the platform's translation")
    direction: str | None = Field(description="higher or lower is better")
    sector: str | None
    level: str | None
    source: ProgressIndicatorSource
    decimals: int = Field(description="decimals to show")


class ProgressCell(Shape):
    """One member state's assessment on one indicator."""

    status: ProgressStatus
    method: Literal["target", "trend"] | None
    value: float | None
    score: float | None
    base_year: int | None
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    observed_cagr: float | None
    required_cagr: float | None
    reason: str | None
    target: ProgressTarget | None


class ProgressCoverage(Shape):
    period: str | None
    reporting: int
    member_states: int
    required: int


class ProgressRegional(Shape):
    status: ProgressStatus
    score: float | None
    assessed: int
    member_states: int
    reporting: int
    first_year: int | None
    last_year: int | None
    headline: ProgressCoverage = Field(description="the latest period that meets the coverage rule")
    partial: ProgressCoverage | None = Field(description="a later period that does not meet it")
    regional_target: ProgressTarget | None


class ProgressRow(Shape):
    indicator: ProgressIndicator
    cells: dict[str, ProgressCell] = Field(description="member state ISO3 → its assessment")
    regional: ProgressRegional


class ProgressMemberStateRow(ProgressRow):
    cell: ProgressCell = Field(description="the member state's own assessment")


class ProgressScorecard(Shape):
    rows: list[ProgressRow]
    member_states: list[str]
    base_year: int
    statuses: list[ProgressStatus] = Field(description="best to worst")
    totals: dict[str, int] = Field(description="status → indicators with that regional status")
    method_url: str


class ProgressPlanScorecard(ProgressScorecard):
    plan: PlanRead
    pillar_wide: bool
    sectors: list[str] | None = Field(description="the plan's sectors; null when pillar-wide")


class ProgressSectorScorecard(ProgressScorecard):
    sector: SectorRead


class ProgressMemberStateScorecard(ProgressScorecard):
    rows: list[ProgressMemberStateRow]
    state: MemberStateRead
