"""Exporting the whole dataflow (SDMX-CSV) and importing it into an empty platform gives the same
observations: the computed indicators' rows are recomputed from their inputs, not refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import computed
from ascc.monitoring.models import Area, Indicator, Observation
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA, query

runner = CliRunner()
COLUMNS = (
    "indicator_code",
    "member_state",
    "area_code",
    "period",
    "sex",
    "age",
    "urbanisation",
    "value",
    "obs_status",
    "source",
    "note",
)


def observations(session):
    o = Observation
    stmt = sa.select(*(getattr(o, c) for c in COLUMNS)).where(
        o.is_current.is_(True), o.approval == "approved"
    )
    return {tuple(r[:7]): tuple(r[7:]) for r in session.execute(stmt)}


def definitions(session):
    """The loaded platform's indicators and areas, as rows for an empty platform."""

    def row(obj):
        return {c.key: getattr(obj, c.key) for c in sa.inspect(type(obj)).mapper.column_attrs}

    return [row(i) for i in session.scalars(sa.select(Indicator))], [
        row(a) for a in session.scalars(sa.select(Area))
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_export_everything_and_import_into_an_empty_platform(
    backend, new_database, reference, tmp_path, monkeypatch
):
    loaded = new_database(backend)
    load(loaded, reference)
    monkeypatch.setenv("DATABASE_URL", loaded)
    for args in (
        ["indicators", "load-demo", "--data", str(DATA)],
        ["indicators", "define-computed", "--file", str(computed.DATA)],
        ["indicators", "compute"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    out = tmp_path / "all.csv"
    result = runner.invoke(app, ["indicators", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    indicators, areas = query(loaded, definitions)
    before = query(loaded, observations)
    assert any(i["numerator"] for i in indicators) and len(before) > 10_000

    empty = new_database(backend)
    load(empty, reference)
    engine = make_engine(empty)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in indicators)
        session.add_all(Area(**r) for r in areas)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", empty)
    result = runner.invoke(app, ["indicators", "import", str(out), "--approval", "approved"])
    assert result.exit_code == 0, result.output
    assert "recomputed from the published values of their inputs" in result.output
    after = query(empty, observations)
    missing = set(before) - set(after)
    extra = set(after) - set(before)
    changed = {k for k in set(before) & set(after) if before[k] != after[k]}
    assert (len(missing), len(extra), len(changed)) == (0, 0, 0), (
        sorted(missing)[:5],
        sorted(extra)[:5],
        [(k, before[k], after[k]) for k in sorted(changed)[:5]],
    )
