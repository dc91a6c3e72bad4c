"""Input shapes of national plans, measures, alignments, results, consultation and comments, and the
shapes the API answers with."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ascc.registry.schemas import Bilingual, PageFields, Shape, SourceRef
from ascc.results.schemas import ResultsElementRead

STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("Draft", "Rancangan"),
    "in_consultation": ("In consultation", "Dalam konsultasi"),
    "adopted": ("Adopted", "Diadopsi"),
}
ALIGNMENT_KINDS: dict[str, tuple[str, str]] = {
    "implements": ("implements", "melaksanakan"),
    "contributes_to": ("contributes to", "berkontribusi pada"),
    "adapts": ("adapts", "mengadaptasi"),
}
HANDLING: dict[str, tuple[str, str]] = {
    "accepted": ("Accepted", "Diterima"),
    "partly": ("Partly accepted", "Diterima sebagian"),
    "not_accepted": ("Not accepted", "Tidak diterima"),
}
MAX_NUMBER = Decimal("1e15")
CODE = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$"
Name = Field(min_length=1, max_length=200)


def _names(v: list[str]) -> list[str]:
    out = [x.strip() for x in v]
    if any(not x or len(x) > 200 for x in out):
        raise ValueError("each ministry is a name of 1 to 200 characters")
    if len(set(out)) != len(out):
        raise ValueError("lists a ministry twice")
    return out


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(_In):
    file: str | None = Field(default=None, max_length=200, description="seed file name")
    quote: str | None = Field(default=None, max_length=2000, description="a quote that occurs verbatim in it")
    url: str | None = Field(default=None, max_length=500, pattern=r"^https?://")


class PlanWrite(_In):
    """A national plan or programme of action. Leave unknown values empty."""

    member_state: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 3166-1 alpha-3, e.g. VNM")
    title_en: str | None = Field(default=None, max_length=400)
    title_id: str | None = Field(default=None, max_length=400)
    period_start: int | None = Field(default=None, ge=1967, le=2100)
    period_end: int | None = Field(default=None, ge=1967, le=2100)
    ministries: list[str] = Field(default=[], max_length=50, description="responsible ministries, by name")
    registry_plan_id: str | None = Field(default=None, max_length=80, description="the registry plan it is")
    regional_plan_id: str | None = Field(
        default=None,
        max_length=80,
        description="the regional plan it carries home, e.g. ascc-strategic-plan-2026-2035",
    )
    note: str | None = Field(default=None, max_length=5000)
    sources: list[Source] = Field(default=[], max_length=20)

    @field_validator("member_state")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    _ministries = field_validator("ministries")(classmethod(lambda cls, v: _names(v)))


class MeasureWrite(_In):
    code: str = Field(pattern=CODE, description="the measure's code in the plan, e.g. M1 or 2.3")
    title_en: str | None = Field(default=None, max_length=2000)
    title_id: str | None = Field(default=None, max_length=2000)
    ministry: str | None = Field(default=None, max_length=200, description="responsible ministry")
    section: str | None = Field(default=None, max_length=100, description="the plan's section it is in")
    sources: list[Source] = Field(default=[], max_length=20)


class AlignmentWrite(_In):
    element: str = Field(
        max_length=130,
        description="an outcome or output as plan-id/code, e.g. ascc-strategic-plan-2026-2035/G1.O1",
    )
    kind: Literal["implements", "contributes_to", "adapts"]
    note: str | None = Field(default=None, max_length=2000)


class ResultWrite(_In):
    """A national result: the value reported against the national target. Give a source URL or a
    seed quote; leave what the source does not state empty."""

    measure: str | None = Field(
        default=None, max_length=40, description="the measure's code, if the result is a measure's"
    )
    label_en: str | None = Field(default=None, max_length=2000)
    label_id: str | None = Field(default=None, max_length=2000)
    value: Decimal | None = Field(default=None, ge=-MAX_NUMBER, le=MAX_NUMBER)
    unit: str | None = Field(default=None, max_length=40)
    year: int | None = Field(default=None, ge=1967, le=2100)
    target: Decimal | None = Field(default=None, ge=-MAX_NUMBER, le=MAX_NUMBER)
    indicator_code: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z][A-Za-z0-9_.]{1,59}$",
        description="a platform indicator it corresponds to",
    )
    source_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://")
    sources: list[Source] = Field(default=[], max_length=20)

    @field_validator("value", "target")
    @classmethod
    def _finite(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


class ConsultationWrite(_In):
    ministries: list[str] = Field(min_length=1, max_length=50, description="the ministries the draft goes to")
    deadline: dt.date = Field(description="comments are due by this day")

    _ministries = field_validator("ministries")(classmethod(lambda cls, v: _names(v)))


class CommentWrite(_In):
    ministry: str = Field(min_length=1, max_length=200, description="one of the consulted ministries")
    section: str | None = Field(default=None, max_length=100, description="the section of the draft")
    text: str = Field(min_length=1, max_length=20000)


class HandlingWrite(_In):
    handling: Literal["accepted", "partly", "not_accepted"]
    note: str | None = Field(default=None, max_length=5000)


# --- response shapes (what the service returns; undeclared keys are refused) ---------------------

Status = Literal["draft", "in_consultation", "adopted"]
AlignmentKind = Literal["implements", "contributes_to", "adapts"]
Handling = Literal["accepted", "partly", "not_accepted"]


class NationalResultRead(Shape):
    """A national result as reported against its national target."""

    id: int
    measure: str | None = Field(description="the measure's code, null for a result of the whole plan")
    label: Bilingual
    value: float | None
    unit: str | None
    year: int | None
    target: float | None
    indicator_code: str | None
    source_url: str | None
    sources: list[SourceRef]


class NationalConsultation(Shape):
    ministries: list[str] = Field(description="the ministries the draft went to (empty before consultation)")
    deadline: dt.date | None


class NationalPlanSummary(Shape):
    """A national plan without its measures, results and comments (as lists give it)."""

    id: int
    etag: str = Field(description="send it as If-Match to change the plan")
    revision: int
    member_state: str
    title: Bilingual
    period_start: int | None
    period_end: int | None
    ministries: list[str]
    status: Status
    status_name: Bilingual
    registry_plan_id: str | None
    regional_plan_id: str | None
    note: str | None
    sources: list[SourceRef]
    consultation: NationalConsultation
    adopted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class NationalAlignmentRead(Shape):
    element: ResultsElementRead
    kind: AlignmentKind
    kind_name: Bilingual
    note: str | None


class NationalMeasureRead(Shape):
    id: int
    code: str
    title: Bilingual
    ministry: str | None
    section: str | None
    sources: list[SourceRef]
    alignments: list[NationalAlignmentRead]
    results: list[NationalResultRead]


class NationalCommentRead(Shape):
    id: int
    ministry: str
    section: str | None
    text: str
    handling: Handling | None
    handling_name: Bilingual | None
    handling_note: str | None
    recorded_by: str
    recorded_at: dt.datetime


class NationalPlanDetail(NationalPlanSummary):
    """The plan with its measures (their alignments and results), other results and the comments."""

    measures: list[NationalMeasureRead]
    results: list[NationalResultRead] = Field(description="results not of a measure")
    comments: list[NationalCommentRead]
    open_comments: int = Field(description="comments whose handling is not recorded yet")


class NationalCellPlan(Shape):
    id: int
    title: Bilingual
    status: Status


class NationalCellMeasure(Shape):
    code: str
    title: Bilingual
    ministry: str | None


class NationalAlignedMeasure(Shape):
    """A national measure aligned to an element, with its plan and results."""

    plan: NationalCellPlan
    measure: NationalCellMeasure
    kind: AlignmentKind
    kind_name: Bilingual
    results: list[NationalResultRead]
    output: str | None = Field(
        default=None,
        description="coverage only: the outcome's output the measure is aligned to, if not the outcome",
    )


class NationalMatrixRow(Shape):
    element: ResultsElementRead
    outcome: str | None = Field(description="an output's outcome code, null for an outcome")
    cells: dict[str, list[NationalAlignedMeasure]] = Field(description="member state ISO3 → aligned measures")
    member_states: list[str] = Field(description="the member states with a measure aligned to it")


class NationalAlignmentMatrix(Shape):
    """A regional plan's outcomes and outputs × the member states."""

    plan_id: str
    member_states: list[str]
    rows: list[NationalMatrixRow]
    national_plans: dict[str, list[NationalPlanSummary]] = Field(
        description="member state ISO3 → its national plans carrying the regional plan home"
    )


class NationalOutcomeCoverage(Shape):
    element: ResultsElementRead
    measures: list[NationalAlignedMeasure]
    covered: bool


class NationalCoverage(Shape):
    """Which outcomes of a regional plan a member state's measures serve, and the gaps."""

    member_state: str
    plan_id: str
    outcomes: list[NationalOutcomeCoverage]
    covered: int = Field(description="outcomes covered")
    gaps: list[str] = Field(description="codes of the outcomes not covered")
    national_plans: list[NationalPlanSummary]


class PlanPage(PageFields):
    items: list[NationalPlanSummary] = Field(
        description="national plans without their measures, results and comments"
    )
