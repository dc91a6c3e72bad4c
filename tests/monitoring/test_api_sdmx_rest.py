"""The SDMX-REST data endpoint and the indicators API: key parsing (dots in indicator codes, '+' for
alternatives, wildcards), flows, periods, formats by Accept header and ``format=``, problem+json
errors; only published values are served."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from ascc.app import create_app
from ascc.config import Settings
from ascc.kit.errors import Invalid, NotFound
from ascc.monitoring.sdmx import rest as sdmx_rest
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write


def test_key_parsing():
    q = sdmx_rest.parse_key("IDN+MYS._Z.SP.POP.TOTL+SL_TLF_NEET.F+M..")
    assert q.codes == {
        "REF_AREA": ("IDN", "MYS"),
        "SUBNATIONAL": ("_Z",),
        "INDICATOR": ("SP.POP.TOTL", "SL_TLF_NEET"),
        "SEX": ("F", "M"),
    }
    assert sdmx_rest.parse_key("all").codes == {} and sdmx_rest.parse_key(None).codes == {}
    assert sdmx_rest.parse_key(".....").codes == {}
    assert sdmx_rest.parse_key("..GDL.SHDI...").codes == {"INDICATOR": ("GDL.SHDI",)}
    assert sdmx_rest.key_for(indicator="SP.POP.TOTL") == "._Z.SP_POP_TOTL..."  # the SDMX id (CL_INDICATOR)
    for bad in ("IDN", "IDN._Z.X", "ID N._Z.X...", "IDN+._Z.X..."):
        with pytest.raises(Invalid):
            sdmx_rest.parse_key(bad)
    sdmx_rest.parse_flow("DF_ASCC_IND")
    sdmx_rest.parse_flow("ASEAN,DF_ASCC_IND,1.0")
    sdmx_rest.parse_flow("ASEAN,DF_ASCC_IND,latest")
    for bad in ("DF_OTHER", "ESTAT,DF_ASCC_IND,1.0", "ASEAN,DF_ASCC_IND,2.0"):
        with pytest.raises(NotFound):
            sdmx_rest.parse_flow(bad)


def test_format_negotiation():
    assert sdmx_rest.choose_format(None, None) == "genericdata"
    assert sdmx_rest.choose_format(None, "application/vnd.sdmx.data+csv;version=2.0.0") == "csv"
    assert (
        sdmx_rest.choose_format(None, "text/html, application/vnd.sdmx.genericdata+xml;version=2.1")
        == "genericdata"
    )
    assert (
        sdmx_rest.choose_format(None, "application/vnd.sdmx.structurespecificdata+xml")
        == "structurespecificdata"
    )
    assert sdmx_rest.choose_format("CSV", "application/xml") == "csv"
    with pytest.raises(Invalid):
        sdmx_rest.choose_format("json", None)
    with pytest.raises(sdmx_rest.NotAcceptable):
        sdmx_rest.choose_format(None, "application/json")


@pytest.fixture(scope="module")
def client(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rest")
    approved = (
        PLAIN_HEADER
        + "".join(
            f"SP.POP.TOTL,{ms},{y},{base + y},persons,WDI,\n"
            for ms, base in (("IDN", 270000000), ("MYS", 32000000), ("THA", 70000000))
            for y in range(2015, 2021)
        )
        + "SL.UEM.TOTL.ZS,IDN,2020,7.07,% of total labor force,WDI,\n"
    )
    assert run_import(mon_url, write(tmp, "approved.csv", approved), approval="approved").ok
    draft = PLAIN_HEADER + "SP.POP.TOTL,IDN,2021,999,persons,BPS,\nSP.POP.TOTL,MYS,2020,111,persons,DOSM,\n"
    assert run_import(mon_url, write(tmp, "draft.csv", draft), approval="draft").ok
    submitted = PLAIN_HEADER + "SP.POP.TOTL,THA,2021,222,persons,NSO,\n"
    assert run_import(mon_url, write(tmp, "submitted.csv", submitted), approval="submitted").ok
    with TestClient(create_app(Settings(database_url=mon_url))) as c:
        yield c


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_sdmx_csv_by_key_and_period(client):
    r = client.get(
        "/sdmx/data/ASEAN,DF_ASCC_IND,1.0/IDN+MYS._Z.SP.POP.TOTL...",
        params={"startPeriod": "2019", "endPeriod": "2021"},
        headers={"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    rows = _csv(r.text)
    assert [(x["REF_AREA"], x["TIME_PERIOD"], x["OBS_VALUE"]) for x in rows] == [
        ("IDN", "2019", "270002019"),
        ("IDN", "2020", "270002020"),
        ("MYS", "2019", "32002019"),
        ("MYS", "2020", "32002020"),
    ]  # (drafts of IDN 2021 and MYS 2020 are not served; MYS 2020 is the approved value)
    assert {x["STRUCTURE_ID"] for x in rows} == {"ASEAN:DF_ASCC_IND(1.0)"} and {
        x["OBS_STATUS"] for x in rows
    } == {"A"}
    # the underscore form of a dotted code, a wildcard member state, lastNObservations
    r = client.get(
        "/sdmx/data/DF_ASCC_IND/._Z.SP_POP_TOTL...", params={"format": "csv", "lastNObservations": 1}
    )
    assert [(x["REF_AREA"], x["TIME_PERIOD"]) for x in _csv(r.text)] == [
        ("IDN", "2020"),
        ("MYS", "2020"),
        ("THA", "2020"),
    ]
    assert len(_csv(client.get("/sdmx/data/DF_ASCC_IND/all", params={"format": "sdmx-csv"}).text)) == 19
    assert len(_csv(client.get("/sdmx/data/DF_ASCC_IND", params={"format": "csv"}).text)) == 19


def test_sdmx_ml_generic_and_structure_specific(client):
    r = client.get(
        "/sdmx/data/DF_ASCC_IND/IDN._Z.SP.POP.TOTL+SL.UEM.TOTL.ZS...", params={"startPeriod": "2020"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.sdmx.genericdata+xml"
    )
    root = etree.fromstring(r.content)
    assert etree.QName(root).localname == "GenericData"
    values = sorted(e.get("value") for e in root.iter() if etree.QName(e).localname == "ObsValue")
    assert values == ["270002020", "7.07"]
    r = client.get(
        "/sdmx/data/DF_ASCC_IND/IDN._Z.SP.POP.TOTL...",
        headers={"Accept": "application/vnd.sdmx.structurespecificdata+xml;version=2.1"},
    )
    assert (
        r.status_code == 200 and etree.QName(etree.fromstring(r.content)).localname == "StructureSpecificData"
    )
    assert (
        client.get("/sdmx/data/DF_ASCC_IND/all", headers={"If-None-Match": r.headers["etag"]}).status_code
        == 200
    )


def test_sdmx_errors_are_problem_json(client):
    cases = [
        ("/sdmx/data/DF_ASCC_IND/IDN", {}, {}, 422, "key"),
        ("/sdmx/data/DF_OTHER/all", {}, {}, 404, None),
        ("/sdmx/data/DF_ASCC_IND/BRN._Z.SP.POP.TOTL...", {}, {}, 404, None),  # nothing published: no results
        ("/sdmx/data/DF_ASCC_IND/all", {"startPeriod": "20x0"}, {}, 422, "startPeriod"),
        ("/sdmx/data/DF_ASCC_IND/all", {"startPeriod": "2020", "endPeriod": "2019"}, {}, 422, "startPeriod"),
        ("/sdmx/data/DF_ASCC_IND/all", {"format": "json"}, {}, 422, "format"),
        ("/sdmx/data/DF_ASCC_IND/all", {}, {"Accept": "application/json"}, 406, None),
    ]
    for path, params, headers, status, parameter in cases:
        r = client.get(path, params=params, headers=headers)
        assert r.status_code == status, (path, params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        if parameter:
            assert r.json()["parameter"] == parameter


def test_indicators_api_shows_published_only(client):
    page = client.get("/api/v1/indicators", params={"level": "national"}).json()
    pop = next(i for i in page["items"] if i["code"] == "SP.POP.TOTL")
    assert pop["published"] == {
        "member_states": 3,
        "first_period": "2015",
        "last_period": "2020",
        "observations": 18,
    }
    assert {i["level"] for i in page["items"]} == {"national"}
    obs = client.get(
        "/api/v1/indicators/SP.POP.TOTL/observations",
        params={"member_state": "IDN,THA", "start_period": "2020"},
    ).json()
    assert [(o["member_state"], o["period"], o["value"]) for o in obs["items"]] == [
        ("IDN", "2020", 270002020.0),
        ("THA", "2020", 70002020.0),
    ]
    detail = client.get("/api/v1/indicators/SP.POP.TOTL").json()
    assert (
        detail["aggregate"]["period"] == "2020"
        and detail["aggregate"]["coverage"]["text"] == "3 of 10 member states"
    )
    assert detail["aggregate"]["total"] == 270002020 + 32002020 + 70002020
    rate = client.get("/api/v1/indicators/SL.UEM.TOTL.ZS").json()["aggregate"]
    assert rate["total"] is None and rate["mean"] == 7.07  # shares are not added up
    for path, status in (
        ("/api/v1/indicators/NO.SUCH", 404),
        ("/api/v1/indicators?level=village", 422),
        ("/api/v1/indicators/SP.POP.TOTL/observations?start_period=20", 422),
        ("/api/v1/indicators/SP.POP.TOTL/aggregate?period=1999", 422),
    ):
        r = client.get(path)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", path
