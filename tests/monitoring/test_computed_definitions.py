"""Defining computed indicators: a YAML or CSV file (or the CLI) is checked as a whole; any problem
is reported with file, line and field, and nothing is written."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import computed
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.monitoring.conftest import query, write

GOOD = """\
computed:
  - code: T.MORT.P100K
    name_en: Deaths due to disaster per 100,000 population
    name_id: Kematian akibat bencana per 100.000 penduduk
    unit: per 100,000 population
    direction: lower
    sector: disaster-management
    numerator: VC_DSR_MORT
    denominator: SP.POP.TOTL
    multiplier: 100000
    sources: [{quote: "SDG 1.5.1", url: "https://unstats.un.org/sdgs/metadata/"}]
  - code: T.YOUTH.ZS
    name_en: Youth share
    unit: "% of total population"
    numerator: WPP.POP.1524
    denominator: SP.POP.TOTL
    multiplier: 100
    sources: [{quote: "youth: ages 15 to 24"}]
"""

BAD = """\
- code: T.OK
  name_en: fine on its own
  unit: per 100,000 population
  numerator: VC_DSR_MORT
  denominator: SP.POP.TOTL
  multiplier: 100000
  sources: [{quote: q}]
- code: T.UNKNOWN
  name_en: unknown input
  unit: per 1,000
  numerator: NO.SUCH.CODE
  denominator: SP.POP.TOTL
  multiplier: 1000
  sources: [{quote: q}]
- code: T.SELF
  name_en: self
  unit: ratio
  numerator: T.SELF
  denominator: SP.POP.TOTL
  sources: [{quote: q}]
- code: T.RATE
  name_en: per unemployment rate
  unit: ratio
  numerator: VC_DSR_MORT
  denominator: SL.UEM.TOTL.ZS
  sources: [{quote: q}]
- code: T.MULT
  name_en: bad multiplier
  unit: ratio
  numerator: VC_DSR_MORT
  denominator: SP.POP.TOTL
  multiplier: lots
  sources: [{quote: q}]
- code: T.ZERO
  name_en: zero multiplier
  unit: ratio
  numerator: VC_DSR_MORT
  denominator: SP.POP.TOTL
  multiplier: 0
  sources: [{quote: q}]
- code: T.A
  name_en: a
  unit: ratio
  numerator: T.B
  denominator: SP.POP.TOTL
  sources: [{quote: q}]
- code: T.B
  name_en: b
  unit: ratio
  numerator: T.A
  denominator: SP.POP.TOTL
  sources: [{quote: q}]
- code: SP.POP.TOTL
  name_en: clobbers an ordinary indicator
  unit: ratio
  numerator: VC_DSR_MORT
  denominator: WPP.POP.1524
  sources: [{quote: q}]
- code: T.NOSRC
  name_en: no provenance
  unit: ratio
  numerator: VC_DSR_MORT
  denominator: SP.POP.TOTL
  colour: red
