"""Sign in and out of the web pages (signed session cookie; CSRF-checked forms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from ascc.accounts import service as accounts_service
from ascc.db.uow import unit_of_work
from ascc.http.auth import check_csrf, client_ip
from ascc.kit.errors import TooManyRequests, Unauthorized
from ascc.web.pages import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
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
    except (Unauthorized, TooManyRequests) as exc:
        ctx = {"next": _safe_next(next), "error": exc.detail, "email": email}
        response = render(request, "login.html", ctx, status=exc.status)
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response
    request.session.clear()  # a fresh session on sign-in: no fixation
    request.session["user_id"] = principal.user_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
