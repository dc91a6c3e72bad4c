"""Imports of the files statistical offices publish: SDMX-CSV as producers write it (standard
attribute columns, the whole observation-status list, M49 codes, ACTION=D and M, semicolons, a DSD
reference), and the UN SDG database's and ILOSTAT's layouts through their profiles and mapping files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.monitoring.imports import profiles
from ascc.monitoring.models import Observation
from tests.conftest import BACKENDS, ROOT
from tests.monitoring.conftest import catalogue, query, run_import, write

FIXTURES = ROOT / "tests" / "data" / "imports"
CODES = {"SP.POP.TOTL", "SL.UEM.TOTL.ZS", "SL_TLF_NEET", "BPS.GINI"}
DSD = "ASEAN:DSD_ASCC_IND(1.0)"
runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def url(request, new_database, reference) -> str:
    return catalogue(new_database(request.param), reference, indicators=CODES, areas=())


def rows(session, code=None):
    stmt = sa.select(Observation).where(Observation.is_current.is_(True))
    if code:
        stmt = stmt.where(Observation.indicator_code == code)
    return {
        (o.indicator_code, o.member_state, o.period, o.sex, o.age): (o.value, o.obs_status, o.source, o.note)
        for o in session.scalars(stmt)
    }


def test_sdmx_csv_as_producers_write_it(url, tmp_path):
    text = (
        "STRUCTURE;STRUCTURE_ID;ACTION;FREQ;REF_AREA;INDICATOR;TIME_PERIOD;OBS_VALUE;UNIT_MULT;DECIMALS;"
        "OBS_CONF;OBS_STATUS;DATA_SOURCE;COMMENT_OBS\n"
        f"datastructure;{DSD};I;A;360;SP_POP_TOTL;2020;270.2;6;1;F;E;BPS;estimate\n"
        f"datastructure;{DSD};I;A;96;SP_POP_TOTL;2020;449000;0;0;F;B;DEPS;\n"
        f"datastructure;{DSD};I;A;THA;SP_POP_TOTL;2020;71.5;6;1;F;F;NSO;\n"
    )
    report = run_import(url, write(tmp_path, "producer.csv", text))
    assert report.ok, [str(p) for p in report.problems]
    assert report.inserted == 3
    assert "semicolon-separated file" in report.notes
    assert any("DECIMALS" in n for n in report.notes)
    stored = query(url, rows)
    # M49 360 and 96 are IDN and BRN; UNIT_MULT 6 is millions; E, B, F kept as given
    assert stored[("SP.POP.TOTL", "IDN", "2020", "_T", "_T")] == (270200000.0, "E", "BPS", "estimate")
    assert stored[("SP.POP.TOTL", "BRN", "2020", "_T", "_T")][:2] == (449000.0, "B")
    assert stored[("SP.POP.TOTL", "THA", "2020", "_T", "_T")][:2] == (71500000.0, "F")


def test_sdmx_csv_problems_are_specific(url, tmp_path):
    text = (
        "DATASTRUCTURE,FREQ,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF\n"
        f"{DSD},Q,IDN,SP.POP.TOTL,2020,1,A,C\n"
        "ESTAT:DSD_OTHER(1.0),A,IDN,SP.POP.TOTL,2021,1,Z,F\n"
    )
    report = run_import(url, write(tmp_path, "bad.csv", text))
    got = {(p.line, p.column) for p in report.problems}
    expected = {(2, "FREQ"), (2, "OBS_CONF"), (3, "DATASTRUCTURE"), (3, "OBS_STATUS")}
    assert got == expected, [str(p) for p in report.problems]
    assert "confidentiality 'C'" in next(str(p) for p in report.problems if p.column == "OBS_CONF")
    assert query(url, rows) == {}


def test_merge_keeps_attributes_and_delete_withdraws(url, tmp_path):
    head = "DATAFLOW,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS,DATA_SOURCE,COMMENT_OBS\n"
    df = "ASEAN:DF_ASCC_IND(1.0)"
    first = run_import(
        url,
        write(
            tmp_path,
            "a.csv",
            head + f"{df},I,IDN,SP.POP.TOTL,2020,100,E,BPS,census\n{df},I,IDN,SP.POP.TOTL,2021,101,A,BPS,\n",
        ),
    )
    assert first.ok, [str(p) for p in first.problems]
    merged = run_import(url, write(tmp_path, "m.csv", head + f"{df},M,IDN,SP.POP.TOTL,2020,102,,,\n"))
    assert (merged.inserted, merged.revised) == (0, 1)
    assert query(url, rows)[("SP.POP.TOTL", "IDN", "2020", "_T", "_T")] == (102.0, "E", "BPS", "census")
    # a replace (no ACTION M) states the attributes: empty cells are empty
    replaced = run_import(url, write(tmp_path, "r.csv", head + f"{df},R,IDN,SP.POP.TOTL,2020,102,,,\n"))
    assert replaced.revised == 1
    assert query(url, rows)[("SP.POP.TOTL", "IDN", "2020", "_T", "_T")] == (102.0, "final", None, None)
    deleted = run_import(url, write(tmp_path, "d.csv", head + f"{df},D,IDN,SP.POP.TOTL,2021,,,,\n"))
    assert deleted.ok and deleted.revised == 1, [str(p) for p in deleted.problems]
    value, status, source, note = query(url, rows)[("SP.POP.TOTL", "IDN", "2021", "_T", "_T")]
    assert value is None and note == "deleted (SDMX ACTION=D)" and (status, source) == ("final", "BPS")
    nothing = run_import(url, write(tmp_path, "d2.csv", head + f"{df},D,IDN,SP.POP.TOTL,2019,,,,\n"))
    assert [(p.line, p.column) for p in nothing.problems] == [(2, "ACTION")]
    assert "no such observation" in nothing.problems[0].reason


def test_un_sdg_download_is_recognised(url):
    report = run_import(url, FIXTURES / "un_sdg_neet.csv")
    assert report.ok and report.format == "un-sdg", [str(p) for p in report.problems]
    assert report.inserted == 6
    assert any("GeoAreaName" in n for n in report.notes)
    stored = query(url, rows, code="SL_TLF_NEET")
    # GeoAreaCode 608 (M49) is PHL; BOTHSEX is _T; 15-24 is Y15T24; Nature C is a normal value
    assert stored[("SL_TLF_NEET", "PHL", "2017", "_T", "Y15T24")] == (
        21.7,
        "final",
        "Labour Force Survey",
        None,
    )
    assert {k[1] for k in stored} == {"IDN", "PHL", "VNM"}


def test_un_sdg_unknown_series_is_named_unless_skipped(url, tmp_path):
    path = FIXTURES / "un_sdg_unknown_series.csv"
    report = run_import(url, path, profile="un-sdg")
    assert [(p.line, p.column) for p in report.problems] == [(3, "SeriesCode")]
    assert "UN SDG series 'SL_TLF_UEM' is not a platform indicator" in report.problems[0].reason
    assert query(url, rows) == {}
    mapping = write(tmp_path, "m.yaml", "profile: un-sdg\nskip:\n  indicator: [SL_TLF_UEM]\n")
    again = run_import(url, path, profile=profiles.load_mapping(mapping))
    assert again.ok and again.inserted == 1, [str(p) for p in again.problems]
    assert any("1 row(s) skipped" in n for n in again.notes)


def test_ilostat_bulk_file_with_its_mapping(url, monkeypatch):
    path = FIXTURES / "ilostat_unemployment.csv"
    refused = run_import(url, path)
    assert refused.format == "ilostat"
    assert [str(p) for p in refused.problems] == [
        "ilostat_unemployment.csv:2 [indicator]: ILOSTAT indicator 'UNE_2EAP_SEX_AGE_RT' is not a platform "
        "indicator (4 row(s)): map it to one in a mapping file (indicators:) or skip it (skip: indicator:)"
    ]
    monkeypatch.setenv("DATABASE_URL", url)
    result = runner.invoke(
        app, ["indicators", "import", str(path), "--mapping", str(FIXTURES / "ilostat_mapping.yaml")]
    )
    assert result.exit_code == 0, result.output
    stored = query(url, rows, code="SL.UEM.TOTL.ZS")
    assert stored[("SL.UEM.TOTL.ZS", "THA", "2023", "_T", "_T")] == (0.733, "final", "ILO-MODELLED", None)
    assert len(stored) == 4


def test_any_layout_through_a_mapping_file(url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    args = [
        "indicators",
        "import",
        str(FIXTURES / "custom_layout.csv"),
        "--mapping",
        str(FIXTURES / "custom_mapping.yaml"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    stored = query(url, rows, code="SL.UEM.TOTL.ZS")
    assert stored == {
        ("SL.UEM.TOTL.ZS", "IDN", "2023", "_T", "_T"): (3.5, "E", None, "SYNTHETIC TEST VALUE"),
        ("SL.UEM.TOTL.ZS", "THA", "2023", "_T", "_T"): (0.7, "final", None, "SYNTHETIC TEST VALUE"),
    }
    bad = runner.invoke(
        app, ["indicators", "import", str(FIXTURES / "custom_layout.csv"), "--profile", "nope"]
    )
    assert bad.exit_code == 1 and "unknown profile 'nope'" in bad.output


def test_focal_point_uploads_a_un_sdg_download(url):
    from fastapi.testclient import TestClient

    from ascc.app import create_app
    from ascc.config import Settings
    from tests.conftest import make_user

    token = make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN")
    lines = (FIXTURES / "un_sdg_neet.csv").read_text().splitlines()
    with TestClient(create_app(Settings(database_url=url))) as client:

        def upload(text):
            return client.post(
                "/api/v1/submissions/drafts",
                headers={"Authorization": f"Bearer {token}"},
                data={"member_state": "IDN"},
                files={"file": ("sdg.csv", text.encode(), "text/csv")},
            )

        refused = upload("\n".join(lines[:4]) + "\n")  # the third row is the Philippines (M49 608)
        assert refused.status_code == 422
        assert [(p["line"], p["column"]) for p in refused.json()["problems"]] == [(4, "GeoAreaCode")]
        ok = upload("\n".join(lines[:3]) + "\n")
        assert ok.status_code == 201, ok.text
        assert (ok.json()["format"], ok.json()["inserted"]) == ("un-sdg", 2)
        assert any("GeoAreaName" in n for n in ok.json()["notes"])
    stored = query(url, rows, code="SL_TLF_NEET")
    assert stored[("SL_TLF_NEET", "IDN", "2017", "_T", "Y15T24")][0] == 21.5


def test_exported_statuses_validate_against_the_sdmx_schemas(url, tmp_path):
    from ascc.monitoring import stored as store
    from ascc.monitoring.sdmx import structures as sdmx_structure
    from tests import sdmx_xsd

    text = "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n" + "".join(
        f"ASEAN:DF_ASCC_IND(1.0),IDN,SP.POP.TOTL,{2000 + i},{100 + i},{code}\n"
        for i, code in enumerate(("A", "B", "E", "F", "P", "U", "V"))
    )
    assert run_import(url, write(tmp_path, "s.csv", text)).ok
    xml = query(url, lambda s: store.export(s, fmt="sdmx-ml"))
    schema = sdmx_xsd.with_data_schema(query(url, sdmx_structure.data_schema))
    assert sdmx_xsd.errors(schema, xml) == []
    for code in ("B", "E", "F", "U", "V"):
        assert f'OBS_STATUS="{code}"'.encode() in xml
    csv_out = query(url, lambda s: store.export(s, fmt="sdmx-csv")).decode()
    assert ",2002,102,E," in csv_out and ",2004,104,P," in csv_out


def test_semicolon_ilostat_file_is_recognised(url, tmp_path):
    text = (FIXTURES / "ilostat_unemployment.csv").read_text().replace(",", ";")
    mapping = profiles.load_mapping(FIXTURES / "ilostat_mapping.yaml")
    report = run_import(url, write(tmp_path, "ilo.csv", text))
    assert report.format == "ilostat" and "UNE_2EAP_SEX_AGE_RT" in report.problems[0].reason
    report = run_import(url, write(tmp_path, "ilo.csv", text), profile=mapping)
    assert report.ok and report.inserted == 4, [str(p) for p in report.problems]
    assert "semicolon-separated file" in report.notes


def test_semicolon_file_keeps_its_line_numbers(url, tmp_path):
    text = (
        "DATAFLOW;REF_AREA;INDICATOR;TIME_PERIOD;OBS_VALUE;COMMENT_OBS\n"
        'ASEAN:DF_ASCC_IND(1.0);IDN;SP.POP.TOTL;2020;1;"two\nlines; and a semicolon"\n'
        "\n"
        "ASEAN:DF_ASCC_IND(1.0);IDN;SP.POP.TOTL;2021;many;\n"
    )
    report = run_import(url, write(tmp_path, "s.csv", text))
    assert [str(p) for p in report.problems] == ["s.csv:5 [OBS_VALUE]: not a number: 'many'"]


def test_a_bad_mapping_file_is_named(url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    bad = write(tmp_path, "bad.yaml", "profile: ilostat\nindicator: {X: Y}\n")
    result = runner.invoke(
        app, ["indicators", "import", str(FIXTURES / "ilostat_unemployment.csv"), "--mapping", str(bad)]
    )
    assert result.exit_code == 1 and "bad.yaml: unknown entries indicator" in result.output
    no_value = write(tmp_path, "nv.yaml", "columns: {indicator: a, member_state: b, period: c}\n")
    result = runner.invoke(
        app, ["indicators", "import", str(FIXTURES / "custom_layout.csv"), "--mapping", str(no_value)]
    )
    assert result.exit_code == 1 and "nv.yaml: columns: value must be given" in result.output
