"""Sessions: no default signing key, the key file and its rotation, session versions (sign-out,
new password, deactivation end every session at once), same-origin API writes with the cookie,
security headers, one's own account page and the account commands."""

from __future__ import annotations

import base64
import json
import re
import stat

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.web.pages import TEMPLATES
from tests.conftest import load, make_user

PASSWORD = "a long enough password"
runner = CliRunner()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in from a fresh browser."""
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def use_cookie(client: TestClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set("ascc_session", value)


def signed_in(client: TestClient) -> bool:
    return client.get("/account.json").status_code == 200


def forged_cookie(key: str, data: dict) -> str:
    """A session cookie as Starlette's middleware signs it."""
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(key).sign(payload).decode()


@pytest.fixture
def instance(fresh_url, reference, tmp_path, monkeypatch):
    """A fresh instance as `make run` sets it up: no ASCC_SECRET_KEY, `ascc init` writes the key file."""
    monkeypatch.delenv("ASCC_SECRET_KEY")
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    monkeypatch.setenv("ASCC_KEY_FILE", str(tmp_path / "instance" / "ascc.keys"))
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    make_user(fresh_url, email="officer@asean.org", role="secretariat")
    make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    return fresh_url


@pytest.fixture
def site(fresh_url, reference):
    load(fresh_url, reference)
    make_user(fresh_url, email="officer@asean.org", role="secretariat")
    make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        yield c


# --- the signing key --------------------------------------------------------------------------------


def test_a_cookie_forged_with_the_old_default_key_is_refused(instance):
    with TestClient(create_app(Settings())) as c:
        for data in ({"user_id": 1}, {"user_id": 1, "sv": 0}):
            use_cookie(c, forged_cookie("dev-only-change-me", data))
            assert c.get("/submissions.json").status_code == 401
            assert c.get("/api/v1/submissions").status_code == 401


def test_the_published_default_key_is_refused_even_when_set(monkeypatch, fresh_url):
    with pytest.raises(RuntimeError, match="published"):
        create_app(Settings(database_url=fresh_url, secret_key="dev-only-change-me"))
    with pytest.raises(RuntimeError, match="at least 16"):
        create_app(Settings(database_url=fresh_url, secret_key="short"))


def test_init_writes_a_key_file_readable_by_its_owner_only_and_keeps_it(instance, tmp_path):
    path = tmp_path / "instance" / "ascc.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = Settings().session_keys()
    assert len(key) == 1 and len(key[0]) >= 32
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert Settings().session_keys() == key  # survives: sessions outlive a restart


def test_the_default_key_file_is_next_to_the_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.delenv("ASCC_SECRET_KEY")
    settings = Settings(database_url=f"sqlite:///{tmp_path}/site/ascc.db")
    assert settings.key_path() == tmp_path / "site" / "ascc.keys"
    assert settings.session_keys() == []


def test_serve_without_a_key_stops_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("ASCC_SECRET_KEY")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/ascc.db")
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "no session signing key" in result.output and "ascc init" in result.output
    assert "ASCC_SECRET_KEY" in result.output and "--dev" in result.output
    with pytest.raises(RuntimeError, match="no session signing key"):
        create_app(Settings())


def test_serve_dev_signs_with_a_throwaway_key(instance, monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setenv("ASCC_KEY_FILE", str(tmp_path / "none.keys"))
    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(Settings().session_keys()))
    assert runner.invoke(cli, ["serve"]).exit_code == 2 and not started
    result = runner.invoke(cli, ["serve", "--dev"])
    assert result.exit_code == 0, result.output
    assert "throwaway" in result.output
    assert len(started) == 1 and len(started[0]) == 1 and len(started[0][0]) >= 32


def test_rotation_keeps_sessions_until_the_old_key_is_dropped(instance):
    with TestClient(create_app(Settings())) as c:
        sign_in(c, "fp@kemlu.go.id")
        before = c.cookies["ascc_session"]
    result = runner.invoke(cli, ["secret", "rotate"])
    assert result.exit_code == 0, result.output
    keys = Settings().session_keys()
    assert len(keys) == 2
    with TestClient(create_app(Settings())) as c:  # the server restarted with the new key
        use_cookie(c, before)
        assert signed_in(c)  # the previous key still verifies
        sign_in(c, "officer@asean.org")
        after = c.cookies["ascc_session"]
    assert itsdangerous.TimestampSigner(keys[0]).validate(after)  # the new key signs
    assert not itsdangerous.TimestampSigner(keys[1]).validate(after)
    shown = runner.invoke(cli, ["secret", "show"]).output
    assert "signs and verifies" in shown and keys[0] not in shown
    assert runner.invoke(cli, ["secret", "drop"]).exit_code == 0
    assert Settings().session_keys() == keys[:1]
    with TestClient(create_app(Settings())) as c:
        use_cookie(c, before)
        assert not signed_in(c)  # dropped: the old key's sessions end
        use_cookie(c, after)
        assert signed_in(c)


