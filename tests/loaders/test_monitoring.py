"""``ascc indicators load-demo``, ``define-computed --file`` and ``compute`` re-run over what people
wrote (issue 16): a value a focal point submitted or the Secretariat approved stays, and the command
says what it kept and why. Also: a file without attribute columns keeps the stored source and note."""

from __future__ import annotations

import copy

import yaml

from ascc.monitoring.computed import DATA as COMPUTED
from tests.loaders.conftest import cli, small_data

LE = "SP.DYN.LE00.IN"
NATIONAL = [f"{LE},IDN,2023", f"{LE},IDN,2024", f"{LE},MYS,2024"]
SUBNATIONAL = ["GDL.SHDI,IDNr101,2019"]
FILE = "series_code,country_iso3,period,value,unit,source_id,note\n"


def published(client, code: str, member_state: str) -> dict[str, dict]:
    items = client.get(
        f"/api/v1/indicators/{code}/observations", params={"member_state": member_state}
    ).json()
    return {o["period"]: o for o in items["items"]}


def submit(client, headers, rows: str) -> int:
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=headers,
        data={"member_state": "IDN"},
        files={"file": ("idn.csv", (FILE + rows).encode(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/submissions", headers=headers, json={"member_state": "IDN"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_rerun_keeps_an_approved_value_and_updates_its_own(url, people, tmp_path, monkeypatch):
    client, who = people
    data = small_data(tmp_path / "data", national=NATIONAL, subnational=SUBNATIONAL)
    out = cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    assert "indicators_country_year.csv: 3 rows, 3 new" in out
    demo_2024 = published(client, LE, "IDN")["2024"]["value"]
    assert demo_2024 != 71.5
    sub = submit(client, who["IDN"], f"{LE},IDN,2024,71.5,years,BPS,Indonesia's estimate\n")
    etag = client.get(f"/api/v1/submissions/{sub}", headers=who["secretariat"]).headers["etag"]
    r = client.post(
        f"/api/v1/submissions/{sub}/review",
        headers=who["secretariat"] | {"If-Match": etag},
        json={"decision": "approved"},
    )
    assert r.status_code == 200, r.text
    # the source revises its own values meanwhile: IDN 2023 and 2024 change upstream
    csv = data / "indicators_country_year.csv"
    csv.write_text(
        csv.read_text()
        .replace(f"{LE},IDN,2023,", f"{LE},IDN,2023,7")
        .replace(f"{LE},IDN,2024,", f"{LE},IDN,2024,6")
    )

    out = cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)

    assert "indicators_country_year.csv: 3 rows, 0 new, 1 revised, 1 unchanged" in out
    assert (
        f"kept 1 as they are, not overwritten (values that people or other imports wrote since): IDN {LE} 2024 (approved by the Secretariat in submission {sub})"
        in out
    )
    values = published(client, LE, "IDN")
    assert values["2024"]["value"] == 71.5 and values["2024"]["source"] == "BPS"
    assert str(values["2023"]["value"]).startswith("7")  # the loader's own value follows the source


def test_rerun_neither_approves_nor_overwrites_a_pending_submission(url, people, tmp_path, monkeypatch):
    client, who = people
    data = small_data(tmp_path / "data", national=NATIONAL, subnational=SUBNATIONAL)
    cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    demo_2024 = published(client, LE, "IDN")["2024"]["value"]
    sub = submit(client, who["IDN"], f"{LE},IDN,2024,71.5,years,BPS,\n")

    out = cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    # the demo value differs from the pending one: the loader leaves the submission alone
    assert f"IDN {LE} 2024 (submitted for review in submission {sub}, not yet reviewed)" in out
    assert "0 new, 0 revised, 2 unchanged" in out
    assert published(client, LE, "IDN")["2024"]["value"] == demo_2024  # not approved by the loader
    detail = client.get(f"/api/v1/submissions/{sub}", headers=who["secretariat"]).json()
    assert detail["state"] == "submitted"
    assert [(o["value"], o["approval"]) for o in detail["observations"]["items"]] == [(71.5, "submitted")]
    etag = client.get(f"/api/v1/submissions/{sub}", headers=who["secretariat"]).headers["etag"]
    r = client.post(
        f"/api/v1/submissions/{sub}/review",
        headers=who["secretariat"] | {"If-Match": etag},
        json={"decision": "approved"},
    )
    assert r.status_code == 200, r.text
    assert published(client, LE, "IDN")["2024"]["value"] == 71.5


def test_rerun_keeps_a_draft(url, people, tmp_path, monkeypatch):
    client, who = people
    data = small_data(tmp_path / "data", national=NATIONAL, subnational=SUBNATIONAL)
    cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=who["IDN"],
        data={"member_state": "IDN"},
        files={"file": ("idn.csv", (FILE + f"{LE},IDN,2024,71.5,years,BPS,\n").encode(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    out = cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    assert f"IDN {LE} 2024 (a draft by user:" in out
    drafts = client.get(
        "/api/v1/submissions/drafts", params={"member_state": "IDN"}, headers=who["IDN"]
    ).json()
    assert drafts["draft"] == 1


def test_define_computed_keeps_a_definition_the_secretariat_edited(url, people, tmp_path, monkeypatch):
    client, who = people
    inputs = ["VC_DSR_MORT,IDN,2018", "SP.POP.TOTL,IDN,2018"]
    data = small_data(tmp_path / "data", national=inputs, subnational=SUBNATIONAL)
    cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    spec = yaml.safe_load(COMPUTED.read_text())["computed"][0]
    path = tmp_path / "computed.yaml"
    path.write_text(yaml.safe_dump({"computed": [spec]}))
    assert "computed indicators: 1 new" in cli(
        url, "indicators", "define-computed", "--file", str(path), monkeypatch=monkeypatch
    )
    cli(url, "indicators", "compute", monkeypatch=monkeypatch)
    edited = copy.deepcopy(spec) | {"name_en": "Disaster deaths per 100,000 people (Secretariat's wording)"}
    r = client.post("/api/v1/indicators/computed", headers=who["secretariat"], json={"definitions": [edited]})
    assert r.status_code == 200, r.text

    out = cli(url, "indicators", "define-computed", "--file", str(path), monkeypatch=monkeypatch)

    assert "computed indicators: 0 new, 0 updated" in out
    assert (
        f"kept 1 as they are, not overwritten (definitions that people edited): {spec['code']} (definition edited by user:"
        in out
    )
    assert edited["name_en"] in str(client.get(f"/api/v1/indicators/{spec['code']}").json())
    # compute follows the published inputs only (a value nobody enters by hand): nothing to keep
    assert "0 new, 0 revised, 1 unchanged" in cli(url, "indicators", "compute", monkeypatch=monkeypatch)


def test_a_file_without_attribute_columns_keeps_source_and_note(url, people, tmp_path, monkeypatch):
    client, _ = people
    data = small_data(tmp_path / "data", national=NATIONAL, subnational=SUBNATIONAL)
    cli(url, "indicators", "load-demo", "--data", str(data), monkeypatch=monkeypatch)
    full = tmp_path / "full.csv"
    full.write_text(FILE + f"{LE},THA,2020,77.1,years,NSO,census-based\n{LE},THA,2021,77.3,years,NSO,\n")
    cli(url, "indicators", "import", str(full), "--approval", "approved", monkeypatch=monkeypatch)
    bare = tmp_path / "bare.csv"  # the same values, without source_id and note
    bare.write_text(f"series_code,country_iso3,period,value\n{LE},THA,2020,77.1\n{LE},THA,2021,77.3\n")
    assert "0 new, 0 revised, 2 unchanged" in cli(
        url, "indicators", "import", str(bare), "--approval", "approved", monkeypatch=monkeypatch
    )
    sdmx = tmp_path / "bare-sdmx.csv"  # SDMX-CSV without DATA_SOURCE and COMMENT_OBS; 2021 revised
    sdmx.write_text(
        f"DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\nASEAN:DF_ASCC_IND(1.0),THA,{LE},2020,77.1\n"
        f"ASEAN:DF_ASCC_IND(1.0),THA,{LE},2021,77.4\n"
    )
    assert "0 new, 1 revised, 1 unchanged" in cli(
        url, "indicators", "import", str(sdmx), "--approval", "approved", monkeypatch=monkeypatch
    )
    values = published(client, LE, "THA")
    assert (values["2020"]["source"], values["2020"]["note"]) == ("NSO", "census-based")
    assert (values["2021"]["value"], values["2021"]["source"]) == (77.4, "NSO")  # the new revision keeps it
    # a column that is there but empty still clears (the file says so)
    cleared = tmp_path / "cleared.csv"
    cleared.write_text(FILE + f"{LE},THA,2020,77.1,years,,\n")
    assert "0 new, 1 revised" in cli(
        url, "indicators", "import", str(cleared), "--approval", "approved", monkeypatch=monkeypatch
    )
    assert published(client, LE, "THA")["2020"]["source"] is None
