"""The OpenAPI document as client generators read it (issue 18, "OpenAPI"): a client generated with
``openapi-python-client`` from the served document, offline, calls a real server on loopback and
gets typed results; component names are unique; downloads state their media types; every error is
problem+json, a 401 names its scheme and a 405 the methods the path takes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.kit.pagination import MAX_LIMIT
from ascc.monitoring import loader
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, load, serving

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
INDICATORS = {"SP.POP.TOTL", "SL.UEM.TOTL.ZS", "SE.PRM.ENRR"}
BIN = Path(sys.executable).parent
#: media types the generator has no reader for, read as bytes (its documented override)
CONFIG = """\
project_name_override: ascc-client
package_name_override: ascc_client
content_type_overrides:
  application/atom+xml: application/octet-stream
  application/yaml: application/octet-stream
  application/pdf: application/octet-stream
  image/svg+xml: application/octet-stream
  application/xml: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
  text/csv: application/octet-stream
  application/vnd.sdmx.data+csv: application/octet-stream
  application/vnd.sdmx.genericdata+xml: application/octet-stream
  application/vnd.sdmx.structurespecificdata+xml: application/octet-stream
  application/vnd.sdmx.structure+xml: application/octet-stream
  application/vnd.sdmx.data+json: application/octet-stream
  application/vnd.sdmx.draft-sdmx-json+json: application/octet-stream
  application/vnd.sdmx.schema+xml: application/octet-stream
