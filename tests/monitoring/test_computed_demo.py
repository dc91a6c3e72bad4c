"""The demo as ``make init`` loads it: the real series, the computed indicators of
``monitoring/data/computed.yaml`` and the results frameworks. Every indicator code an outcome names
exists, the computed values follow from the published inputs, and loading again changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.monitoring import computed, published
from ascc.monitoring.models import Indicator
from ascc.results import framework as results_framework
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA, query

runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request, new_database, reference, monkeypatch_module):
    url = new_database(request.param)
    load(url, reference)
    monkeypatch_module.setenv("DATABASE_URL", url)
    for args in (
        ["results", "load"],
        ["indicators", "load-demo", "--data", str(DATA)],
        ["indicators", "define-computed", "--file", str(computed.DATA)],
        ["indicators", "compute"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    return url


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_every_indicator_code_of_the_frameworks_exists(demo_url):
    named = query(demo_url, results_framework.indicator_codes)
    codes = set(query(demo_url, lambda s: s.scalars(sa.select(Indicator.code)).all()))
    assert named and named <= codes, sorted(named - codes)


def test_demo_computed_values_and_idempotence(demo_url):
    deaths = query(
        demo_url,
        lambda s: {
            (o.member_state, o.period): o.value for o in published.published_rows(s, codes=["VC_DSR_MORT"])
        },
    )
    pop = query(
        demo_url,
        lambda s: {
            (o.member_state, o.period): o.value for o in published.published_rows(s, codes=["SP.POP.TOTL"])
        },
    )
    rate = query(
        demo_url,
        lambda s: {
            (o.member_state, o.period): o.value
            for o in published.published_rows(s, codes=["ASCC.DSR.MORT.P100K"])
        },
    )
    expected = {k: v / pop[k] * 100000 for k, v in deaths.items() if pop.get(k)}
    assert rate and set(rate) == set(expected)
    assert all(rate[k] == pytest.approx(expected[k], rel=5e-6) for k in rate)
    assert rate[("IDN", "2015")] == pytest.approx(219 / 261799249 * 100000)
    youth = query(demo_url, lambda s: published.get_indicator(s, code="ASCC.POP.1524.ZS"))
    assert youth["computed"]["multiplier"] == 100 and youth["sector"] == "youth"
    assert youth["published"]["member_states"] >= 10
    again = runner.invoke(app, ["indicators", "compute"])
    assert again.exit_code == 0 and " 0 new, 0 revised" in again.output, again.output
    defined = runner.invoke(app, ["indicators", "define-computed", "--file", str(computed.DATA)])
    assert defined.exit_code == 0 and "0 new, 0 updated" in defined.output
