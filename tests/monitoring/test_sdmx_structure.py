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

from ascc.app import create_app
from ascc.config import Settings
from ascc.monitoring import sdmx_structure
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
    assert [d.id for d in dsd.dimensions] == ["REF_AREA", "SUBNATIONAL", "INDICATOR", "SEX", "AGE", "URBANISATION",
                                              "TIME_PERIOD"]  # fmt: skip
    assert dsd.measures[0].id == "OBS_VALUE"
    assert {a.id for a in dsd.attributes} == {"OBS_STATUS", "UNIT_MEASURE", "DATA_SOURCE", "COMMENT_OBS"}
    codelist_of = {
        d.id: d.local_representation.enumerated.id for d in dsd.dimensions if d.id != "TIME_PERIOD"
    }
    assert codelist_of == {"REF_AREA": "CL_AREA", "SUBNATIONAL": "CL_AREA", "INDICATOR": "CL_INDICATOR",
                           "SEX": "CL_SEX", "AGE": "CL_AGE", "URBANISATION": "CL_URBANISATION"}  # fmt: skip
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
        "_T": "Total", "F": "Perempuan", "M": "Laki-laki"}  # fmt: skip
    assert [c.id for c in msg.codelist["CL_AGE"]] == ["_T", "Y15T24"]
    assert msg.codelist["CL_AGE"]["Y15T24"].name.localizations == {
        "en": "15 to 24 years",
        "id": "15 sampai 24 tahun",
    }
    assert set(msg.codelist["CL_OBS_STATUS"].items) == {"A", "P"}
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
    data = client.data("DF_ASCC_IND", key={"REF_AREA": ["IDN", "MYS"], "INDICATOR": "SL_UEM_TOTL_ZS",
                                           "SUBNATIONAL": "_Z"})  # fmt: skip
    frame = sdmx.to_pandas(data, attributes="o").reset_index()
    got = sorted(zip(frame["REF_AREA"], frame["INDICATOR"], frame["TIME_PERIOD"], frame["value"],
                     frame["OBS_STATUS"], strict=True))  # fmt: skip
    # the unit as a code of CL_UNIT_MEASURE, the one of the indicator's unit
    assert set(frame["UNIT_MEASURE"]) == {"PT_OF_TOTAL_LABOR_FORCE"} and "PT_OF_TOTAL_LABOR_FORCE" in unit_of
    assert got == [("IDN", "SL_UEM_TOTL_ZS", "2019", 5.23, "A"), ("IDN", "SL_UEM_TOTL_ZS", "2020", 7.07, "A"),
                   ("MYS", "SL_UEM_TOTL_ZS", "2020", 4.5, "P")]  # fmt: skip
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
    for path in ("/dataflow/ASEAN/DF_ASCC_IND/1.0", "/dataflow/all/all/all", "/dataflow", "/dataflow/ASEAN",
                 "/codelist/ASEAN/CL_SEX+CL_AGE/latest"):  # fmt: skip
        r = httpx.get(base + path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    assert set(sdmx.read_sdmx(io.BytesIO(httpx.get(base + "/codelist/ASEAN/CL_SEX+CL_AGE/latest").content)).codelist) == {
        "CL_SEX", "CL_AGE"}  # fmt: skip


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
            ("SL_UEM_TOTL_ZS", "2019", "5.23"), ("SL_UEM_TOTL_ZS", "2020", "7.07")]  # fmt: skip
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
