"""Activity input shapes and the IATI code lists they use, and the shapes the API answers with."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

from ascc.registry.schemas import Bilingual, PageFields, Shape, SourceRef

#: IATI ActivityStatus code list (1-6)
ACTIVITY_STATUS: dict[int, tuple[str, str]] = {
    1: ("Pipeline/identification", "Perencanaan/identifikasi"),
    2: ("Implementation", "Pelaksanaan"),
    3: ("Finalisation", "Finalisasi"),
    4: ("Closed", "Ditutup"),
    5: ("Cancelled", "Dibatalkan"),
    6: ("Suspended", "Ditangguhkan"),
}
#: IATI OrganisationRole code list
ORGANISATION_ROLES: dict[int, tuple[str, str]] = {
    1: ("Funding", "Pendanaan"),
    2: ("Accountable", "Penanggung jawab"),
    3: ("Extending", "Penyalur"),
    4: ("Implementing", "Pelaksana"),
}
#: IATI OrganisationType code list (for the reporting organisation)
ORGANISATION_TYPES = (
    "10",
    "11",
    "15",
    "21",
    "22",
    "23",
    "24",
    "30",
    "40",
    "60",
    "70",
    "71",
    "72",
    "73",
    "80",
    "90",
)
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$"
MAX_BUDGET = Decimal("1e15")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartnerRole(_In):
    partner: str = Field(min_length=1, max_length=64, description="a registry partner id, e.g. JPN, EU")
    role: Literal[1, 2, 3, 4] | None = Field(
        default=None,
        description="IATI organisation role: 1 funding, 2 accountable, 3 extending, 4 implementing",
    )


class ActivityWrite(_In):
    """A programme or project. Leave unknown values empty: never guess dates, budgets or statuses."""

    programme_id: str | None = Field(default=None, max_length=80, description="the registry programme it is")
    reporting_org_ref: str | None = Field(
        default=None,
        pattern=IDENTIFIER,
        description="IATI organisation identifier of the reporting organisation",
    )
    reporting_org_type: str | None = Field(default=None, description="IATI OrganisationType code, e.g. 40")
    reporting_org_name: str | None = Field(default=None, max_length=300)
    local_id: str | None = Field(
        default=None, pattern=IDENTIFIER, description="the reporting organisation's own id"
    )
    title_en: str | None = Field(default=None, max_length=400)
    title_id: str | None = Field(default=None, max_length=400)
    description_en: str | None = Field(default=None, max_length=20000)
    description_id: str | None = Field(default=None, max_length=20000)
    sector: str | None = Field(default=None, max_length=64, description="registry sector id")
    responsible_body: str | None = Field(default=None, max_length=80, description="registry body id")
    implementing_bodies: list[str] = Field(default=[], max_length=50)
    partners: list[PartnerRole] = Field(default=[], max_length=50)
    funding_fund: str | None = Field(
        default=None, max_length=80, description="registry programme of kind fund"
    )
    funding_partner: str | None = Field(default=None, max_length=64, description="registry partner id")
    budget: Decimal | None = Field(default=None, ge=0, le=MAX_BUDGET)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217")
    budget_value_date: dt.date | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    status: int | None = Field(default=None, description="IATI ActivityStatus code 1-6")
    member_states: list[str] = Field(default=[], max_length=20)
    country_percentages: dict[str, Decimal] | None = Field(
        default=None,
        max_length=20,
        description="the recorded split over the member states (code: percentage): every listed member "
        "state, each 0-100, summing to 100; IATI needs it when an activity has several member states",
    )
    outcomes: list[str] = Field(default=[], max_length=100, description="plan outcomes as plan-id/code")
    decisions: list[int] = Field(default=[], max_length=100)
    events: list[int] = Field(default=[], max_length=100, description="disaster event ids")

    @field_validator("status")
    @classmethod
    def _status(cls, v: int | None) -> int | None:
        if v is not None and v not in ACTIVITY_STATUS:
            raise ValueError(f"{v} is not an IATI activity status code (1-6)")
        return v

    @field_validator("reporting_org_type")
    @classmethod
    def _org_type(cls, v: str | None) -> str | None:
        if v is not None and v not in ORGANISATION_TYPES:
            raise ValueError(f"{v!r} is not an IATI organisation type code ({', '.join(ORGANISATION_TYPES)})")
        return v

    @field_validator("budget")
    @classmethod
    def _finite(cls, v: Decimal | None) -> Decimal | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("member_states")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        return [c.upper() for c in v]

    @field_validator("country_percentages")
    @classmethod
    def _split(cls, v: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        return {k.strip().upper(): x for k, x in v.items()} if v else None


# --- response shapes (what the services return; undeclared keys are refused) --------------------


class ResultsElementRead(Shape):
    """A goal, outcome or output of a results framework (``framework.element_read``)."""

    key: str = Field(description="plan-id/code")
    plan: str
    code: str
    kind: Literal["goal", "outcome", "output"]
    title: Bilingual
    priorities: list[str] = Field(description="numbers of the plan's priorities it serves")
    indicators: list[str] = Field(description="codes of the indicators it is measured by")
    indicator_note: str | None
    note: str | None
    sources: list[SourceRef]


class ResultsOutput(ResultsElementRead):
    kind: Literal["output"]


class ResultsOutcome(ResultsElementRead):
    kind: Literal["outcome"]
    outputs: list[ResultsOutput] = Field(description="empty when the seeds state none")


class ResultsGoal(ResultsElementRead):
    kind: Literal["goal"]
    outcomes: list[ResultsOutcome]


#: a top element of a plan's framework: a goal, or an outcome or output of a plan stating no goal
ResultsFrameworkNode = Annotated[ResultsGoal | ResultsOutcome | ResultsOutput, Field(discriminator="kind")]


class ResultsFramework(RootModel[list[ResultsFrameworkNode]]):
    """The plan's goals → outcomes → outputs, in the seeds' order."""


class ActivityPartner(Shape):
    partner: str = Field(description="registry partner id")
    role: Literal[1, 2, 3, 4] | None = Field(description="IATI organisation role code")
    name: Bilingual | None = Field(description="the registry partner's name")
    role_name: Bilingual | None


class ActivityEvent(Shape):
    """A disaster event the activity responds to (``GET /api/v1/disasters/events/{id}`` has it all)."""

    id: int
    glide: str | None
    hazard: str
    hazard_name: Bilingual
    name: str | None
    start_date: dt.date


class ActivityRead(Shape):
    """A programme or project: what is recorded of it (unknown values null) and its links."""

    id: int
    etag: str = Field(description="send it as If-Match to change or delete the activity")
    revision: int
    programme_id: str | None
    iati_identifier: str | None = Field(description="reporting organisation ref + local id")
    reporting_org_ref: str | None
    reporting_org_type: str | None
    reporting_org_name: str | None
    local_id: str | None
    title: Bilingual
    description: Bilingual
    sector: str | None
    responsible_body: str | None
    implementing_bodies: list[str]
    partners: list[ActivityPartner]
    funding_fund: str | None
    funding_partner: str | None
    budget: float | None
    currency: str | None
    budget_value_date: dt.date | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    status: int | None = Field(description="IATI ActivityStatus code 1-6")
    status_name: Bilingual | None
    member_states: list[str]
    country_percentages: dict[str, float] | None = Field(
        description="member state code → percentage (the recorded split; null when none is recorded)"
    )
    outcomes: list[ResultsElementRead]
    decisions: list[int]
    events: list[ActivityEvent]
    sources: list[SourceRef]
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityPage(PageFields):
    items: list[ActivityRead] = Field(
        description="activities as ``GET /api/v1/activities/{id}`` returns them, in id order"
    )
