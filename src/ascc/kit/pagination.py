"""Limit/offset pages with the total, as every list endpoint returns them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    offset: int


def page_of(items: Sequence[T], *, limit: int, offset: int) -> Page[T]:
    """One page of a list the service returned whole (lists that stay short: decisions, meetings)."""
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)
