"""Decision-cycle pages: the list, one item with the forms its reader may use, and the Atom feed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.decisions import export as decisions_export
from ascc.decisions import schemas as s
from ascc.decisions import service as decisions_service
from ascc.http.auth import bind_principal, check_csrf
from ascc.http.openapi import download
from ascc.kit import clock
from ascc.kit.errors import DomainError, Invalid
from ascc.registry import service as registry_service
from ascc.web import i18n
from ascc.web.pages import downloads, page, render

actions = APIRouter(include_in_schema=False)


#: the authority of the feed's tag URIs when no ``ASCC_SITE_URL`` names the platform's own
FEED_AUTHORITY = "asean.org"


def feed_tag(site_url: str) -> str:
    """The prefix of the Atom ids (RFC 4287 §4.2.6: an entry's id never changes): a tag URI (RFC
    4151) minted by the host of ``ASCC_SITE_URL``, else by ``FEED_AUTHORITY``, with a fixed date, so
    that the Host a request names, its scheme or a proxy never changes it (links still follow the
    request when no site URL is set, so that they lead where the reader came from)."""
    authority = urlsplit(site_url).hostname or FEED_AUTHORITY
    return f"tag:{authority},2025:ascc/"


@downloads.get(
    "/decisions/feed.atom",
    response_class=Response,
    responses=download("application/atom+xml", "Atom feed of adopted public decisions"),
)
def feed(request: Request) -> Response:
    """Atom feed of adopted decisions that are public."""
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        items = decisions_export.adopted(session, principal=principal)
    ns = "http://www.w3.org/2005/Atom"
    root = ET.Element("feed", xmlns=ns)
    site = request.app.state.settings.site_url.rstrip("/")
    base = site or str(request.base_url).rstrip("/")
    tag = feed_tag(site)
    ET.SubElement(root, "title").text = "ASCC: adopted decisions"
    ET.SubElement(root, "id").text = f"{tag}decisions"
    ET.SubElement(root, "link", href=f"{base}/decisions/feed.atom", rel="self")
    latest = max((i.adopted_on for i in items), default=dt.date(2025, 1, 1))
    ET.SubElement(root, "updated").text = f"{latest.isoformat()}T00:00:00Z"
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "ASEAN Socio-Cultural Community platform"
    for item in items:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = item.title_en
        ET.SubElement(entry, "id").text = f"{tag}decisions/{item.id}"
        ET.SubElement(entry, "link", href=f"{base}/decisions/{item.id}")
        ET.SubElement(entry, "updated").text = f"{item.adopted_on.isoformat()}T00:00:00Z"
        text = item.proposals[-1].text_en if item.proposals else ""
        ET.SubElement(entry, "summary").text = f"Adopted by {item.adoption_method.replace('_', ' ')}: {text}"
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(xml, media_type="application/atom+xml")


@page("/decisions", "decisions.html")
def decisions(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    status = request.query_params.get("status") or None
    if status not in (None, "open", "adopted"):
        raise Invalid("status must be open or adopted", parameter="status")
    can_open = principal.role in (Role.secretariat, Role.chair)
    bodies = registry_service.list_bodies(session, limit=500).items if can_open else []
    if principal.role is Role.chair:
        bodies = [b for b in bodies if b.id == principal.body_id]
    return {
        "items": decisions_service.list_items(session, principal=principal, status=status),
        "status": status,
        "bodies": bodies,
    }


@page("/decisions/{item_id}", "decision.html")
def decision(session: Session, request: Request, item_id: str) -> dict[str, Any]:
    if not item_id.isdigit():
        raise Invalid(f"{item_id!r} is not an item number", parameter="item_id")
    item = decisions_service.get_item(session, principal=request.state.principal, item_id=int(item_id))
    states = registry_service.list_member_states(session, on=item.adopted_on or clock.today())
    return {
        "item": item,
        "member_states": states,
        "body": registry_service.get_body(session, body_id=item.body_id),
        "names": {m.code: m.name for m in states},
        "etag": decisions_service.item_etag(session, item_id=item.id),
    }


def _act(
    request: Request, csrf: str, item_id: int | None, work, form: dict[str, str] | None = None
) -> Response:
    """Run one form action in its own unit of work; on a refusal show the page with the reason (and,
    given ``form``, the values the user entered, with the field at fault marked)."""
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            result = work(session, principal)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Invalid("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))
        if item_id is None:
            raise exc from None
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = decision(session, request, str(item_id))
        extra = {"error": exc.detail, "error_field": exc.extra.get("parameter"), "form": form or {}}
        return render(request, "decision.html", ctx | extra, status=exc.status)
    target = f"/decisions/{result.id}" if result is not None else "/decisions"
    return RedirectResponse(target, status_code=303)


Csrf = Annotated[str, Form()]
Revision = Annotated[str | None, Form()]


@actions.post("/decisions")
def create(
    request: Request,
    csrf: Csrf,
    title_en: Annotated[str, Form()],
    body_id: Annotated[str, Form()],
    title_id: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    audience: Annotated[str, Form()] = "member_states",
) -> Response:
    def work(session, principal):
        data = s.ItemCreate(
            title_en=title_en,
            title_id=title_id or None,
            summary=summary or None,
            body_id=body_id,
            audience=audience,
        )
        return decisions_service.create_item(session, principal=principal, data=data)

    return _act(request, csrf, None, work)


@actions.post("/decisions/{item_id}/stage")
def stage(
    request: Request,
    item_id: int,
    csrf: Csrf,
    to: Annotated[str, Form()],
    revision: Revision = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        csrf,
        item_id,
        lambda session, p: decisions_service.move_stage(
            session,
            principal=p,
            item_id=item_id,
            move=s.StageMove(to=to, reason=reason or None),
            if_match=revision,
        ),
    )


@actions.post("/decisions/{item_id}/proposals")
def proposal(
    request: Request,
    item_id: int,
    csrf: Csrf,
    text_en: Annotated[str, Form()],
    revision: Revision = None,
    text_id: Annotated[str, Form()] = "",
) -> Response:
    return _act(
        request,
        csrf,
        item_id,
        lambda session, p: decisions_service.add_proposal(
            session,
            principal=p,
            item_id=item_id,
            data=s.ProposalCreate(text_en=text_en, text_id=text_id or None),
            if_match=revision,
        ),
    )


@actions.post("/decisions/{item_id}/positions")
def position(
    request: Request,
    item_id: int,
    csrf: Csrf,
    member_state: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "",
    revision: Revision = None,
    text: Annotated[str, Form()] = "",
    clearance_due: Annotated[str, Form()] = "",
) -> Response:
    """Record a position from the form. Nothing is chosen in advance: the field at fault is named,
    and the reservation text and the clearance date are checked here too (the form works without
    JavaScript, which only shows the fields the chosen position needs)."""
    text, clearance_due = text.strip(), clearance_due.strip()
    _ = i18n.translations(i18n.choose_language(request)[0]).gettext

    def work(session, principal):
        permissions.require_signed_in(principal)  # who may not write learns that first, not what is missing
        kinds = [k.value for k in s.PositionKind]
        if kind not in kinds:
            raise Invalid(_("Position: choose one of the positions."), parameter="kind")
        if kind in ("reservation", "object") and not text:
            msg = (
                _("Reservation text: a reservation needs its text.")
                if kind == "reservation"
                else _("Reason for objecting: an objection needs its reason.")
            )
            raise Invalid(msg, parameter="text")
        due = None
        if kind == "ad_referendum":
            try:
                due = dt.date.fromisoformat(clearance_due)
            except ValueError:
                raise Invalid(
                    _("Capital clearance due: give the date (YYYY-MM-DD)."), parameter="clearance_due"
                ) from None
        data = s.PositionCreate(member_state=member_state, kind=kind, text=text or None, clearance_due=due)
        return decisions_service.record_position(
            session, principal=principal, item_id=item_id, data=data, if_match=revision
        )

    return _act(
        request, csrf, item_id, work, form={"kind": kind, "text": text, "clearance_due": clearance_due}
    )


@actions.post("/decisions/{item_id}/clearance")
def clearance(request: Request, item_id: int, csrf: Csrf, member_state: Annotated[str, Form()]) -> Response:
    return _act(
        request,
        csrf,
        item_id,
        lambda session, p: decisions_service.clear_ad_referendum(
            session, principal=p, item_id=item_id, member_state=member_state
        ),
    )


@actions.post("/decisions/{item_id}/adopt")
def adopt(request: Request, item_id: int, csrf: Csrf, revision: Revision = None) -> Response:
    return _act(
        request,
        csrf,
        item_id,
        lambda session, p: decisions_service.adopt(session, principal=p, item_id=item_id, if_match=revision),
    )


@actions.post("/decisions/{item_id}/silence")
def silence(
    request: Request, item_id: int, csrf: Csrf, deadline: Annotated[str, Form()], revision: Revision = None
) -> Response:
    def work(session, principal):
        return decisions_service.start_silence(
            session,
            principal=principal,
            item_id=item_id,
            data=s.SilenceCreate(deadline=deadline),
            if_match=revision,
        )

    return _act(request, csrf, item_id, work)


@actions.post("/decisions/{item_id}/comments")
def comment(
    request: Request, item_id: int, csrf: Csrf, text: Annotated[str, Form()], url: Annotated[str, Form()] = ""
) -> Response:
    def work(session, principal):
        data = s.ContributionCreate(kind="document" if url else "comment", text=text, url=url or None)
        return decisions_service.add_contribution(session, principal=principal, item_id=item_id, data=data)

    return _act(request, csrf, item_id, work)
