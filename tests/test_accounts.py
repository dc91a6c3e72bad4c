"""Accounts: sign-in with CSRF and throttling, session cookie flags, API tokens, roles."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.accounts import throttle
from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from tests.conftest import if_match, load, make_user

PASSWORD = "a long enough password"


@pytest.fixture
def site(fresh_url, reference):
    load(fresh_url, reference)
    make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_sign_in_and_out(site):
    form = site.get("/login")
    r = site.post(
        "/login",
        data={"email": "FP@kemlu.go.id", "password": PASSWORD, "csrf": csrf_of(form.text), "next": "/bodies"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/bodies"
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = site.get("/bodies", params={"lang": "en"})
    assert "fp" in page.text and "(IDN)" in page.text and "Sign out" in page.text
    r = site.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Sign out" not in site.get("/bodies", params={"lang": "en"}).text


def test_forms_without_csrf_are_refused(site):
    site.get("/login")
    r = site.post("/login", data={"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403
    assert "Sign out" not in site.get("/").text


def test_wrong_password_then_a_short_wait_not_a_lock_out(site, monkeypatch):
    now = [1_900_000_000.0]
    monkeypatch.setattr(throttle, "_clock", lambda: now[0])  # the clock stands still unless moved
    token = csrf_of(site.get("/login").text)
    for _ in range(5):
        r = site.post(
            "/login", data={"email": "fp@kemlu.go.id", "password": "wrong password!", "csrf": token}
        )
        assert r.status_code == 401
    r = site.post("/login", data={"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": token})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"  # even the right password waits
    assert "try again in 1 second" in r.text
    r = site.post("/login", data={"email": "nobody@asean.org", "password": PASSWORD, "csrf": token})
    assert r.status_code == 401
    now[0] += 1  # a second later, not 15 minutes
    r = site.post(
        "/login",
        data={"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_open_redirect_is_refused(site):
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/", "/\tevil"):
        token = csrf_of(site.get("/login").text)
        r = site.post(
            "/login",
            data={"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": token, "next": elsewhere},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/me", elsewhere  # My work instead


def test_signing_in_lands_on_my_work_unless_a_page_was_asked_for(site):
    for given, lands in (
        (None, "/me"),
        ("/", "/me"),
        ("/login?next=/x", "/me"),
        ("/decisions?stage=consult", "/decisions?stage=consult"),
    ):
        token = csrf_of(site.get("/login", params={"next": given} if given else None).text)
        data = {"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": token} | (
            {"next": given} if given else {}
        )
        r = site.post("/login", data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == lands, given
    # the header's sign-in link on the home page passes "/", and My work is where one lands
    page = site.get("/login?next=/")
    assert page.status_code == 200
    assert (
        site.post(
            "/login",
            data={"email": "fp@kemlu.go.id", "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/"},
        ).url.path
        == "/me"
    )


def test_cli_creates_the_first_secretariat_account(fresh_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    r = runner.invoke(
        cli,
        ["user", "create", "--email", "Officer@asean.org", "--name", "Officer", "--role", "secretariat"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "x@kemlu.go.id",
            "--name",
            "X",
            "--role",
            "focal_point",
            "--password",
            PASSWORD,
        ],
    )
    assert r.exit_code == 1 and "member_state" in r.output
    r = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "y@kemlu.go.id",
            "--name",
            "Y",
            "--role",
            "focal_point",
            "--member-state",
            "XYZ",
            "--password",
            PASSWORD,
        ],
    )
    assert r.exit_code == 1 and "XYZ" in r.output
    r = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "short@asean.org",
            "--name",
            "S",
            "--role",
            "secretariat",
            "--password",
            "short",
        ],
    )
    assert r.exit_code == 1 and "password" in r.output
    token = runner.invoke(cli, ["user", "token", "officer@asean.org"]).stdout.strip()
    assert token.startswith("ascc_")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        auth = if_match(c, "/api/v1/bodies/acw", {"Authorization": f"Bearer {token}"})
        r = c.patch("/api/v1/bodies/acw", json={"established": 1976}, headers=auth)
        assert r.status_code == 200
