"""The OpenAPI document as clients generate code from it: every error is problem+json, a 401 names
its scheme (``WWW-Authenticate``), a 405 the methods there are (``Allow``), and downloads state
their media types.

FastAPI describes what the route functions declare; what the exception handlers of ``ascc.app``
add to every response (problem+json instead of FastAPI's own validation body, the headers) is
stated here, once, for every operation.
"""

from __future__ import annotations

from typing import Any

from ascc.kit import problems

PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _nullable(kind: str, description: str) -> dict[str, Any]:
    return {"anyOf": [{"type": kind}, {"type": "null"}], "description": description}


#: one problem of an input (``kit.problems.Problem.read()``): every key present, null when unknown
INPUT_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "InputProblem",
    "type": "object",
    "description": "One thing wrong with an input: where it is (file, line, column, field) and why.",
    "properties": {
        "file": _nullable("string", "the file (as uploaded or named)"),
        "line": _nullable("integer", "where in the file, counted in `unit`s from 1"),
        "unit": {
            "anyOf": [{"type": "string", "enum": list(problems.UNITS)}, {"type": "null"}],
            "description": "what `line` counts: a line of a text file, a row of a sheet, an observation of "
            "a message (null without a line)",
        },
        "column": _nullable("string", "the column of a table, as its header names it"),
        "field": _nullable("string", "the field of a record (a YAML key, an XML element, a JSON member)"),
        "reason": {"type": "string", "description": "what is wrong"},
    },
    "required": list(problems.KEYS),
}

#: RFC 9457 problem details as ``http.responses.problem`` writes them (the handlers may add members:
#: ``parameter``, ``errors`` of a 422, the ``problems`` of an input)
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; handlers may add members (e.g. `parameter`, `errors`, "
    "`problems`).",
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "the request's path"},
        "parameter": {"type": "string", "description": "the request parameter at fault (a 422)"},
        "problems": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/InputProblem"},
            "description": "every problem of an input (a file, a list of records), each naming where",
        },
    },
    "required": ["type", "title", "status", "detail"],
}

#: the scheme a 401 names (RFC 9110 §11.6.1): the API takes bearer tokens
WWW_AUTHENTICATE = 'Bearer realm="ascc"'


def _not_null_in_path(parameter: dict[str, Any]) -> None:
    """A path segment is never null: one function serving ``/data/{flow}`` and ``/data/{flow}/{key}``
    declares ``key: str | None``, which generators refuse in a path (they drop the operation)."""
    schema = parameter.get("schema", {})
    if parameter.get("in") == "path" and "anyOf" in schema:
        kept = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if len(kept) == 1:
            parameter["schema"] = {k: v for k, v in schema.items() if k not in ("anyOf", "default")} | kept[0]


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every 4xx/5xx response as problem+json (FastAPI's ``HTTPValidationError`` body is
    not what a 422 carries here) and the 401 ``WWW-Authenticate`` and 405 ``Allow`` headers."""
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for parameter in op.get("parameters", []):
                _not_null_in_path(parameter)
            for code, response in op["responses"].items():
                if code[:1] not in ("4", "5"):
                    continue
                response["content"] = {PROBLEM: {"schema": PROBLEM_REF}}
                if code == "401":
                    response.setdefault("headers", {})["WWW-Authenticate"] = _header(
                        f"the authentication scheme to use: `{WWW_AUTHENTICATE}`"
                    )
                if code == "405":
                    response.setdefault("headers", {})["Allow"] = _header("the methods this path takes")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["InputProblem"] = INPUT_PROBLEM_SCHEMA
    # FastAPI's validation bodies are never sent (the 422 handler writes problem+json)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return doc


def _file(media_type: str) -> dict[str, Any]:
    # text is text to a client (its charset is in the Content-Type); everything else is bytes
    return {"type": "string"} if media_type.startswith("text/") else {"type": "string", "format": "binary"}


def download(media_type: str, description: str, *, also: tuple[str, ...] = ()) -> dict[int | str, Any]:
    """The ``responses`` of a route that returns a file: its media type(s), not JSON."""
    content = {m: {"schema": _file(m)} for m in (media_type, *also)}
    return {200: {"description": description, "content": content}}
