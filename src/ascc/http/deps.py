"""Per-request unit of work: the request commits on success and rolls back on error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import Request

from ascc.accounts.schemas import Principal
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal
from ascc.kit.pagination import MAX_LIMIT


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work; ``session.info`` holds the principal and the audit actor."""
    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        yield session


# The unit of work ends (commits) before the response is sent, so a 2xx means the write is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def principal_of(session: Session) -> Principal:
    return session.info["principal"]


#: the API token scheme every API module documents (``Authorization: Bearer …``); the token itself is
#: read by ``http.auth.bind_principal`` for every request, so this only declares it in OpenAPI
bearer = HTTPBearer(auto_error=False, description="API token (`ascc user token EMAIL`)")
Auth = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

#: ``If-Match`` on every change of an existing record: the ETag the client read. Declared optional
#: so that a missing one is the domain's 428 (``db.concurrency.check_version``), not a 422
IfMatch = Annotated[
    str | None,
    Header(
        description="the record's ETag as you read it (required: 428 without it, 412 if it changed since)"
    ),
]

#: the paging of every list (``kit.pagination``): the answer is ``{items, total, limit, offset}``
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, Query(ge=0, description="number of records to skip")]
