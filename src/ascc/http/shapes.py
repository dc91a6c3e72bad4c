"""Responses checked against their declared shape: a route that declares a response model in
``/openapi.json`` validates the dict its service built through that model before it is sent, so a
key the model does not declare, a missing one or a wrong type is a server error found by the tests,
never a document that says one thing while the API serves another. The JSON sent is the service's
dict itself (same keys, same values, same ETag)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def shaped(model: type[BaseModel], data: T) -> T:
    """``data`` unchanged once ``model`` accepts it (``pydantic.ValidationError`` otherwise); a
    ``kit.pagination.Page`` is read by its attributes."""
    model.model_validate(data, from_attributes=True)
    return data
