"""SDMX round trips: what we export, imported again, changes nothing; SDMX-ML read and written with
sdmx1 (structure-specific and generic); SDMX-CSV 1.0 and 2.0 both read."""

from __future__ import annotations

import sdmx as sdmx1

from ascc.monitoring import stored as store
from ascc.monitoring.sdmx import structures as sdmx_structure
from ascc.monitoring.sdmx.messages import structure
from tests import sdmx_xsd
from tests.monitoring.conftest import DF, query, run_import, write

ROWS = [
    # REF_AREA, SUBNATIONAL, INDICATOR, SEX, TIME_PERIOD, OBS_VALUE, OBS_STATUS, COMMENT_OBS
    ("IDN", "", "SP.POP.TOTL", "_T", "2018", "267066843", "A", ""),
    ("IDN", "", "SP.POP.TOTL", "_T", "2019", "269582878", "P", "provisional, to be revised"),
    ("IDN", "ID-AC", "BPS.GINI", "_T", "2018", "0.318", "A", ""),
    ("IDN", "IDNr101", "GDL.SHDI", "_T", "2018", "0.6789012345678901", "E", "estimated"),
    ("PHL", "PHLr101", "GDL.SHDI", "_T", "2018", "0.7", "A", ""),
    ("PHL", "", "VC_DSR_MORT", "F", "2017", "", "A", "no deaths reported"),
]


def sdmx_csv_1():
    lines = ["DATAFLOW,REF_AREA,SUBNATIONAL,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT_OBS"]
    for r in ROWS:
        lines.append(",".join([DF, *r[:7], f'"{r[7]}"' if "," in r[7] else r[7]]))
    return "\n".join(lines) + "\n"


def _export(session, **kw):
    return store.export(session, **kw)


def _current(session):
    return [
        (
            o.indicator_code,
            o.member_state,
            o.area_code,
            o.period,
            o.sex,
            o.value,
            o.obs_status,
            o.note,
            o.revision,
        )
        for o in store.observations(session)
    ]


def test_sdmx_csv_round_trip(mon_url, tmp_path):
    first = run_import(mon_url, write(tmp_path, "v1.csv", sdmx_csv_1()))
    assert first.ok and first.inserted == len(ROWS), [str(p) for p in first.problems]
    stored = query(mon_url, _current)
    # an SDMX status other than A and P is kept as given (E: estimated)
    assert ("GDL.SHDI", "IDN", "IDNr101", "2018", "_T", 0.6789012345678901, "E", "estimated", 1) in stored
    assert ("VC_DSR_MORT", "PHL", "", "2017", "F", None, "final", "no deaths reported", 1) in stored

    out = query(mon_url, _export, fmt="sdmx-csv")
    text = out.decode()
    assert text.splitlines()[0].startswith("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,SUBNATIONAL,INDICATOR")
    # the indicator by its SDMX id (CL_INDICATOR: no dots in SDMX ids); the re-import reads it back
    # the unit by its code in CL_UNIT_MEASURE ("persons" → PERSONS); the import reads it back
    assert f"dataflow,{DF},I,IDN,_Z,SP_POP_TOTL,_T,_T,_T,2019,269582878,P,PERSONS,," in text
    again = run_import(mon_url, write(tmp_path, "out.csv", out))
    assert (again.inserted, again.revised, again.unchanged) == (0, 0, len(ROWS))
    assert query(mon_url, _current) == stored


def test_sdmx_ml_round_trips(mon_url, tmp_path):
    run_import(mon_url, write(tmp_path, "v1.csv", sdmx_csv_1()))
    stored = query(mon_url, _current)
    for generic in (False, True):
        xml = query(mon_url, _export, fmt="sdmx-ml", generic=generic)
        root = b"<mes:GenericData" if generic else b"<mes:StructureSpecificData"
        assert root in xml
        # the download validates against the official SDMX-ML 2.1 schemas (structure-specific data
        # with the schema derived from the data structure); a missing value is OBS_VALUE NaN
        schema = (
            sdmx_xsd.message_schema()
            if generic
            else sdmx_xsd.with_data_schema(query(mon_url, sdmx_structure.data_schema))
        )
        assert sdmx_xsd.errors(schema, xml) == []
        # an independent reading with sdmx1 finds every observation
        msg = sdmx1.read_sdmx(write(tmp_path, "m.xml", xml), structure=structure())
        assert sum(len(ds.obs) for ds in msg.data) == len(ROWS)
        report = run_import(mon_url, write(tmp_path, f"out-{generic}.xml", xml))
        assert report.format == "sdmx-ml" and report.ok, [str(p) for p in report.problems]
        assert (report.inserted, report.revised, report.unchanged) == (0, 0, len(ROWS))
    assert query(mon_url, _current) == stored


def test_sdmx_ml_changed_value_and_bad_codes(mon_url, tmp_path):
    run_import(mon_url, write(tmp_path, "v1.csv", sdmx_csv_1()))
    xml = query(mon_url, _export, fmt="sdmx-ml", indicator="BPS.GINI").decode()
    assert 'OBS_VALUE="0.318"' in xml
    changed = run_import(
        mon_url, write(tmp_path, "c.xml", xml.replace('OBS_VALUE="0.318"', 'OBS_VALUE="0.32"'))
    )
    assert (changed.inserted, changed.revised) == (0, 1)
    bad = xml.replace('OBS_VALUE="0.318"', 'OBS_VALUE="7"').replace('REF_AREA="IDN"', 'REF_AREA="XYZ"')
    report = run_import(mon_url, write(tmp_path, "bad.xml", bad))
    assert [str(p) for p in report.problems] == [
        "bad.xml:observation 1 [REF_AREA]: unknown member state 'XYZ' (ISO 3166-1 alpha-3 or UN M49)",
        "bad.xml:observation 1 [OBS_VALUE]: 7 is outside 0–1 for BPS.GINI (ratio (0-1))",
    ]
    assert (
        query(
            mon_url,
            store.history,
            indicator="BPS.GINI",
            member_state="IDN",
            period="2018",
            area="ID-AC",
        )[-1].value
        == 0.32
    )
