"""Account shapes and the principal a request acts as."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Role(StrEnum):
    secretariat = "secretariat"
    focal_point = "focal_point"
    chair = "chair"
    partner = "partner"
    aha_centre = "aha_centre"


class Audience(StrEnum):
    member_states = "member_states"
    partners = "partners"
    public = "public"


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a request acts as. ``user_id`` None is the public."""

    user_id: int | None = None
    name: str = "public"
    role: Role | None = None
    member_state: str | None = None
    sectors: tuple[str, ...] = ()
    body_id: str | None = None
    partner_id: str | None = None

    @property
    def actor(self) -> str:
        return "public" if self.user_id is None else f"user:{self.user_id}"

    @property
    def label(self) -> str:
        """How records name who wrote them: ``"name (role)"``, ``"name (role, member state)"``."""
        base = f"{self.name} ({self.role.value if self.role else 'public'}"
        return base + (f", {self.member_state})" if self.member_state else ")")

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


PUBLIC = Principal()
#: password lengths; the rest of the policy is ``accounts.service.check_password_policy``
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: Role
    member_state: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    sectors: list[str] = []
    body_id: str | None = None
    partner_id: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: Role
    member_state: str | None
    sectors: list[str]
    body_id: str | None
    partner_id: str | None
    active: bool


class TokenRead(BaseModel):
    """An API token as its owner sees it: never the token itself (only its digest is stored)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    label: str
    revoked: bool
    created_at: dt.datetime
