"""Who is asking: a bearer API token, else the signed session cookie, else the public.

Sessions are signed cookies (no server-side state): HttpOnly, SameSite=Lax, Secure when
``ASCC_SECURE_COOKIES`` is on. Forms carry a CSRF token kept in the session; API writes use
bearer tokens and need no CSRF token.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
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


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _address(text: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_ip(request: Request) -> str:
    """The client's address: the direct peer, unless the peer is one of the trusted proxies
    (``ASCC_TRUSTED_PROXIES``; none by default). Then ``X-Forwarded-For`` is read from the right
    (each proxy appends the address it saw), skipping trusted proxies: the first address that is not
    one is the client. An entry that is not an address ends the walk at the last trusted hop."""
    peer = request.client.host if request.client else ""
    settings = getattr(request.app.state, "settings", None)
    networks = _networks(tuple(getattr(settings, "trusted_proxies", ()) or ()))
    current = _address(peer)
    if current is None:
        return peer or "unknown"

    def trusted(address: _Address) -> bool:
        return any(address in network for network in networks)

    if not networks or not trusted(current):
        return str(current)
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    for entry in reversed([e for e in forwarded.split(",") if e.strip()]):
        hop = _address(entry)
        if hop is None:
            break
        current = hop
        if not trusted(hop):
            break
    return str(current)
