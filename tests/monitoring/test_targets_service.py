"""Targets on both backends: validation, Secretariat-only writes (service, API, CLI), the CSV import
(all or nothing, every problem with file, line and column), and replacing a target by its scope."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ascc.accounts.schemas import PUBLIC, Principal, Role
from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.kit.errors import Forbidden, Invalid, PreconditionFailed, PreconditionRequired, Unauthorized
from ascc.monitoring.targets import service as targets_service
from ascc.monitoring.targets.models import Target
from ascc.wiring import session_factory
from tests.conftest import if_match, make_user
from tests.monitoring.progress_data import progress_url  # noqa: F401 - fixture

SECRETARIAT = Principal(user_id=1, name="officer", role=Role.secretariat)
FOCAL_POINT = Principal(user_id=2, name="fp", role=Role.focal_point, member_state="IDN")
HEADER = (
    "indicator_code,member_state,plan_id,baseline_year,baseline_value,target_year,target_value,source,quote"
)
GOOD = [
    "T.MMR,IDN,,2015,200,2030,70,https://unstats.un.org/sdgs/metadata/files/Metadata-03-01-01.pdf,",
    'T.LIFE,,aphda,,,2030,75,seed 003,"a quote, with a comma"',
]


@pytest.fixture
def session(progress_url):  # noqa: F811
    engine = make_engine(progress_url)
    s = session_factory(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()
        engine.dispose()


def data(**kw):
    base = {
        "indicator_code": "T.LIFE",
        "target_year": 2030,
        "target_value": 75.0,
        "source": "https://example.org/t",
    }
    return targets_service.TargetWrite(**(base | kw))


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Target))


def test_only_the_secretariat_writes(session):
    with pytest.raises(Unauthorized):
        targets_service.set_target(session, principal=PUBLIC, data=data())
    with pytest.raises(Forbidden):
        targets_service.set_target(session, principal=FOCAL_POINT, data=data(member_state="IDN"))
    with pytest.raises(Forbidden):
        targets_service.import_file(session, principal=FOCAL_POINT, text=HEADER + "\n" + GOOD[0])
    assert count(session) == 0


def test_set_replace_and_delete(session):
    created = targets_service.set_target(session, principal=SECRETARIAT, data=data(member_state="IDN"))
    assert created["result"] == "created" and created["member_state"] == "IDN" and not created["regional"]
    with pytest.raises(PreconditionRequired):  # replacing needs the stored target's ETag
        targets_service.set_target(
            session, principal=SECRETARIAT, data=data(member_state="IDN", target_value=76)
        )
    again = targets_service.set_target(
        session, principal=SECRETARIAT, data=data(member_state="IDN"), if_match=created["etag"]
    )
    assert again["result"] == "unchanged" and again["id"] == created["id"]
    changed = targets_service.set_target(
        session, principal=SECRETARIAT, data=data(member_state="IDN", target_value=76), if_match=again["etag"]
    )
    assert changed["result"] == "updated" and changed["id"] == created["id"] and changed["target_value"] == 76
    regional = targets_service.set_target(session, principal=SECRETARIAT, data=data())
    assert regional["regional"] and regional["id"] != created["id"]
    assert count(session) == 2
    with pytest.raises(PreconditionFailed):  # the ETag read before the change is stale
        targets_service.delete_target(
            session, principal=SECRETARIAT, target_id=created["id"], if_match=created["etag"]
        )
    targets_service.delete_target(
        session, principal=SECRETARIAT, target_id=created["id"], if_match=changed["etag"]
    )
    assert [t["id"] for t in targets_service.list_targets(session)] == [regional["id"]]


@pytest.mark.parametrize(
    ("kw", "parameter"),
    [
        ({"indicator_code": "NOPE"}, "indicator_code"),
        ({"member_state": "XXX"}, "member_state"),
        ({"plan_id": "no-such-plan"}, "plan_id"),
        ({"sector": "nope"}, "sector"),
    ],
)
def test_unknown_codes_are_refused(session, kw, parameter):
    with pytest.raises(Invalid) as err:
        targets_service.set_target(session, principal=SECRETARIAT, data=data(**kw))
    assert err.value.extra["parameter"] == parameter
    assert count(session) == 0


@pytest.mark.parametrize(
    "kw",
    [
        {"baseline_value": 3.0},
        {"baseline_year": 2030},
        {"target_year": 1800},
        {"target_value": float("inf")},
        {"source": ""},
        {"member_state": "idn"},
        {"unknown": 1},
    ],
)
def test_bad_values_are_refused(kw):
    with pytest.raises(ValueError):
        data(**kw)


def test_import_all_or_nothing_with_every_problem(session):
    text = (
        "\n".join(
            [
                HEADER,
                GOOD[0],
                "T.NOPE,IDN,,,,2030,1,src,",
                "T.LIFE,XXX,,,,20x0,abc,src,",
                "T.LIFE,PHL,,2031,5,2030,80,src,",
                "T.LIFE,PHL,,,,2030,,src,",
                GOOD[0],
            ]
        )
        + "\n"
    )
    with pytest.raises(targets_service.TargetFileError) as err:
        targets_service.import_file(session, principal=SECRETARIAT, text=text, filename="t.csv")
    problems = [(p.file, p.line, p.column, p.reason) for p in err.value.problems]
    assert ("t.csv", 3, "indicator_code", "unknown indicator 'T.NOPE'") in problems
    assert any(p[:3] == ("t.csv", 4, "target_year") for p in problems), problems
    assert any(p[:3] == ("t.csv", 4, "target_value") for p in problems), problems
    assert any(p[:2] == ("t.csv", 5) and "baseline_year must be before target_year" in p[3] for p in problems)
    assert ("t.csv", 6, "target_value", "required") in problems
    assert any(
        p[:3] == ("t.csv", 7, "indicator_code") and p[3].startswith("the same target") and "line 2" in p[3]
        for p in problems
    )
    assert "t.csv:6 [target_value]: required" in [str(p) for p in err.value.problems]
    assert count(session) == 0  # the good line 2 was not written either


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "t.csv:1: the file is empty"),
        ("indicator_code,target_year,target_value\n", "t.csv:1 [source]: column 'source' is missing"),
        (HEADER + ",colour\n", "t.csv:1 [colour]: column 'colour' is not one of indicator_code"),
        (HEADER + "\nT.LIFE,IDN\n", "t.csv:2: 2 cells where the header has 9"),
        (
            HEADER + "\nT.LIFE,,,,,2030,1,s," + "x" * 6000 + "\n",
            "t.csv:2 [quote]: longer than 5000 characters",
        ),
    ],
)
def test_import_file_shape_problems(session, text, expected):
    with pytest.raises(targets_service.TargetFileError) as err:
        targets_service.import_file(session, principal=SECRETARIAT, text=text, filename="t.csv")
    assert any(str(p).startswith(expected) for p in err.value.problems), err.value.problems


def test_import_then_reimport_changes_nothing(session):
    text = "\n".join([HEADER, *GOOD]) + "\n"
    assert targets_service.import_file(session, principal=SECRETARIAT, text=text) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert targets_service.import_file(session, principal=SECRETARIAT, text=text) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
    rows = targets_service.list_targets(session, plan_id="aphda")
    assert rows[0]["quote"] == "a quote, with a comma" and rows[0]["member_state"] is None


def test_api_and_cli(progress_url, tmp_path, monkeypatch):  # noqa: F811
    officer = make_user(progress_url, email=f"officer-{tmp_path.name}@asean.org")
    fp = make_user(
        progress_url, email=f"fp-{tmp_path.name}@kemenko.go.id", role="focal_point", member_state="IDN"
    )
    body = {
        "indicator_code": "T.MMR",
        "member_state": "IDN",
        "target_year": 2030,
        "target_value": 70,
        "baseline_year": 2015,
        "baseline_value": 200,
        "source": "https://example.org/sdg-3.1",
    }
    with TestClient(create_app(Settings(database_url=progress_url))) as c:
        assert c.post("/api/v1/targets", json=body).status_code == 401
        assert (
            c.post("/api/v1/targets", json=body, headers={"Authorization": f"Bearer {fp}"}).status_code == 403
        )
        auth = {"Authorization": f"Bearer {officer}"}
        r = c.post("/api/v1/targets", json=body | {"member_state": "XXX"}, headers=auth)
        assert r.status_code == 422 and "unknown member state" in r.json()["detail"]
        r = c.post("/api/v1/targets", json=body, headers=auth)
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
        assert c.post("/api/v1/targets", json=body | {"target_value": 65}, headers=auth).status_code == 428
        assert (
            c.post(
                "/api/v1/targets",
                json=body | {"target_value": 65},
                headers=if_match(c, f"/api/v1/targets/{tid}", auth),
            ).status_code
            == 200
        )
        assert c.get(f"/api/v1/targets/{tid}").json()["target_value"] == 65
        bad = HEADER + "\nT.LIFE,IDN,,,,2030,abc,src,\n"
        r = c.post("/api/v1/targets/import", content=bad, headers=auth | {"Content-Type": "text/csv"})
        assert r.status_code == 422 and "upload.csv:2 [target_value]" in r.json()["detail"]
        assert {"file": "upload.csv", "line": 2, "column": "target_value"}.items() <= r.json()["problems"][
            0
        ].items()
        card = c.get("/api/v1/progress/member-states/IDN").json()
        mmr = next(row for row in card["rows"] if row["indicator"]["code"] == "T.MMR")
        # 200 → 180 by 2020 against 65 by 2030: R = 0.1054 / ... still limited, and it names the target
        assert mmr["cell"]["method"] == "target" and mmr["cell"]["target"]["id"] == tid
        assert (
            c.delete(
                f"/api/v1/targets/{tid}",
                headers=if_match(c, f"/api/v1/targets/{tid}", {"Authorization": f"Bearer {fp}"}),
            ).status_code
            == 403
        )
        assert (
            c.delete(
                f"/api/v1/targets/{tid}", headers=if_match(c, f"/api/v1/targets/{tid}", auth)
            ).status_code
            == 204
        )
    monkeypatch.setenv("DATABASE_URL", progress_url)
    runner = CliRunner()
    email = f"officer-{tmp_path.name}@asean.org"
    r = runner.invoke(
        cli,
        [
            "targets",
            "set",
            "T.LIFE",
            "--target",
            "75",
            "--year",
            "2030",
            "--source",
            "seed 003",
            "--as",
            email,
        ],
    )
    assert r.exit_code == 0 and "created target" in r.output, r.output
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + "\nT.LIFE,IDN,,,,2030,abc,src,\n", encoding="utf-8")
    r = runner.invoke(cli, ["targets", "import", str(path), "--as", email])
    assert r.exit_code == 1 and f"{path}:2 [target_value]" in r.output and "nothing was imported" in r.output
    path.write_bytes(b"\xff\xfe" + HEADER.encode())
    r = runner.invoke(cli, ["targets", "import", str(path), "--as", email])
    assert r.exit_code == 1 and "not UTF-8" in r.output
    path.write_text("\n".join([HEADER, *GOOD]) + "\n", encoding="utf-8")
    r = runner.invoke(cli, ["targets", "import", str(path), "--as", email, "--dry-run"])
    assert r.exit_code == 0 and "would import: 2 new" in r.output, r.output
    r = runner.invoke(cli, ["targets", "import", str(path), "--as", f"fp-{tmp_path.name}@kemenko.go.id"])
    assert r.exit_code == 1 and "Secretariat" in r.output
    r = runner.invoke(cli, ["targets", "list", "--json"])
    assert r.exit_code == 0 and '"T.LIFE"' in r.stdout
    engine = make_engine(progress_url)
    with unit_of_work(session_factory(engine)) as s:
        assert [t["indicator_code"] for t in targets_service.list_targets(s)] == [
            "T.LIFE"
        ]  # dry run wrote nothing
        for t in targets_service.list_targets(s):
            targets_service.delete_target(s, principal=SECRETARIAT, target_id=t["id"], if_match=t["etag"])
    engine.dispose()


def _signed_in(url: str, email: str) -> TestClient:
    c = TestClient(create_app(Settings(database_url=url)))
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post(
        "/login", data={"email": email, "password": "a long enough password", "csrf": token}
    ).is_success
    return c


def _csrf(page: str) -> str:
    return re.search(r'id="target-form"><input type="hidden" name="csrf" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_web_form(progress_url, tmp_path, lang):  # noqa: F811
    officer, fp = f"web-officer-{tmp_path.name}@asean.org", f"web-fp-{tmp_path.name}@kemenko.go.id"
    make_user(progress_url, email=officer)
    make_user(progress_url, email=fp, role="focal_point", member_state="IDN")
    form = {
        "indicator_code": "T.LIFE",
        "member_state": "PHL",
        "plan_id": "",
        "baseline_year": "",
        "baseline_value": "",
        "target_year": "2030",
        "target_value": "75",
        "source": "https://example.org/x",
        "quote": "",
        "notes": "",
    }
    c = _signed_in(progress_url, officer)
    try:
        page = c.get(f"/progress?lang={lang}")
        assert ("Set a target" if lang == "en" else "Tetapkan target") in page.text
        csrf = _csrf(page.text)
        assert c.post("/progress/targets", data=form | {"csrf": "forged"}).status_code == 403
        bad = c.post("/progress/targets", data=form | {"csrf": csrf, "target_value": "abc"})
        assert bad.status_code == 422 and "target_value" in bad.text
        ok = c.post("/progress/targets", data=form | {"csrf": csrf}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/progress#targets"
        listed = c.get(f"/progress?lang={lang}").text
        assert "https://example.org/x" in listed and "75.0 (2030)" in listed
        tid = targets_service_ids(progress_url)[0]
        c2 = _signed_in(progress_url, fp)
        try:
            assert "Set a target" not in c2.get("/progress").text  # no form for focal points
            refused = c2.post(f"/progress/targets/{tid}/delete", data={"csrf": _login_csrf(c2)})
            assert refused.status_code == 403
        finally:
            c2.__exit__(None, None, None)
        listed = c.get(f"/progress?lang={lang}").text  # the delete button carries the target's revision
        revision = re.search(
            rf'action="/progress/targets/{tid}/delete">.*?name="revision" value="([^"]+)"', listed
        ).group(1)
        assert c.post(f"/progress/targets/{tid}/delete", data={"csrf": csrf}).status_code == 428
        assert (
            c.post(
                f"/progress/targets/{tid}/delete",
                data={"csrf": csrf, "revision": html.unescape(revision)},
                follow_redirects=False,
            ).status_code
            == 303
        )
        assert targets_service_ids(progress_url) == []
    finally:
        c.__exit__(None, None, None)


def _login_csrf(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get("/progress").text).group(1)


def targets_service_ids(url: str) -> list[int]:
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        ids = [t["id"] for t in targets_service.list_targets(s)]
    engine.dispose()
    return ids


def test_which_target_applies(session):
    from ascc.monitoring.targets import scorecards

    regional = targets_service.set_target(session, principal=SECRETARIAT, data=data(target_value=75.0))
    card = scorecards.member_state_scorecard(session, code="IDN")
    cell = next(r for r in card["rows"] if r["indicator"]["code"] == "T.LIFE")["cell"]
    # the regional target applies to IDN: 70 (2015) → 71.4 (2020) against 75 by 2030
    # required (75/70) ** (1/15) - 1 = 0.0046101; observed 1.02 ** 0.2 - 1 = 0.0039679; R = 0.8607 → moderate
    assert cell["target"]["id"] == regional["id"] and cell["method"] == "target"
    assert cell["value"] == pytest.approx(0.8607, abs=1e-3) and cell["status"] == "moderate_progress"
    own = targets_service.set_target(
        session, principal=SECRETARIAT, data=data(member_state="IDN", plan_id="aphda", target_value=71.0)
    )
    plan = scorecards.plan_scorecard(session, plan_id="aphda", base_year=2015)  # the series start in 2015
    life = next(r for r in plan["rows"] if r["indicator"]["code"] == "T.LIFE")
    assert (
        life["cells"]["IDN"]["target"]["id"] == own["id"]
        and life["cells"]["IDN"]["status"] == "target_achieved"
    )
    assert life["cells"]["PHL"]["target"]["id"] == regional["id"]  # no PHL target: the regional one
    assert life["regional"]["regional_target"]["id"] == regional["id"]
    # outside the plan, IDN's plan target does not apply
    again = scorecards.member_state_scorecard(session, code="IDN")
    assert (
        next(r for r in again["rows"] if r["indicator"]["code"] == "T.LIFE")["cell"]["target"]["id"]
        == regional["id"]
    )
