"""One's notifications (inbox, unread marks, e-mail preferences) and the Secretariat's e-mail outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf
from ascc.notifications import service as notifications_service
from ascc.notifications.models import EMAIL_CHOICES, LANGUAGES
from ascc.web.pages import page

actions = APIRouter(include_in_schema=False)


@page("/notifications", "notifications.html")
def notifications(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_signed_in(principal)
    return {
        "notifications": notifications_service.list_notifications(session, principal=principal),
        "unread": notifications_service.unread_count(session, principal=principal),
        "preferences": notifications_service.get_preferences(session, principal=principal),
        "email_choices": list(EMAIL_CHOICES),
        "language_choices": list(LANGUAGES),
        "done": request.query_params.get("done"),
    }


@actions.post("/notifications/read")
def mark_read(
    request: Request, csrf: Annotated[str, Form()] = "", id: Annotated[int | None, Form()] = None
) -> Response:
    """Mark one notification read (``id``), or all of one's notifications."""
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        notifications_service.mark_read(session, principal=principal, notification_id=id)
    return RedirectResponse("/notifications", status_code=303)


@actions.post("/notifications/preferences")
def preferences(
    request: Request,
    email: Annotated[str, Form(max_length=20)],
    language: Annotated[str, Form(max_length=5)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        notifications_service.set_preferences(session, principal=principal, email=email, language=language)
    return RedirectResponse("/notifications?done=preferences", status_code=303)


@page("/outbox", "outbox.html")
def outbox(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    status = request.query_params.get("status") or None
    return {
        **notifications_service.outbox(session, principal=principal, status=status),
        "done": request.query_params.get("done"),
    }


@actions.post("/outbox/requeue")
def requeue(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """The Secretariat gives the dead messages a new round of attempts."""
    check_csrf(request, csrf)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        notifications_service.requeue_dead(session, principal=principal)
    return RedirectResponse("/outbox?done=requeued", status_code=303)
