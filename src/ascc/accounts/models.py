"""Account tables. Passwords are argon2 hashes; API tokens are stored as SHA-256 digests only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    member_state: Mapped[str | None] = mapped_column(ForeignKey("member_states.code"))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_id: Mapped[str | None] = mapped_column(ForeignKey("bodies.id"))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: carried in the session cookie; bumped to end every session of the user (sign-out, new
    #: password, deactivation)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginThrottle(Base):
    """Sign-in throttling, one row per key (kept in the database so every process sees it): an
    account (``account:EMAIL``), an account from one client address (``pair:EMAIL|IP``) or a client
    address (``ip:IP``). See ``ascc.accounts.throttle``.

    Times are seconds since the epoch (floats), so that the one statement that claims an attempt can
    compute the next one's time with plain arithmetic on SQLite and PostgreSQL alike."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(340), primary_key=True)
    #: attempts counted (a successful one is given back)
    attempts: Mapped[int] = mapped_column(Integer)
    #: seconds the attempt after the last one waits: 0, then 1, 2, 4, … up to a cap
    delay: Mapped[int] = mapped_column(Integer)
    #: the next attempt is refused before this time
    not_before: Mapped[float] = mapped_column(Float)
    #: the last attempt; a key quiet for a day starts again from zero
    last_at: Mapped[float] = mapped_column(Float, index=True)
    #: ``pair`` keys: the last successful sign-in from that address (the account's usual address)
    signed_in_at: Mapped[float | None] = mapped_column(Float)
