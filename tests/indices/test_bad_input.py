"""Bad input gives clear errors naming the file, the line and the entry; nothing is written."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from ascc.cli.index import app
from ascc.indices import service
from ascc.indices.definition import load_definition
from ascc.indices.errors import ComputeError, DataError, DefinitionError
from ascc.indices.imeta import apply_imeta, read_imeta
from ascc.indices.pipeline import build
from ascc.indices.specs import WeightsSpec
from tests.indices.conftest import ASEM, EXAMPLES, needs_asem

GOOD = """\
index: {code: T, version: "1"}
units: {denominators: [Pop]}
steps:
  denominate: {method: metadata}
  normalise: {f_n: n_minmax, l_u: [1, 100]}
indicators:
  - {code: a, parent: P1, weight: 1}
  - {code: b, parent: P1, weight: 1, denominator: Pop}
  - {code: c, parent: P2, weight: 2, direction: -1}
  - {code: d, parent: P2, weight: 1}
aggregates:
  - {code: P1, parent: Idx}
  - {code: P2, parent: Idx}
  - {code: Idx, parent: null}
"""

DATA = """\
uCode,Time,Pop,a,b,c,d
AAA,2020,10,1,20,3,4
BBB,2020,20,2,30,1,5
CCC,2020,30,3,10,2,6
DDD,2020,40,4,50,5,7
EEE,2020,50,5,40,4,9
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def said(p) -> str:
    """What a problem says: its field (if any) and its reason."""
    return (f"{p.field}: " if p.field else "") + p.reason


def test_the_good_definition_builds(tmp_path):
    result = service.compute(definition=write(tmp_path, "t.yaml", GOOD), data=write(tmp_path, "d.csv", DATA))
    assert result.aggregated.codes[-1] == "Idx" and not np.isnan(result.scores()).any()


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("parent: P2, weight: 2", "parent: P9, weight: 2"), 9, "indicator 'c': unknown parent code 'P9'"),
        (
            ("{code: P1, parent: Idx}", "{code: P1, parent: P2}"),
            13,
            "aggregate 'P2' mixes children of different levels",
        ),
        (("weight: 2, direction", "weight: -2, direction"), 9, "weight must not be negative (-2.0)"),
        (("direction: -1", "direction: 3"), 9, "direction must be 1 or -1, not 3"),
        (("denominator: Pop", "denominator: Area"), 8, "unknown denominator 'Area'"),
        (("{code: d, parent: P2", "{code: c, parent: P2"), 10, "duplicate code 'c' (first defined at"),
        (
            ("{code: Idx, parent: null}", "{code: Idx, parent: null}\n  - {code: Lone, parent: null}"),
            None,
            "exactly one root",
        ),
        (("{code: a, parent: P1, weight: 1}", "{code: a, parent: P1, wieght: 1}"), 7, "unknown key 'wieght'"),
        (("f_n: n_minmax", "f_n: n_minmix"), 5, "f_n 'n_minmix' is not one of"),
        (("index: {code: T", "index: {code: T, code: U"), 1, "duplicate key 'code'"),
        (('version: "1"', "name: x"), 1, "index.version is required"),
    ],
)
def test_definition_errors_name_file_and_line(tmp_path, change, line, message):
    path = write(tmp_path, "def.yaml", GOOD.replace(*change))
    with pytest.raises(DefinitionError) as exc:
        load_definition(path)
    found = [p for p in exc.value.problems if message in said(p)]
    assert found, problems(exc)
    assert found[0].file == str(path), found[0]
    if line is not None:
        assert found[0].line == line, found[0]


def test_cycle_is_reported_once_with_its_path(tmp_path):
    text = GOOD.replace("{code: P1, parent: Idx}", "{code: P1, parent: P2}").replace(
        "{code: P2, parent: Idx}", "{code: P2, parent: P1}"
    )
    with pytest.raises(DefinitionError) as exc:
        load_definition(write(tmp_path, "def.yaml", text))
    cycles = [p for p in problems(exc) if "cycle in the hierarchy" in p]
    assert len(cycles) == 1 and ("P1 -> P2 -> P1" in cycles[0] or "P2 -> P1 -> P2" in cycles[0])


def test_weights_must_sum_when_asked(tmp_path):
    path = write(tmp_path, "def.yaml", "weights_sum: 1\n" + GOOD)
    with pytest.raises(DefinitionError) as exc:
        load_definition(path)
    assert any(
        "children of 'P2' sum to 3, not 1 (c=2, d=1)" in p.reason and (p.file, p.line) == (str(path), 14)
        for p in exc.value.problems
    )
    zero = write(tmp_path, "zero.yaml", GOOD.replace("parent: P1, weight: 1", "parent: P1, weight: 0"))
    with pytest.raises(DefinitionError, match="children of 'P1' sum to 0"):
        load_definition(zero)


