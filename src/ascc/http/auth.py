"""Who is asking: a bearer API token, else the signed session cookie, else the public.

Sessions are signed cookies: HttpOnly, SameSite=Lax, Secure when ``ASCC_SECURE_COOKIES`` is on.
The cookie carries the user's session version; signing out, a new password or deactivation bumps
the version in the database, which ends every session of the user at once. Forms carry a CSRF
token kept in the session. A write (POST, PUT, PATCH, DELETE) authenticated by the cookie must come
from this site: a cross-site ``Origin`` or ``Referer`` is refused, and an API write without either
needs the session's CSRF token in ``X-CSRF-Token``. API writes with bearer tokens need none of this.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.requests import Request

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import PUBLIC, Principal
from ascc.kit.errors import Forbidden

CSRF_KEY = "csrf"
CSRF_HEADER = "x-csrf-token"
USER_KEY = "user_id"
VERSION_KEY = "sv"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def resolve_principal(request: Request, session: Session) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = accounts_service.principal_for_token(session, token=header[7:].strip())
        return found or PUBLIC
    cookie = request.session if "session" in request.scope else {}
    user_id, version = cookie.get(USER_KEY), cookie.get(VERSION_KEY)
    if not isinstance(user_id, int) or not isinstance(version, int):
        return PUBLIC
    found = accounts_service.principal_for_user(session, user_id=user_id, version=version)
    if found.is_authenticated and request.method not in SAFE_METHODS:
        check_same_origin(request)
    return found


def sign_in(request: Request, *, user_id: int, version: int) -> None:
    """Start a fresh session (no fixation) for the user at their current session version."""
    request.session.clear()
    request.session[USER_KEY] = user_id
    request.session[VERSION_KEY] = version


def _same_site(request: Request, url: str) -> bool:
    # host and port, not scheme: behind a TLS-terminating proxy the app may see http
    netloc = urlsplit(url).netloc
    return bool(netloc) and netloc.lower() == (request.headers.get("host") or request.url.netloc).lower()


def check_same_origin(request: Request) -> None:
    """A write made with the session cookie must come from this site (see the module docstring)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin:
        if _same_site(request, origin):
            return
        raise Forbidden("a signed-in write must come from this site (the Origin or Referer is another site)")
    submitted = request.headers.get(CSRF_HEADER)
    if submitted:
        check_csrf(request, submitted)
        return
    path = request.url.path
    if path.startswith(("/api/", "/sdmx/")) or path.endswith(".json"):
        # forms carry their own CSRF token, checked by their route; the API has no form
        raise Forbidden(
            "a signed-in API write needs an Origin or Referer of this site or the X-CSRF-Token header; "
            "scripts and other clients use an API token (Authorization: Bearer)"
        )


def bind_principal(request: Request, session: Session) -> Principal:
    """Resolve who is asking and record it on the session (audit actor) and the request (templates)."""
    principal = resolve_principal(request, session)
    session.info["principal"] = principal
    session.info["actor"] = principal.actor
    request.state.principal = principal
    return principal


#: set on the request's state when its form token is used: the answer is this visitor's own (the
#: response cache never keeps it)
PERSONAL = "ascc_personal"


def csrf_token(request: Request) -> str:
    setattr(request.state, PERSONAL, True)
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
