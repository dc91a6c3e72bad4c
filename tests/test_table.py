"""The one CSV table reader (kit.table): the file's own line numbers, the header's problems, ragged rows."""

from __future__ import annotations

from ascc.kit.table import decode, read_table


def test_rows_keep_the_files_line_numbers_across_blank_lines_comments_and_quoted_newlines():
    text = (
        "\ufeff# accounts\n"
        "email, name ,role\n"
        "a@x.org,A,secretariat\n"
        "\n"
        "# a comment\n"
        'b@x.org,"B\nwith a second line",chair\n'
        "c@x.org,C,partner\n"
    )
    table, problems = read_table(text, file="u.csv", comments=True, required=("email", "role"))
    assert problems == [] and table.header == ["email", "name", "role"]
    assert [(line, row["email"]) for line, row in table] == [(3, "a@x.org"), (6, "b@x.org"), (8, "c@x.org")]
    assert table.rows[1][1]["name"] == "B\nwith a second line"


def test_the_headers_problems_stop_the_reading_and_name_the_column():
    table, problems = read_table(
        "email,email,passwd\n1,2,3\n", file="u.csv", known=("email", "name", "role"), required=("role",)
    )
    assert table is None
    assert [(p.line, p.column, p.reason) for p in problems] == [
        (1, "email", "duplicate column"),
        (1, "passwd", "column 'passwd' is not one of email, name, role"),
        (1, "role", "column 'role' is missing"),
    ]
    assert read_table("\n\n", file="e.csv")[1][0].reason == "the file is empty: no header row"


def test_ragged_rows_are_problems_unless_short_rows_are_allowed():
    text = "a,b,c\n1,2\n1,2,3,4\n1,2,3\n"
    table, problems = read_table(text, file="t.csv")
    assert [(p.line, p.reason) for p in problems] == [
        (2, "2 cells where the header has 3"),
        (3, "4 cells where the header has 3"),
    ]
    assert [line for line, _ in table] == [4]
    table, problems = read_table(text, file="t.csv", short_rows=True)
    assert [p.line for p in problems] == [3] and table.rows[0] == (2, {"a": "1", "b": "2", "c": ""})


def test_bad_bytes_and_bad_quoting_name_their_line():
    text, problems = decode(b"a,b\n1,2\n3,\xff\n", file="t.csv")
    assert text is None and (problems[0].line, problems[0].file) == (3, "t.csv")
    assert decode("\ufeffa\n".encode(), file="t.csv") == ("a\n", [])
    table, problems = read_table("a,b\n1,2\n3," + "x" * 200_000 + "\n", file="t.csv")
    assert table is None and problems[0].line == 3 and "field larger than field limit" in problems[0].reason
