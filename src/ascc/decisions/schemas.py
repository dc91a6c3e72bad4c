"""Decision-cycle shapes: create/update inputs and read models."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ascc.accounts.schemas import Audience


class Stage(StrEnum):
    identify = "identify"
    consult = "consult"
    formulate = "formulate"
    implement = "implement"
    monitor = "monitor"


STAGES = list(Stage)
STAGE_NAMES = {
    Stage.identify: ("Identify the issue", "Identifikasi isu"),
    Stage.consult: ("Discuss and consult", "Diskusi dan konsultasi"),
    Stage.formulate: ("Formulate the policy", "Rumusan kebijakan"),
    Stage.implement: ("Implement", "Implementasi"),
    Stage.monitor: ("Monitor and evaluate", "Monitoring dan evaluasi"),
}


class PositionKind(StrEnum):
    join = "join"
    reservation = "reservation"
    ad_referendum = "ad_referendum"
    object = "object"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemCreate(_In):
    title_en: str = Field(min_length=3, max_length=300)
    title_id: str | None = Field(default=None, max_length=300)
    summary: str | None = Field(default=None, max_length=10000)
    body_id: str
    audience: Audience = Audience.member_states
    meetings: list[str] = []


class StageMove(_In):
    to: Stage
    reason: str | None = Field(default=None, max_length=5000)


class ProposalCreate(_In):
    text_en: str = Field(min_length=1, max_length=100000)
    text_id: str | None = Field(default=None, max_length=100000)


class PositionCreate(_In):
    member_state: str = Field(pattern=r"^[A-Z]{3}$")
    kind: PositionKind
    text: str | None = Field(default=None, max_length=10000)
    clearance_due: dt.date | None = None

    @model_validator(mode="after")
    def _needs(self) -> PositionCreate:
        if self.kind is PositionKind.reservation and not self.text:
            raise ValueError("a reservation needs its text")
        if self.kind is PositionKind.object and not self.text:
            raise ValueError("an objection needs its reason")
        if self.kind is PositionKind.ad_referendum and self.clearance_due is None:
            raise ValueError("ad referendum needs the date capital clearance is due (clearance_due)")
        return self


class ContributionCreate(_In):
    kind: str = Field(default="comment", pattern=r"^(comment|document)$")
    text: str = Field(min_length=1, max_length=20000)
    url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://")


class SilenceCreate(_In):
    deadline: dt.datetime


class FollowUp(_In):
    """What an adopted decision sets in motion (filled in by monitoring & evaluation later)."""

    programmes: list[str] = []
    bodies: list[str] = []
    indicators: list[str] = []


class PositionRead(BaseModel):
    member_state: str
    kind: PositionKind
    text: str | None
    clearance_due: dt.date | None
    cleared_on: dt.date | None
    version: int
    cast_by: str
    at: dt.datetime


class ProposalRead(BaseModel):
    number: int
    text_en: str
    text_id: str | None
    author: str
    at: dt.datetime


class StageEventRead(BaseModel):
    from_stage: Stage | None
    to_stage: Stage
    reason: str | None
    actor: str
    at: dt.datetime

    @field_validator("at")
    @classmethod
    def _in_utc(cls, at: dt.datetime) -> dt.datetime:
        """In UTC on both backends (SQLite gives the stored UTC time back without its zone), so that
        an adoption the reads derive shows the very moment the job stores."""
        return at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)


class ContributionRead(BaseModel):
    id: int
    stage: Stage
    kind: str
    text: str
    url: str | None
    author: str
    author_role: str
    member_state: str | None
    at: dt.datetime


class SilenceRead(BaseModel):
    version: int
    deadline: dt.datetime
    status: str
    broken_by: str | None


class ConsensusRead(BaseModel):
    """Where consensus stands on the current text, as of ``on``."""

    on: dt.date
    members: list[str]
    missing: list[str]
    objecting: list[str]
    awaiting_clearance: list[str]
    reservations: list[str]
    reached: bool


class ItemRead(BaseModel):
    id: int
    title_en: str
    title_id: str | None
    summary: str | None
    body_id: str
    sector_id: str | None
    stage: Stage
    status: str
    audience: Audience
    adopted_on: dt.date | None
    adoption_method: str | None
    implementation: dict
    monitoring: dict
    meetings: list[str]
    revision: int
    created_by: str
    created_at: dt.datetime


class ItemDetail(ItemRead):
    proposals: list[ProposalRead]
    positions: list[PositionRead]
    consensus: ConsensusRead | None
    history: list[StageEventRead]
    contributions: list[ContributionRead]
    silence: SilenceRead | None


class FormulationState(BaseModel):
    """An open item in formulation as one member state sees it: the current text, that member
    state's position on it (None: not given yet) and the deadline of a running silence procedure."""

    id: int
    title_en: str
    title_id: str | None
    body_id: str
    sector_id: str | None
    version: int | None = Field(description="the current text's number; None: no text yet")
    position: PositionRead | None
    silence_deadline: dt.datetime | None


# --- the Popolo export (``GET /api/v1/decisions/popolo``; ``decisions.export.popolo``) ------------
# Its documents are checked against the Popolo project's own JSON schemas by the tests; these shapes
# state the keys this export writes, and refuse any other.


class _Popolo(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PopoloOrganization(_Popolo):
    id: str = Field(description="a member state's ISO3 code, or a registry body id")
    name: str
    classification: str = Field(description="member state, or the body's level")


class PopoloMember(_Popolo):
    type: Literal["Organization"] = Field(alias="@type")
    id: str


class PopoloMembership(_Popolo):
    id: str
    role: Literal["member state"]
    member: PopoloMember
    organization_id: str
    start_date: dt.date = Field(description="when the member state joined ASEAN")


class PopoloSource(_Popolo):
    url: str
    note: str


class PopoloMotion(_Popolo):
    id: str = Field(description="decision-{id}-v{number of the adopted text}")
    organization_id: str
    text: str
    classification: str = Field(description="the adoption method")
    date: dt.datetime = Field(description="the day of adoption, as its start in UTC")
    result: Literal["pass"]
    title: str
    sources: list[PopoloSource]


class PopoloVote(_Popolo):
    voter_id: str = Field(description="the member state")
    option: Literal["yes", "no"]
    note: str | None = Field(
        default=None, description="silence, a reservation or ad referendum clearance (absent otherwise)"
    )


class PopoloCount(_Popolo):
    option: Literal["yes", "no"]
    value: int


class PopoloVoteEvent(_Popolo):
    id: str
    motion_id: str
    organization_id: str
    start_date: dt.datetime = Field(description="the day of adoption, as its start in UTC")
    result: Literal["pass"]
    votes: list[PopoloVote]
    counts: list[PopoloCount]
    sources: list[PopoloSource]


class PopoloExport(_Popolo):
    """Adopted decisions as Popolo motions and vote events, with the organisations and memberships
    they name."""

    organizations: list[PopoloOrganization]
    memberships: list[PopoloMembership]
    motions: list[PopoloMotion]
    vote_events: list[PopoloVoteEvent]
