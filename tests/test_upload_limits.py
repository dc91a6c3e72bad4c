"""Compressed-file bombs and oversized bodies: a DOCX or XLSX that would expand to hundreds of MiB,
or that has a hundred thousand parts, is refused before it is opened, naming the file and the
limit, and nothing is stored; a request body over its route's limit is refused with 413 before the
session or the sign-in is looked at, whether it declares its length or streams it chunked."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import socket
import threading
import time
import zipfile

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.kit import isolate
from ascc.knowledge import extract
from tests.conftest import BACKENDS, load, make_user
from tests.test_accounts import PASSWORD, csrf_of

MiB = 2**20
_dbs: dict[str, tuple[str, dict[str, str]]] = {}


@pytest.fixture(params=BACKENDS)
def site(request, new_database, reference):
    """A database per backend with an officer and a focal point of Indonesia (refusals only)."""
    backend = request.param
    if backend not in _dbs:
        url = new_database(backend)
        load(url, reference)
        officer = make_user(url, email="officer@asean.org")
        focal = make_user(url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN")
        _dbs[backend] = url, {"officer": officer, "focal": focal}
    url, tokens = _dbs[backend]
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield url, client, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return n


def deep_zip(first: str) -> bytes:
    """A member of 200 MiB of zeros: about 200 KiB compressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open(first, "w") as f:
            block = b"\0" * MiB
            for _ in range(200):
                f.write(block)
    return buf.getvalue()


