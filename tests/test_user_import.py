"""``ascc user import`` and the first accounts after ``ascc init``, on SQLite and PostgreSQL: all or
nothing, bad rows named by file, line and column, existing addresses skipped, one-time passwords
printed once or written to a mode-600 file, and no default password anywhere in the code."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app
from ascc.config import Settings
from tests.conftest import ROOT, load, make_user

runner = CliRunner()
EXAMPLE = ROOT / "examples" / "users" / "focal-points.example.csv"
MEMBERS = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"]


@pytest.fixture
def db(fresh_url, reference, monkeypatch):
    """A database of its own with the reference data loaded and no account."""
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    monkeypatch.setenv("COLUMNS", "200")  # the account list's table unwrapped
    return fresh_url


def emails_in(output: str) -> set[str]:
    return set(re.findall(r"[\w.+-]+@[\w.-]+", output))


def sign_in(url: str, email: str, password: str) -> bool:
    with TestClient(create_app(Settings(database_url=url))) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post(
            "/login", data={"email": email, "password": password, "csrf": token}, follow_redirects=False
        )
        return r.status_code == 303


def test_the_example_creates_one_focal_point_per_member_state_with_passwords_printed_once(db):
    text = EXAMPLE.read_text()
    assert text.startswith("# EXAMPLE ONLY") and "password" not in text.split("email,name")[1].lower()
    r = runner.invoke(app, ["user", "import", str(EXAMPLE)])
    assert r.exit_code == 0, r.output
    printed = dict(re.findall(r"^(focal\.point@example\.[a-z]{3})\t(\S+)$", r.output, re.M))
    assert sorted(printed) == sorted(f"focal.point@example.{c.lower()}" for c in MEMBERS)
    assert "focal.point@example.tls" in printed and len(set(printed.values())) == 11
    assert all(len(p) >= 20 for p in printed.values())
    listed = runner.invoke(app, ["user", "list"]).output
    assert "TLS" in listed and listed.count("focal_point") == 11
    # the printed password is the account's; Indonesia's focal point reads in Bahasa Indonesia
    with TestClient(create_app(Settings(database_url=db))) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post(
            "/login",
            data={
                "email": "focal.point@example.idn",
                "password": printed["focal.point@example.idn"],
                "csrf": token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert c.get("/notifications.json").json()["preferences"]["language"] == "id"

    # run again: every address exists already, reported and skipped; no password printed
    again = runner.invoke(app, ["user", "import", str(EXAMPLE)])
    assert again.exit_code == 0, again.output
    assert "skipped focal.point@example.tls: it has an account already" in again.output
    assert "created 0 account(s), skipped 11" in again.output and "\t" not in again.output
    assert sign_in(db, "focal.point@example.idn", printed["focal.point@example.idn"])  # unchanged


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(text)
    return path


def test_any_bad_row_names_file_line_and_column_and_creates_nothing(db, tmp_path):
    path = write(
        tmp_path,
        "email,name,role,member_state,language\n"
        "ana@kemlu.go.id,Ana,focal_point,IDN,id\n"
        "not-an-address,Ben,focal_point,PHL,en\n"
        "cy@mofa.gov.vn,Cy,focal_point,XXX,en\n"
        "dee@asean.org,Dee,minister,,en\n"
        "eve@mof.gov.kh,Eve,focal_point,,en\n"
        "fay@asean.org,Fay,secretariat,,fr\n",
    )
    r = runner.invoke(app, ["user", "import", str(path)])
    assert r.exit_code == 1
    out = " ".join(r.output.split())
    assert f"{path}:7 [language]: 'fr' is not one of en, id" in out
    assert "nothing was created" in out
    assert emails_in(runner.invoke(app, ["user", "list"]).output) == set()

    path = write(tmp_path, path.read_text().replace(",fr\n", ",en\n"))
    r = runner.invoke(app, ["user", "import", str(path)])
    out = " ".join(r.output.split())
    assert r.exit_code == 1 and "nothing was created" in out
    assert f"{path}:3 [email]:" in out
    assert f"{path}:4 [member_state]:" in out and "XXX" in out
    assert f"{path}:5 [role]:" in out
    assert f"{path}:6 [member_state]: a focal point account needs member_state" in out
    assert f"{path}:2:" not in out  # the good row is not blamed, but it is not created either
    assert emails_in(runner.invoke(app, ["user", "list"]).output) == set()

    for bad, where in (
        ("email,name,role,passwd\n", "column 'passwd' is not one of"),
        ("email,name\n", "column 'role' is missing"),
        (
            "email,name,role\na@asean.org,A,secretariat\na@asean.org,B,secretariat\n",
            "[email]: a@asean.org is also on line 2",
        ),
        ("email,name,role\na@asean.org,A\n", "2 cells where the header has 3"),
    ):
        r = runner.invoke(app, ["user", "import", str(write(tmp_path, bad))])
        assert r.exit_code == 1 and where in " ".join(r.output.split()), (bad, r.output)
    assert emails_in(runner.invoke(app, ["user", "list"]).output) == set()


def test_passwords_out_is_a_new_mode_600_file_and_existing_accounts_are_skipped(db, tmp_path):
    make_user(db, email="officer@asean.org")
    path = write(
        tmp_path,
        "email,name,role,member_state,sectors\n"
        "officer@asean.org,Officer,secretariat,,\n"
        "ana@kemlu.go.id,Ana,focal_point,IDN,health;education\n",
    )
    out = tmp_path / "passwords.csv"
    r = runner.invoke(app, ["user", "import", str(path), "--passwords-out", str(out)])
    assert r.exit_code == 0, r.output
    assert "skipped officer@asean.org" in r.output and "created 1 account(s), skipped 1" in r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    assert lines[0] == "email,one_time_password" and len(lines) == 2
    email, password = lines[1].split(",")
    assert email == "ana@kemlu.go.id" and password not in r.output
    assert sign_in(db, email, password)
    listed = runner.invoke(app, ["user", "list"]).output
    assert "ana@kemlu.go.id" in listed and "IDN" in listed
    # an existing passwords file is never overwritten, and nothing is created then
    path = write(tmp_path, "email,name,role\nnew@asean.org,New,secretariat\n")
    r = runner.invoke(app, ["user", "import", str(path), "--passwords-out", str(out)])
    assert r.exit_code == 1 and "must not exist" in " ".join(r.output.split())
    assert out.read_text().splitlines()[1].startswith("ana@kemlu.go.id,")
    assert "new@asean.org" not in runner.invoke(app, ["user", "list"]).output


def test_init_on_a_fresh_database_names_the_command_for_the_first_account(fresh_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    r = runner.invoke(app, ["init"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "no accounts yet" in out and "ascc user create" in out and "--role secretariat" in out
    assert "ascc user import" in out
    make_user(fresh_url, email="officer@asean.org")
    r = runner.invoke(app, ["init"])
    assert r.exit_code == 0 and "no accounts yet" not in r.output


def test_no_password_is_written_into_the_code():
    """No default or demo password in the commands, loaders and reference data: a string literal
    assigned to, or passed as, a password."""
    pattern = re.compile(r"""password\w*\s*[:=]\s*(str\s*=\s*)?["'][^"']+["']""", re.I)
    found = []
    for path in (ROOT / "src" / "ascc").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []
