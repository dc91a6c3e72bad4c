"""The README keeps its promises: two commands, and the commands and endpoints it names exist."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from ascc.cli.main import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_make_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_documented_cli_commands_exist():
    runner = CliRunner()
    for command in re.findall(r"\.venv/bin/ascc (\w+)", README):
        assert runner.invoke(app, [command, "--help"]).exit_code == 0, command


def test_documented_api_paths_exist(client):
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path)

    paths = {shape(p) for p in client.get("/openapi.json").json()["paths"]}
    for path in re.findall(r"(?:GET|PATCH) (/api/v1/[\w\-/{}]+)", README):
        assert shape(path) in paths, path