def wide_zip() -> bytes:
    """100 000 empty members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for i in range(100_000):
            z.writestr(f"p/{i}.xml", b"")
    return buf.getvalue()


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {
        "deep.docx": deep_zip("word/document.xml"),
        "wide.docx": wide_zip(),
        "deep.xlsx": deep_zip("xl/worksheets/sheet1.xml"),
        "wide.xlsx": wide_zip(),
    }


@pytest.mark.parametrize(
    ("name", "limit", "words"),
    [("deep.docx", "expanded", "expands to 200 MiB"), ("wide.docx", "parts", "100000 parts")],
)
def test_docx_bombs_are_refused_naming_file_and_limit(site, bombs, name, limit, words):
    url, client, auth = site
    before = count(url, "documents"), count(url, "document_passages")
    r = client.post(
        "/api/v1/documents",
        headers=auth["officer"],
        data={"language": "en", "kind": "report", "title_en": "Bomb"},
        files={"file": (name, bombs[name], "application/octet-stream")},
    )
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["detail"].startswith(f"{name}: ") and words in body["detail"], body
    assert (body["parameter"], body["limit"]) == ("file", limit)
    assert (count(url, "documents"), count(url, "document_passages")) == before


@pytest.mark.parametrize(
    ("name", "words"), [("deep.xlsx", "expands to 200 MiB"), ("wide.xlsx", "100000 parts")]
)
def test_xlsx_bombs_are_refused_naming_file_and_limit(site, bombs, name, words):
    url, client, auth = site
    before = count(url, "observations")
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=auth["focal"],
        data={"member_state": "IDN"},
        files={"file": (name, bombs[name], "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    [problem] = r.json()["problems"]
    assert problem["file"] == name and words in problem["reason"], problem
    assert count(url, "observations") == before


def test_the_web_form_refuses_a_docx_bomb(site, bombs):
    url, client, _auth = site
    client.post(
        "/login",
        data={"email": "officer@asean.org", "password": PASSWORD, "csrf": csrf_of(client.get("/login").text)},
    )
    csrf = csrf_of(client.get("/documents/new").text)
    before = count(url, "documents")
    r = client.post(
        "/documents",
        data={"csrf": csrf, "language": "en", "kind": "report", "title_en": "Bomb"},
        files={"file": ("deep.docx", bombs["deep.docx"], "application/octet-stream")},
    )
    assert r.status_code == 413 and "deep.docx" in r.text and "expands to 200 MiB" in r.text
    assert count(url, "documents") == before


# --- the request body limit -------------------------------------------------------------------


def asgi_post(app, path: str, chunks, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict, bytes, int]:
    """POST straight to the ASGI app, the body sent as ``chunks``; the status, headers, body and how
    many chunks the app asked for."""
    sent = {"n": 0}
    it = iter(chunks)
    out: dict = {"body": b""}

    async def receive():
        try:
            chunk = next(it)
        except StopIteration:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent["n"] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return out["status"], out["headers"], out["body"], sent["n"]


HEAD = (
    b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


def megabytes(n: int):
    """A multipart body that starts well (a file part) and goes on for ``n`` MiB."""
    yield HEAD + b"x" * (MiB - len(HEAD))
    for _ in range(n - 1):
        yield b"x" * MiB


@pytest.fixture
def app(db_url):
    application = create_app(Settings(database_url=db_url))
    with TestClient(application):  # the lifespan: the engine is there if a request gets through
        yield application


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(app):
    ct = (b"content-type", b"multipart/form-data; boundary=x")
    status, headers, body, read = asgi_post(
        app, "/api/v1/documents", megabytes(200), [ct, (b"content-length", str(200 * MiB).encode())]
    )
    assert (status, headers["content-type"], read) == (413, "application/problem+json", 0)
    assert json.loads(body)["limit"] == 11 * MiB
    status, headers, body, read = asgi_post(
        app, "/documents", megabytes(200), [ct, (b"content-length", str(200 * MiB).encode())]
    )
    assert (status, read) == (413, 0) and headers["content-type"].startswith("text/html")
    assert b"Request too large" in body


@pytest.mark.parametrize("path", ["/api/v1/documents", "/api/v1/submissions/drafts", "/api/v1/decisions"])
def test_a_chunked_body_is_cut_at_the_limit_before_sign_in(app, path):
    # no credentials at all: the answer is 413, not 401, and the app stops reading at the limit
    limit = {"/api/v1/documents": 11, "/api/v1/submissions/drafts": 21}.get(path, 1)
    if path == "/api/v1/decisions":
        ct, chunks = (b"content-type", b"application/json"), (b"1," * (MiB // 2) for _ in range(200))
    else:
        ct, chunks = (b"content-type", b"multipart/form-data; boundary=x"), megabytes(200)
    status, headers, body, read = asgi_post(app, path, chunks, [ct])
    assert status == 413 and headers["content-type"] == "application/problem+json", body
    assert json.loads(body)["limit"] == limit * MiB
    assert read == limit + 1  # the first megabyte over the limit, and no more


def test_the_limits_are_settings(db_url):
    settings = Settings(database_url=db_url, max_request_bytes=4096)
    with TestClient(create_app(settings)) as client:
        r = client.post("/api/v1/decisions", json={"title": "x" * 5000})
        assert r.status_code == 413 and r.json()["detail"].startswith(
            "the request body is larger than the 4096"
        )
        assert client.post("/api/v1/decisions", json={"title": "x"}).status_code != 413


def test_a_real_server_refuses_a_chunked_upload_without_reading_it(db_url):
    config = uvicorn.Config(
        create_app(Settings(database_url=db_url)),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(
                b"POST /api/v1/documents HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n"
            )

            def offer() -> None:  # 200 MiB offered; the server answers and stops reading at 11
                try:
                    for part in megabytes(200):
                        s.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                except OSError:  # the server closed the connection after answering
                    pass

            sender = threading.Thread(target=offer, daemon=True)
            sender.start()
            answer = b""
            try:
                while b"\r\n\r\n" not in answer:
                    part = s.recv(65536)
                    if not part:
                        break
                    answer += part
            except OSError:
                pass
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            sender.join(timeout=30)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- reading in a worker ----------------------------------------------------------------------


def test_the_worker_is_stopped_when_its_time_is_up():
    with pytest.raises(isolate.TimedOut):
        isolate.run(time.sleep, 60, seconds=1)


def test_the_worker_returns_results_and_domain_errors():
    assert isolate.run(extract.extract, "a.txt", b"Hello.", seconds=60) == ("text/plain", "Hello.")
    with pytest.raises(extract.BadUpload) as caught:
        isolate.run(extract.extract, "a.txt", b"\xff\xfe broken", seconds=60)
    assert caught.value.detail.startswith("a.txt: not UTF-8") and caught.value.extra == {"parameter": "file"}


def test_the_worker_has_a_memory_limit():
    with pytest.raises(isolate.Failed, match="memory"):
        isolate.run(bytearray, 512 * MiB, seconds=60, memory=256 * MiB)


def test_a_document_that_takes_too_long_is_refused_naming_it(monkeypatch):
    monkeypatch.setattr(extract, "EXTRACT_SECONDS", 0.001)
    with pytest.raises(extract.BadUpload) as caught:
        extract.read_document("slow.txt", b"Some text. " * 1000)
    assert caught.value.detail.startswith("slow.txt: reading the file took longer than 0.001 seconds")


def test_a_document_with_more_text_than_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(extract, "MAX_TEXT", 100)
    with pytest.raises(extract.TooLarge) as caught:
        extract.extract("long.txt", b"Some words. " * 20)
    assert caught.value.detail.startswith("long.txt: more than the 100 characters")
    assert caught.value.extra == {"parameter": "file", "limit": "characters"}