"""
DOWNLOADS = {
    "/calendar.ics": "text/calendar",
    "/decisions/feed.atom": "application/atom+xml",
    "/indicators/{code}/data.csv": "text/csv",
    "/submissions/template.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "/indices/{slug}/results.csv": "text/csv",
    "/indices/{slug}/definition.yaml": "application/yaml",
    "/api/v1/activities.xml": "application/xml",
    "/api/v1/geo/member-states.geojson": "application/geo+json",
    "/api/v1/disasters/events/{event_id}/footprint.geojson": "application/geo+json",
    "/sdmx/data/{flow}/{key}": "application/vnd.sdmx.data+csv",
    "/sdmx/{resource}/{agency}/{resource_id}/{version}": "application/vnd.sdmx.structure+xml",
    "/sdmx/schema/{context}/{agency}/{resource_id}/{version}": "application/vnd.sdmx.schema+xml",
}


@pytest.fixture(scope="module", params=BACKENDS)
def url(request, new_database, reference) -> str:
    url = new_database(request.param)
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] in INDICATORS)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def document(url) -> dict:
    return create_app(Settings(database_url=url)).openapi()


@pytest.fixture(scope="module")
def server(url) -> Iterator[str]:
    """A real uvicorn on loopback in this process."""
    with serving(create_app(Settings(database_url=url))) as base:
        yield base


@pytest.fixture(scope="module")
def client_package(server, tmp_path_factory):
    """``openapi-python-client generate`` from the document the server serves, with its default post
    hooks (ruff, offline), imported as ``ascc_client``."""
    work = tmp_path_factory.mktemp("client")
    (work / "openapi.json").write_bytes(httpx.get(server + "/openapi.json").content)
    (work / "config.yaml").write_text(CONFIG)
    env = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            "ascc_client",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    # every model and every operation is generated: nothing dropped as a duplicate or unreadable
    assert "duplicate" not in out and "Unable to" not in out and "will not be generated" not in out, out
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module("ascc_client")
    finally:
        sys.path.remove(str(work))
        for name in [n for n in sys.modules if n == "ascc_client" or n.startswith("ascc_client.")]:
            del sys.modules[name]


def _refs(node) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_component_names_are_unique_and_every_reference_resolves(document):
    schemas = document["components"]["schemas"]
    # FastAPI names a model by its module path ("ascc__meetings__schemas__DocumentRead") only when
    # two models share a name: generators then drop one of them and every schema that uses it
    assert [name for name in schemas if "__" in name] == []
    assert {"MeetingDocumentRead", "DocumentRead", "Problem"} <= set(schemas)
    for ref in set(_refs(document)):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_downloads_state_their_media_type(document):
    for path, media_type in DOWNLOADS.items():
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert media_type in content and "application/json" not in content, path


#: lists still answered as bare arrays (issue 18: every list of records is a page with its total):
#: a new list must be a page; each left here is a tree, where a page of its roots would mean nothing
NOT_YET_PAGED = {
    "/api/v1/sectors/{sector_id}/org-chart": "a tree of bodies (each with its children), not a list of records",
    "/api/v1/plans/{plan_id}/framework": "a tree: goals, each with its outcomes, each with its outputs",
}

#: answers with ``items`` that are not a page, and why (found when issue 22 typed them; paging one
#: would change its answer)
UNPAGED_ITEMS = {
    "/api/v1/funds/projects": "every funded project beside the totals by member state and year computed from them"
}

#: lists whose pages are smaller than ``MAX_LIMIT``, and why
SMALLER_PAGES = {"/api/v1/search": 100}  # ranked hits: the best come first, 100 is more than one reads


def test_lists_are_pages_with_their_total(document):
    schemas = document["components"]["schemas"]
    bare, paged = set(), set()
    for path, ops in document["paths"].items():
        schema = ops.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        schema = schema.get("application/json", {}).get("schema", {})
        named = schemas[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else {}
        if schema.get("type") == "array" or named.get("type") == "array":  # a named array too
            bare.add(path)
        elif "$ref" in schema:
            properties = schemas[schema["$ref"].rsplit("/", 1)[-1]].get("properties", {})
            if properties.get("items", {}).get("type") == "array" and path not in UNPAGED_ITEMS:
                assert {"total", "limit", "offset"} <= set(properties), path
                paged.add(path)
                # the same paging parameters everywhere: a bad one is a 422 before anything is read
                bounds = {p["name"]: p["schema"] for p in ops["get"]["parameters"] if p["in"] == "query"}
                most = SMALLER_PAGES.get(path, MAX_LIMIT)
                assert (bounds["limit"]["minimum"], bounds["limit"]["maximum"]) == (1, most), path
                assert bounds["offset"]["minimum"] == 0, path
    assert bare == set(NOT_YET_PAGED)
    assert {
        "/api/v1/decisions",
        "/api/v1/meetings",
        "/api/v1/bodies",
        "/api/v1/indicators",
        "/api/v1/targets",
        "/api/v1/disasters/events",
        "/api/v1/indicators/{code}/observations",
    } <= paged


def test_every_error_is_problem_json(document):
    seen = 0
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    seen += 1
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
                    if code == "401":
                        assert "WWW-Authenticate" in response["headers"], (method, path)
    assert seen > 100
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_generated_client_reads_typed_pages_and_records(client_package, server):
    from ascc_client import Client
    from ascc_client.api.downloads import calendar_ics_calendar_ics_get as calendar
    from ascc_client.api.indicators import indicator_api_v1_indicators_code_get as read_indicator
    from ascc_client.api.indicators import indicators_api_v1_indicators_get as list_indicators
    from ascc_client.api.meetings import expected_api_v1_meetings_expected_get as list_expected
    from ascc_client.api.meetings import list_meetings_api_v1_meetings_get as list_meetings
    from ascc_client.api.registry import bodies_api_v1_bodies_get as list_bodies
    from ascc_client.api.registry import body_api_v1_bodies_body_id_get as read_body
    from ascc_client.models import (
        BodyDetail,
        ExpectedMeeting,
        ExpectedMeetingPage,
        PageReadBodyRead,
        PageReadMeetingRead,
        Problem,
        PublishedIndicator,
        PublishedIndicatorDetail,
        PublishedIndicatorPage,
    )

    with Client(base_url=server, raise_on_unexpected_status=True) as client:
        page = list_indicators.sync(client=client, limit=2)
        assert isinstance(page, PublishedIndicatorPage)
        assert (page.total, page.limit, page.offset) == (3, 2, 0)
        assert [i.code for i in page.items] == ["SE.PRM.ENRR", "SL.UEM.TOTL.ZS"]
        assert all(isinstance(i, PublishedIndicator) for i in page.items)
        rest = list_indicators.sync(client=client, limit=2, offset=2)
        assert [i.code for i in rest.items] == ["SP.POP.TOTL"]

        one = read_indicator.sync(client=client, code="SP.POP.TOTL")
        assert isinstance(one, PublishedIndicatorDetail)
        assert one.name.en == "Population, total"
        assert one.published.observations == 0 and one.computed is None
        missing = read_indicator.sync(client=client, code="NO.SUCH")
        assert isinstance(missing, Problem) and missing.status == 404

        first = list_bodies.sync(client=client, limit=5)
        assert isinstance(first, PageReadBodyRead)
        second = list_bodies.sync(client=client, limit=5, offset=5)
        assert first.total == second.total > 10
        assert len(first.items) == len(second.items) == 5
        assert not {b.id for b in first.items} & {b.id for b in second.items}

        body = read_body.sync(client=client, body_id=first.items[0].id)
        assert isinstance(body, BodyDetail) and body.id == first.items[0].id
        assert isinstance(read_body.sync(client=client, body_id="no-such-body"), Problem)

        meetings = list_meetings.sync(client=client, limit=1)
        assert isinstance(meetings, PageReadMeetingRead) and meetings.limit == 1 and len(meetings.items) <= 1

        expected = list_expected.sync(client=client, year=2027, years=1, limit=3)
        assert isinstance(expected, ExpectedMeetingPage) and expected.total > 3 and len(expected.items) == 3
        assert all(isinstance(e, ExpectedMeeting) and e.year == 2027 for e in expected.items)
        rest = list_expected.sync(client=client, year=2027, years=1, limit=500, offset=3)
        assert rest.total == expected.total and len(rest.items) == expected.total - 3

        ics = calendar.sync_detailed(client=client)
        assert ics.status_code == 200 and ics.parsed.startswith("BEGIN:VCALENDAR")


def test_errors_carry_their_headers_as_problem_json(server):
    with httpx.Client(base_url=server) as c:
        r = c.get("/api/v1/submissions")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'Bearer realm="ascc"'
        assert r.headers["content-type"] == "application/problem+json"

        r = c.delete("/api/v1/documents")  # GET and POST are two routes of one path
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, POST"
        assert r.json()["status"] == 405

        r = c.put("/api/v1/bodies/asoen")
        assert r.status_code == 405 and r.headers["allow"] == "GET, PATCH"

        # a download's error is problem+json too, not an HTML page
        for path in ("/indices/no-such-index/results.csv", "/indicators/NO.SUCH/data.csv"):
            r = c.get(path)
            assert r.status_code == 404
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["instance"] == path
        r = c.get("/calendar.ics", params={"year": "1"})
        assert r.status_code == 422 and r.json()["parameter"] == "year"
