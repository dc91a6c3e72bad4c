"""Fund input shapes: a fund's rules and budget, a call, a proposal, its review and its project."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ascc.registry.schemas import PageFields
from ascc.results.schemas import IDENTIFIER

MAX_AMOUNT = Decimal("1e15")
#: a reviewer scores each criterion from 0 to this
MAX_SCORE = 10
CURRENCY = r"^[A-Z]{3}$"
#: what a proposal's status means, in both languages (derived when read, ``service.status``)
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "submitted": ("Submitted", "Diajukan"),
    "eligible": ("Eligible, under review", "Memenuhi syarat, sedang ditinjau"),
    "ineligible": ("Not eligible", "Tidak memenuhi syarat"),
    "recommended": ("Recommended, awaiting the decision", "Direkomendasikan, menunggu keputusan"),
    "approved": ("Approved", "Disetujui"),
    "not_funded": ("Not funded", "Tidak didanai"),
    "funded": ("Funded project under way", "Proyek didanai sedang berjalan"),
    "closed": ("Closed", "Ditutup"),
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _finite(v: Decimal | None) -> Decimal | None:
    if v is not None and not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


class FundUpdate(_In):
    """A fund's rules and budget (the owner body's chair or the Secretariat). Leave unknown values empty."""

    rules_en: str | None = Field(default=None, max_length=20000)
    rules_id: str | None = Field(default=None, max_length=20000)
    budget: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    currency: str | None = Field(default=None, pattern=CURRENCY, description="ISO 4217")

    _budget = field_validator("budget")(_finite)

    @model_validator(mode="after")
    def _together(self) -> FundUpdate:
        if (self.budget is None) != (self.currency is None):
            raise ValueError("budget and currency go together")
        return self


class FundCriterion(_In):
    key: str = Field(pattern=r"^[a-z0-9_-]{1,40}$", description="short key, e.g. relevance")
    name_en: str = Field(min_length=1, max_length=200)
    name_id: str | None = Field(default=None, max_length=200)
    weight: int = Field(ge=1, le=100, description="relative weight of the criterion")


class FundCallWrite(_In):
    title_en: str = Field(min_length=3, max_length=300)
    title_id: str | None = Field(default=None, max_length=300)
    themes: list[str] = Field(default=[], max_length=20)
    eligibility: str | None = Field(default=None, max_length=10000)
    ceiling: Decimal = Field(gt=0, le=MAX_AMOUNT, description="the most a proposal may request")
    currency: str | None = Field(
        default=None, pattern=CURRENCY, description="ISO 4217; the fund's currency when left empty"
    )
    deadline: dt.datetime = Field(description="submissions after this moment are refused (UTC if no zone)")
    required_documents: list[str] = Field(default=[], max_length=30)
    criteria: list[FundCriterion] = Field(min_length=1, max_length=20)

    _ceiling = field_validator("ceiling")(_finite)

    @field_validator("themes", "required_documents")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        v = [x.strip() for x in v]
        if any(not x or len(x) > 300 for x in v):
            raise ValueError("each entry is 1-300 characters")
        return v

    @field_validator("criteria")
    @classmethod
    def _unique(cls, v: list[FundCriterion]) -> list[FundCriterion]:
        keys = [c.key for c in v]
        if len(set(keys)) != len(keys):
            raise ValueError("each criterion needs its own key")
        return v


class FundCallCreate(FundCallWrite):
    fund_id: str = Field(min_length=1, max_length=80)


class FundBudgetLine(_In):
    item: str = Field(min_length=1, max_length=300)
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT)

    _amount = field_validator("amount")(_finite)


class FundDocumentRef(_In):
    """A document given by reference: its name (one of the call's required documents, or another)
    and where it is."""

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^https?://\S{1,990}$", description="http(s) address of the document")


class FundProposalWrite(_In):
    title_en: str = Field(min_length=3, max_length=300)
    title_id: str | None = Field(default=None, max_length=300)
    summary: str = Field(min_length=1, max_length=20000)
    requested: Decimal = Field(gt=0, le=MAX_AMOUNT, description="in the call's currency, at most its ceiling")
    budget_lines: list[FundBudgetLine] = Field(default=[], max_length=100)
    partners: list[str] = Field(default=[], max_length=50, description="partner organisations, by name")
    outcomes: list[str] = Field(default=[], max_length=50, description="plan outcomes as plan-id/code")
    documents: list[FundDocumentRef] = Field(default=[], max_length=30)

    _requested = field_validator("requested")(_finite)

    @field_validator("partners")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        v = [x.strip() for x in v]
        if any(not x or len(x) > 300 for x in v):
            raise ValueError("each partner is named in 1-300 characters")
        return v


class FundProposalCreate(FundProposalWrite):
    call_id: int = Field(ge=1, le=2**31 - 1)
    member_state: str = Field(pattern=r"^[A-Z]{3}$", description="the submitting member state (your own)")


class FundEligibilityCheck(_In):
    eligible: bool
    reason: str = Field(min_length=1, max_length=10000)


class FundScoreSheet(_In):
    """A reviewer's scores, criterion key → 0..10 (replacing the reviewer's earlier scores of them)."""

    scores: dict[str, int] = Field(min_length=1, max_length=20)
    comment: str | None = Field(default=None, max_length=10000)

    @field_validator("scores")
    @classmethod
    def _range(cls, v: dict[str, int]) -> dict[str, int]:
        for key, score in v.items():
            if not 0 <= score <= MAX_SCORE:
                raise ValueError(f"{key}: a score is 0-{MAX_SCORE}, not {score}")
        return v


class FundConflictDeclaration(_In):
    reason: str = Field(min_length=1, max_length=5000)


class FundRecommendation(_In):
    recommendation: Literal["fund", "do_not_fund"]
    amount: Decimal | None = Field(default=None, gt=0, le=MAX_AMOUNT)
    text: str | None = Field(default=None, max_length=10000)

    _amount = field_validator("amount")(_finite)

    @model_validator(mode="after")
    def _amount_needed(self) -> FundRecommendation:
        if self.recommendation == "fund" and self.amount is None:
            raise ValueError("a recommendation to fund names the amount")
        if self.recommendation == "do_not_fund" and self.amount is not None:
            raise ValueError("a recommendation not to fund has no amount")
        return self


class FundProjectStart(_In):
    """What the results-chain activity of an approved proposal needs beyond the proposal (IATI)."""

    planned_start: dt.date
    planned_end: dt.date
    reporting_org_ref: str | None = Field(default=None, pattern=IDENTIFIER)
    reporting_org_type: str | None = Field(default=None, max_length=4)
    reporting_org_name: str | None = Field(default=None, max_length=300)
    local_id: str | None = Field(default=None, pattern=IDENTIFIER)
    sector: str | None = Field(
        default=None, max_length=64, description="registry sector id of the project (IATI needs one)"
    )

    @model_validator(mode="after")
    def _order(self) -> FundProjectStart:
        if self.planned_end < self.planned_start:
            raise ValueError("planned_end is before planned_start")
        return self


class FundReportCreate(_In):
    text: str = Field(min_length=1, max_length=20000)
    spent: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT, description="spent so far")

    _spent = field_validator("spent")(_finite)


class FundClosure(_In):
    closed_on: dt.date
    text: str = Field(min_length=1, max_length=20000)


class FundCallPage(PageFields):
    items: list[dict[str, Any]]


class FundProposalPage(PageFields):
    items: list[dict[str, Any]]


class FundPage(PageFields):
    items: list[dict[str, Any]]
