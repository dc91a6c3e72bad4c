"""Answers checked against ``/openapi.json`` (issue 22, "Typed response models"): a client whose
every 2xx JSON answer is validated (``jsonschema_rs``, JSON Schema 2020-12, as OpenAPI 3.1 uses it)
against the schema the route declares in the app's own OpenAPI document, and which records the
routes it checked, so that a test can require every typed route of a module to have been called.

A response model declares ``additionalProperties: false`` (``registry.schemas.Shape``), so an
undeclared key fails as a missing or mistyped one does."""

from __future__ import annotations

import importlib
import re
from typing import Any

import jsonschema_rs
from fastapi.routing import APIRoute


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


def route_of(document: dict, method: str, path: str) -> str:
    """The OpenAPI path that serves ``method path``: of those that match, the one with the most
    literal text (``/funds/projects`` before ``/funds/{fund_id}``), as the app registers them."""
    path = path.split("?")[0]
    found = [
        template
        for template, operations in document["paths"].items()
        if method.lower() in operations and _pattern(template).match(path)
    ]
    assert found, f"no route serves {method} {path}"
    return max(found, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))


def typed_routes(module: str) -> set[tuple[str, str]]:
    """(method, path) of the routes of ``ascc.api.<module>`` that declare a JSON response model."""
    router = importlib.import_module(f"ascc.api.{module}").router
    return {
        (method, route.path_format)
        for route in router.routes
        if isinstance(route, APIRoute) and route.response_model is not None
        for method in route.methods
    }


class Checked:
    """Wraps a ``TestClient``: ``get``/``post``/``put``/``delete``/``request`` as it has them, and
    each 2xx ``application/json`` answer validated against its route's declared schema."""

    def __init__(self, app, client) -> None:
        self.app, self.client = app, client
        self.document = app.openapi()
        self.seen: set[tuple[str, str]] = set()
        self._validators: dict[tuple[str, str, str], Any] = {}

    def _validator(self, method: str, path: str, status: str):
        key = (method, path, status)
        if key not in self._validators:
            responses = self.document["paths"][path][method.lower()]["responses"]
            assert status in responses, f"{method} {path} answered {status}, which it does not declare"
            schema = responses[status]["content"]["application/json"]["schema"]
            root = {**schema, "components": self.document["components"]}
            self._validators[key] = jsonschema_rs.Draft202012Validator(root)
        return self._validators[key]

    def request(self, method: str, url: str, **kwargs):
        r = self.client.request(method, url, **kwargs)
        if 200 <= r.status_code < 300 and r.headers.get("content-type", "").startswith("application/json"):
            template = route_of(self.document, method, url)
            validator = self._validator(method.upper(), template, str(r.status_code))
            errors = [
                f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(r.json())
            ]
            assert not errors, f"{method} {url} does not answer what {template} declares: {errors[:5]}"
            self.seen.add((method.upper(), template))
        return r

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def unchecked(self, module: str) -> set[tuple[str, str]]:
        """The typed routes of ``ascc.api.<module>`` no checked call has reached yet."""
        return typed_routes(module) - self.seen
