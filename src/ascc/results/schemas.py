"""Activity input shapes and the IATI code lists they use."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ascc.registry.schemas import PageFields

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


class ActivityPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="activities as ``GET /api/v1/activities/{id}`` returns them, in id order"
    )
