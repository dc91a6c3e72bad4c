"""The meeting-cycle engine: pure functions, no database.

Rotation follows the alphabetical order of member states' English names among the states that
are members on the date in question, so a new member takes its place in the order from its
admission. The engine only computes forward from an anchor: earlier years are history to record,
not to compute.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

#: Platform defaults for the preparatory chain, not ASEAN rules: a preparatory meeting ends this
#: many days before the meeting it prepares, and papers are due this many days before a meeting.
PREPARATORY_GAP_DAYS = 30
PAPERS_DUE_DAYS = 21


@dataclasses.dataclass(frozen=True)
class Member:
    code: str
    name_en: str
    joined: dt.date


def rotation_order(members: list[Member], on: dt.date) -> list[str]:
    return [m.code for m in sorted(members, key=lambda m: m.name_en) if m.joined <= on]


def next_in_order(members: list[Member], current: str, on: dt.date) -> str:
    """The member after ``current`` in alphabetical order on ``on`` (wrapping round)."""
    order = rotation_order(members, on)
    if current in order:
        return order[(order.index(current) + 1) % len(order)]
    names = {m.code: m.name_en for m in members}
    later = [c for c in order if names[c] > names.get(current, "")]
    return later[0] if later else order[0]


def asean_chair(year: int, members: list[Member], chairs: Mapping[int, str]) -> str | None:
    """The ASEAN chair in ``year``: as recorded in ``chairs`` (year → member state, the sourced
    table ``reference/data/asean_chairs.yaml``), else by the yearly alphabetical rotation from the
    last recorded year before it; None before the first recorded year."""
    if year in chairs:
        return chairs[year]
    earlier = [y for y in chairs if y < year]
    if not earlier:
        return None
    last = max(earlier)
    code = chairs[last]
    for y in range(last + 1, year + 1):
        code = next_in_order(members, code, dt.date(y, 1, 1))
    return code


def body_chair(
    year: int, *, rule: str, term_years: int | None, anchor: tuple[int, str] | None, members: list[Member]
) -> str | None:
    """The chair of a body in ``year`` from its rotation rule and anchor; None when not computable.

    ``alphabetical``: the chair passes to the next member every ``term_years`` (default 1).
    ``expression_of_interest``: only the anchor's own term is known.
    """
    if anchor is None or year < anchor[0]:
        return None
    anchor_year, code = anchor
    term = term_years or 1
    if rule == "expression_of_interest":
        return code if year < anchor_year + term else None
    for y in range(anchor_year + 1, year + 1):
        if (y - anchor_year) % term == 0:
            code = next_in_order(members, code, dt.date(y, 1, 1))
    return code


def meets_in(year: int, *, interval: str, phase_year: int | None) -> bool | None:
    """Whether a body with ``interval`` meets in ``year``; None when the phase is unknown."""
    step = {"annual": 1, "at_least_annual": 1, "biennial": 2, "triennial": 3}[interval]
    if step == 1:
        return True
    if phase_year is None:
        return None
    return (year - phase_year) % step == 0


def preparatory_deadlines(meeting_date: dt.date) -> dict[str, dt.date]:
    """Derived dates for a meeting on ``meeting_date``: papers due and the latest preparatory meeting."""
    return {
        "papers_due": meeting_date - dt.timedelta(days=PAPERS_DUE_DAYS),
        "preparatory_meeting_by": meeting_date - dt.timedelta(days=PREPARATORY_GAP_DAYS),
    }
