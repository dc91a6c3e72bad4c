"""Sign in and out of the web pages (signed session cookie; CSRF-checked forms); one's own account
(new password, API tokens); the Secretariat's list of accounts (deactivation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.accounts import service as accounts_service
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf, client_ip, sign_in
from ascc.kit.errors import DomainError, Invalid, TooManyRequests, Unauthorized
from ascc.web.pages import page, render

router = APIRouter(include_in_schema=False)


def N_(message: str) -> str:
    """Marks a message for the catalog; the account page shows these errors translated."""
    return message


SHOWN_ERRORS = (
    N_("the current password is wrong"),
    N_("a password needs 10 to 200 characters"),
    N_("the two new passwords differ"),
)


#: where a sign-in leads when no other page was asked for
LANDING = "/me"


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else "" (``//host`` and ``/\\host`` lead elsewhere)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return "" if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) else target


def _landing(target: str | None) -> str:
    """Where a sign-in leads: the page asked for, else My work. The home page (which the header's
    sign-in link passes from there) and the sign-in page itself are not a page asked for."""
    safe = _safe_next(target)
    path = safe.split("?", 1)[0].split("#", 1)[0]
    return LANDING if path in ("", "/", "/login") else safe


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    factory = request.app.state.session_factory
    ip = client_ip(request)
    try:
        # the attempt is counted (or refused) and committed before the password is checked
        with unit_of_work(factory) as session:
            accounts_service.claim_sign_in(session, email=email, ip=ip)
        with unit_of_work(factory) as session:
            session.info["actor"] = "login"
            principal = accounts_service.authenticate(session, email=email, password=password, ip=ip)
            assert principal.user_id is not None
            version = accounts_service.session_version(session, user_id=principal.user_id)
    except (Unauthorized, TooManyRequests) as exc:
        ctx = {"next": _safe_next(next), "error": exc.detail, "email": email}
        response = render(request, "login.html", ctx, status=exc.status)
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response
    sign_in(request, user_id=principal.user_id, version=version)  # a fresh session: no fixation
    return RedirectResponse(_landing(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """Sign out on every device: the user's session version moves on."""
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        if principal.is_authenticated:
            accounts_service.end_sessions(session, principal=principal)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


# --- one's own account --------------------------------------------------------------------------


@page("/account", "account.html")
def account(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_signed_in(principal)
    user_id = principal.user_id
    return {
        "user": accounts_service.get_user(session, user_id=user_id),
        "tokens": accounts_service.list_tokens(session, user_id=user_id),
        "done": request.query_params.get("done"),
        "error": None,
    }


@router.post("/account/password")
def change_password(
    request: Request,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
    confirm: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A new password ends the user's other sessions; this one continues at the new version."""
    check_csrf(request, csrf)
    factory = request.app.state.session_factory
    try:
        with unit_of_work(factory) as session:
            principal = bind_principal(request, session)
            if new != confirm:
                permissions.require_signed_in(principal)
                raise Invalid("the two new passwords differ", parameter="confirm")
            version = accounts_service.change_password(session, principal=principal, current=current, new=new)
    except DomainError as exc:
        if exc.status in (401, 403):
            raise
        with unit_of_work(factory) as session:
            bind_principal(request, session)
            ctx = account(session, request) | {"error": exc.detail}
        return render(request, "account.html", ctx, status=exc.status)
    assert principal.user_id is not None
    sign_in(request, user_id=principal.user_id, version=version)
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        permissions.require_signed_in(principal)
        accounts_service.revoke_token(session, principal=principal, token_id=token_id)
    return RedirectResponse("/account?done=revoked", status_code=303)


# --- the Secretariat: accounts ------------------------------------------------------------------


@page("/users", "users.html")
def users(session: Session, request: Request) -> dict[str, Any]:
    permissions.require_secretariat(request.state.principal)
    return {"users": accounts_service.list_users(session), "done": request.query_params.get("done")}


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, user_id: int, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        accounts_service.deactivate_user(session, principal=principal, user_id=user_id)
    return RedirectResponse("/users?done=deactivated", status_code=303)