def test_keys_from_the_environment_rotate_there(fresh_url, reference, monkeypatch):
    load(fresh_url, reference)
    make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    old, new = "the-old-signing-key-0001", "the-new-signing-key-0002"
    with TestClient(create_app(Settings(database_url=fresh_url, secret_key=old))) as c:
        sign_in(c, "fp@kemlu.go.id")
        cookie = c.cookies["ascc_session"]
    with TestClient(create_app(Settings(database_url=fresh_url, secret_key=f"{new},{old}"))) as c:
        use_cookie(c, cookie)
        assert signed_in(c)
    with TestClient(create_app(Settings(database_url=fresh_url, secret_key=new))) as c:
        use_cookie(c, cookie)
        assert not signed_in(c)
    monkeypatch.setenv("ASCC_SECRET_KEY", new)
    result = runner.invoke(cli, ["secret", "rotate"])
    assert result.exit_code == 1 and "ASCC_SECRET_KEY" in result.output


# --- session versions ---------------------------------------------------------------------------------


def test_a_cookie_no_longer_works_after_sign_out(site):
    sign_in(site, "fp@kemlu.go.id")
    cookie = site.cookies["ascc_session"]
    page = site.get("/account")
    r = site.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    use_cookie(site, cookie)  # replayed from another device, or stolen
    assert not signed_in(site)
    sign_in(site, "fp@kemlu.go.id")  # signing in again works
    assert signed_in(site)


def test_a_new_password_ends_the_other_sessions(site, fresh_url):
    sign_in(site, "fp@kemlu.go.id")
    other_device = site.cookies["ascc_session"]
    page = site.get("/account")
    new = "another long password"
    r = site.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current": "wrong password!", "new": new, "confirm": new},
    )
    assert r.status_code == 422 and "current password is wrong" in r.text
    r = site.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current": PASSWORD, "new": new, "confirm": "different password"},
        params={"lang": "id"},
    )
    assert r.status_code == 422 and "kedua kata sandi baru tidak sama" in r.text
    r = site.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current": PASSWORD, "new": new, "confirm": new},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/account?done=password"
    assert signed_in(site)  # this session continues
    use_cookie(site, other_device)
    assert not signed_in(site)
    site.cookies.clear()
    with pytest.raises(AssertionError):
        sign_in(site, "fp@kemlu.go.id")  # the old password no longer works
    sign_in(site, "fp@kemlu.go.id", new)


