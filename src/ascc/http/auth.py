"""Who is asking: a bearer API token, else the signed session cookie, else the public.

Sessions are signed cookies (no server-side state): HttpOnly, SameSite=Lax, Secure when
``ASCC_SECURE_COOKIES`` is on. Forms carry a CSRF token kept in the session; API writes use
bearer tokens and need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy.orm import Session
from starlette.requests import Request

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import PUBLIC, Principal
from ascc.kit.errors import Forbidden

CSRF_KEY = "csrf"


def resolve_principal(request: Request, session: Session) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = accounts_service.principal_for_token(session, token=header[7:].strip())
        return found or PUBLIC
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if isinstance(user_id, int):
        return accounts_service.principal_for_user(session, user_id=user_id)
    return PUBLIC


def bind_principal(request: Request, session: Session) -> Principal:
    """Resolve who is asking and record it on the session (audit actor) and the request (templates)."""
    principal = resolve_principal(request, session)
    session.info["principal"] = principal
    session.info["actor"] = principal.actor
    request.state.principal = principal
    return principal


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get(CSRF_KEY)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("the form expired or did not come from this site; reload the page and try again")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
