"""Indicators of the monitoring domain in the one search: kind "indicator", linked to their page,
with their sector as facet; indexed on ORM writes, after a bulk load and by ``ascc search reindex``."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import delete, insert, select
from typer.testing import CliRunner

from ascc.accounts.schemas import PUBLIC
from ascc.cli.main import app
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import index as search_index
from ascc.knowledge import service as ks
from ascc.knowledge.models import SearchEntry
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA

runner = CliRunner()


def test_indicator_found_by_english_and_indonesian_names(kb_session):
    for q in ("maternal mortality ratio", "angka kematian ibu"):
        hit = ks.search(kb_session, principal=PUBLIC, q=q, limit=5).items[0]
        assert (hit.type, hit.id, hit.url) == ("indicator", "SH.STA.MMRT", "/indicators/SH.STA.MMRT"), q
        assert hit.sectors == ["women-children"] and "<mark>" in hit.snippet
    first = ks.search(kb_session, principal=PUBLIC, q="pengangguran terbuka", limit=5).items[0]
    assert (first.type, first.id) == ("indicator", "BPS.TPT")
    by_code = ks.search(kb_session, principal=PUBLIC, q="SL.UEM.1524.FE.ZS", limit=3).items  # both backends
    assert by_code[0].id == "SL.UEM.1524.FE.ZS"
    assert ks.search(kb_session, principal=PUBLIC, q="SH.STA.MMRT", limit=3).items[0].id == "SH.STA.MMRT"


def test_indicator_type_and_sector_facets_and_filters(kb_session):
    result = ks.search(kb_session, principal=PUBLIC, q="youth unemployment", limit=10)
    assert {"value": "indicator", "count": 2} in [v.model_dump() for v in result.facets.type]
    only = ks.search(
        kb_session, principal=PUBLIC, q="unemployment", types=("indicator",), sector="youth", limit=10
    )
    assert {h.id for h in only.items} == {"SL.UEM.1524.FE.ZS", "SL.UEM.1524.MA.ZS"} and only.total == 2
    assert {"value": "youth", "count": 2} in [v.model_dump() for v in only.facets.sector]
    source = ks.search(
        kb_session, principal=PUBLIC, q="Global Data Lab stunting", types=("indicator",), limit=3
    )
    assert source.items[0].id == "GDL.STUNTING"


def _indicator_entries(url: str) -> dict[str, str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(SearchEntry.ref, SearchEntry.url).where(SearchEntry.kind == "indicator"))
        found = dict(rows.all())
    engine.dispose()
    return found


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request, new_database, reference) -> str:
    url = new_database(request.param)
    load(url, reference)
    return url


def test_load_demo_indexes_indicators_and_reindex_keeps_them(demo_url, monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("series_metadata.csv", "subnational_series_metadata.csv", "subnational_regions.csv"):
        shutil.copy(DATA / name, data / name)
    for name in ("indicators_country_year.csv", "subnational_region_year.csv"):  # a few observations
        lines = (DATA / name).read_text().splitlines(keepends=True)
        (data / name).write_text("".join(lines[:40]))
    monkeypatch.setenv("DATABASE_URL", demo_url)
    result = runner.invoke(app, ["indicators", "load-demo", "--data", str(data)])
    assert result.exit_code == 0, result.output
    entries = _indicator_entries(demo_url)
    assert len(entries) == 63 and entries["SH.STA.MMRT"] == "/indicators/SH.STA.MMRT"

    # a bulk write that bypasses the ORM (and so the commit hook) is caught up by refresh_all
    engine = make_engine(demo_url)
    with unit_of_work(session_factory(engine)) as session:
        session.execute(delete(Indicator).where(Indicator.code == "GDL.TFR"))
        session.execute(
            insert(Indicator),
            [
                {
                    "code": "TEST.YOUTH.NEET",
                    "name_en": "Idle youth ratio",
                    "level": "national",
                    "frequency": "annual",
                    "disaggregations": [],
                    "sources": [],
                    "sector": "youth",
                }
            ],
        )
    assert "TEST.YOUTH.NEET" not in _indicator_entries(demo_url)
    with unit_of_work(session_factory(engine)) as session:
        assert search_index.refresh_all(session, "indicator") == 63
    entries = _indicator_entries(demo_url)
    assert "TEST.YOUTH.NEET" in entries and "GDL.TFR" not in entries
    with unit_of_work(session_factory(engine)) as session:
        hit = ks.search(session, principal=PUBLIC, q="idle youth", limit=3).items[0]
        assert (hit.type, hit.id, hit.sectors) == ("indicator", "TEST.YOUTH.NEET", ["youth"])
    engine.dispose()

    result = runner.invoke(app, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert len(_indicator_entries(demo_url)) == 63


@pytest.mark.parametrize(
    ("lang", "label", "q"),
    [("en", "Indicator", "maternal mortality ratio"), ("id", "Indikator", "angka kematian ibu")],
)
def test_search_page_and_api_show_indicators(kb_client, lang, label, q):
    page = kb_client.get("/search", params={"q": q, "lang": lang, "type": "indicator"})
    main = page.text.split("<main")[1]
    assert page.status_code == 200 and 'href="/indicators/SH.STA.MMRT"' in main and label in main
    body = kb_client.get("/api/v1/search", params={"q": q, "type": "indicator"}).json()
    assert body["items"][0]["url"] == "/indicators/SH.STA.MMRT"
    assert {"value": "women-children", "count": body["total"]} in body["facets"]["sector"] or body[
        "total"
    ] > 1
