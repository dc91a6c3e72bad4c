"""The schema comes only from the migrations, and the migrations match the models exactly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select

from ascc.accounts import models as _accounts  # noqa: F401 - every domain's tables on Base.metadata
from ascc.audit import models as _audit  # noqa: F401
from ascc.db import version as _version  # noqa: F401
from ascc.db.base import Base
from ascc.db.engine import make_engine
from ascc.db.migrate import alembic_config, upgrade
from ascc.db.uow import unit_of_work
from ascc.decisions import models as _decisions  # noqa: F401
from ascc.funds import models as _funds  # noqa: F401
from ascc.indices import models as _indices  # noqa: F401
from ascc.knowledge import models as knowledge_models
from ascc.meetings import models as _meetings  # noqa: F401
from ascc.monitoring import models as _monitoring  # noqa: F401
from ascc.monitoring import stored
from ascc.monitoring.models import Indicator, Observation
from ascc.monitoring.targets import models as _targets  # noqa: F401
from ascc.national import models as _national  # noqa: F401
from ascc.reference.files import ReferenceSet
from ascc.reference.loader import load_reference
from ascc.registry import models as _registry  # noqa: F401
from ascc.results import models as _results  # noqa: F401
from ascc.wiring import session_factory


def test_migrations_build_exactly_the_models(fresh_url):
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        # the full-text objects are made per dialect by migration 0011 and left out of the models on
        # purpose (knowledge_models.DIALECT_ONLY); everything else must match exactly
        context = MigrationContext.configure(conn, opts={"include_object": knowledge_models.include_object})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_0017_drops_the_member_state_index_and_keeps_every_observation(fresh_url, reference, monkeypatch):
    from ascc.knowledge import index as search_index

    upgrade(fresh_url, "0016")
    # today's search index writes columns revision 0016 lacks (``stamp``, 0026): the reference is
    # loaded into the old schema without it (this test is about observations)
    monkeypatch.setattr(search_index, "sync", lambda session: 0)
    engine = make_engine(fresh_url)
    # nor the statements (their table comes with 0029) nor the bodies, their meetings and the
    # programmes (columns of theirs come with 0030)
    empty = {"statements": [], "bodies": [], "meetings": [], "programmes": []}
    older = ReferenceSet({**reference.records, **empty}, reference.lines)
    with unit_of_work(session_factory(engine)) as session:
        load_reference(session, older)
        session.flush()
        for code in ("A.ONE", "B.TWO"):
            session.execute(
                insert(Indicator.__table__).values(
                    code=code,
                    name_en=code,
                    level="national",
                    frequency="annual",
                    disaggregations=[],
                    sources=[],
                )
            )
        rows = [
            {
                "indicator_code": code,
                "member_state": ms,
                "area_code": "",
                "period": str(year),
                "sex": "_T",
                "age": "_T",
                "urbanisation": "_T",
                "value": float(year),
                "obs_status": "final",
                "revision": revision,
                "is_current": revision == 2 or year > 2000,
                "approval": "draft",
            }
            for code in ("A.ONE", "B.TWO")
            for ms in ("IDN", "PHL")
            for year in (2000, 2001)
            for revision in ((1, 2) if year == 2000 else (1,))
        ]
        session.execute(insert(Observation.__table__), rows)
    columns = [c for c in Observation.__table__.c if c.name != "recorded_at"]

    def everything() -> list[tuple]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(*columns).order_by(Observation.id))]

    def indexes() -> set[str]:
        with engine.connect() as conn:
            return {ix["name"] for ix in inspect(conn).get_indexes("observations")}

    before = everything()
    assert len(before) == 12 and "ix_observations_member_state" in indexes()
    engine.dispose()
    upgrade(fresh_url)
    assert everything() == before
    assert "ix_observations_member_state" not in indexes() and "ix_observations_submission_id" in indexes()
    with session_factory(engine)() as session:  # one member state's rows, found through the unique key
        found = stored.observations(session, member_state="IDN", current=False)
        assert sorted((o.indicator_code, o.period, o.revision) for o in found) == [
            (c, p, r) for c in ("A.ONE", "B.TWO") for p, r in (("2000", 1), ("2000", 2), ("2001", 1))
        ]
    engine.dispose()
    command.downgrade(alembic_config(fresh_url), "0016")
    assert everything() == before and "ix_observations_member_state" in indexes()
    engine.dispose()
