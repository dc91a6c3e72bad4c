"""No text column of any ORM row is written with NUL or a bidirectional control character
(:mod:`ascc.kit.clean`): the flush is refused with :class:`~ascc.kit.errors.Invalid` naming the
column, on SQLite (which would store it) and PostgreSQL (which would fail with a DataError) alike.

This is the one check for every request, form and command that writes through the ORM; bulk loads
that write with Core check their text cells themselves (the observation importer).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, event, inspect
from sqlalchemy.orm import Session

from ascc.kit import clean
from ascc.kit.errors import Invalid


def _texts(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(k)
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


def check_row(obj: Any, *, changed_only: bool) -> None:
    state = inspect(obj)
    mapper = state.mapper
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not isinstance(column.type, (String, JSON)):
            continue
        attr = state.attrs[prop.key]
        values = attr.history.added if changed_only else [state.dict.get(prop.key)]
        for value in values:
            for text in _texts(value):
                why = clean.reason(text)
                if why:
                    table = getattr(column.table, "name", mapper.class_.__name__)
                    raise Invalid(
                        f"{prop.key} ({table}.{column.name}): {why}",
                        parameter=prop.key,
                        column=f"{table}.{column.name}",
                    )


@event.listens_for(Session, "before_flush")
def _refuse_unsafe_text(session: Session, _ctx, _instances) -> None:
    for obj in session.new:
        check_row(obj, changed_only=False)
    for obj in session.dirty:
        check_row(obj, changed_only=True)
