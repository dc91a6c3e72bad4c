"""One way to report bad input (``kit.problems``) and the one line-keeping YAML reader
(``kit.yaml_lines``): the shape problem+json carries, the line the CLI prints, and lines that point
at the right place."""

from __future__ import annotations

import datetime as dt

import pytest

from ascc.kit import isolate, yaml_lines
from ascc.kit.errors import Invalid
from ascc.kit.problems import KEYS, Problem, ProblemsError


def test_every_key_is_present_and_null_when_unknown():
    assert Problem(reason="file is missing", file="bodies.yaml").read() == {
        "file": "bodies.yaml",
        "line": None,
        "unit": None,
        "column": None,
        "field": None,
        "reason": "file is missing",
    }
    sheet = Problem(file="t.xlsx", line=4, unit="row", column="value", reason="not a number: 'n/a'")
    assert list(sheet.read()) == list(KEYS)
    assert sheet.read()["unit"] == "row" and sheet.read()["column"] == "value"


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem(file="t.csv", line=3, column="target_value", reason="required"),
            "t.csv:3 [target_value]: required",
        ),
        (
            Problem(file="b.yaml", line=12, field="reporting_to", reason="no body"),
            "b.yaml:12 [reporting_to]: no body",
        ),
        (Problem(file="t.xlsx", line=5, unit="row", reason="cells beyond"), "t.xlsx:row 5: cells beyond"),
        (Problem(file="d.yaml", reason="file is missing"), "d.yaml: file is missing"),
        (Problem(line=2, reason="no file"), "line 2: no file"),
        (
            Problem(field="definitions[1].multiplier", reason="too big"),
            "[definitions[1].multiplier]: too big",
        ),
        (Problem(reason="just this"), "just this"),
    ],
)
def test_one_line_per_problem(problem, text):
    assert str(problem) == text


def test_problems_error_is_a_422_listing_every_problem():
    problems = [Problem(file="a.csv", line=n, reason=f"bad {n}") for n in range(1, 26)]
    exc = ProblemsError(problems, parameter="file")
    assert isinstance(exc, Invalid) and exc.status == 422
    assert exc.problems == problems
    assert exc.extra["parameter"] == "file"
    assert [p["line"] for p in exc.extra["problems"]] == list(range(1, 26))
    # the detail lists the first twenty and says how many more there are
    assert exc.detail.splitlines()[0] == "a.csv:1: bad 1" and exc.detail.endswith("… and 5 more")
    assert ProblemsError(problems[0]).problems == [problems[0]]


def test_yaml_lines_point_at_mappings_keys_and_items():
    doc = yaml_lines.load("- code: a\n  name: A\n\n- code: b\n  when: 2024-01-02\n", file="x.yaml")
    assert doc.item_lines == [1, 4]
    assert (doc[1].line, yaml_lines.line_of(doc[1], "when"), yaml_lines.line_of(doc[0], "name")) == (4, 5, 2)
    assert doc[1]["when"] == dt.date(2024, 1, 2)
    assert yaml_lines.load("when: 2024-01-02\n", dates=False)["when"] == "2024-01-02"
    assert yaml_lines.stamp(doc) == [
        {"code": "a", "name": "A", "__line__": 1},
        {"code": "b", "when": dt.date(2024, 1, 2), "__line__": 4},
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
        ("a: [1, 2\nb: 3\n", 2, "not valid YAML"),
        ("? [1, 2]\n: x\n", 1, "mapping keys must be plain scalars"),
    ],
)
def test_unreadable_yaml_names_file_and_line(text, line, reason):
    with pytest.raises(ProblemsError) as caught:
        yaml_lines.load(text, file="bad.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("bad.yaml", line) and problem.reason.startswith(reason)


def test_a_problems_error_comes_back_from_the_worker_as_raised():
    with pytest.raises(ProblemsError) as caught:
        isolate.run(yaml_lines.load, "a: 1\na: 2\n", seconds=60)
    (problem,) = caught.value.problems
    assert (problem.line, problem.reason) == (2, "duplicate key 'a' (first at line 1)")
    assert caught.value.extra["problems"] == [problem.read()]
