"""``/api/v1``: the unified search, extractive answers, and documents (upload by the Secretariat)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.responses import Response

from ascc.accounts import permissions
from ascc.http.deps import Auth, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.knowledge import extract
from ascc.knowledge import schemas as s
from ascc.knowledge import service as knowledge_service

router = APIRouter(prefix="/api/v1", tags=["knowledge"])
Q = Annotated[str, Query(min_length=1, max_length=200, description="words, in English or Indonesian")]
Lang = Annotated[Literal["en", "id"], Query(description="language of titles and snippets")]
Errors = {404: {"description": "Not found (problem+json)"}, 422: {"description": "Bad parameter"}}


@router.get("/search", response_model=s.SearchResult, responses=Errors)
def search(
    request: Request,
    session: SessionDep,
    q: Q,
    type: Annotated[list[str] | None, Query(description="result types, e.g. passage, body, plan")] = None,
    sector: Annotated[str | None, Query(max_length=64)] = None,
    language: Annotated[Literal["en", "id"] | None, Query(description="language of the record")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    limit: Annotated[int, Query(ge=1, le=knowledge_service.MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    lang: Lang = "en",
    group: Annotated[bool, Query(description="one result per document, its best passages under it")] = True,
) -> Response:
    """One search over documents, passages and the registry: stemmed (Sastrawi, Snowball),
    spelling variants folded, acronyms expanded both ways; highlighted snippets and facets.
    By default a document's passages make one result (``passages``); ``group=false`` lists each."""
    result = knowledge_service.search(
        session,
        principal=principal_of(session),
        q=q,
        types=tuple(type or ()),
        sector=sector,
        language=language,
        year=year,
        limit=limit,
        offset=offset,
        lang=lang,
        group=group,
    )
    return json_response(request, result)


@router.get("/ask", response_model=s.Answer, responses=Errors)
def ask(
    request: Request,
    session: SessionDep,
    q: Q,
    limit: Annotated[int, Query(ge=1, le=20)] = 3,
    lang: Lang = "en",
) -> Response:
    """The passages that answer a question, verbatim with their citation, and the records they name."""
    answer = knowledge_service.ask(session, principal=principal_of(session), q=q, limit=limit, lang=lang)
    return json_response(request, answer)


@router.get("/documents", response_model=s.DocumentPage)
def documents(
    request: Request,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    page = knowledge_service.list_documents(
        session, principal=principal_of(session), limit=limit, offset=offset
    )
    return json_response(request, page)


@router.get("/documents/{slug}", response_model=s.DocumentDetail, responses=Errors)
def document(request: Request, session: SessionDep, slug: str) -> Response:
    return json_response(
        request, knowledge_service.get_document(session, principal=principal_of(session), slug=slug)
    )


@router.post(
    "/documents",
    status_code=201,
    response_model=s.DocumentDetail,
    responses={
        **Errors,
        401: {"description": "Sign-in required"},
        403: {"description": "Not allowed"},
        409: {"description": "The same text is already stored"},
        413: {"description": "Too large"},
        415: {"description": "Unsupported file type"},
    },
)
def upload(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="PDF, DOCX, HTML or UTF-8 text, at most 10 MiB")],
    language: Annotated[Literal["en", "id"], Form()],
    kind: Annotated[Literal["declaration", "work_plan", "report", "news", "article"], Form()],
    title_en: Annotated[str | None, Form(max_length=500)] = None,
    title_id: Annotated[str | None, Form(max_length=500)] = None,
    date: Annotated[dt.date | None, Form()] = None,
    sectors: Annotated[list[str] | None, Form()] = None,
    bodies: Annotated[list[str] | None, Form()] = None,
    source_url: Annotated[str | None, Form(max_length=1000)] = None,
    audience: Annotated[Literal["member_states", "partners", "public"], Form()] = "public",
    _credentials: Auth = None,
) -> Response:
    """Add a document (ASEAN Secretariat only). Corrupt, encrypted, empty, unsupported or oversized
    files are refused with the reason, and nothing is stored."""
    principal = principal_of(session)
    permissions.require_secretariat(principal)
    data = knowledge_service.document_form(
        title_en=title_en,
        title_id=title_id,
        language=language,
        kind=kind,
        date=date,
        sectors=sectors,
        bodies=bodies,
        source_url=source_url,
        audience=audience,
    )
    name, content = extract.read_limited(file.file, file.filename or "upload")
    read = extract.read_document(name, content)  # in a worker, with nothing written yet
    detail = knowledge_service.add_document(
        session, principal=principal, data=data, filename=name, extracted=read
    )
    return json_response(request, detail, status=201)
