"""Uploads through the real API on both backends: each format, every kind of bad file, who may."""

from __future__ import annotations

import io

import docx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ascc.app import create_app
from ascc.config import Settings
from tests.conftest import make_user

TEXT = "The ASEAN Committee on Women coordinates gender equality cooperation across the region."


def pdf_bytes(text: str, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=400, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 10 Tf 10 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    if password:
        writer.encrypt(password)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_bytes(text: str) -> bytes:
    d = docx.Document()
    d.add_heading("Gender cooperation", level=1)
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture
def api(fresh_url, reference):
    from tests.conftest import load

    load(fresh_url, reference)
    officer = make_user(fresh_url, email="officer@asean.org")
    focal = make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        yield c, {"Authorization": f"Bearer {officer}"}, {"Authorization": f"Bearer {focal}"}


FORM = {"language": "en", "kind": "report", "title_en": "Gender report"}


def post(c, headers, name, content, **form):
    return c.post(
        "/api/v1/documents", headers=headers, data={**FORM, **form}, files={"file": (name, content)}
    )


@pytest.mark.parametrize(
    "name,content",
    [
        ("r.pdf", pdf_bytes(TEXT)),
        ("r.docx", docx_bytes(TEXT)),
        ("r.html", f"<html><body><script>x()</script><h1>Gender</h1><p>{TEXT}</p></body></html>".encode()),
        ("r.txt", TEXT.encode()),
    ],
)
def test_each_format_becomes_searchable_passages(api, name, content):
    c, officer, _ = api
    r = post(c, officer, name, content)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert any("gender equality" in p["text"] for p in doc["passages"])
    assert "x()" not in str(doc["passages"])
    hits = c.get("/api/v1/search", params={"q": "gender equality cooperation", "type": "passage"}).json()
    assert any(h["document"] == doc["slug"] for h in hits["items"])  # indexed at commit
    assert c.get(f"/documents/{doc['slug']}").status_code == 200


def _count(c) -> int:
    return c.get("/api/v1/documents").json()["total"]


@pytest.mark.parametrize(
    "name,content,status,words",
    [
        ("bad.pdf", b"%PDF-1.4\n garbage", 422, "not a readable PDF"),
        ("secret.pdf", pdf_bytes(TEXT, password="s3cret"), 422, "encrypted"),
        ("empty.txt", b"", 422, "empty"),
        ("blank.txt", b"   \n\n ", 422, "empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n....", 415, ".png"),
        ("bad.docx", b"PK\x03\x04not a zip", 422, "DOCX"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), 422, "UTF-8"),
        ("huge.txt", b"a" * (10 * 1024 * 1024 + 1), 413, "allowed"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(api, name, content, status, words):
    c, officer, _ = api
    before = _count(c)
    r = post(c, officer, name, content)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert words in r.json()["detail"] and name in r.json()["detail"]
    assert _count(c) == before


def test_only_the_secretariat_uploads_and_audience_is_respected(api):
    c, officer, focal = api
    assert post(c, {}, "r.txt", TEXT.encode()).status_code == 401
    assert post(c, focal, "r.txt", TEXT.encode()).status_code == 403
    assert post(c, officer, "r.txt", TEXT.encode(), title_en="", title_id="").status_code == 422
    unknown = post(c, officer, "r.txt", TEXT.encode(), sectors="no-such")
    assert unknown.status_code == 422 and unknown.json()["parameter"] == "sectors"
    r = post(c, officer, "r.txt", TEXT.encode(), audience="member_states")
    assert r.status_code == 201
    slug = r.json()["slug"]
    assert post(c, officer, "again.txt", TEXT.encode()).status_code == 409  # same text
    q = {"q": "gender equality cooperation"}
    assert slug not in str(c.get("/api/v1/search", params=q).json())
    assert slug in str(c.get("/api/v1/search", params=q, headers=focal).json())
    assert c.get(f"/api/v1/documents/{slug}").status_code == 404
    assert c.get(f"/api/v1/documents/{slug}", headers=focal).status_code == 200
