"""Knowledge-base pages: the unified search (and ask mode), documents with passage anchors, upload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf
from ascc.kit.errors import DomainError, Invalid
from ascc.knowledge import extract
from ascc.knowledge import service as knowledge_service
from ascc.registry import service as registry_service
from ascc.web import i18n
from ascc.web.pages import page, render

actions = APIRouter(include_in_schema=False)
PAGE = 20
TYPE_NAMES = {
    "passage": ("Passage", "Bagian dokumen"),
    "document": ("Document", "Dokumen"),
    "body": ("Body", "Badan"),
    "sector": ("Sector", "Sektor"),
    "pillar": ("Community pillar", "Pilar komunitas"),
    "plan": ("Plan", "Rencana"),
    "programme": ("Programme", "Program"),
    "member_state": ("Member state", "Negara anggota"),
    "meeting": ("Meeting", "Pertemuan"),
    "decision": ("Decision", "Keputusan"),
    "disaster": ("Disaster event", "Kejadian bencana"),
    "activity": ("Programme or project", "Program atau proyek"),
    "indicator": ("Indicator", "Indikator"),
}
KIND_NAMES = {
    "declaration": ("Declaration", "Deklarasi"),
    "work_plan": ("Work plan", "Rencana kerja"),
    "report": ("Report", "Laporan"),
    "news": ("News", "Berita"),
    "article": ("Article", "Artikel"),
}


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 6:
        raise Invalid(f"{name}={raw[:20]!r} is not a whole number", parameter=name)
    return int(raw)


def _names(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {k: {"en": en, "id": id_} for k, (en, id_) in table.items()}


@page("/search", "search.html")
def search(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    q = (qp.get("q") or "").strip()[:200]
    mode = "ask" if qp.get("mode") == "ask" else "search"
    lang = i18n.choose_language(request)[0]
    language = qp.get("language") or None
    if language not in (None, "en", "id"):
        raise Invalid("language must be en or id", parameter="language")
    filters = {
        "type": qp.get("type") or None,
        "sector": qp.get("sector") or None,
        "language": language,
        "year": _int(request, "year"),
    }
    offset = _int(request, "offset", 0) or 0
    principal = request.state.principal
    result = answer = None
    if q and mode == "ask":
        answer = knowledge_service.ask(session, principal=principal, q=q, limit=5, lang=lang)
    elif q:
        result = knowledge_service.search(
            session,
            principal=principal,
            q=q,
            types=(filters["type"],) if filters["type"] else (),
            sector=filters["sector"],
            language=language,
            year=filters["year"],
            limit=PAGE,
            offset=offset,
            lang=lang,
            group=True,
        )
    sectors = {x.id: x.name for x in registry_service.list_sectors(session)}
    return {
        "q": q,
        "mode": mode,
        "result": result,
        "answer": answer,
        "filters": filters,
        "offset": offset,
        "limit": PAGE,
        "sectors": sectors,
        "type_names": _names(TYPE_NAMES),
        "language_names": {
            "en": {"en": "English", "id": "Inggris"},
            "id": {"en": "Indonesian", "id": "Indonesia"},
        },
    }


@page("/documents", "knowledge_documents.html")
def documents(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    listing = knowledge_service.list_documents(session, principal=principal, limit=500)
    return {
        "documents": listing.items,
        "total": listing.total,
        "kind_names": _names(KIND_NAMES),
        "can_upload": principal.role is Role.secretariat,
    }


def _upload_context(session: Session) -> dict[str, Any]:
    return {
        "sectors": registry_service.list_sectors(session),
        "kind_names": _names(KIND_NAMES),
        "max_mib": extract.MAX_BYTES // (1024 * 1024),
        "error": None,
        "form": {},
    }


@page("/documents/new", "knowledge_upload.html")
def new_document(session: Session, request: Request) -> dict[str, Any]:
    permissions.require_secretariat(request.state.principal)
    return _upload_context(session)


@page("/documents/{slug}", "knowledge_document.html")
def document(session: Session, request: Request, slug: str) -> dict[str, Any]:
    doc = knowledge_service.get_document(session, principal=request.state.principal, slug=slug)
    return {
        "document": doc,
        "kind_names": _names(KIND_NAMES),
        "sectors": {x.id: x.name for x in registry_service.list_sectors(session)},
    }


@actions.post("/documents")
def upload(
    request: Request,
    csrf: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    language: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    title_en: Annotated[str, Form()] = "",
    title_id: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    sectors: Annotated[list[str] | None, Form()] = None,
    source_url: Annotated[str, Form()] = "",
    audience: Annotated[str, Form()] = "public",
) -> Response:
    """The upload form: on a refusal the form comes back with the reason and nothing is stored."""
    check_csrf(request, csrf)
    form = {
        "language": language,
        "kind": kind,
        "title_en": title_en,
        "title_id": title_id,
        "date": date,
        "sectors": sectors or [],
        "source_url": source_url,
        "audience": audience,
    }
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            permissions.require_secretariat(bind_principal(request, session))
            data = knowledge_service.document_form(**form)
        # read the file (in a worker) before the unit of work that writes it: no lock held meanwhile
        name, content = extract.read_limited(file.file, file.filename or "upload")
        read = extract.read_document(name, content)
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            doc = knowledge_service.add_document(
                session, principal=principal, data=data, filename=name, extracted=read
            )
    except DomainError as exc:
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = _upload_context(session)
        return render(
            request, "knowledge_upload.html", ctx | {"error": exc.detail, "form": form}, status=exc.status
        )
    return RedirectResponse(f"/documents/{doc.slug}", status_code=303)
