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


class MonitoringCoverage(Shape):
    """Who reports a period, out of the member states on its date (``published.period_coverage``)."""

    reporting: int
    member_states: int
    required: int = Field(description="member states the coverage rule needs")
    min_coverage: float = Field(description="the rule's share of the member states")
    reporting_codes: list[str]
    missing_codes: list[str]
    text: str = Field(description='e.g. "8 of 11 member states"')


class MonitoringPartialPeriod(Shape):
    """A period after the headline one that does not meet the coverage rule."""

    period: str
    reporting: int
    member_states: int
    required: int
    min_coverage: float
    covered: bool
    reporting_codes: list[str]
    missing_codes: list[str]
    text: str = Field(description='e.g. "2024: 1 of 10 reported — partial"')


class MonitoringAggregate(Shape):
    """The ASEAN aggregate of a period's published national values (``published.regional_aggregate``)."""

    indicator: str
    period: str
    mean: float | None = Field(description="unweighted mean of the reporting member states")
    total: float | None = Field(description="their sum, for additive units only (counts of persons)")
    additive: bool
    covered: bool = Field(description="the period meets the coverage rule")
    coverage: MonitoringCoverage
    headline_period: str | None = Field(description="the latest period that meets the rule")
    partial: MonitoringPartialPeriod | None
    decimals: int = Field(description="decimals to show")
    values: dict[str, float] = Field(description="member state → its value, of those counted")


class PublishedIndicatorDetail(PublishedIndicator):
    aggregate: MonitoringAggregate | None = Field(description="null when nothing is published")
    outcomes: list[IndicatorOutcome]


# --- pages of the lists (``/api/v1/targets``, ``/api/v1/submissions``, ``/api/v1/data-calls``) --


class MonitoringObservation(Shape):
    """A published observation (``published.observation_read``)."""

    indicator: str
    member_state: str
    area: str | None = Field(description="subnational area code; null: national")
    period: str
    sex: str
    age: str
    urbanisation: str
    value: float | None
    obs_status: str
    source: str | None
    note: str | None
    revision: int


class ObservationPage(PageFields):
    items: list[MonitoringObservation] = Field(
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


class SubmissionCounts(Shape):
    observations: int
    indicators: list[str]
    periods: list[str] = Field(description="the first and the last period submitted")
    note: str | None = Field(description="the focal point's note")


class SubmissionSummary(Shape):
    """A submission without its observations (``GET /api/v1/submissions/{id}`` has them)."""

    id: int
    member_state: str
    state: Literal["submitted", "approved", "rejected"]
    submitted_by: str
    submitted_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    comment: str | None
    counts: SubmissionCounts
    etag: str = Field(description="send it as If-Match to review the submission")


class SubmissionPage(PageFields):
    items: list[SubmissionSummary]


class DataCallSummary(Shape):
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


# --- sign-off, data calls and computed indicators: response shapes -------------------------------


class ComputedDefined(Shape):
    """What defining computed indicators did (``computed.define_by``)."""

    created: int
    updated: int
    indicators: list[str] = Field(description="the codes defined")
    values: int = Field(description="values computed from the published inputs")
    inserted: int
    revised: int


class DraftIndicator(Shape):
    indicator: str
    name: str | None
    draft: int
    submitted: int
    rejected: int
    first_period: str
    last_period: str


class DraftCounts(Shape):
    """A member state's unpublished observations per indicator (``signoff.drafts``)."""

    member_state: str
    indicators: list[DraftIndicator]
    draft: int
    submitted: int
    rejected: int


class DraftImport(Shape):
    """What an upload stored as drafts (``imports.entry.import_drafts``)."""

    notes: list[str] = Field(description="what the import left out or did besides storing the rows")
    file: str
    format: str
    member_state: str
    rows: int
    inserted: int
    revised: int
    unchanged: int
    batch_id: int | None
    problems: list[Any] = Field(max_length=0, description="always empty: a file with a problem is a 422")


class SubmissionObservation(MonitoringObservation):
    """An observation of a submission beside the value published before it."""

    approval: Literal["draft", "submitted", "approved", "rejected"]
    indicator_name: Bilingual | None
    unit: str | None
    area_name: str | None
    previously_published: bool
    previous_value: float | None
    published_value: float | None = Field(description="the value the public sees now")
    change: float | None
    change_share: float | None = Field(description="the change as a share of the previous value")
    large_change: bool


class SubmissionFlags(Shape):
    threshold: float = Field(description="a change above this share is flagged")
    large_changes: int
    new_values: int


class SubmissionObservations(PageFields):
    items: list[SubmissionObservation]


class SubmissionDetail(SubmissionSummary):
    """A submission with (a page of) its observations."""

    member_state_name: Bilingual | None
    indicator_names: dict[str, Bilingual]
    flags: SubmissionFlags
    observations: SubmissionObservations


class DataCallCounts(Shape):
    expected: int
    submitted: int
    approved: int
    missing: int
    on_time: int
    late: int


class DataCallCell(Shape):
    period: str
    status: Literal["missing", "draft", "rejected", "submitted", "approved"]
    timeliness: Literal["on_time", "late"] | None
    at: dt.datetime | None = Field(description="when the value answered the call")


class DataCallIndicatorCells(DataCallCounts):
    indicator: str
    cells: list[DataCallCell]


class DataCallMemberState(DataCallCounts):
    member_state: str
    indicators: list[DataCallIndicatorCells]


class DataCallIndicator(DataCallCounts):
    indicator: str


class DataCallCompleteness(Shape):
    total: DataCallCounts
    member_states: list[DataCallMemberState]
    indicators: list[DataCallIndicator]


class DataCallDetail(DataCallSummary):
    """A data call with its completeness per member state and indicator."""

    indicator_names: dict[str, str | None]
    completeness: DataCallCompleteness
