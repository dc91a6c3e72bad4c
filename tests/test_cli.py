"""The ``ascc`` commands, run through Typer's runner against real databases."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app
from ascc.config import Settings
from ascc.db.migrate import heads, upgrade
from ascc.reference.files import DATA_DIR
from tests.conftest import SEEDS

runner = CliRunner()


def test_init_is_idempotent_and_export_works(fresh_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["init"])
    assert second.exit_code == 0 and "conflict" not in second.output

    out = tmp_path / "registry.json"
    assert runner.invoke(app, ["export", "--format", "json", "--out", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    assert len(data["member_states"]) == 11
    assert any(b["id"] == "acw" and b["reports_to"] == ["AMMW"] for b in data["bodies"])

    popolo = tmp_path / "popolo.json"
    assert runner.invoke(app, ["export", "-f", "popolo", "-o", str(popolo)]).exit_code == 0
    doc = json.loads(popolo.read_text())
    orgs = {o["id"]: o for o in doc["organizations"]}
    assert orgs["acw"]["parent_id"] == "ammw" and orgs["IDN"]["classification"] == "member state"
    assert {"role": "reports to", "organization_id": "ammw"}.items() <= next(
        m for m in doc["memberships"] if m["id"] == "acw--reports-to--ammw"
    ).items()
    tls = next(m for m in doc["memberships"] if m["id"] == "TLS--member-of--acw")
    assert tls["start_date"] == "2025-10-26"

    csv_dir = tmp_path / "csv"
    assert runner.invoke(app, ["export", "-f", "csv", "-o", str(csv_dir)]).exit_code == 0
    header = (csv_dir / "bodies.csv").read_text().splitlines()[0].split(",")
    assert {"id", "acronym", "name_en", "name_id", "level", "reports_to"} <= set(header)


def test_check_passes_on_shipped_data():
    r = runner.invoke(app, ["check", "--seeds", str(SEEDS)])
    assert r.exit_code == 0, r.output
    assert "OK" in r.output


def test_check_and_init_reject_bad_data_and_load_nothing(tmp_path, fresh_url, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    bodies = yaml.safe_load((data / "bodies.yaml").read_text())
    bodies[3]["reports_to"] = ["ghost-body"]
    (data / "bodies.yaml").write_text(yaml.safe_dump(bodies, allow_unicode=True, sort_keys=False))
    r = runner.invoke(app, ["check", "--data-dir", str(data), "--seeds", str(SEEDS)])
    assert r.exit_code == 1 and "ghost-body" in r.output and "bodies.yaml:" in r.output
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    r = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert r.exit_code == 1 and "nothing was loaded" in r.output


def test_check_finds_a_quote_that_is_not_in_the_seed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    sectors = yaml.safe_load((data / "sectors.yaml").read_text())
    sectors[0]["sources"][0] = {"file": "003_7591d795653bab0c.txt", "quote": "words the seed never said"}
    (data / "sectors.yaml").write_text(yaml.safe_dump(sectors, allow_unicode=True, sort_keys=False))
    r = runner.invoke(app, ["check", "--data-dir", str(data), "--seeds", str(SEEDS)])
    assert r.exit_code == 1 and "quote not found" in r.output


def test_every_command_has_help():
    for command in ("init", "serve", "export", "check"):
        r = runner.invoke(app, [command, "--help"])
        assert r.exit_code == 0 and "Usage" in r.output
    assert "--workers" in runner.invoke(app, ["serve", "--help"]).output


def test_a_database_without_this_versions_schema_stops_commands_and_the_server(fresh_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_url)

    def said(args: list[str]) -> str:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        return " ".join(result.output.split())  # Rich wraps long lines

    assert "has no schema yet: run `ascc init` to create it" in said(["search", "asean"])
    upgrade(fresh_url, "0015")
    needs = ", ".join(sorted(heads()))
    message = f"is at schema revision 0015; this version of ascc needs {needs}: run `ascc init` to upgrade it"
    assert message in said(["search", "asean"])
    assert message in said(["serve", "--port", "9"])  # before it starts anything
    with (
        pytest.raises(RuntimeError, match="schema revision 0015"),
        TestClient(create_app(Settings(database_url=fresh_url))),
    ):
        pass
    assert runner.invoke(app, ["init"]).exit_code == 0  # upgrades, keeping what is there
    assert runner.invoke(app, ["search", "asean"]).exit_code == 0