def test_the_secretariat_deactivates_an_account_and_its_sessions_end(fresh_url, reference):
    load(fresh_url, reference)
    make_user(fresh_url, email="officer@asean.org", role="secretariat")
    token = make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    app = create_app(Settings(database_url=fresh_url))
    with TestClient(app) as officer, TestClient(app) as fp:
        sign_in(fp, "fp@kemlu.go.id")
        assert fp.get("/users").status_code == 403  # the Secretariat's page
        sign_in(officer, "officer@asean.org")
        page = officer.get("/users", params={"lang": "en"})
        assert "fp@kemlu.go.id" in page.text and "Active (you)" in page.text
        r = officer.post("/users/2/deactivate", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
        assert r.status_code == 303
        assert not signed_in(fp)
        assert fp.get("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        r = officer.post("/users/1/deactivate", data={"csrf": csrf_of(page.text)})
        assert r.status_code == 403  # not one's own account
        assert "Deactivated" in officer.get("/users", params={"lang": "en"}).text


# --- same-origin writes with the cookie -------------------------------------------------------------------


def test_api_writes_with_the_cookie_must_come_from_this_site(site):
    sign_in(site, "officer@asean.org")
    url, body = "/api/v1/bodies/acw", {"established": 1976}
    r = site.patch(url, json=body, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert site.patch(url, json=body, headers={"Referer": "https://evil.example/page"}).status_code == 403
    assert site.patch(url, json=body, headers={"Origin": "null"}).status_code == 403
    assert site.patch(url, json=body).status_code == 403  # neither Origin nor Referer nor token
    assert site.patch(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert site.get(url).json()["established"] != 1976

    def current() -> dict[str, str]:
        return {"If-Match": site.get(url).headers["etag"]}

    assert site.patch(url, json=body, headers={"Origin": "http://testserver"} | current()).status_code == 200
    referer = {"Referer": "http://testserver/bodies/acw"}
    assert site.patch(url, json=body, headers=referer | current()).status_code == 200
    token = csrf_of(site.get("/account").text)
    assert site.patch(url, json=body, headers={"X-CSRF-Token": token} | current()).status_code == 200
    # a cross-site form post with the cookie is refused too, even with the form's token
    r = site.post("/logout", data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and signed_in(site)


def test_bearer_api_writes_need_no_origin(fresh_url, reference):
    load(fresh_url, reference)
    token = make_user(fresh_url, email="officer@asean.org", role="secretariat")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        etag = c.get("/api/v1/bodies/acw").headers["etag"]
        r = c.patch(
            "/api/v1/bodies/acw",
            json={"established": 1976},
            headers={"Authorization": f"Bearer {token}", "If-Match": etag},
        )
        assert r.status_code == 200


# --- security headers -------------------------------------------------------------------------------------


def assert_security_headers(r, where):
    assert r.headers["x-frame-options"] == "DENY", where
    assert r.headers["x-content-type-options"] == "nosniff", where
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", where
    policy = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy, where
    # no inline script runs, and nothing is loaded from another site (the API docs included)
    assert re.search(r"script-src ([^;]*)", policy).group(1) == "'self'", where


def test_every_response_carries_the_security_headers(site):
    for path in (
        "/",
        "/bodies.json",
        "/api/v1/bodies/acw",
        "/static/style.css",
        "/no-such-page",
        "/docs",
        "/docs/assets/swagger-ui-bundle.js",
    ):
        r = site.get(path)
        assert_security_headers(r, path)
    # the refusal of an oversized body, before any route runs
    r = site.post("/api/v1/bodies", content=b"x" * (3 << 20), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert_security_headers(r, "413")


def test_an_unhandled_error_carries_the_security_headers(fresh_url, reference):
    load(fresh_url, reference)
    app = create_app(Settings(database_url=fresh_url))

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and "a bug" not in r.text
    assert_security_headers(r, "500")


def test_the_api_docs_come_from_the_installed_swagger_ui(site):
    page = site.get("/docs").text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/docs/assets/swagger-ui-bundle.js", "/static/api-docs.js"]
    for src in [*scripts, "/docs/assets/swagger-ui.css"]:
        r = site.get(src)
        assert r.status_code == 200 and len(r.content) > 100, src
    assert "SwaggerUIBundle" in site.get("/docs/assets/swagger-ui-bundle.js").text
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', page))  # nothing from another site


def test_the_templates_run_no_inline_script():
    """The content policy allows our own script files only: no inline script, no event attributes."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{template.name}: inline script {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), f"{template.name}: event attribute"
        assert "javascript:" not in text, template.name


# --- one's own account, and the account commands -------------------------------------------------------------


def test_a_user_lists_and_revokes_their_own_tokens(site, fresh_url):
    others = make_user(fresh_url, email="chair@asean.org", role="secretariat")
    sign_in(site, "fp@kemlu.go.id")
    page = site.get("/account", params={"lang": "id"})
    assert "Token API Anda" in page.text and "/account/tokens/2/revoke" in page.text
    assert "/account/tokens/1/" not in page.text  # someone else's
    assert [t["id"] for t in site.get("/account.json").json()["tokens"]] == [2]
    assert "token_hash" not in site.get("/account.json").text
    mine = site.post("/account/tokens/2/revoke", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert mine.status_code == 303
    assert site.get("/account.json").json()["tokens"][0]["revoked"] is True
    r = site.post("/account/tokens/3/revoke", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 404  # another user's token: untouched
    assert site.get("/api/v1/submissions", headers={"Authorization": f"Bearer {others}"}).status_code == 200
    site.cookies.clear()
    assert site.get("/account").status_code == 401


def test_account_commands(instance):
    r = runner.invoke(cli, ["user", "tokens", "fp@kemlu.go.id"])
    assert r.exit_code == 0 and "test" in r.stdout and "active" in r.stdout
    with TestClient(create_app(Settings())) as c:
        sign_in(c, "fp@kemlu.go.id")
        r = runner.invoke(cli, ["user", "password", "fp@kemlu.go.id"], input="short\nshort\n")
        assert r.exit_code == 1 and "at least 10 characters" in r.output
        r = runner.invoke(
            cli, ["user", "password", "FP@kemlu.go.id"], input="a brand new password\na brand new password\n"
        )
        assert r.exit_code == 0, r.output
        assert not signed_in(c)
        sign_in(c, "fp@kemlu.go.id", "a brand new password")
        assert runner.invoke(cli, ["user", "tokens", "revoke", "2"]).exit_code == 0
        assert "revoked" in runner.invoke(cli, ["user", "tokens", "fp@kemlu.go.id"]).stdout
        assert runner.invoke(cli, ["user", "tokens", "revoke", "99"]).exit_code == 1
        assert runner.invoke(cli, ["user", "tokens", "revoke"]).exit_code == 2
        assert runner.invoke(cli, ["user", "deactivate", "nobody@asean.org"]).exit_code == 1
        r = runner.invoke(cli, ["user", "deactivate", "fp@kemlu.go.id"])
        assert r.exit_code == 0, r.output
        assert not signed_in(c)
        with pytest.raises(AssertionError):
            sign_in(c, "fp@kemlu.go.id", "a brand new password")
    assert "no" in runner.invoke(cli, ["user", "list"]).stdout
