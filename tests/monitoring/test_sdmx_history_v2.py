"""SDMX-REST as real clients use it (issue 18, the remainder): ``includeHistory=true`` serves every
published version of a value (SDMX-ML 2.1 data sets per dissemination with their ``validFromDate``,
SDMX-CSV 2.0 rows with ACTION R and their validity), never a draft; the SDMX-REST 2.0 paths (SDMX
3.0) next to the 1.x ones, driven by ``sdmx1``'s ``Client`` on a source declared with SDMX 3.0; the
1.x provider segment."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest
import sdmx
from lxml import etree
from sqlalchemy import update

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring.models import Observation
from ascc.wiring import session_factory
from tests import sdmx_xsd
from tests.conftest import serving
from tests.monitoring.conftest import DF, SDMX_HEADER, run_import, write

CSV2 = "application/vnd.sdmx.data+csv;version=2.0.0"
GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
FIRST, SECOND = "2024-01-10T08:00:00Z", "2024-06-01T08:00:00Z"


def _row(ms: str, year: int, value: float, status: str = "A") -> str:
    return f"{DF},{ms},SL.UEM.TOTL.ZS,{year},{value},{status},,_T,_T,_T,_Z\n"


def _at(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def base(mon_url, tmp_path_factory):
    """IDN 2019 and 2020 published on 10 January 2024, IDN 2020 revised on 1 June 2024, then a
    draft revision of IDN 2020 (never public); MYS 2020 published once."""
    tmp = tmp_path_factory.mktemp("history")
    first = SDMX_HEADER + _row("IDN", 2019, 5.23) + _row("IDN", 2020, 7.07) + _row("MYS", 2020, 4.5)
    assert run_import(mon_url, write(tmp, "first.csv", first), approval="approved").ok
    assert run_import(
        mon_url, write(tmp, "second.csv", SDMX_HEADER + _row("IDN", 2020, 7.1)), approval="approved"
    ).ok
    assert run_import(
        mon_url, write(tmp, "draft.csv", SDMX_HEADER + _row("IDN", 2020, 9.99)), approval="draft"
    ).ok
    engine = make_engine(mon_url)
    with unit_of_work(session_factory(engine)) as session:
        session.info["actor"] = "test"
        # the instants the two approved imports became public (the test's clock, not the wall's)
        for revision, stamp in ((1, FIRST), (2, SECOND)):
            session.execute(
                update(Observation).where(Observation.revision == revision).values(recorded_at=_at(stamp))
            )
    engine.dispose()
    with serving(create_app(Settings(database_url=mon_url))) as url:
        yield url + "/sdmx"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_history_in_sdmx_csv_2_is_every_published_version_with_its_validity(base):
    r = httpx.get(
        f"{base}/data/DF_ASCC_IND/IDN._Z.SL_UEM_TOTL_ZS...",
        params={"includeHistory": "true"},
        headers={"Accept": CSV2},
    )
    assert r.status_code == 200, r.text
    rows = _csv(r.text)
    assert list(rows[0])[-2:] == ["VALID_FROM", "VALID_TO"]
    assert [
        (x["ACTION"], x["TIME_PERIOD"], x["OBS_VALUE"], x["VALID_FROM"], x["VALID_TO"]) for x in rows
    ] == [
        ("R", "2019", "5.23", FIRST, ""),
        ("R", "2020", "7.07", FIRST, SECOND),
        ("R", "2020", "7.1", SECOND, ""),
    ]  # the draft 9.99 is never shown
    # without history: the published value only, as before
    now = _csv(httpx.get(f"{base}/data/DF_ASCC_IND/IDN._Z.SL_UEM_TOTL_ZS...", headers={"Accept": CSV2}).text)
    assert [(x["ACTION"], x["TIME_PERIOD"], x["OBS_VALUE"]) for x in now] == [
        ("I", "2019", "5.23"),
        ("I", "2020", "7.1"),
    ]
    assert "VALID_FROM" not in now[0]
    # lastNObservations keeps every version of the last period
    last = _csv(
        httpx.get(
            f"{base}/data/DF_ASCC_IND/IDN._Z.SL_UEM_TOTL_ZS...",
            params={"includeHistory": "true", "lastNObservations": 1},
            headers={"Accept": CSV2},
        ).text
    )
    assert [x["OBS_VALUE"] for x in last] == ["7.07", "7.1"]


def test_history_in_sdmx_ml_is_one_data_set_per_dissemination_and_validates(base):
    schema = sdmx_xsd.message_schema()
    r = httpx.get(
        f"{base}/data/DF_ASCC_IND/all", params={"includeHistory": "true"}, headers={"Accept": GENERIC}
    )
    assert r.status_code == 200, r.text
    assert not sdmx_xsd.errors(schema, r.content)
    root = etree.fromstring(r.content)
    data_sets = [e for e in root if etree.QName(e).localname == "DataSet"]
    assert [(d.get("action"), d.get("validFromDate")) for d in data_sets] == [
        ("Replace", FIRST),
        ("Replace", SECOND),
    ]

    def values(data_set) -> list[str]:
        return [e.get("value") for e in data_set.iter() if etree.QName(e).localname == "ObsValue"]

    assert sorted(values(data_sets[0])) == ["4.5", "5.23", "7.07"] and values(data_sets[1]) == ["7.1"]
    # structure-specific: the same data sets, their set attributes qualified, valid with the derived schema
    derived = sdmx_xsd.with_data_schema(httpx.get(f"{base}/schema/dataflow/ASEAN/DF_ASCC_IND/1.0").content)
    for at in ("TIME_PERIOD", "AllDimensions"):
        r = httpx.get(
            f"{base}/data/DF_ASCC_IND/all",
            params={
                "includeHistory": "true",
                "format": "structurespecificdata",
                "dimensionAtObservation": at,
            },
        )
        assert r.status_code == 200, r.text
        if at == "TIME_PERIOD":
            assert not sdmx_xsd.errors(derived, r.content)
        ss = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific}"
        found = [
            d.get(f"{ss}validFromDate")
            for d in etree.fromstring(r.content)
            if etree.QName(d).localname == "DataSet"
        ]
        assert found == [FIRST, SECOND]
    # sdmx1 reads both data sets back, in order (sdmx1 2.28 does not read a data set's action and
    # validity)
    msg = sdmx.read_sdmx(
        io.BytesIO(httpx.get(f"{base}/data/DF_ASCC_IND/all", params={"includeHistory": "true"}).content)
    )
    assert [sorted(o.value for o in ds.obs) for ds in msg.data] == [["4.5", "5.23", "7.07"], ["7.1"]]


def test_history_in_sdmx_json_is_one_data_set_per_dissemination_and_validates(base):
    for version in ("1.0.0", "2.0.0"):
        r = httpx.get(
            f"{base}/data/DF_ASCC_IND/all",
            params={"includeHistory": "true"},
            headers={"Accept": f"application/vnd.sdmx.data+json;version={version}"},
        )
        assert r.status_code == 200, r.text
        doc = r.json()
        assert not sdmx_xsd.json_errors("1.0" if version == "1.0.0" else version, doc)
        data_sets = doc["data"]["dataSets"]
        assert [(d["action"], d["validFrom"]) for d in data_sets] == [("Replace", FIRST), ("Replace", SECOND)]
        assert [
            sorted(o[0] for s in d["series"].values() for o in s["observations"].values()) for d in data_sets
        ] == [
            [4.5, 5.23, 7.07],
            [7.1],
        ]


def test_history_in_a_format_that_cannot_carry_it_is_a_501_naming_it(base):
    for accept, named in (
        ("application/vnd.sdmx.draft-sdmx-json+json", "application/vnd.sdmx.draft-sdmx-json+json"),
        ("application/vnd.sdmx.data+csv;version=1.0.0", "application/vnd.sdmx.data+csv"),
    ):
        r = httpx.get(
            f"{base}/data/DF_ASCC_IND/all", params={"includeHistory": "true"}, headers={"Accept": accept}
        )
        assert r.status_code == 501, r.text
        text = etree.fromstring(r.content).findtext(".//{*}Text")
        assert named in text and "SDMX-CSV 2.0" in text
    r = httpx.get(f"{base}/data/DF_ASCC_IND/all", params={"includeHistory": "maybe"})
    assert r.status_code == 400


def test_sdmx_rest_2_data_paths(base):
    v2 = base + "/v2"
    cases = [
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN.*.SL_UEM_TOTL_ZS", {}, [("IDN", "2019"), ("IDN", "2020")]),
        ("/data/*/*/*/*/*", {}, [("IDN", "2019"), ("IDN", "2020"), ("MYS", "2020")]),
        ("/data", {}, [("IDN", "2019"), ("IDN", "2020"), ("MYS", "2020")]),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/~/MYS", {}, [("MYS", "2020")]),  # trailing dimensions omitted
        (
            "/data/datastructure/ASEAN/DSD_ASCC_IND/+/MYS.*.*.*.*.*,IDN._Z.*.*.*.*",
            {"c[TIME_PERIOD]": "ge:2020"},
            [("IDN", "2020"), ("MYS", "2020")],
        ),
        (
            "/data/dataflow/ASEAN/DF_ASCC_IND",
            {"c[REF_AREA]": "IDN,MYS", "c[TIME_PERIOD]": "le:2019"},
            [("IDN", "2019")],
        ),
        ("/data/dataflow/*/DF_ASCC_IND/*/IDN+MYS", {"c[REF_AREA]": "eq:MYS"}, [("MYS", "2020")]),
        (
            "/data/dataflow/ASEAN/DF_ASCC_IND/1.0/*",
            {"lastNObservations": 1},
            [("IDN", "2020"), ("MYS", "2020")],
        ),
    ]
    for path, params, expected in cases:
        r = httpx.get(v2 + path, params=params, headers={"Accept": CSV2})
        assert r.status_code == 200, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/vnd.sdmx.data+csv; version=2.0.0")
        assert [(x["REF_AREA"], x["TIME_PERIOD"]) for x in _csv(r.text)] == expected, (path, params)
    # a literal + in the query string (as the SDMX-REST examples write it) is AND, not a space
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0?c[TIME_PERIOD]=ge:2019+le:2019", headers={"Accept": CSV2}
    )
    assert [(x["REF_AREA"], x["TIME_PERIOD"]) for x in _csv(r.text)] == [("IDN", "2019")]
    # a key and a filter that exclude each other select nothing
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN",
        params={"c[REF_AREA]": "MYS"},
        headers={"Accept": CSV2},
    )
    assert r.status_code == 404
    # the same query objects: a 2.0 query answers what its 1.x twin answers
    one = httpx.get(f"{base}/data/ASEAN,DF_ASCC_IND,1.0/IDN._Z.SL_UEM_TOTL_ZS...", params={"format": "csv"})
    two = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN._Z.SL_UEM_TOTL_ZS.*.*.*", params={"format": "csv"}
    )
    assert one.text == two.text and one.headers["etag"] == two.headers["etag"]
    # SDMX-JSON 2.0 and SDMX-ML 2.1 by Accept; history in 2.0 too; attributes=none
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN",
        headers={"Accept": "application/vnd.sdmx.data+json;version=2.0.0"},
    )
    assert r.status_code == 200 and not sdmx_xsd.json_errors("2.0.0", r.json())
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN",
        params={"includeHistory": "true"},
        headers={"Accept": GENERIC},
    )
    assert r.status_code == 200 and not sdmx_xsd.errors(sdmx_xsd.message_schema(), r.content)
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN",
        params={"attributes": "none"},
        headers={"Accept": CSV2},
    )
    assert "OBS_STATUS" not in _csv(r.text)[0]


def test_sdmx_rest_2_refusals(base):
    v2 = base + "/v2"
    for path, params, accept, status in (
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN", {}, "application/vnd.sdmx.data+xml;version=3.0.0", 406),
        ("/data/dataflow/ASEAN/DF_OTHER/1.0", {}, CSV2, 404),
        ("/data/provisionagreement/ASEAN/PA_X/1.0", {}, CSV2, 404),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/2.0", {}, CSV2, 404),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0/BRN", {}, CSV2, 404),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN.*.NO_SUCH_INDICATOR", {}, CSV2, 404),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0", {"c[OBS_STATUS]": "A"}, CSV2, 501),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0", {"c[REF_AREA]": "ne:IDN"}, CSV2, 501),
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0", {"c[COLOUR]": "RED"}, CSV2, 400),
        (
            "/data/dataflow/ASEAN/DF_ASCC_IND/1.0",
            {"startPeriod": "2020"},
            CSV2,
            400,
        ),  # 2.0 has c[TIME_PERIOD]
        ("/data/dataflow/ASEAN/DF_ASCC_IND/1.0", {"attributes": "OBS_STATUS"}, CSV2, 501),
        ("/structure/codelist/ASEAN/CL_SEX/~", {"references": "ancestors"}, "application/xml", 501),
        ("/structure/codelist/ASEAN/CL_NONE/~", {}, "application/xml", 404),
        ("/structure/codelist/ASEAN/CL_SEX/~", {}, "application/vnd.sdmx.structure+xml;version=3.0.0", 406),
        ("/structure/codelist/ASEAN/CL_SEX/~", {}, "application/vnd.sdmx.structure+xml;version=2.1", 200),
    ):
        r = httpx.get(v2 + path, params=params, headers={"Accept": accept})
        assert r.status_code == status, (path, params, r.text)
    r = httpx.get(
        f"{v2}/data/dataflow/ASEAN/DF_ASCC_IND/1.0/IDN",
        headers={"Accept": "application/vnd.sdmx.data+xml;version=3.0.0"},
    )
    text = etree.fromstring(r.content).findtext(".//{*}Text")
    assert "SDMX-CSV" in text and "SDMX-JSON" in text and "SDMX-ML 2.1" in text


def test_sdmx_rest_2_structure_paths_validate(base):
    schema = sdmx_xsd.message_schema()
    v2 = base + "/v2/structure"
    for path, params, ids in (
        ("/codelist/ASEAN/CL_SEX/~", {}, {"CL_SEX"}),
        ("/codelist/ASEAN/CL_SEX,CL_AGE/+", {}, {"CL_SEX", "CL_AGE"}),
        ("/codelist/*/*/*", {"detail": "allstubs"}, None),
        ("/dataflow/ASEAN/DF_ASCC_IND/1.0", {"references": "all"}, {"DF_ASCC_IND", "DSD_ASCC_IND", "CL_SEX"}),
        ("/*/*/*/*", {}, {"DF_ASCC_IND", "DSD_ASCC_IND", "CL_SEX", "CS_ASCC_IND"}),
    ):
        r = httpx.get(v2 + path, params=params)
        assert r.status_code == 200, (path, params, r.text)
        assert not sdmx_xsd.errors(schema, r.content), path
        found = {e.get("id") for e in etree.fromstring(r.content).iter() if e.get("agencyID")}
        if ids is not None:
            assert ids <= found, (path, found)
            if path.startswith("/codelist"):
                assert found == ids
        else:
            assert "CL_AREA" in found


def test_sdmx1_client_on_an_sdmx_3_source(base):
    """sdmx1 builds SDMX-REST 2.0 paths for a source declared with SDMX 3.0 (``versions``):
    ``structure/dataflow/ASEAN/DF_ASCC_IND/+`` and ``data/*/ASEAN/DF_ASCC_IND/+/{key}``."""
    sdmx.add_source(
        {"id": "ASEAN", "url": base + "/v2", "name": "ASEAN (SDMX 3.0)", "versions": ["3.0.0"]}, override=True
    )
    try:
        client = sdmx.Client("ASEAN")
        assert (
            "/v2/structure/dataflow/ASEAN/DF_ASCC_IND/+" in client.dataflow("DF_ASCC_IND", dry_run=True).url
        )
        msg = client.dataflow("DF_ASCC_IND", params={"references": "all"})
        dsd = msg.dataflow["DF_ASCC_IND"].structure
        assert dsd.id == "DSD_ASCC_IND" and "SL_UEM_TOTL_ZS" in msg.codelist["CL_INDICATOR"]
        assert {c.id for c in client.codelist("CL_SEX").codelist["CL_SEX"]} == {"_T", "F", "M"}
        request = client.data("DF_ASCC_IND", key="IDN.*.SL_UEM_TOTL_ZS", dry_run=True)
        assert request.url.endswith("/v2/data/*/ASEAN/DF_ASCC_IND/+/IDN.*.SL_UEM_TOTL_ZS")
        data = client.data("DF_ASCC_IND", key="IDN.*.SL_UEM_TOTL_ZS", dsd=dsd)
        frame = sdmx.to_pandas(data)
        assert sorted(zip(frame.index.get_level_values("TIME_PERIOD"), frame.tolist(), strict=True)) == [
            ("2019", 5.23),
            ("2020", 7.1),
        ]
    finally:
        sdmx.add_source({"id": "ASEAN", "url": base, "name": "ASEAN"}, override=True)


def test_provider_segment_of_1x_data_queries(base):
    for provider, status in (("ASEAN", 200), ("all", 200), ("ASEAN,ASEAN", 200), ("ESTAT", 404)):
        r = httpx.get(
            f"{base}/data/DF_ASCC_IND/IDN._Z.SL_UEM_TOTL_ZS.../{provider}", params={"format": "csv"}
        )
        assert r.status_code == status, (provider, r.text)
    r = httpx.get(f"{base}/data/all,DF_ASCC_IND,latest/all/all", params={"format": "csv"})
    assert r.status_code == 200 and len(_csv(r.text)) == 3