def test_several_problems_are_reported_together(tmp_path):
    text = GOOD.replace("direction: -1", "direction: 0").replace(
        "parent: P1, weight: 1}", "parent: P1, weight: -1}"
    )
    text = text.replace("{code: d, parent: P2, weight: 1}", "{code: d, parent: P2, wieght: 1}")
    with pytest.raises(DefinitionError) as exc:
        load_definition(write(tmp_path, "def.yaml", text))
    assert len(exc.value.problems) >= 3


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("uCode,Time,Pop,a,b,c,d", "uCode,Time,Pop,a,b,c,d,zz"), 1, "unknown code 'zz'"),
        (("uCode,Time,Pop,a,b,c,d", "uCode,Time,Pop,a,b,c,e"), 1, "indicator 'd' ("),
        (("CCC,2020,30,3,10,2,6", "CCC,2020,30,3,ten,2,6"), 4, "b: not a number: 'ten'"),
        (("DDD,2020", "BBB,2020"), 5, "duplicate unit 'BBB' and Time 2020 (first at line 3)"),
    ],
)
def test_data_errors_name_file_and_line(tmp_path, change, line, message):
    definition = write(tmp_path, "t.yaml", GOOD)
    data = write(tmp_path, "d.csv", DATA.replace(*change) if change[0] in DATA else DATA)
    with pytest.raises(DataError) as exc:
        service.load(definition=definition, data=data)
    found = [p for p in exc.value.problems if message in said(p)]
    assert found and (found[0].file, found[0].line) == (str(data), line), problems(exc)


def test_all_missing_indicator(tmp_path):
    data = write(tmp_path, "d.csv", "\n".join(line.rsplit(",", 1)[0] + "," for line in DATA.splitlines()))
    data.write_text(data.read_text().replace("uCode,Time,Pop,a,b,c,", "uCode,Time,Pop,a,b,c,d"))
    with pytest.raises(DataError, match=r"indicator 'd' \(.*t.yaml:10\) has no values at all"):
        service.load(definition=write(tmp_path, "t.yaml", GOOD), data=data)


def test_zero_denominator_and_geometric_mean_over_zero(tmp_path):
    definition = write(tmp_path, "t.yaml", GOOD)
    with pytest.raises(ComputeError, match="denominator 'Pop' is zero for unit 'CCC'"):
        service.compute(
            definition=definition, data=write(tmp_path, "d.csv", DATA.replace("CCC,2020,30", "CCC,2020,0"))
        )
    gmean = write(
        tmp_path, "g.yaml", GOOD.replace("l_u: [1, 100]}", "l_u: [0, 100]}\n  aggregate: {f_ag: a_gmean}")
    )
    with pytest.raises(
        ComputeError, match=r"a_gmean for 'P1': unit 'AAA' has zero or negative value\(s\) in a"
    ):
        service.compute(definition=gmean, data=write(tmp_path, "d.csv", DATA))


