"""Reads by member state find their rows through the observations' unique key: since migration
0017 there is no index on ``member_state`` alone, so a read that named a member state and no
indicator would read the whole table (CONVENTIONS.md: ``of_member_states``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from ascc.db.engine import make_engine
from ascc.monitoring.models import Observation, of_member_states
from ascc.monitoring.published import _published_select


@pytest.mark.parametrize(
    "statement",
    [
        select(Observation).where(of_member_states(Observation, ["IDN"])),
        select(Observation).where(
            of_member_states(Observation, ["IDN", "PHL"]), Observation.is_current.is_(True)
        ),
        _published_select(member_states=["IDN"], areas=None),
        _published_select(member_states=["IDN", "TLS"], start="2015", end="2020"),
    ],
    ids=["one state", "two states, current", "published", "published, periods"],
)
def test_a_read_by_member_state_searches_the_unique_key(mon_url, statement):
    if not mon_url.startswith("sqlite"):
        pytest.skip("the plan is read from SQLite (PostgreSQL chooses by its statistics)")
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    engine = make_engine(mon_url)
    try:
        with engine.connect() as conn:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    finally:
        engine.dispose()
    on_observations = [step for step in plan if "observations" in step]
    assert on_observations and all(step.startswith("SEARCH") for step in on_observations), plan
