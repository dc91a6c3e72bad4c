"""The coverage rule of a regional headline, on SQLite and PostgreSQL (issue 17, "Honest figures").

After Indonesia alone reported 2024, the maternal-mortality headline read "ASEAN in 2024: mean 135,
1 of 11". The headline stays on the latest period that at least two thirds of the member states of
that date reported (2023: 10 of 10; Timor-Leste joined on 26 October 2025), and 2024 is shown only
as partial ("2024: 1 of 10 reported — partial"): on the indicator page, in the API, on the map and
in the scorecards and the plan report."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import loader, published
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load
from tests.monitoring.conftest import DATA, PLAIN_HEADER, run_import, write

CODE = "SH.STA.MMRT"
#: the issue's Singapore child-mortality figures (per 1,000 live births, published with one decimal)
SINGAPORE = {"SH.DYN.MORT": {2015: 2.7, 2023: 2.7}, "SH.DYN.NMRT": {2015: 8.2, 2023: 8.3}}


def _real_rows(code: str, until: int) -> str:
    """The indicator's real published values (``../shared/data``) up to ``until``."""
    with (DATA / "indicators_country_year.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["series_code"] == code and int(r["period"]) <= until]
    return "".join(
        f'{code},{r["country_iso3"]},{r["period"]},{r["value"]},"{r["unit"]}",WDI,\n' for r in rows
    )


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, new_database, reference, tmp_path_factory):
    url = new_database(request.param)
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(
            Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] in (CODE, *SINGAPORE)
        )
    engine.dispose()
    tmp = tmp_path_factory.mktemp("headline")
    text = PLAIN_HEADER + _real_rows(CODE, 2023) + f'{CODE},IDN,2024,135,"per 100,000 live births",BPS,\n'
    text += "".join(
        f'{code},SGP,{y},{v},"per 1,000 live births",WDI,\n'
        for code, pts in SINGAPORE.items()
        for y, v in pts.items()
    )
    report = run_import(url, write(tmp, "mmr.csv", text), approval="approved")
    assert report.ok, report.problems
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, url


def test_rule_keeps_the_headline_on_the_last_covered_period():
    members = {2023: [f"M{i}" for i in range(10)], 2025: [f"M{i}" for i in range(11)]}

    def on(date):
        return members[2025] if date is None or date.year >= 2025 else members[2023]

    seen = {"2023": {f"M{i}" for i in range(10)}, "2024": {"M1"}}
    rule = published.headline(seen, members_on=on, until=2026)
    assert (rule["period"], rule["reporting"], rule["member_states"], rule["required"]) == ("2023", 10, 10, 7)
    assert rule["partial"]["period"] == "2024" and (
        rule["partial"]["reporting"],
        rule["partial"]["member_states"],
    ) == (1, 10)
    # two thirds of eleven is eight: seven of eleven in 2025 is still partial
    seen["2025"] = {f"M{i}" for i in range(7)}
    assert published.headline(seen, members_on=on, until=2026)["partial"]["period"] == "2025"
    seen["2025"].add("M7")
    assert published.headline(seen, members_on=on, until=2026)["period"] == "2025"
    # per indicator: one half
    assert (
        published.headline(
            {"2024": {"M1", "M2", "M3", "M4", "M5"}}, members_on=on, min_coverage=0.5, until=2026
        )["period"]
        == "2024"
    )


def test_api_headline_stays_on_2023_and_2024_is_partial(world):
    client, _ = world
    for path in (f"/api/v1/indicators/{CODE}/aggregate", f"/api/v1/indicators/{CODE}"):
        body = client.get(path).json()
        agg = body.get("aggregate", body)
        assert agg["period"] == "2023" and agg["covered"] is True
        assert (agg["coverage"]["reporting"], agg["coverage"]["member_states"]) == (
            10,
            10,
        )  # TLS not yet a member
        assert agg["partial"]["period"] == "2024" and agg["partial"]["reporting_codes"] == ["IDN"]
        assert agg["partial"]["text"] == "2024: 1 of 10 reported — partial"
        assert agg["mean"] == pytest.approx((36 + 140 + 137 + 112 + 185 + 26 + 84 + 6 + 34 + 48) / 10)
    # asked for explicitly, 2024 is the partial figure it is
    agg = client.get(f"/api/v1/indicators/{CODE}/aggregate", params={"period": "2024"}).json()
    assert agg["covered"] is False and agg["coverage"]["reporting"] == 1