def test_cli_writes_nothing_on_error(tmp_path):
    out = tmp_path / "out"
    gmean = write(
        tmp_path, "g.yaml", GOOD.replace("l_u: [1, 100]}", "l_u: [0, 100]}\n  aggregate: {f_ag: a_gmean}")
    )
    result = CliRunner().invoke(
        app, ["compute", str(gmean), "--data", str(write(tmp_path, "d.csv", DATA)), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "a_gmean for 'P1'" in result.output and "nothing was written" in result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@needs_asem
def test_imeta_must_agree_with_the_definition(tmp_path):
    meta = (
        (ASEM / "asem_imeta.csv")
        .read_text()
        .replace(
            "1,Flights,International flights passenger capacity,1,1.0",
            "1,Flights,International flights passenger capacity,1,2.0",
        )
    )
    path = write(tmp_path, "imeta.csv", meta)
    with pytest.raises(DefinitionError) as exc:
        apply_imeta(load_definition(EXAMPLES / "asem.yaml"), read_imeta(path))
    (problem,) = exc.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert "iCode 'Flights': Weight 2.0 differs from the definition" in said(problem)


@needs_asem
def test_imeta_errors(tmp_path):
    meta = (ASEM / "asem_imeta.csv").read_text()
    bad = meta.replace(
        "2,Physical,Physical,1,1.0,Score,,,Conn,Aggregate", "2,Physical,Physical,1,1.0,Score,,,Conn,Aggregat"
    )
    with pytest.raises(
        DefinitionError, match=r"imeta.csv:51: iCode 'Physical': Type 'Aggregat' is not one of"
    ):
        read_imeta(write(tmp_path, "imeta.csv", bad))
    cycle = meta.replace(
        "3,Conn,Connectivity,1,1.0,Score,,,Index,Aggregate",
        "3,Conn,Connectivity,1,1.0,Score,,,Physical,Aggregate",
    )
    definition = load_definition(
        write(
            tmp_path,
            "h.yaml",
            'index: {code: A, version: "1"}\nunits: {denominators: [Area, Energy, GDP, Population]}\n',
        )
    )
    with pytest.raises(DefinitionError, match=r"cycle in the hierarchy: .*Conn"):
        apply_imeta(definition, read_imeta(write(tmp_path, "imeta.csv", cycle)))


def test_zero_sum_custom_weights_are_a_definition_error(tmp_path):
    text = GOOD.replace("  normalise:", "  weights: {custom: {a: 0, b: 0}}\n  normalise:")
    path = write(tmp_path, "z.yaml", text)
    with pytest.raises(DefinitionError) as exc:
        service.compute(definition=path, data=write(tmp_path, "d.csv", DATA))
    (problem,) = exc.value.problems
    assert (problem.file, problem.line) == (str(path), None)
    assert said(problem).startswith("steps.weights: the weights of the children of 'P1' (level 2)")
    assert "sum to 0 (a=0, b=0)" in problem.reason
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["compute", str(path), "--data", str(tmp_path / "d.csv"), "--out", str(out)]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "children of 'P1' (level 2) sum to 0" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output and not out.exists()
    # the same holds for weights replaced when building (e.g. by the uncertainty analysis)
    definition, dataset = service.load(definition=write(tmp_path, "t.yaml", GOOD), data=tmp_path / "d.csv")
    steps = replace(definition.steps, weights=WeightsSpec(method="equal", custom=(("P1", 0.0), ("P2", 0.0))))
    with pytest.raises(DefinitionError, match=r"children of 'Idx' \(level 3\) sum to 0 \(P1=0, P2=0\)"):
        build(definition, dataset, steps=steps)


@needs_asem
def test_a_unit_without_any_data_is_screened_out_with_a_warning(tmp_path, asem):
    text = (ASEM / "asem_idata.csv").read_text()
    n_indicators = len(asem.definition.indicators)
    data = write(
        tmp_path,
        "d.csv",
        text.rstrip("\n") + "\nNowhere,ZZZ,L,L,L,Asia,2018,100,1,1,1" + "," * n_indicators + "\n",
    )
    result = service.compute(definition=EXAMPLES / "asem.yaml", data=data, meta=ASEM / "asem_imeta.csv")
    assert result.warnings == [
        "unit 'ZZZ' has no value for any indicator: screened out before imputation (not imputed, not ranked)"
    ]
    assert "ZZZ" in result.stages["raw"].units and "ZZZ" not in result.stages["imputed"].units
    assert "ZZZ" not in result.aggregated.units and "ZZZ" not in result.ranks.units
    (row,) = [r for r in result.screen_summary if r["uCode"] == "ZZZ"]
    assert row["Dat_Avail"] == 0 and row["N_missing"] == n_indicators and row["Included"] is False
    # the other units are built exactly as without the empty one (it adds nothing to group means)
    assert list(result.aggregated.units) == list(asem.aggregated.units)
    assert np.array_equal(result.aggregated.values, asem.aggregated.values, equal_nan=True)
    out = tmp_path / "out"
    cli = CliRunner().invoke(
        app,
        [
            "compute",
            str(EXAMPLES / "asem.yaml"),
            "--data",
            str(data),
            "--meta",
            str(ASEM / "asem_imeta.csv"),
            "--out",
            str(out),
        ],
    )
    assert cli.exit_code == 0 and "unit 'ZZZ' has no value for any indicator" in cli.output
    assert "ZZZ" not in (out / "ranks.csv").read_text()
    assert "ZZZ,49,0,49,0.0,,True,False,True,False" in (out / "screening.csv").read_text()


PANEL = """\
uCode,Time,Pop,a,b,c,d
AAA,2020,10,1,20,3,4
BBB,2020,20,2,30,1,5
CCC,2020,30,3,10,2,6
DDD,2020,40,4,50,5,7
AAA,2021,10,2,21,3,4
BBB,2021,20,3,31,2,5
CCC,2021,30,,,,
DDD,2021,40,5,51,6,8
"""


@pytest.mark.parametrize(("f_i", "kept"), [("i_mean", False), ("i_panel", True)])
def test_an_empty_row_of_a_panel_is_kept_only_for_panel_imputation(tmp_path, f_i, kept):
    definition = write(
        tmp_path, "t.yaml", GOOD.replace("  normalise:", f"  impute: {{f_i: {f_i}}}\n  normalise:")
    )
    result = service.compute(definition=definition, data=write(tmp_path, "d.csv", PANEL))
    rows = set(zip(result.aggregated.units, result.aggregated.times, strict=True))
    assert (("CCC", 2021) in rows) is kept and ("CCC", 2020) in rows
    assert bool(result.warnings) is not kept
    if not kept:
        assert result.warnings == [
            "unit 'CCC' at Time 2021 has no value for any indicator: "
            "screened out before imputation (not imputed, not ranked)"
        ]
