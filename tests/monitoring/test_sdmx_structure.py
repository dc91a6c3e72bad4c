"""SDMX-REST structure queries as a statistician's client uses them (issue 18, "SDMX structures and
REST"): ``sdmx1``'s ``Client`` pointed at a real server on loopback discovers the dataflow with its
structure, codelists (English and Indonesian names) and the constraint of the published data, then
downloads observations with a key built from those codes; indicator ids are SDMX ids in structures
and data alike, the platform's code kept as an annotation; unknown artefacts and parameter values are
SDMX error messages with their HTTP status."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import sdmx
from lxml import etree
from sdmx.model.common import Code

from ascc.app import create_app
from ascc.config import Settings
from ascc.monitoring import rules
from ascc.monitoring.sdmx import structures as sdmx_structure
from tests import sdmx_xsd
from tests.conftest import serving
from tests.monitoring.conftest import DF, SDMX_HEADER, run_import, write

APPROVED = (
    SDMX_HEADER
    + "".join(
        f"{DF},{ms},{ind},{year},{value},{status},,_T,_T,_T,_Z\n"
        for ms, ind, year, value, status in (
            ("IDN", "SL.UEM.TOTL.ZS", 2019, 5.23, "A"),
            ("IDN", "SL.UEM.TOTL.ZS", 2020, 7.07, "A"),
            ("MYS", "SL_UEM_TOTL_ZS", 2020, 4.5, "P"),  # the SDMX id of the indicator is read too
        )
    )
    + f"{DF},IDN,BPS.GINI,2020,0.38,A,,_T,_T,_T,ID-AC\n{DF},IDN,WPP.POP.1524,2020,22000,A,,F,Y15T24,_T,_Z\n"
)
#: the dimensions of DSD_ASCC_IND, in their order
DIMENSIONS = ["REF_AREA", "SUBNATIONAL", "INDICATOR", "SEX", "AGE", "URBANISATION", "TIME_PERIOD"]
DRAFT = SDMX_HEADER + f"{DF},THA,SL.UEM.TOTL.ZS,2020,1.1,A,,_T,_T,_T,_Z\n"


@pytest.fixture(scope="module")
def base(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("structure")
    assert run_import(mon_url, write(tmp, "approved.csv", APPROVED), approval="approved").ok
    assert run_import(mon_url, write(tmp, "draft.csv", DRAFT), approval="draft").ok
    with serving(create_app(Settings(database_url=mon_url))) as url:
        yield url + "/sdmx"


@pytest.fixture(scope="module")
def client(base):
    sdmx.add_source({"id": "ASEAN", "url": base, "name": "ASEAN Socio-Cultural Community"}, override=True)
    return sdmx.Client("ASEAN")


def test_sdmx1_discovers_the_dataflow_and_downloads_data(client):
    msg = client.dataflow("DF_ASCC_IND", params={"references": "all"})
    flow = msg.dataflow["DF_ASCC_IND"]
    assert str(flow.name) == "ASCC indicators" and flow.name.localizations["id"] == "Indikator ASCC"
    dsd = flow.structure
    assert not dsd.is_external_reference and dsd.id == "DSD_ASCC_IND"
    assert [d.id for d in dsd.dimensions] == DIMENSIONS
    assert dsd.measures[0].id == "OBS_VALUE"
    assert {a.id for a in dsd.attributes} == {"OBS_STATUS", "UNIT_MEASURE", "DATA_SOURCE", "COMMENT_OBS"}
    codelist_of = {
        d.id: d.local_representation.enumerated.id for d in dsd.dimensions if d.id != "TIME_PERIOD"
    }
    assert codelist_of == {
        "REF_AREA": "CL_AREA",
        "SUBNATIONAL": "CL_AREA",
        "INDICATOR": "CL_INDICATOR",
        "SEX": "CL_SEX",
        "AGE": "CL_AGE",
        "URBANISATION": "CL_URBANISATION",
    }
    assert dsd.attributes.get("OBS_STATUS").local_representation.enumerated.id == "CL_OBS_STATUS"
    assert dsd.dimensions.get("SEX").concept_identity.name.localizations["id"] == "Jenis kelamin"

    indicators = msg.codelist["CL_INDICATOR"]
    unemployment = indicators["SL_UEM_TOTL_ZS"]
    assert str(unemployment.name).startswith("Unemployment, total")
    assert unemployment.name.localizations["id"].startswith("Tingkat pengangguran")
    assert "SL.UEM.TOTL.ZS" not in indicators  # dots are not allowed in SDMX ids
    areas = msg.codelist["CL_AREA"]
    assert areas["IDN"].name.localizations == {"en": "Indonesia", "id": "Indonesia"}
    assert areas["PHL"].name.localizations["id"] == "Filipina"
    assert areas["ID-AC"].parent is areas["IDN"] and areas["_Z"].name.localizations["en"].startswith(
        "Not applicable"
    )
    assert {c.id: c.name.localizations["id"] for c in msg.codelist["CL_SEX"]} == {
        "_T": "Total",
        "F": "Perempuan",
        "M": "Laki-laki",
    }
    assert [c.id for c in msg.codelist["CL_AGE"]] == ["_T", "Y15T24"]
    assert msg.codelist["CL_AGE"]["Y15T24"].name.localizations == {
        "en": "15 to 24 years",
        "id": "15 sampai 24 tahun",
    }
    # the whole SDMX CL_OBS_STATUS: an import keeps E, B, F … as given
    assert set(msg.codelist["CL_OBS_STATUS"].items) == set(rules.OBS_STATUS_CODES)
    assert msg.codelist["CL_OBS_STATUS"]["E"].name.localizations == {
        "en": "Estimated value",
        "id": "Nilai estimasi",
    }
    # units coded: each indicator's unit under its unit code, named in both languages, and the
    # data's UNIT_MEASURE is one of those codes
    assert dsd.attributes.get("UNIT_MEASURE").local_representation.enumerated.id == "CL_UNIT_MEASURE"
    unit_cl = msg.codelist["CL_UNIT_MEASURE"]
    unit_of = {c.id: c for c in unit_cl}
    assert unit_of and all(set(c.name.localizations) == {"en", "id"} for c in unit_cl)

    # the constraint: which codes have published data (THA's value is a draft)
    (constraint,) = msg.constraint.values()
    assert constraint.role.role.name == "actual"
    (region,) = constraint.data_content_region
    published = {d.id: sorted(v.value for v in sel.values) for d, sel in region.member.items()}
    assert published["REF_AREA"] == ["IDN", "MYS"]
    assert published["INDICATOR"] == ["BPS_GINI", "SL_UEM_TOTL_ZS", "WPP_POP_1524"]
    assert published["SUBNATIONAL"] == ["ID-AC", "_Z"]

    # a key built from those codes, as the README's session does: sdmx1 checks it against the
    # structure it fetches itself (the dataflow with references=all) and asks for the data
    data = client.data(
        "DF_ASCC_IND", key={"REF_AREA": ["IDN", "MYS"], "INDICATOR": "SL_UEM_TOTL_ZS", "SUBNATIONAL": "_Z"}
    )
    frame = sdmx.to_pandas(data, attributes="o").reset_index()
    got = sorted(
        zip(
            frame["REF_AREA"],
            frame["INDICATOR"],
            frame["TIME_PERIOD"],
            frame["value"],
            frame["OBS_STATUS"],
            strict=True,
        )
    )
    # the unit as a code of CL_UNIT_MEASURE, the one of the indicator's unit
    assert set(frame["UNIT_MEASURE"]) == {"PT_OF_TOTAL_LABOR_FORCE"} and "PT_OF_TOTAL_LABOR_FORCE" in unit_of
    assert got == [
        ("IDN", "SL_UEM_TOTL_ZS", "2019", 5.23, "A"),
        ("IDN", "SL_UEM_TOTL_ZS", "2020", 7.07, "A"),
        ("MYS", "SL_UEM_TOTL_ZS", "2020", 4.5, "P"),
    ]
    # every series key of the data is in the actual constraint and its codes in the codelists
    for series_key in data.data[0].series:
        # (per member selection: sdmx1 2.28 reads CubeRegion's include="true" as the text 'true')
        assert all(series_key[sel.values_for.id] in sel for sel in region.member.values())
        for kv in series_key.values.values():
            assert kv.value in msg.codelist[codelist_of[kv.id]]


def test_structure_resources_and_references(base, client):
    # a codelist alone, and with its parents (the structure) and siblings
    msg = client.codelist("CL_SEX")
    assert set(msg.codelist) == {"CL_SEX"} and not msg.structure
    msg = client.codelist("CL_SEX", params={"references": "parentsandsiblings"})
    assert set(msg.structure) == {"DSD_ASCC_IND"} and "CL_INDICATOR" in msg.codelist
    assert set(msg.concept_scheme) == {"CS_ASCC_IND"}
    msg = client.datastructure("DSD_ASCC_IND", params={"references": "none"})
    assert set(msg.structure) == {"DSD_ASCC_IND"}
    assert all(cl.is_external_reference for cl in msg.codelist.values())  # only referenced, not sent
    msg = client.datastructure("DSD_ASCC_IND", params={"references": "codelist"})
    assert sum(not cl.is_external_reference for cl in msg.codelist.values()) == 7 and not msg.dataflow
    msg = client.conceptscheme("CS_ASCC_IND")
    assert msg.concept_scheme["CS_ASCC_IND"]["URBANISATION"].name.localizations["id"] == "Tingkat urbanisasi"
    msg = client.contentconstraint("all", params={"references": "children"})
    assert set(msg.constraint) == {"CC_DF_ASCC_IND"} and set(msg.dataflow) == {"DF_ASCC_IND"}
    msg = client.agencyscheme("AGENCIES", agency_id="SDMX")
    assert msg.organisation_scheme["AGENCIES"]["ASEAN"].name.localizations["id"].startswith("Perhimpunan")
    # every codelist, as stubs: names without their codes
    msg = client.codelist("all", params={"detail": "allstubs"})
    assert len(msg.codelist) == 7 and all(len(cl) == 0 for cl in msg.codelist.values())
    assert msg.codelist["CL_AREA"].name.localizations["id"].startswith("Wilayah")
    msg = client.dataflow("DF_ASCC_IND", params={"references": "all", "detail": "referencestubs"})
    assert len(msg.structure["DSD_ASCC_IND"].dimensions) == 7 and len(msg.codelist["CL_SEX"]) == 0
    assert not msg.constraint["CC_DF_ASCC_IND"].data_content_region
    # explicit agency, id and version paths
    for path in (
        "/dataflow/ASEAN/DF_ASCC_IND/1.0",
        "/dataflow/all/all/all",
        "/dataflow",
        "/dataflow/ASEAN",
        "/codelist/ASEAN/CL_SEX+CL_AGE/latest",
    ):
        r = httpx.get(base + path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    assert set(
        sdmx.read_sdmx(io.BytesIO(httpx.get(base + "/codelist/ASEAN/CL_SEX+CL_AGE/latest").content)).codelist
    ) == {"CL_SEX", "CL_AGE"}


def test_indicator_annotation_keeps_the_platform_code(base):
    r = httpx.get(base + "/codelist/ASEAN/CL_INDICATOR/latest")
    msg = sdmx.read_sdmx(io.BytesIO(r.content))
    indicators = msg.codelist["CL_INDICATOR"]
    code = indicators["SL_UEM_TOTL_ZS"]
    assert str(code.get_annotation(type=sdmx_structure.CODE_ANNOTATION).title) == "SL.UEM.TOTL.ZS"
    assert str(indicators["VC_DSR_MORT"].get_annotation(type="ASCC_CODE").title) == "VC_DSR_MORT"
    assert len(indicators) == 7  # the whole catalogue, published or not


def test_data_messages_use_the_codelist_ids(base):
    """SDMX-CSV and SDMX-ML data name indicators by their SDMX ids; both forms select them."""
    for key in ("IDN._Z.SL.UEM.TOTL.ZS...", "IDN._Z.SL_UEM_TOTL_ZS..."):
        r = httpx.get(f"{base}/data/DF_ASCC_IND/{key}", params={"format": "csv"})
        assert r.status_code == 200, r.text
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [(x["INDICATOR"], x["TIME_PERIOD"], x["OBS_VALUE"]) for x in rows] == [
            ("SL_UEM_TOTL_ZS", "2019", "5.23"),
            ("SL_UEM_TOTL_ZS", "2020", "7.07"),
        ]
    r = httpx.get(f"{base}/data/DF_ASCC_IND/IDN.ID-AC.BPS_GINI...")
    values = {e.get("id"): e.get("value") for e in etree.fromstring(r.content).iter("{*}Value")}
    assert values["INDICATOR"] == "BPS_GINI" and values["SUBNATIONAL"] == "ID-AC"


def test_errors_are_sdmx_error_messages(base):
    """SDMX-ML error messages for a client that accepts XML, problem+json for the others."""
    cases = [
        ("/dataflow/ASEAN/DF_OTHER/latest", {}, 404, "100"),
        ("/dataflow/ESTAT/DF_ASCC_IND/latest", {}, 404, "100"),
        ("/dataflow/ASEAN/DF_ASCC_IND/2.0", {}, 404, "100"),
        ("/categoryscheme/ASEAN/all/latest", {}, 404, "100"),
        ("/dataflow/ASEAN/DF_ASCC_IND/latest", {"references": "cousins"}, 400, "140"),
        ("/dataflow/ASEAN/DF_ASCC_IND/latest", {"detail": "referencepartial"}, 501, "501"),
        ("/dataflow/ASEAN/DF_ASCC_IND/latest", {"detail": "everything"}, 400, "140"),
    ]
    for path, params, status, code in cases:
        r = httpx.get(base + path, params=params, headers={"Accept": "application/vnd.sdmx.structure+xml"})
        assert r.status_code == status, (path, params, r.text)
        root = etree.fromstring(r.content)
        assert etree.QName(root).localname == "Error", r.text
        (message,) = root
        assert message.get("code") == code and message[0].text, r.text
        r = httpx.get(base + path, params=params, headers={"Accept": "application/problem+json, */*"})
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
        if "references" in params or "detail" in params:
            assert r.json()["parameter"] in params
    r = httpx.get(base + "/codelist/ASEAN/CL_SEX/latest", headers={"Accept": "application/json"})
    assert r.status_code == 406 and r.headers["content-type"] == "application/problem+json"


# --- every message against the official SDMX-ML 2.1 schemas (vendored: tests/data/sdmx-2.1-xsd) -----

#: data queries a statistician makes: everything, a key filter, a subnational series, a period,
#: observations with every dimension, data without attributes, series keys only
DATA_QUERIES = [
    ("all", {}),
    ("IDN+MYS._Z.SL_UEM_TOTL_ZS...", {"startPeriod": "2020"}),
    ("IDN.ID-AC.BPS_GINI...", {}),
    ("IDN._Z.WPP.POP.1524.F.Y15T24.", {}),
    ("all", {"dimensionAtObservation": "AllDimensions"}),
    ("IDN....._T", {"dimensionAtObservation": "AllDimensions", "detail": "dataonly"}),
    ("all", {"detail": "dataonly"}),
    ("all", {"detail": "serieskeysonly"}),
    ("all", {"detail": "nodata", "lastNObservations": "1"}),
]
STRUCTURE_QUERIES = [
    (f"/{resource}/all/all/latest", {"references": references, "detail": detail})
    for resource in sdmx_structure.RESOURCES
    for references, detail in (("all", "full"), ("none", "allstubs"), ("all", "referencestubs"))
] + [
    ("/dataflow/ASEAN/DF_ASCC_IND/1.0", {}),
    ("/codelist/ASEAN/CL_AREA/latest", {"references": "parentsandsiblings"}),
    ("/agencyscheme/SDMX/AGENCIES/1.0", {}),
]


def _valid(schema, content: bytes, what) -> None:
    problems = sdmx_xsd.errors(schema, content)
    assert not problems, (what, problems[:5])


def test_every_sdmx_ml_message_validates_against_the_official_schemas(base):
    """Structure messages, generic data, structure-specific data (with the schema the service derives
    from its data structure, fetched by the SDMX-REST schema query) and error messages."""
    schema = sdmx_xsd.message_schema()
    for path, params in STRUCTURE_QUERIES:
        r = httpx.get(base + path, params=params)
        assert r.status_code == 200, (path, params, r.text)
        _valid(schema, r.content, (path, params))
    derived = {}
    for at in ("TIME_PERIOD", "AllDimensions"):
        r = httpx.get(f"{base}/schema/dataflow/ASEAN/DF_ASCC_IND/1.0", params={"dimensionAtObservation": at})
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/vnd.sdmx.schema+xml"
        )
        derived[at] = sdmx_xsd.with_data_schema(r.content)
    seen = set()
    for key, params in DATA_QUERIES:
        for fmt in ("genericdata", "structurespecificdata"):
            r = httpx.get(f"{base}/data/DF_ASCC_IND/{key}", params={**params, "format": fmt})
            assert r.status_code == 200, (key, params, r.text)
            root = etree.fromstring(r.content)
            seen.add((etree.QName(root).localname, params.get("dimensionAtObservation", "TIME_PERIOD")))
            if fmt == "genericdata":
                _valid(schema, r.content, (key, params, fmt))
            else:
                _valid(
                    derived[params.get("dimensionAtObservation", "TIME_PERIOD")],
                    r.content,
                    (key, params, fmt),
                )
    assert len(seen) == 4
    # the derived schema checks the codes: a member state outside CL_AREA is refused
    r = httpx.get(
        f"{base}/data/DF_ASCC_IND/IDN._Z.SL_UEM_TOTL_ZS...", params={"format": "structurespecificdata"}
    )
    assert b'REF_AREA="IDN"' in r.content
    assert sdmx_xsd.errors(derived["TIME_PERIOD"], r.content.replace(b'REF_AREA="IDN"', b'REF_AREA="XXX"'))
    # error messages (no such artefact, a bad and an unimplemented parameter, an unknown format)
    for path, params, accept, status in (
        ("/dataflow/ASEAN/DF_OTHER/latest", {}, "application/xml", 404),
        ("/codelist/all/all/latest", {"detail": "referencepartial"}, "application/xml", 501),
        (
            "/data/DF_ASCC_IND/all",
            {"includeHistory": "true", "format": "sdmx-csv-1.0.0"},
            "application/xml",
            501,
        ),
        ("/data/DF_ASCC_IND/all", {"updatedSince": "2020"}, "application/vnd.sdmx.genericdata+xml", 400),
        ("/data/DF_ASCC_IND/all", {}, "application/vnd.sdmx.structurespecificdata+xml;version=3.0.0", 406),
    ):
        r = httpx.get(base + path, params=params, headers={"Accept": accept})
        assert r.status_code == status, (path, params, r.text)
        assert etree.QName(etree.fromstring(r.content)).localname == "Error"
        _valid(schema, r.content, (path, params))


def test_sdmx_csv_1_by_accept_version_holds_the_rows_of_sdmx_csv_2(base):
    """SDMX-CSV 1.0 (``Accept: application/vnd.sdmx.data+csv;version=1.0.0``): the dataflow in a
    ``DATAFLOW`` column first, no ``ACTION``; the same observations as SDMX-CSV 2.0."""
    url = f"{base}/data/DF_ASCC_IND/all"
    one = httpx.get(url, headers={"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"})
    two = httpx.get(url, headers={"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"})
    assert one.status_code == two.status_code == 200
    assert "version=1.0.0" in one.headers["content-type"] and "version=2.0.0" in two.headers["content-type"]
    rows_1 = list(csv.DictReader(io.StringIO(one.text)))
    rows_2 = list(csv.DictReader(io.StringIO(two.text)))
    assert next(iter(csv.reader(io.StringIO(one.text))))[0] == "DATAFLOW" and "ACTION" not in rows_1[0]
    assert {r["DATAFLOW"] for r in rows_1} == {"ASEAN:DF_ASCC_IND(1.0)"}
    strip = lambda rows, lead: [{k: v for k, v in r.items() if k not in lead} for r in rows]  # noqa: E731
    assert strip(rows_1, {"DATAFLOW"}) == strip(rows_2, {"STRUCTURE", "STRUCTURE_ID", "ACTION"}) and rows_1
    keys = httpx.get(
        url,
        params={"detail": "serieskeysonly"},
        headers={"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"},
    ).text
    assert keys.splitlines()[0].split(",")[-1] == "URBANISATION"


def test_data_query_parameters_are_honoured_or_refused(base):
    """detail, dimensionAtObservation, updatedAfter and includeHistory do what SDMX-REST says or
    answer 400/501 with the parameter named; an unknown parameter is never ignored."""
    url = f"{base}/data/DF_ASCC_IND"

    def rows(key="all", **params):
        r = httpx.get(f"{url}/{key}", params={**params, "format": "csv"})
        assert r.status_code == 200, (params, r.text)
        return list(csv.DictReader(io.StringIO(r.text)))

    full = rows()
    assert len(full) == 5 and all(x["OBS_STATUS"] for x in full)
    only_data = rows(detail="dataonly")
    assert "OBS_STATUS" not in only_data[0] and [x["OBS_VALUE"] for x in only_data] == [
        x["OBS_VALUE"] for x in full
    ]
    keys = rows(detail="serieskeysonly")
    assert "OBS_VALUE" not in keys[0] and len(keys) == 4  # IDN's unemployment is one series of two years
    # updatedAfter: everything was published after 2000, nothing after now
    assert len(rows(updatedAfter="2000-01-01T00:00:00Z")) == 5
    r = httpx.get(f"{url}/all", params={"updatedAfter": "2999-01-01T00:00:00+07:00", "format": "csv"})
    assert r.status_code == 404
    for params, status, parameter in (
        (
            {"includeHistory": "true", "format": "draft-sdmx-json"},
            501,
            "includeHistory",
        ),  # carries no history
        ({"includeHistory": "maybe"}, 400, "includeHistory"),
        ({"dimensionAtObservation": "REF_AREA"}, 501, "dimensionAtObservation"),
        ({"dimensionAtObservation": "NOPE"}, 400, "dimensionAtObservation"),
        ({"detail": "everything"}, 400, "detail"),
        ({"dimensionAtObservation": "AllDimensions", "detail": "serieskeysonly"}, 400, "detail"),
        ({"updatedAfter": "yesterday"}, 422, "updatedAfter"),
        ({"startperiod": "2020"}, 400, "startperiod"),  # parameter names are case-sensitive
    ):
        r = httpx.get(f"{url}/all", params=params)
        assert r.status_code == status and r.json()["parameter"] == parameter, (params, r.text)
    r = httpx.get(f"{base}/codelist/all/all/latest", params={"details": "allstubs"})
    assert r.status_code == 400 and r.json()["parameter"] == "details"


def test_sdmx_json_data_validate_and_read_by_sdmx1(base):
    """SDMX-JSON 1.0 and 2.0 data validate against the official SDMX-JSON schemas (vendored:
    tests/data/sdmx-json) for every data query; the draft layout that sdmx1 reads carries the same
    structure and data sets, and sdmx1 reads it back to the observations and attributes of the
    SDMX-CSV download, in series or with every dimension."""
    url = f"{base}/data/DF_ASCC_IND"
    for key, params in DATA_QUERIES:
        by_version = {}
        for version, schema in (("1.0.0", "1.0"), ("2.0.0", "2.0.0"), ("draft", None)):
            media = (
                "application/vnd.sdmx.draft-sdmx-json+json"
                if version == "draft"
                else f"application/vnd.sdmx.data+json;version={version}"
            )
            r = httpx.get(f"{url}/{key}", params=params, headers={"Accept": media})
            assert r.status_code == 200, (key, params, version, r.text)
            assert r.headers["content-type"].startswith(media.split(";")[0]), r.headers["content-type"]
            by_version[version] = document = r.json()
            if schema:
                assert sdmx_xsd.json_errors(schema, document) == [], (key, params, version)
        one, two, draft = by_version["1.0.0"], by_version["2.0.0"], by_version["draft"]
        assert one["data"]["dataSets"] == draft["dataSets"]
        assert [{k: v for k, v in ds.items() if k != "structure"} for ds in two["data"]["dataSets"]] == draft[
            "dataSets"
        ]
        for dim_level in ("series", "observation"):
            assert (
                one["data"]["structure"]["dimensions"][dim_level]
                == draft["structure"]["dimensions"][dim_level]
            )
            assert (
                two["data"]["structures"][0]["dimensions"][dim_level]
                == draft["structure"]["dimensions"][dim_level]
            )
    # the validator refuses what is not SDMX-JSON
    document = httpx.get(f"{url}/all", params={"format": "jsondata"}).json()
    document["data"]["dataSets"][0]["action"] = "Publish"
    assert sdmx_xsd.json_errors("1.0", document)

    r = httpx.get(f"{url}/all", params={"format": "csv"})
    expected = sorted(
        (
            x["REF_AREA"],
            x["SUBNATIONAL"],
            x["INDICATOR"],
            x["SEX"],
            x["AGE"],
            x["TIME_PERIOD"],
            float(x["OBS_VALUE"]),
            x["OBS_STATUS"],
            x["UNIT_MEASURE"],
        )
        for x in csv.DictReader(io.StringIO(r.text))
    )
    for params in (
        {"format": "draft-sdmx-json"},
        {"format": "draft-sdmx-json", "dimensionAtObservation": "AllDimensions"},
    ):
        r = httpx.get(f"{url}/all", params=params)
        msg = sdmx.read_sdmx(io.BytesIO(r.content), format="JSON")
        frame = sdmx.to_pandas(msg.data[0], attributes="o").reset_index()
        got = sorted(
            zip(
                frame["REF_AREA"],
                frame["SUBNATIONAL"],
                frame["INDICATOR"],
                frame["SEX"],
                frame["AGE"],
                frame["TIME_PERIOD"],
                frame["value"],
                frame["OBS_STATUS"],
                frame["UNIT_MEASURE"],
                strict=True,
            )
        )
        assert got == expected, params
    # another version is a 406 (an SDMX error message for an SDMX client); so is an SDMX-JSON
    # structure message of another version than 2.0.0
    r = httpx.get(f"{url}/all", headers={"Accept": "application/vnd.sdmx.data+json;version=3.0.0"})
    assert r.status_code == 406 and etree.QName(etree.fromstring(r.content)).localname == "Error"
    r = httpx.get(
        f"{base}/dataflow/ASEAN/DF_ASCC_IND/latest",
        headers={"Accept": "application/vnd.sdmx.structure+json;version=1.0.0"},
    )
    assert r.status_code == 406


def test_pysdmx_reads_the_data_and_structure_messages(base):
    """pysdmx, which validates SDMX-ML against the SDMX schemas it ships, reads the structure
    message and both kinds of data message."""
    from pysdmx.io import read_sdmx

    r = httpx.get(f"{base}/dataflow/ASEAN/DF_ASCC_IND/latest", params={"references": "all"})
    message = read_sdmx(r.text, validate=True)
    ids = {getattr(s, "id", None) for s in message.structures}
    assert {"DF_ASCC_IND", "DSD_ASCC_IND", "CL_AREA", "CL_INDICATOR", "CS_ASCC_IND"} <= ids
    for fmt in ("structurespecificdata", "genericdata"):
        r = httpx.get(f"{base}/data/DF_ASCC_IND/IDN+MYS._Z.SL_UEM_TOTL_ZS...", params={"format": fmt})
        (dataset,) = read_sdmx(r.text, validate=True).data
        frame = dataset.data
        got = sorted(
            zip(frame["REF_AREA"], frame["TIME_PERIOD"], frame["OBS_VALUE"].astype(float), strict=True)
        )
        assert got == [("IDN", "2019", 5.23), ("IDN", "2020", 7.07), ("MYS", "2020", 4.5)], fmt


STRUCTURE_JSON = "application/vnd.sdmx.structure+json;version=2.0.0"
STRUCTURE_QUERIES = [
    ("/dataflow/ASEAN/DF_ASCC_IND/latest", {"references": "all"}),
    ("/dataflow/ASEAN/DF_ASCC_IND/latest", {"references": "all", "detail": "referencestubs"}),
    ("/dataflow", {}),
    ("/datastructure/ASEAN/DSD_ASCC_IND/latest", {"references": "codelist"}),
    ("/codelist/ASEAN/CL_SEX+CL_AGE/latest", {}),
    ("/codelist", {"detail": "allstubs"}),
    ("/codelist/ASEAN/CL_SEX/latest", {"references": "parentsandsiblings"}),
    ("/conceptscheme/ASEAN/CS_ASCC_IND/1.0", {}),
    ("/contentconstraint", {"references": "children"}),
    ("/agencyscheme/SDMX/AGENCIES/latest", {}),
]


def _artefacts(document) -> set[tuple[str, str]]:
    return {(kind, a["id"]) for kind, items in document["data"].items() for a in items}


def test_sdmx_json_structure_messages_validate_and_hold_what_sdmx_ml_holds(base):
    """Every structure query of the list, asked as SDMX-JSON 2.0.0, validates against the official
    schema (tests/data/sdmx-json) and names the same artefacts, codes and names as its SDMX-ML 2.1
    answer."""
    kinds = {  # SDMX-ML 2.1 collection: SDMX-JSON 2.0 collection
        "Dataflows": "dataflows",
        "DataStructures": "dataStructures",
        "Codelists": "codelists",
        "Concepts": "conceptSchemes",
        "Constraints": "dataConstraints",
        "OrganisationSchemes": "agencySchemes",
    }
    for path, params in STRUCTURE_QUERIES:
        r = httpx.get(base + path, params=params, headers={"Accept": STRUCTURE_JSON})
        assert r.status_code == 200, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/vnd.sdmx.structure+json; version=2.0.0")
        document = r.json()
        assert sdmx_xsd.structure_json_errors(document) == [], (path, params)
        body = httpx.get(base + path, params=params).content
        xml = sdmx.read_sdmx(io.BytesIO(body))
        # the artefacts the SDMX-ML message holds (not those it only refers to)
        collections = etree.fromstring(body).find(f"{{{sdmx_structure.MES}}}Structures")
        sent = {(kinds[etree.QName(c).localname], a.get("id")) for c in collections for a in c}
        assert _artefacts(document) == sent, (path, params)
        for cl in document["data"].get("codelists", []):
            xml_cl = xml.codelist[cl["id"]]
            assert {c["id"]: (c["names"], c.get("parent")) for c in cl.get("codes", [])} == {
                c.id: (dict(c.name.localizations), c.parent.id if isinstance(c.parent, Code) else None)
                for c in xml_cl
            }, cl["id"]
    # the dataflow with everything: structure by URN, dimensions in order, the constraint's codes
    r = httpx.get(
        base + "/dataflow/ASEAN/DF_ASCC_IND/latest",
        params={"references": "all"},
        headers={"Accept": STRUCTURE_JSON},
    )
    data = r.json()["data"]
    (flow,) = data["dataflows"]
    assert (
        flow["structure"] == "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ASEAN:DSD_ASCC_IND(1.0)"
    )
    (dsd,) = data["dataStructures"]
    dims = dsd["dataStructureComponents"]["dimensionList"]
    assert [d["id"] for d in dims["dimensions"]] == DIMENSIONS[:-1]
    assert dims["timeDimension"]["localRepresentation"]["format"]["dataType"] == "ObservationalTimePeriod"
    (constraint,) = data["dataConstraints"]
    values = {k["id"]: {v["value"] for v in k["values"]} for k in constraint["cubeRegions"][0]["keyValues"]}
    assert values["REF_AREA"] == {"IDN", "MYS"} and "SL_UEM_TOTL_ZS" in values["INDICATOR"]
    indicators = next(c for c in data["codelists"] if c["id"] == "CL_INDICATOR")
    code = next(c for c in indicators["codes"] if c["id"] == "SL_UEM_TOTL_ZS")
    assert {"id": "ASCC_CODE", "title": "SL.UEM.TOTL.ZS", "type": "ASCC_CODE"} in code["annotations"]
    # the check can fail: a maintainable artefact without its agency is refused by the schema
    broken = r.json()
    del broken["data"]["codelists"][0]["agencyID"]
    assert sdmx_xsd.structure_json_errors(broken)


def test_pysdmx_reads_the_sdmx_json_structure_message(base):
    """pysdmx's SDMX-JSON 2.0 structure reader, through its public ``read_sdmx`` with its own
    validation against the SDMX-JSON schema (pysdmx's ``json`` extra)."""
    from pysdmx.io import read_sdmx
    from pysdmx.model import AvailabilityConstraint

    r = httpx.get(
        base + "/dataflow/ASEAN/DF_ASCC_IND/latest",
        params={"references": "all"},
        headers={"Accept": STRUCTURE_JSON},
    )
    message = read_sdmx(r.text, validate=True)
    by_id = {getattr(s, "id", None): s for s in message.structures}
    assert {"DF_ASCC_IND", "DSD_ASCC_IND", "CL_AREA", "CL_INDICATOR", "CS_ASCC_IND"} <= set(by_id)
    dsd = by_id["DSD_ASCC_IND"]
    assert [c.id for c in dsd.components.dimensions] == DIMENSIONS
    ref_area = dsd.components["REF_AREA"]
    assert "IDN" in {c.id for c in ref_area.enumeration}
    assert {c.id for c in by_id["CL_SEX"]} == {"_T", "F", "M"}
    assert by_id["CS_ASCC_IND"]["URBANISATION"].name == "Degree of urbanisation"
    # the actual content constraint is pysdmx's availability constraint of the dataflow
    (available,) = [s for s in message.structures if isinstance(s, AvailabilityConstraint)]
    assert available.reference.endswith("Dataflow=ASEAN:DF_ASCC_IND(1.0)")
    by_dim = {k.id: {v.value for v in k.values} for k in available.cube_region.key_values}
    assert by_dim["REF_AREA"] == {"IDN", "MYS"}
