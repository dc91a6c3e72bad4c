"""Two ``ascc serve`` processes share one PostgreSQL: each sees the other's writes at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import load, make_user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"DATABASE_URL": url, "ASCC_SECRET_KEY": "shared-secret-for-all-processes"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ascc.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a busy machine (parallel workers) starts it slowly
        while True:
            try:
                if httpx.get(base + "/api/v1/pillars", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()  # its stderr ends only when it does
                raise RuntimeError(f"server did not start: {proc.communicate()[1].decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_servers_one_postgres(new_database, reference):
    url = new_database("postgresql")
    load(url, reference)
    auth = {"Authorization": f"Bearer {make_user(url, email='officer@asean.org')}"}
    with serve(url) as a, serve(url) as b:
        old = httpx.get(b + "/api/v1/bodies/asoen")
        r = httpx.patch(
            a + "/api/v1/bodies/asoen",
            json={"name_id": "Pejabat Senior ASEAN Bidang Lingkungan Hidup"},
            headers=auth | {"If-Match": old.headers["etag"]},
        )
        assert r.status_code == 200, r.text
        seen = httpx.get(b + "/api/v1/bodies/asoen", headers={"If-None-Match": old.headers["etag"]})
        assert seen.status_code == 200
        assert seen.json()["name"]["id"] == "Pejabat Senior ASEAN Bidang Lingkungan Hidup"
        page = httpx.get(b + "/bodies/asoen", params={"lang": "id"})
        assert "Pejabat Senior ASEAN Bidang Lingkungan Hidup" in page.text
        # the ETag one server gave is the one the other checks
        r = httpx.patch(
            b + "/api/v1/bodies/asoen",
            json={"established": 1977},
            headers=auth | {"If-Match": seen.headers["etag"]},
        )
        assert r.status_code == 200
        assert httpx.get(a + "/api/v1/bodies/asoen").json()["established"] == 1977


@pytest.mark.parametrize("backend", ["sqlite"])
def test_serve_on_sqlite_file(new_database, reference, backend):
    url = new_database(backend)
    load(url, reference)
    with serve(url) as base:
        assert httpx.get(base + "/").status_code == 200
        assert httpx.get(base + "/api/v1/member-states").json()["total"] == 11
