"""Input shapes of national plans, measures, alignments, results, consultation and comments."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ascc.registry.schemas import PageFields

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


class PlanPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="national plans as ``GET /api/v1/national-plans/{id}`` returns them"
    )
