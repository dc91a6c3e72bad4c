"""The real series load as approved demo data, idempotently; the ``ascc indicators`` commands."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.monitoring import loader
from ascc.monitoring import service as monitoring_service
from ascc.reference.files import DATA_DIR
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA, PLAIN_HEADER, query, write

runner = CliRunner()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request, new_database, reference) -> str:
    url = new_database(request.param)
    load(url, reference)
    return url


def test_sector_tags_map_to_registry_sectors():
    ids = {s["id"] for s in yaml.safe_load((DATA_DIR / "sectors.yaml").read_text())}
    assert {v for v in loader.SECTORS.values() if v} <= ids
    assert (
        loader.SECTORS["poverty_rural_development"] == "rural-development"
        and loader.SECTORS["population"] is None
    )


def test_load_demo_counts_and_idempotence(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    first = runner.invoke(app, ["indicators", "load-demo", "--data", str(DATA)])
    assert first.exit_code == 0, first.output
    assert "indicators: 63 new" in first.output and "areas: 173 new" in first.output
    assert "indicators_country_year.csv: 8490 rows, 8490 new" in first.output
    assert "subnational_region_year.csv: 19472 rows, 19472 new" in first.output
    counts = query(demo_url, monitoring_service.counts)
    assert counts == {"indicators": 63, "areas": 173, "observations": 27962, "revisions": 27962}

    pop = query(demo_url, monitoring_service.get_indicator, code="SP.POP.TOTL")
    assert (pop.sector, pop.sector_tag, pop.level, pop.direction, pop.name_id) == (
        None,
        "population",
        "national",
        None,
        None,
    )
    assert pop.source_url == (
        "https://github.com/datasets/world-development-indicators/blob/4ebec5a2273f/indicators/sp.pop.totl/data.csv"
    )
    assert pop.sources[0]["file"] == "series_metadata.csv" and pop.licence.startswith("CC BY 4.0")
    mmr = query(demo_url, monitoring_service.get_indicator, code="SH.STA.MMRT")
    assert (mmr.sector, mmr.direction) == ("women-children", "lower")
    # an Indonesian name the source does not give is marked as the platform's translation
    assert mmr.name_id and mmr.name_id.startswith("Angka kematian ibu")
    assert {"kind": "translation", "field": "name_id"}.items() <= mmr.sources[-1].items()
    tpt = query(demo_url, monitoring_service.get_indicator, code="BPS.TPT")
    assert tpt.name_id == "Tingkat Pengangguran Terbuka" and all(
        s.get("kind") != "translation" for s in tpt.sources
    )
    gini = query(demo_url, monitoring_service.get_indicator, code="BPS.GINI")
    assert (gini.level, gini.disaggregations, gini.sector) == ("subnational", ["area"], "social-welfare")
    areas = query(demo_url, monitoring_service.list_areas, member_state="IDN", scheme="ISO3166-2")
    assert len(areas) == 34 and next(a for a in areas if a.code == "ID-AC").bps_code == "11"

    obs = query(demo_url, monitoring_service.observations, indicator="WPP.POP.1524", member_state="IDN")
    assert {o.approval for o in obs} == {"approved"}
    assert {o.period: o.obs_status for o in obs}["2025"] == "provisional"
    assert {o.period: o.obs_status for o in obs}["2015"] == "final"

    again = runner.invoke(app, ["indicators", "load-demo", "--data", str(DATA)])
    assert again.exit_code == 0, again.output
    assert (
        "indicators: 0 new, 0 updated" in again.output
        and "8490 rows, 0 new, 0 revised, 8490 unchanged" in again.output
    )
    assert query(demo_url, monitoring_service.counts) == counts


def test_cli_import_export_list(demo_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    out = tmp_path / "mort.csv"
    res = runner.invoke(app, ["indicators", "export", "--indicator", "SH.DYN.MORT", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(out.read_text().splitlines()) == 1 + 275
    res = runner.invoke(app, ["indicators", "import", str(out)])
    assert res.exit_code == 0 and "275 rows" in res.output and "0 new, 0 revised, 275 unchanged" in res.output

    bad = write(
        tmp_path, "bad.csv", PLAIN_HEADER + "SH.DYN.MORT,IDN,2024,abc,,,\nSH.DYN.MORT,IDN,2030,-1,,,\n"
    )
    res = runner.invoke(app, ["indicators", "import", str(bad)])
    assert res.exit_code == 1
    assert "bad.csv: line 2: value: not a number: 'abc'" in res.output
    assert (
        "bad.csv: line 3: value: -1 is outside 0–inf" in res.output
        and "2 problem(s); nothing was imported" in res.output
    )

    new = write(tmp_path, "new.csv", PLAIN_HEADER + "SH.DYN.MORT,IDN,2025,19.5,,,\n")
    res = runner.invoke(app, ["indicators", "import", str(new), "--dry-run"])
    assert res.exit_code == 0 and "would import 1 rows" in res.output and "1 new" in res.output
    assert query(demo_url, monitoring_service.observations, indicator="SH.DYN.MORT", period_from="2025") == []

    xml = tmp_path / "mort.xml"
    res = runner.invoke(
        app, ["indicators", "export", "--indicator", "SH.DYN.MORT", "--format", "sdmx-ml", "-o", str(xml)]
    )
    assert res.exit_code == 0
    res = runner.invoke(app, ["indicators", "import", str(xml)])
    assert res.exit_code == 0 and "275 unchanged" in res.output, res.output

    res = runner.invoke(app, ["indicators", "list", "--level", "subnational"])
    assert res.exit_code == 0 and "GDL.SHDI" in res.output and "SP.POP.TOTL" not in res.output
    assert "22 indicators" in res.output


def test_index_from_the_store_gives_the_scores_of_the_file(demo_url, monkeypatch, tmp_path):
    """An index computed from the approved observations equals the one from the same series as a file,
    and storing it again from the store adds nothing."""
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("DATABASE_URL", demo_url)
    assert runner.invoke(app, ["indicators", "load-demo", "--data", str(DATA)]).exit_code == 0
    ydi = "examples/indices/ydi-2017.yaml"
    from_file = runner.invoke(
        app,
        ["index", "store", ydi, "--data", str(DATA / "indicators_country_year.csv"), "--uncertainty", "0"],
    )
    assert from_file.exit_code == 0, from_file.output
    from_store = runner.invoke(app, ["index", "store", ydi, "--from-store", "--uncertainty", "0"])
    assert from_store.exit_code == 0 and "stored run" in from_store.output, from_store.output
    again = runner.invoke(app, ["index", "store", ydi, "--from-store", "--uncertainty", "0"])
    assert "already stored" in again.output
    both = runner.invoke(app, ["index", "store", ydi, "--from-store", "--data", "x.csv"])
    assert both.exit_code == 2 and "either --data FILE or --from-store" in both.output

    engine = create_engine(demo_url)
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT id FROM index_runs ORDER BY id")).scalars().all()
        scores = [
            conn.execute(
                text(
                    "SELECT unit_code, year, code, score, rank FROM index_results WHERE run_id = :r"
                    " ORDER BY unit_code, year, code"
                ),
                {"r": run},
            ).all()
            for run in runs[-2:]
        ]
        names = (
            conn.execute(
                text("SELECT DISTINCT unit_name FROM index_results WHERE run_id = :r AND unit_code = 'VNM'"),
                {"r": runs[-1]},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert scores[0] == scores[1] and len(scores[0]) > 500
    assert names == ["Viet Nam"]  # the registry's name, not the data file's
