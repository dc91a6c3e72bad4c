"""Property-based run over the whole OpenAPI document: no input may produce a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ascc.app import create_app
from ascc.config import Settings


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_schema(request, new_database, reference):
    from tests.conftest import load

    url = new_database(request.param)
    load(url, reference)
    app = create_app(Settings(database_url=url, admin_token="t"))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors_anywhere(api_schema):
    from fastapi.testclient import TestClient

    failures = []
    with TestClient(api_schema.app) as client:  # runs the lifespan (engine)
        for operation in api_schema.get_all_operations():
            op = operation.ok()

            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @schemathesis.hypothesis.given(case=op.as_strategy())
            def check(case, op=op):
                kwargs = case.as_transport_kwargs(base_url="http://testserver")
                response = client.request(
                    **{
                        k: v
                        for k, v in kwargs.items()
                        if k in ("method", "url", "headers", "params", "json", "cookies", "content")
                    }
                )
                if response.status_code >= 500:
                    failures.append((op.method, op.path, kwargs.get("url"), response.status_code))

            check()
    assert failures == []