"""


def _codes(session):
    return set(session.scalars(sa.select(Indicator.code)))


def _define(url, path):
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return computed.define_file(session, path)
    finally:
        engine.dispose()


def test_a_bad_file_lists_every_problem_with_line_and_field_and_writes_nothing(mon_url, tmp_path):
    before = query(mon_url, _codes)
    path = write(tmp_path, "bad.yaml", BAD)
    with pytest.raises(computed.DefinitionError) as err:
        _define(mon_url, path)
    found = {(p.line, p.field) for p in err.value.problems}
    text = [str(p) for p in err.value.problems]
    assert (8, "numerator") in found and any("unknown indicator 'NO.SUCH.CODE'" in t for t in text)
    assert (15, "numerator") in found and any("T.SELF cannot be computed from itself" in t for t in text)
    assert (21, "denominator") in found and any("SL.UEM.TOTL.ZS is in '%" in t for t in text)
    assert (27, "multiplier") in found and (34, "multiplier") in found
    assert any(t == "bad.yaml:41 [numerator]: cycle: T.A → T.B → T.A" for t in text)
    assert (47, "numerator") in found  # the other half of the cycle
    assert (53, "code") in found and any("SP.POP.TOTL is an ordinary indicator" in t for t in text)
    assert (59, "sources") in found and (59, "colour") in found
    assert not any(p.line == 1 for p in err.value.problems)  # T.OK is fine, but not written either
    assert query(mon_url, _codes) == before


def test_csv_definitions_and_duplicate_codes(mon_url, tmp_path):
    header = ",".join(computed.CSV_FIELDS) + "\n"
    row = 'T.CSV,Deaths per 1000,,,,"per 1,000 population",lower,,VC_DSR_MORT,SP.POP.TOTL,{mult},SDG 1.5.1,\n'
    path = write(tmp_path, "defs.csv", header + row.format(mult="1000") + row.format(mult="-3"))
    with pytest.raises(computed.DefinitionError) as err:
        _define(mon_url, path)
    text = [str(p) for p in err.value.problems]
    assert "defs.csv:3 [code]: T.CSV is defined twice (also line 2)" in text
    assert any(t.startswith("defs.csv:3 [multiplier]: '-3'") for t in text)
    extra = write(tmp_path, "extra.csv", header.strip() + ",colour\n" + row.format(mult="1000"))
    with pytest.raises(
        computed.DefinitionError, match=re.escape("extra.csv:1 [colour]: column 'colour' is not one of")
    ):
        _define(mon_url, extra)
    assert "T.CSV" not in query(mon_url, _codes)


def test_a_good_file_defines_and_redefining_changes_nothing(mon_url, tmp_path):
    path = write(tmp_path, "good.yaml", GOOD)
    assert _define(mon_url, path) == (2, 0)
    assert _define(mon_url, path) == (0, 0)
    row = query(mon_url, lambda s: s.get(Indicator, "T.MORT.P100K"))
    f = computed.formula(row)
    assert f == {
        "numerator": "VC_DSR_MORT",
        "denominator": "SP.POP.TOTL",
        "multiplier": 100000.0,
        "text": "VC_DSR_MORT / SP.POP.TOTL × 100 000",
    }
    assert (row.level, row.direction, row.sector, row.name_id) == (
        "national",
        "lower",
        "disaster-management",
        "Kematian akibat bencana per 100.000 penduduk",
    )
    assert {"quote": "SDG 1.5.1", "url": "https://unstats.un.org/sdgs/metadata/"} in row.sources
    # redefining with a self-reference is refused like a new definition
    loop = write(tmp_path, "loop.yaml", GOOD.replace("numerator: WPP.POP.1524", "numerator: T.YOUTH.ZS"))
    with pytest.raises(
        computed.DefinitionError, match=re.escape(":12 [numerator]: T.YOUTH.ZS cannot be computed")
    ):
        _define(mon_url, loop)


def test_cli_define_computed(mon_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", mon_url)
    runner = CliRunner()
    args = [
        "indicators",
        "define-computed",
        "T.CLI",
        "--name-en",
        "Affected per 100,000",
        "--unit",
        "per 100,000 population",
        "--numerator",
        "VC_DSR_MORT",
        "--denominator",
        "SP.POP.TOTL",
        "--source-quote",
        "SDG 1.5.1",
    ]
    bad = runner.invoke(app, [*args, "--multiplier", "1e12"])
    assert bad.exit_code == 1 and "command line [multiplier]: '1e12'" in bad.output
    assert "nothing was defined" in bad.output
    ok = runner.invoke(app, [*args, "--multiplier", "100000"])
    assert ok.exit_code == 0, ok.output
    assert "1 new" in ok.output
    assert "T.CLI" in query(mon_url, _codes)
    missing = runner.invoke(app, ["indicators", "define-computed", "--file", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "cannot read the file" in missing.output
