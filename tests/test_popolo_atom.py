"""Popolo and Atom as their readers check them (issue 18, "Other formats, to their validators"): the
Popolo exports validate against the Popolo project's own JSON schemas (vendored in
``tests/data/popolo``) with their formats checked, and cite pages a reader can open; the Atom ids do
not change with the Host a request names."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import service as knowledge_service
from ascc.wiring import session_factory
from tests.test_decisions import MEMBERS, auth, fresh, new_item, position, world  # noqa: F401 - fixture

SCHEMAS = Path(__file__).resolve().parent / "data" / "popolo"
ATOM = "{http://www.w3.org/2005/Atom}"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def _draft4(node):
    """Draft 03's ``"required": true`` on a property, as draft 04's ``required`` list of its object:
    the only draft-03 keyword the Popolo schemas use that later drafts changed (no ``extends``,
    ``disallow`` or ``divisibleBy``), so the validator reads them as their authors meant."""
    if isinstance(node, list):
        return [_draft4(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _draft4(v) for k, v in node.items() if k != "required" or not isinstance(v, bool)}
    if isinstance(node.get("properties"), dict):
        required = [name for name, prop in node["properties"].items() if prop.get("required") is True]
        if required:
            out["required"] = required
    if out.get("$schema", "").startswith("http://json-schema.org/draft-03"):
        out["$schema"] = "http://json-schema.org/draft-04/schema#"
    return out


@pytest.fixture(scope="module")
def popolo_schemas() -> dict[str, dict]:
    schemas = {p.stem: _draft4(json.loads(p.read_text())) for p in SCHEMAS.glob("*.json")}
    assert {"organization", "membership", "motion", "vote_event", "link"} <= set(schemas)
    return schemas


def _validator(schemas: dict[str, dict], name: str):
    registry = jsonschema_rs.Registry([(s["id"], s) for s in schemas.values()])
    return jsonschema_rs.Draft4Validator(schemas[name], validate_formats=True, registry=registry)


def _problems(schemas: dict[str, dict], doc: dict, collections: dict[str, str]) -> list[str]:
    problems = []
    for key, name in collections.items():
        validator = _validator(schemas, name)
        for i, record in enumerate(doc[key]):
            problems += [f"{key}[{i}] {e.instance_path}: {e.message}" for e in validator.iter_errors(record)]
    return problems


def test_the_vendored_schemas_check_formats(popolo_schemas):
    """The checks the export must pass are real: a bare date is not a ``date-time``, a path is not a
    URI, a count needs its option."""
    motion, link, count = (_validator(popolo_schemas, n) for n in ("motion", "link", "count"))
    assert not motion.is_valid({"id": "m", "date": "2026-03-01"})
    assert motion.is_valid({"id": "m", "date": "2026-03-01T00:00:00Z"})
    assert not link.is_valid({"url": "/decisions/1"})
    assert not count.is_valid({"value": 3})


def _adopt(client, tokens) -> int:
    item = new_item(client, tokens)
    for code in MEMBERS:
        assert position(client, tokens, item, code).status_code == 200
    r = client.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item))
    assert r.status_code == 200, r.text
    return item


def test_decisions_popolo_validates_and_links_the_decision_page(world, popolo_schemas):  # noqa: F811
    client, tokens, _ = world
    item = _adopt(client, tokens)
    doc = client.get("/api/v1/decisions/popolo").json()
    assert doc["motions"] and doc["vote_events"]
    problems = _problems(
        popolo_schemas,
        doc,
        {
            "organizations": "organization",
            "memberships": "membership",
            "motions": "motion",
            "vote_events": "vote_event",
        },
    )
    assert problems == []
    motion, event = doc["motions"][0], doc["vote_events"][0]
    assert motion["date"].endswith("T00:00:00Z") and event["start_date"] == motion["date"]
    source = motion["sources"][0]["url"]
    assert source == f"http://testserver/decisions/{item}" and event["sources"] == motion["sources"]
    page = client.get(source.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Regional guidelines" in page.text


def test_registry_popolo_validates_and_links_the_seed_documents(
    fresh_url, reference, popolo_schemas, tmp_path, monkeypatch
):
    from tests.conftest import load

    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:
        session.info["actor"] = "test"
        knowledge_service.load_seeds(session, folder=SEEDS)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    out = tmp_path / "popolo.json"
    result = CliRunner().invoke(
        cli, ["export", "-f", "popolo", "-o", str(out), "--base-url", "https://ascc.example.org"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    problems = _problems(popolo_schemas, doc, {"organizations": "organization", "memberships": "membership"})
    assert problems == []
    urls = [s["url"] for o in doc["organizations"] for s in o["sources"]]
    assert not [u for u in urls if u.startswith("seed:")]
    seeded = [u for u in urls if u.startswith("https://ascc.example.org/documents/seed-")]
    assert seeded
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        for url in sorted(set(seeded)):
            assert client.get(url.removeprefix("https://ascc.example.org")).status_code == 200, url


def test_atom_ids_do_not_change_with_the_host(world):  # noqa: F811
    client, tokens, url = world
    item = _adopt(client, tokens)

    def feed(host: str) -> ET.Element:
        r = client.get("/decisions/feed.atom", headers={"Host": host})
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        return ET.fromstring(r.content)

    one, other = feed("ascc.example.org"), feed("10.0.0.7:8000")
    ids = [e.findtext(f"{ATOM}id") for e in one.iter(f"{ATOM}entry")]
    assert ids == [e.findtext(f"{ATOM}id") for e in other.iter(f"{ATOM}entry")]
    assert one.findtext(f"{ATOM}id") == other.findtext(f"{ATOM}id") == "tag:asean.org,2025:ascc/decisions"
    assert ids == [f"tag:asean.org,2025:ascc/decisions/{item}"]
    # the links follow the request, so that they lead where the reader came from
    assert one.find(f"{ATOM}entry/{ATOM}link").get("href") == f"http://ascc.example.org/decisions/{item}"
    assert other.find(f"{ATOM}entry/{ATOM}link").get("href") == f"http://10.0.0.7:8000/decisions/{item}"

    # with the platform's address configured, it mints the ids and the links use it
    with TestClient(
        create_app(Settings(database_url=url, site_url="https://ascc.example.org/"))
    ) as configured:
        r = configured.get("/decisions/feed.atom", headers={"Host": "10.0.0.7:8000"})
    entry = ET.fromstring(r.content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"tag:ascc.example.org,2025:ascc/decisions/{item}"
    assert entry.find(f"{ATOM}link").get("href") == f"https://ascc.example.org/decisions/{item}"


def test_the_schema_reading_is_faithful(popolo_schemas):
    """``_draft4`` changes nothing but ``required``: the schemas are otherwise the Popolo project's."""
    raw = json.loads((SCHEMAS / "count.json").read_text())
    lifted = copy.deepcopy(popolo_schemas["count"])
    assert lifted.pop("required") == ["option", "value"]
    for prop in raw["properties"].values():
        prop.pop("required", None)
    assert {k: v for k, v in lifted.items() if k != "$schema"} == {
        k: v for k, v in raw.items() if k != "$schema"
    }
