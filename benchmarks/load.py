"""Mixed read/write load on a real ``ascc serve``: 5xx, lost writes and read latency (issue 15).

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 50] [--only sqlite-1,sqlite-2,postgresql-2]

For each configuration (SQLite with one and two workers, PostgreSQL with two workers: the
benchmark starts its own PostgreSQL with pgserver) it builds a fresh database with ``ascc init``
and ``ascc results load``, creates one account per role, starts ``ascc serve`` on loopback and
runs ``--clients`` closed-loop clients (asyncio, httpx, keep-alive) for ``--seconds``. Every
client loops over a mix of requests, three reads to one write:

- reads: the home page, the body list and one body (API), the calendar, a search, the decision
  list, one decision item, the meetings (API), an activity;
- writes: a decision stage move, back and forth (If-Match), a comment on a decision, an edit of a
  meeting record (If-Match), an edit of a situation report (If-Match).

Lost writes are counted afterwards from the database: every comment answered 201 must be stored,
and each record edited with If-Match must have exactly as many revisions as edits answered 200
(412 answers are the protocol working: a client lost the race and was told). Prints, per
configuration: requests, 5xx, other errors, 412s, lost writes and read/write latency percentiles.
All traffic is on 127.0.0.1; every loop is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_api import free_port, start

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEY = "load-benchmark-signing-key-0123456789abcdef"


def ascc(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "ascc"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout


def token(env: dict[str, str], email: str, role: str, **fields: str) -> str:
    extra = [a for k, v in fields.items() for a in (f"--{k.replace('_', '-')}", v)]
    ascc(
        env,
        "user",
        "create",
        "--email",
        email,
        "--name",
        email.split("@")[0],
        "--role",
        role,
        "--password",
        "Kp7-load-benchmark-3vQ",
        *extra,
    )
    return ascc(env, "user", "token", email).strip().splitlines()[-1].split()[-1]


class Load:
    def __init__(self, base: str, tokens: dict[str, str], clients: int, seconds: float) -> None:
        self.base, self.tokens, self.clients, self.seconds = base, tokens, clients, seconds
        self.status: Counter[int] = Counter()
        self.read_ms: list[float] = []
        self.read_by_path: dict[str, list[float]] = {}
        self.write_ms: list[float] = []
        self.comments_ok = 0
        self.edits_ok: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def setup(self, c: httpx.AsyncClient) -> None:
        sec, chair = self.auth("secretariat"), self.auth("chair")
        self.items = []
        for i in range(5):
            r = await c.post(
                "/api/v1/decisions",
                headers=sec,
                json={
                    "title_en": f"Load item {i}: haze monitoring",
                    "body_id": "asoen",
                    "audience": "public",
                },
            )
            r.raise_for_status()
            self.items.append(r.json()["id"])
        self.meetings = []
        for i in range(5):
            mid = f"asoen-load-{i}"
            r = await c.put(
                f"/api/v1/meetings/{mid}",
                headers=chair,
                json={"id": mid, "body": "asoen", "title_en": f"Load meeting {i}"},
            )
            r.raise_for_status()
            self.meetings.append(mid)
        events = (await c.get("/api/v1/disasters/events", params={"limit": 5})).json()["items"]
        self.sitreps = []
        for e in events[:3]:
            r = await c.post(
                f"/api/v1/disasters/events/{e['id']}/sitreps",
                headers=self.auth("aha_centre"),
                json={"title_en": "Situation update", "body_en": "Start.", "as_of": "2024-01-01"},
            )
            r.raise_for_status()
            self.sitreps.append(r.json()["id"])
        self.activities = [
            a["id"] for a in (await c.get("/api/v1/activities", params={"limit": 5})).json()["items"]
        ]

    def reads(self) -> list[str]:
        paths = [
            "/",
            "/api/v1/bodies?limit=100",
            "/api/v1/bodies/asoen",
            "/calendar",
            "/search?q=disaster",
            "/decisions",
            f"/api/v1/decisions/{random.choice(self.items)}",
            "/api/v1/meetings",
        ]
        if self.activities:
            paths.append(f"/api/v1/activities/{random.choice(self.activities)}")
        return paths

    async def timed(
        self, c: httpx.AsyncClient, into: list[float], method: str, path: str, **kw
    ) -> httpx.Response:
        t = time.perf_counter()
        r = await c.request(method, path, **kw)
        ms = (time.perf_counter() - t) * 1000
        into.append(ms)
        if into is self.read_ms:
            signed = " (signed in)" if "headers" in kw else ""
            self.read_by_path.setdefault(
                re.sub(r"/\d+|/asoen-load-\d", "/{id}", path.split("?")[0]) + signed, []
            ).append(ms)
        self.status[r.status_code] += 1
        if r.status_code >= 400 and r.status_code != 412:
            self.refused[f"{r.status_code} {method} {path.split('?')[0]}"] += 1
        return r

    async def edit(self, c: httpx.AsyncClient, kind: str) -> None:
        """Read the record, then change it with its ETag (a client that lost a race gets 412)."""
        if kind == "stage":
            item = random.choice(self.items)
            h = self.auth("chair")
            r = await self.timed(c, self.read_ms, "GET", f"/api/v1/decisions/{item}", headers=h)
            stage = r.json()["stage"]
            body = {"to": "consult"} if stage == "identify" else {"to": "identify", "reason": "load test"}
            r = await self.timed(
                c,
                self.write_ms,
                "POST",
                f"/api/v1/decisions/{item}/stage",
                json=body,
                headers=h | {"If-Match": r.headers["etag"]},
            )
            if r.status_code == 200:
                self.edits_ok[f"item:{item}"] += 1
        elif kind == "comment":
            item = random.choice(self.items)
            r = await self.timed(
                c,
                self.write_ms,
                "POST",
                f"/api/v1/decisions/{item}/contributions",
                headers=self.auth("chair"),
                json={"kind": "comment", "text": "noted"},
            )
            if r.status_code in (200, 201):
                self.comments_ok += 1
        elif kind == "meeting":
            mid = random.choice(self.meetings)
            h = self.auth("chair")
            r = await self.timed(c, self.read_ms, "GET", f"/api/v1/meetings/{mid}", headers=h)
            body = {
                "id": mid,
                "body": "asoen",
                "title_en": r.json()["title"]["en"],
                "city": f"City {random.random()}",
            }
            r = await self.timed(
                c,
                self.write_ms,
                "PUT",
                f"/api/v1/meetings/{mid}",
                json=body,
                headers=h | {"If-Match": r.headers["etag"]},
            )
            if r.status_code == 200:
                self.edits_ok[f"meeting:{mid}"] += 1
        elif kind == "sitrep" and self.sitreps:
            sid = random.choice(self.sitreps)
            h = self.auth("aha_centre")
            r = await self.timed(c, self.read_ms, "GET", f"/api/v1/disasters/sitreps/{sid}", headers=h)
            body = {
                "title_en": "Situation update",
                "body_en": f"Update {random.random()}",
                "as_of": "2024-01-01",
            }
            r = await self.timed(
                c,
                self.write_ms,
                "PUT",
                f"/api/v1/disasters/sitreps/{sid}",
                json=body,
                headers=h | {"If-Match": r.headers["etag"]},
            )
            if r.status_code == 200:
                self.edits_ok[f"sitrep:{sid}"] += 1

    async def client(self, stop: float) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as c:
            while time.monotonic() < stop:
                try:
                    if random.random() < 0.25:
                        await self.edit(c, random.choice(["stage", "comment", "meeting", "sitrep"]))
                    else:
                        await self.timed(c, self.read_ms, "GET", random.choice(self.reads()))
                except httpx.HTTPError as exc:
                    self.failures[type(exc).__name__] += 1

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as c:
            await self.setup(c)
        stop = time.monotonic() + self.seconds
        await asyncio.gather(*(self.client(stop) for _ in range(self.clients)))

    async def lost_writes(self) -> int:
        """Writes answered 2xx that the database does not hold."""
        lost = 0
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as c:
            comments = 0
            for item in self.items:
                d = (await c.get(f"/api/v1/decisions/{item}", headers=self.auth("chair"))).json()
                comments += len(d["contributions"])
                lost += abs(self.edits_ok[f"item:{item}"] - (len(d["history"]) - 1))  # minus "item opened"
            lost += max(0, self.comments_ok - comments)
            for sid in self.sitreps:
                s = (await c.get(f"/api/v1/disasters/sitreps/{sid}")).json()
                lost += abs(self.edits_ok[f"sitrep:{sid}"] - (s["version"] - 1))
        return lost


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def run_config(name: str, url: str, workers: int, clients: int, seconds: float) -> dict:
    env = os.environ | {"DATABASE_URL": url, "ASCC_SECRET_KEY": KEY}
    ascc(env, "init")
    ascc(env, "results", "load")
    if (ROOT.parent / "shared" / "data" / "disaster_events.csv").exists():
        ascc(env, "disasters", "import")
    tokens = {
        "secretariat": token(env, "officer@asean.org", "secretariat"),
        "chair": token(env, "chair@asoen.org", "chair", body="asoen"),
        "aha_centre": token(env, "duty@ahacentre.org", "aha_centre"),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(
        [str(BIN / "ascc"), "serve", "--port", str(port), "--workers", str(workers)],
        env,
        base + "/api/v1/pillars",
    )
    try:
        load = Load(base, tokens, clients, seconds)
        t = time.monotonic()
        asyncio.run(load.run())
        elapsed = time.monotonic() - t
        lost = asyncio.run(load.lost_writes())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = sum(load.status.values())
    return {
        "config": name,
        "requests": total,
        "rps": total / elapsed,
        "5xx": sum(n for s, n in load.status.items() if s >= 500),
        "412": load.status[412],
        "other 4xx": sum(n for s, n in load.status.items() if 400 <= s < 500 and s != 412),
        "transport errors": sum(load.failures.values()),
        "lost writes": lost,
        "statuses": dict(sorted(load.status.items())),
        "refused": dict(load.refused.most_common(5)),
        "read p50": pct(load.read_ms, 50),
        "read p99": pct(load.read_ms, 99),
        "write p99": pct(load.write_ms, 99),
        "reads by path": {
            p: (len(v), round(pct(v, 50)), round(pct(v, 99)))
            for p, v in sorted(load.read_by_path.items(), key=lambda kv: -pct(kv[1], 99))
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--only", default="sqlite-1,sqlite-2,postgresql-2")
    args = parser.parse_args()
    wanted = args.only.split(",")
    rows = []
    with tempfile.TemporaryDirectory(prefix="ascc-load-") as tmp:
        for name in wanted:
            backend, workers = name.rsplit("-", 1)
            if backend == "sqlite":
                url = f"sqlite:///{tmp}/{name}.db"
                rows.append(run_config(name, url, int(workers), args.clients, args.seconds))
            else:
                import pgserver

                server = pgserver.get_server(f"{tmp}/pg", cleanup_mode="stop")
                url = server.get_uri()
                rows.append(run_config(name, url, int(workers), args.clients, args.seconds))
            print(rows[-1], flush=True)
    cols = [c for c in rows[0] if c not in ("statuses", "refused", "reads by path")]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f"{r[c]:.0f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
