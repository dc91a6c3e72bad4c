"""``/api/v1/indices``: what-if weights and methods, errors as problem+json."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascc.api import indices as indices_api
from ascc.http.responses import problem
from ascc.indices import service
from ascc.kit.errors import DomainError
from tests.indices.test_bad_input import DATA, GOOD


@pytest.fixture(scope="module")
def client():
    app = FastAPI()

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):  # as in ascc.app
        return problem(exc.status, exc.title, exc.detail, instance=request.url.path, **exc.extra)

    app.include_router(indices_api.router)
    return TestClient(app)


def test_methods(client):
    body = client.get("/api/v1/indices/methods").json()
    assert "n_goalposts" in body["steps"]["normalise"] and "a_gmean" in body["steps"]["aggregate"]


def test_what_if_weights_and_methods(client):
    nominal = client.post("/api/v1/indices/what-if", json={"definition": GOOD, "data": DATA}).json()
    assert [r["rank"] for r in nominal["results"]] == [1, 2, 3, 4, 5]
    assert all(r["rank"] == r["nominal_rank"] for r in nominal["results"])
    changed = client.post(
        "/api/v1/indices/what-if",
        json={
            "definition": GOOD,
            "data": DATA,
            "weights": {"P1": 0},
            "methods": {"aggregate": {"f_ag": "a_gmean"}},
        },
    ).json()
    weights = {w["iCode"]: w["EffectiveWeight"] for w in changed["effective_weights"]}
    assert weights["P1"] == 0 and weights["c"] == pytest.approx(2 / 3)
    assert any(r["score"] != r["nominal_score"] for r in changed["results"])


def test_what_if_errors_are_problem_json_with_lines(client):
    response = client.post(
        "/api/v1/indices/what-if",
        json={"definition": GOOD.replace("parent: P2, weight: 2", "parent: P9, weight: 2"), "data": DATA},
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert any(
        (p["file"], p["line"]) == ("definition.yaml", 9) and "unknown parent code 'P9'" in p["reason"]
        for p in response.json()["problems"]
    )
    bad = client.post(
        "/api/v1/indices/what-if", json={"definition": GOOD, "data": DATA, "weights": {"a": -1, "zz": 1}}
    )
    assert bad.status_code == 422 and len(bad.json()["problems"]) == 2


# --- no input makes the engine fail with anything but a clear input error -----------------------


def _mutate(text: str, cuts: list[tuple[int, int, str]]) -> str:
    for position, length, insert in cuts:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + length :]
    return text


edits = st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), st.text(max_size=6)), max_size=4)
values = st.one_of(st.none(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=8))
methods = st.dictionaries(
    st.sampled_from(
        ["impute", "normalise", "aggregate", "weights", "treat", "screen", "denominate", "bogus"]
    ),
    st.one_of(
        values, st.dictionaries(st.sampled_from(["f_n", "f_ag", "f_i", "l_u", "method", "custom"]), values)
    ),
    max_size=2,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    definition_edits=edits,
    data_edits=edits,
    weights=st.dictionaries(
        st.sampled_from(["a", "b", "P1", "Idx", "zz"]), st.floats(allow_nan=True), max_size=3
    ),
    methods=methods,
)
def test_what_if_never_fails_unexpectedly(definition_edits, data_edits, weights, methods):
    try:
        out = service.what_if(
            definition_text=_mutate(GOOD, definition_edits),
            data_text=_mutate(DATA, data_edits),
            weights=weights,
            methods=methods,
        )
    except DomainError:
        return
    assert all(r["score"] is None or r["score"] == r["score"] for r in out["results"])


def test_what_if_zero_sum_weights_are_a_problem_not_a_crash(client):
    response = client.post(
        "/api/v1/indices/what-if", json={"definition": GOOD, "data": DATA, "weights": {"c": 0, "d": 0}}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    (problem,) = response.json()["problems"]
    assert (problem["file"], problem["line"]) == ("request", None)
    assert (f"{problem['field']}: " if problem["field"] else "") + problem["reason"] == (
        "weights: the weights of the children of 'P2' (level 2) sum to 0 (c=0, d=0): "
        "nothing to aggregate; give at least one of them a positive weight"
    )
