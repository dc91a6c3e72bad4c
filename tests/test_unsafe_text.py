"""NUL and invisible bidirectional controls (U+202A-U+202E, U+2066-U+2069, the marks) are refused
in every text field, whatever brings them: a JSON body, a form post, a command. The 422 names the
field and nothing is stored, on SQLite (which would store them) and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.kit import clean
from tests.conftest import BACKENDS, load, make_user
from tests.test_accounts import PASSWORD, csrf_of

_dbs: dict[str, tuple[str, str]] = {}
UNSAFE = [
    "Guidelines \u202egnp.exe",
    "Guidelines\x00 on care",
    "Guidelines \u2067on care\u2069",
    "A\u200fB guidelines",
]


@pytest.fixture(params=BACKENDS)
def site(request, new_database, reference):
    backend = request.param
    if backend not in _dbs:
        url = new_database(backend)
        load(url, reference)
        _dbs[backend] = url, make_user(url, email="officer@asean.org")
    url, token = _dbs[backend]
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield url, client, {"Authorization": f"Bearer {token}"}


def count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return n


@pytest.mark.parametrize("text", UNSAFE)
@pytest.mark.parametrize("field", ["title_en", "summary"])
def test_a_json_field_with_nul_or_a_bidi_control_is_refused_naming_it(site, field, text):
    url, client, auth = site
    before = count(url, "decision_items"), count(url, "audit_entries")
    body = {"title_en": "Guidelines on care", "body_id": "asoen"} | {field: text}
    r = client.post("/api/v1/decisions", headers=auth, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == field and r.json()["detail"].startswith(
        f"{field} (decision_items.{field}): "
    )
    assert (count(url, "decision_items"), count(url, "audit_entries")) == before


def test_clean_text_still_goes_in(site):
    _url, client, auth = site
    r = client.post(
        "/api/v1/decisions",
        headers=auth,
        json={
            "title_en": "Pedoman perawatan lansia",
            "body_id": "asoen",
            "summary": "Ringkasan — “kutipan” 東南亞 ✓",
        },
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("text", UNSAFE[:2])
def test_a_form_field_with_nul_or_a_bidi_control_is_refused_naming_it(site, text):
    url, client, _auth = site
    client.post(
        "/login",
        data={"email": "officer@asean.org", "password": PASSWORD, "csrf": csrf_of(client.get("/login").text)},
    )
    before = count(url, "documents")
    r = client.post(
        "/documents",
        data={
            "csrf": csrf_of(client.get("/documents/new").text),
            "language": "en",
            "kind": "report",
            "title_en": text,
        },
        files={"file": ("r.txt", b"The ASEAN Committee on Women met in Jakarta.")},
    )
    assert r.status_code == 422, r.text
    assert "title_en" in r.text and ("U+202E" in r.text or "U+0000" in r.text)
    assert count(url, "documents") == before


def test_document_text_loses_them_on_extraction():
    from ascc.knowledge import extract

    _media, text = extract.extract("r.txt", "Report \u202eexe.txt\u202c on care\x00.".encode())
    assert text == "Report exe.txt on care." and clean.unsafe_in(text) is None