def test_indicator_page_names_period_coverage_and_partial(world):
    client, _ = world
    en = client.get(f"/indicators/{CODE}", params={"lang": "en"}).text
    assert "ASEAN in 2023" in en and "ASEAN in 2024" not in en
    assert "10 of 10 member states" in en and "2024: 1 of 10 reported — partial" in en
    assert "<dd>81</dd>" in en  # the mean of 2023 (80.8), with the precision of the data: integers
    idn = client.get(f"/indicators/{CODE}", params={"lang": "id"}).text
    assert "ASEAN pada 2023" in idn and "10 dari 10 negara anggota" in idn
    assert "2024: 1 dari 10 melapor — parsial" in idn
    asked = client.get(f"/indicators/{CODE}", params={"lang": "en", "period": "2024"}).text
    assert "ASEAN in 2024" in asked and 'class="tag partial"' in asked


def test_map_scorecard_and_plan_report_use_the_rule(world):
    client, _ = world
    page = client.get(f"/indicators/{CODE}/map", params={"lang": "en"}).text
    assert "Approved values of 2023." in page and "10 of 10 member states" in page
    assert "2024: 1 of 10 reported — partial" in page
    data = client.get(f"/indicators/{CODE}/map.json").json()["map"]
    assert data["period"] == 2023 and data["partial"]["period"] == "2024"
    card = client.get("/progress/sectors/women-children.json").json()
    regional = next(r for r in card["rows"] if r["indicator"]["code"] == CODE)["regional"]
    assert regional["last_year"] == 2023 and regional["headline"]["reporting"] == 10
    assert regional["partial"]["period"] == "2024" and regional["partial"]["reporting"] == 1
    report = client.get("/plans/asean-community-vision-2045/progress", params={"lang": "id"}).text
    assert "2024: 1 dari 10 melapor — parsial" in report and "2023: 10 dari 10 negara anggota" in report
    assert client.get("/plans/asean-community-vision-2045/progress.pdf").status_code == 200


@pytest.mark.parametrize("lang", ["en", "id"])
def test_singapore_child_mortality_is_no_significant_change(world, lang):
    """2.7 → 2.7 was "limited", 8.2 → 8.3 "deterioration": both are within one unit of the published
    decimal, so no significant change; the page says why (bilingual)."""
    client, _ = world
    card = client.get("/progress/member-states/SGP.json").json()
    cells = {r["indicator"]["code"]: r["cell"] for r in card["rows"]}
    assert {code: cells[code]["status"] for code in SINGAPORE} == dict.fromkeys(
        SINGAPORE, "no_significant_change"
    )
    page = client.get("/progress/member-states/SGP", params={"lang": lang}).text
    words = {
        "en": ("No significant change", "is “no significant change”: neither progress nor deterioration"),
        "id": ("Tidak ada perubahan berarti", "berstatus “tidak ada perubahan berarti”"),
    }[lang]
    assert all(w in page for w in words)


def test_numbers_with_the_locale_and_the_indicators_precision(world):
    """Maternal mortality is published as integers: 140, not 140.00; Indonesian decimals use a comma;
    values in tables are right-aligned."""
    client, _ = world
    en = client.get(f"/indicators/{CODE}/map", params={"lang": "en"}).text
    assert '<td class="num">140</td>' in en and "140.00" not in en
    sgp = client.get("/progress/member-states/SGP", params={"lang": "id"}).text
    assert '<td class="num">2,7 (2015)</td>' in sgp and "2.70" not in sgp
    page = client.get(f"/indicators/{CODE}", params={"lang": "id"}).text
    assert '<td class="num">140</td>' in page


def test_per_indicator_coverage_override_through_the_cli(world, monkeypatch):
    """``ascc indicators rules``: one half of the member states is enough for this indicator; a
    rule left out is the default again; a bad value is refused and writes nothing."""
    from typer.testing import CliRunner

    from ascc.cli.main import app

    client, url = world
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    bad = runner.invoke(app, ["indicators", "rules", CODE, "--min-coverage", "1.5"])
    assert bad.exit_code == 1 and "min_coverage" in bad.output
    assert client.get(f"/api/v1/indicators/{CODE}").json()["reading_rules"]["min_coverage"] is None
    try:
        done = runner.invoke(app, ["indicators", "rules", CODE, "--min-coverage", "0.1"])
        assert done.exit_code == 0, done.output
        agg = client.get(f"/api/v1/indicators/{CODE}/aggregate").json()
        assert (agg["period"], agg["covered"], agg["coverage"]["required"]) == ("2024", True, 1)
    finally:
        assert runner.invoke(app, ["indicators", "rules", CODE]).exit_code == 0
    assert client.get(f"/api/v1/indicators/{CODE}/aggregate").json()["period"] == "2023"
