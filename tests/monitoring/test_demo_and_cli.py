"""The real series load as approved demo data, idempotently; the ``ascc indicators`` commands."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.monitoring import loader, stored, terms
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


def test_every_demo_series_is_named_and_defined_in_indonesian_and_translations_are_marked():
    records = loader.indicator_records(DATA)
    assert len(records) == 63
    for r in records:
        marked = [s["field"] for s in r["sources"] if s.get("kind") == "translation"]
        assert r["name_id"] and r["name_id"] != r["name_en"], r["code"]
        # a definition in Indonesian wherever the source gives one to translate (six GDL series give none)
        assert bool(r["definition_id"]) == bool(r["definition_en"]), r["code"]
        # the name is marked exactly when the source does not give it in Indonesian
        assert ("name_id" in marked) == (r["code"] not in loader.NAMES_ID), r["code"]
        # every definition is the platform's (the sources give English definitions only), never one absent
        assert ("definition_id" in marked) == bool(r["definition_id"]), r["code"]
        assert len(marked) == len(set(marked))
    assert loader.NAMES_ID == {
        "BPS.TPT": "Tingkat Pengangguran Terbuka",
        "BPS.IPM": "Indeks Pembangunan Manusia",
    }
    assert not set(loader.NAMES_ID) & set(loader.NAMES_ID_TRANSLATED)
    by_code = {r["code"]: r for r in records}
    assert by_code["GDL.SHDI"]["definition_en"] is None and by_code["GDL.SHDI"]["definition_id"] is None
    assert by_code["SH.DYN.MORT"]["definition_id"].startswith(
        "Angka kematian balita adalah peluang per 1.000"
    )
    # every demo unit has its Indonesian form
    assert all(terms.unit_name(r["unit"], "id") != r["unit"] for r in records if r["unit"])


def test_units_in_the_readers_language():
    assert terms.unit_name("per 1,000 live births", "id") == "per 1.000 kelahiran hidup"
    assert (
        terms.unit_name("PER 1000 LIVE BIRTHS", "id") == "per 1.000 kelahiran hidup"
    )  # matched by unit code
    assert (terms.unit_name("persons", "id"), terms.unit_name("% of population", "id")) == (
        "jiwa",
        "% dari penduduk",
    )
    assert terms.unit_name("per 1,000 live births", "en") == "per 1,000 live births"  # English: as stored
    assert terms.unit_name("hectares of paddy", "id") == "hectares of paddy"  # unknown: as stored
    assert terms.unit_name(None, "id") == ""


def test_load_demo_counts_and_idempotence(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    first = runner.invoke(app, ["indicators", "load-demo", "--data", str(DATA)])
    assert first.exit_code == 0, first.output
    assert "indicators: 63 new" in first.output and "areas: 173 new" in first.output
    assert "indicators_country_year.csv: 8490 rows, 8490 new" in first.output
    assert "subnational_region_year.csv: 19472 rows, 19472 new" in first.output
    counts = query(demo_url, stored.counts)
    assert counts == {"indicators": 63, "areas": 173, "observations": 27962, "revisions": 27962}

    pop = query(demo_url, stored.get_indicator, code="SP.POP.TOTL")
    assert (pop.sector, pop.sector_tag, pop.level, pop.direction, pop.name_id) == (
        None,
        "population",
        "national",
        None,
        "Jumlah penduduk",
    )
    assert pop.definition_id.startswith("Jumlah penduduk didasarkan pada definisi penduduk de facto")
    assert pop.source_url == (
        "https://github.com/datasets/world-development-indicators/blob/4ebec5a2273f/indicators/sp.pop.totl/data.csv"
    )
    assert pop.sources[0]["file"] == "series_metadata.csv" and pop.licence.startswith("CC BY 4.0")
    mmr = query(demo_url, stored.get_indicator, code="SH.STA.MMRT")
    assert (mmr.sector, mmr.direction) == ("women-children", "lower")
    # an Indonesian name the source does not give is marked as the platform's translation
    assert mmr.name_id and mmr.name_id.startswith("Angka kematian ibu")
    assert [(s["field"], s["note"].split(";")[0]) for s in mmr.sources if s.get("kind") == "translation"] == [
        ("name_id", "Indonesian name translated by the platform"),
        ("definition_id", "Indonesian definition translated by the platform"),
    ]
    # the source's own Indonesian name is not marked; its definition, translated, is
    tpt = query(demo_url, stored.get_indicator, code="BPS.TPT")
    assert tpt.name_id == "Tingkat Pengangguran Terbuka"
    assert [s["field"] for s in tpt.sources if s.get("kind") == "translation"] == ["definition_id"]
    gini = query(demo_url, stored.get_indicator, code="BPS.GINI")
    assert (gini.level, gini.disaggregations, gini.sector) == ("subnational", ["area"], "social-welfare")
    areas = query(demo_url, stored.list_areas, member_state="IDN", scheme="ISO3166-2")
    assert len(areas) == 34 and next(a for a in areas if a.code == "ID-AC").bps_code == "11"

    obs = query(demo_url, stored.observations, indicator="WPP.POP.1524", member_state="IDN")
    assert {o.approval for o in obs} == {"approved"}
    assert {o.period: o.obs_status for o in obs}["2025"] == "provisional"
    assert {o.period: o.obs_status for o in obs}["2015"] == "final"

    again = runner.invoke(app, ["indicators", "load-demo", "--data", str(DATA)])
    assert again.exit_code == 0, again.output
    assert (
        "indicators: 0 new, 0 updated" in again.output
        and "8490 rows, 0 new, 0 revised, 8490 unchanged" in again.output
    )
    assert query(demo_url, stored.counts) == counts


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
    assert "bad.csv:2 [value]: not a number: 'abc'" in res.output
    assert (
        "bad.csv:3 [value]: -1 is outside 0–inf" in res.output
        and "2 problem(s); nothing was imported" in res.output
    )

    new = write(tmp_path, "new.csv", PLAIN_HEADER + "SH.DYN.MORT,IDN,2025,19.5,,,\n")
    res = runner.invoke(app, ["indicators", "import", str(new), "--dry-run"])
    assert res.exit_code == 0 and "would import 1 rows" in res.output and "1 new" in res.output
    assert query(demo_url, stored.observations, indicator="SH.DYN.MORT", period_from="2025") == []

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
