"""The upload page's own form (``/documents/new`` posting to ``/documents``), signed in through the
login form with its CSRF token, on both backends: real files become documents, bad ones come back
with the reason and store nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from tests.conftest import load, make_user
from tests.knowledge.test_uploads import TEXT, docx_bytes, pdf_bytes
from tests.test_accounts import PASSWORD, csrf_of


@pytest.fixture
def officer_site(fresh_url, reference):
    load(fresh_url, reference)
    make_user(fresh_url, email="officer@asean.org")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        r = c.post(
            "/login",
            data={"email": "officer@asean.org", "password": PASSWORD, "csrf": csrf_of(c.get("/login").text)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        yield c


def submit(c: TestClient, name: str, content: bytes, lang: str = "en", **fields):
    form = c.get("/documents/new", params={"lang": lang})
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    data = {
        "csrf": csrf_of(form.text),
        "language": "en",
        "kind": "report",
        "title_en": "Gender report",
        "sectors": ["women-children"],
        **fields,
    }
    return c.post(
        "/documents",
        params={"lang": lang},
        data=data,
        files={"file": (name, content)},
        follow_redirects=False,
    )


def slugs(c: TestClient) -> list[str]:
    return [d["slug"] for d in c.get("/documents.json").json()["documents"]]


@pytest.mark.parametrize(
    "name,content", [("r.pdf", pdf_bytes(TEXT)), ("r.docx", docx_bytes(TEXT)), ("r.txt", TEXT.encode())]
)
def test_the_form_stores_a_real_file_as_a_searchable_document(officer_site, name, content):
    c = officer_site
    r = submit(c, name, content, title_en=f"Gender report {name}")
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"], params={"lang": "en"})
    assert page.status_code == 200 and "gender equality cooperation" in page.text and 'id="p1"' in page.text
    slug = r.headers["location"].rsplit("/", 1)[1]
    assert slug in slugs(c)
    hits = c.get("/search", params={"q": "gender equality cooperation", "lang": "en"})
    assert f"/documents/{slug}" in hits.text.split("<main")[1]


@pytest.mark.parametrize(
    "name,content,fields,status,words",
    [
        ("bad.pdf", b"%PDF-1.4\n garbage", {}, 422, "not a readable PDF"),
        ("secret.pdf", pdf_bytes(TEXT, password="s3cret"), {}, 422, "encrypted"),
        ("empty.txt", b"", {}, 422, "empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n....", {}, 415, ".png"),
        ("r.txt", TEXT.encode(), {"title_en": ""}, 422, "title"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_bad_file_comes_back_with_the_reason_and_nothing_is_stored(
    officer_site, lang, name, content, fields, status, words
):
    c = officer_site
    before = slugs(c)
    r = submit(c, name, content, lang=lang, **fields)
    assert r.status_code == status
    assert 'role="alert"' in r.text and words in r.text
    assert ('value="Gender report"' in r.text) == ("title_en" not in fields)  # the form keeps what was typed
    assert slugs(c) == before
    assert 'name="csrf"' in r.text  # the form can be sent again


def test_the_form_is_for_the_secretariat_only(fresh_url, reference):
    load(fresh_url, reference)
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        assert c.get("/documents/new").status_code == 401
        r = c.post(
            "/documents",
            data={"csrf": "forged", "language": "en", "kind": "report"},
            files={"file": ("r.txt", TEXT.encode())},
        )
        assert r.status_code in (401, 403)
        assert c.get("/documents.json").json()["documents"] == []
