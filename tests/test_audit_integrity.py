"""``ascc audit verify`` finds data changed behind the application's back, not only a changed trail:
an edited, deleted or inserted row (ORM-audited or bulk), and, with a checkpoint kept outside the
database, a chain cut with its head rewound or rewritten with every hash recomputed."""

from __future__ import annotations

import shutil
import stat
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.audit import service as audit_service
from ascc.audit.models import AuditEntry
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import loader
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import if_match, load_built, make_user
from tests.monitoring.conftest import DATA, PLAIN_HEADER, run_import, write

IDN = (
    PLAIN_HEADER
    + "SP.POP.TOTL,IDN,2020,273500000,persons,BPS,\nSP.POP.TOTL,IDN,2021,276400000,persons,BPS,\n"
)


def _build_world(url: str) -> None:
    """Reference data, an approved import and its revision, a focal point's draft submitted and
    approved, another draft left as a draft (built once per backend, then copied: load_built)."""
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA) if r["code"] == "SP.POP.TOTL")
    engine.dispose()
    files = Path(tempfile.mkdtemp(prefix="ascc-audit-world-"))
    rows = "".join(
        f"SP.POP.TOTL,{ms},2020,{v},persons,WDI,\n" for ms, v in (("MYS", 33199993), ("THA", 71475664))
    )
    assert run_import(url, write(files, "a.csv", PLAIN_HEADER + rows), approval="approved").ok
    revised = PLAIN_HEADER + "SP.POP.TOTL,MYS,2020,33200000,persons,WDI,revised\n"
    assert run_import(url, write(files, "b.csv", revised), approval="approved").revised == 1
    secretariat = make_user(url, email="officer@asean.org")
    focal = make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN")
    with TestClient(create_app(Settings(database_url=url))) as client:
        r = client.post(
            "/api/v1/submissions/drafts",
            headers={"Authorization": f"Bearer {focal}"},
            data={"member_state": "IDN"},
            files={"file": ("idn.csv", IDN.encode(), "text/csv")},
        )
        assert r.status_code == 201, r.text
        r = client.post(
            "/api/v1/submissions", headers={"Authorization": f"Bearer {focal}"}, json={"member_state": "IDN"}
        )
        assert r.status_code == 201, r.text
        sid, sec = r.json()["id"], {"Authorization": f"Bearer {secretariat}"}
        r = client.post(
            f"/api/v1/submissions/{sid}/review",
            json={"decision": "approved"},
            headers=if_match(client, f"/api/v1/submissions/{sid}", sec),
        )
        assert r.status_code == 200, r.text
    assert run_import(url, write(files, "c.csv", PLAIN_HEADER + "SP.POP.TOTL,IDN,2022,1,persons,BPS,\n")).ok
    shutil.rmtree(files, ignore_errors=True)


@pytest.fixture
def world(fresh_url, reference, tmp_path, monkeypatch):
    """The world of :func:`_build_world` (a copy of it); the CLI pointed at it, a key file and a
    checkpoints path."""
    load_built(fresh_url, reference, "audit-integrity-world", _build_world)
    key = tmp_path / "audit.key"
    key.write_text("a key of at least sixteen bytes, kept off the database host\n")
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    monkeypatch.setenv("ASCC_AUDIT_KEY_FILE", str(key))
    monkeypatch.setenv("ASCC_AUDIT_CHECKPOINTS", str(tmp_path / "checkpoints" / "ascc.jsonl"))
    return fresh_url


def sql(url: str, statement: str, **params) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)
    engine.dispose()


def verify_cli(*args: str):
    return CliRunner().invoke(cli, ["audit", "verify", *args])


def chain_alone(url: str) -> audit_service.VerifyResult:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        result = audit_service.verify(session)
    engine.dispose()
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_clean_database_verifies_and_checkpoints_are_private(world):
    out = verify_cli()
    assert out.exit_code == 0, out.output
    assert (
        "chain intact" in out.output and "rows match it" in out.output and "no checkpoint" in flat(out.output)
    )
    out = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert out.exit_code == 0, out.output
    path = Path(Settings().audit_checkpoints)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    line = path.read_text().splitlines()[-1]
    assert '"mac":"' in line
    out = verify_cli()
    assert out.exit_code == 0 and "1 checkpoint" in out.output, out.output
    out = CliRunner().invoke(cli, ["audit", "checkpoint", "--every", "10"])
    assert out.exit_code == 0 and "none written" in out.output and len(path.read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("attack", "named"),
    [
        (
            "UPDATE bodies SET established = 1900 WHERE id = 'acw'",
            "bodies acw differs from its last audit entry",
        ),
        ("UPDATE users SET password_hash = 'x' WHERE email = 'officer@asean.org'", "password_hash is"),
        (
            "DELETE FROM statistics WHERE id = 'youth-population-share'",
            "statistics youth-population-share is gone",
        ),
        (
            "INSERT INTO sectors (id, name_en, name_id, pillar_id, sources, corrections) SELECT 'smuggled', name_en, "
            "name_id, pillar_id, sources, corrections FROM sectors WHERE id = 'education'",
            "sectors smuggled has no audit entry",
        ),
        # bulk rows: a changed value is found by its batch; the states no batch fixes, by the row
        (
            "UPDATE observations SET value = 1 WHERE member_state = 'THA'",
            "observations of observation_batches 1",
        ),
        ("DELETE FROM observations WHERE member_state = 'THA'", "observations of observation_batches 1"),
        (
            "UPDATE observations SET approval = 'approved' WHERE period = '2022'",
            "in no submission; its batch 4",
        ),
        ("UPDATE observations SET approval = 'rejected' WHERE period = '2021'", "says is approved"),
        (
            "UPDATE observations SET is_current = TRUE WHERE member_state = 'MYS' AND revision = 1",
            "is current, but it is not the last revision",
        ),
    ],
)
def test_a_row_changed_behind_the_applications_back_is_named(world, attack, named):
    assert verify_cli().exit_code == 0
    sql(world, attack)
    assert chain_alone(world).ok  # the chain itself is untouched: only the rows tell
    out = verify_cli()
    assert out.exit_code == 1, out.output
    assert "BAD ROW" in out.output and named in flat(out.output), out.output


def test_a_row_changed_through_the_application_is_not_a_difference(world):
    token = make_user(world, email="editor@asean.org")
    with TestClient(create_app(Settings(database_url=world))) as client:
        r = client.patch(
            "/api/v1/bodies/acw",
            json={"established": 1976},
            headers=if_match(client, "/api/v1/bodies/acw", {"Authorization": f"Bearer {token}"}),
        )
        assert r.status_code == 200
    out = verify_cli()
    assert out.exit_code == 0, out.output


def _entries(url: str) -> list[dict]:
    engine = make_engine(url)
    with engine.connect() as conn:
        table = AuditEntry.__table__
        rows = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.seq))]
    engine.dispose()
    return rows


def test_a_cut_chain_with_its_head_rewound_fails_against_the_checkpoint(world, tmp_path):
    assert CliRunner().invoke(cli, ["audit", "checkpoint"]).exit_code == 0
    entries = _entries(world)
    keep = entries[-4]
    sql(world, "DELETE FROM audit_entries WHERE seq > :s", s=keep["seq"])
    sql(world, "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", s=keep["seq"], h=keep["hash"])
    assert chain_alone(world).ok  # the chain alone cannot tell
    out = verify_cli()
    assert out.exit_code == 1, out.output
    text = flat(out.output)
    assert f"the chain ends at entry {keep['seq']} but was checkpointed at entry {entries[-1]['seq']}" in text
    assert "entries were removed and the head rewound" in text


def test_a_recomputed_chain_fails_against_the_checkpoint(world):
    assert CliRunner().invoke(cli, ["audit", "checkpoint"]).exit_code == 0
    # the attacker edits a row and rewrites its entry to match, then recomputes every hash after it
    sql(world, "UPDATE bodies SET established = 1900 WHERE id = 'acw'")
    entries = _entries(world)
    target = next(e for e in entries if e["entity"] == "bodies" and e["entity_id"] == "acw")
    prev = audit_service.GENESIS
    engine = make_engine(world)
    with engine.begin() as conn:
        for e in entries:
            after, before = e["after"], e["before"]
            if e["seq"] == target["seq"]:
                after = {**after, "established": 1900}
            digest = audit_service.entry_hash(
                prev_hash=prev,
                seq=e["seq"],
                at=audit_service._utc(e["at"]),
                actor=e["actor"],
                action=e["action"],
                entity=e["entity"],
                entity_id=e["entity_id"],
                before=before,
                after=after,
            )
            conn.execute(
                sa.update(AuditEntry.__table__)
                .where(AuditEntry.__table__.c.seq == e["seq"])
                .values(after=after, prev_hash=prev, hash=digest)
            )
            prev = digest
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    engine.dispose()
    assert chain_alone(world).ok
    assert verify_cli("--checkpoints", "/nonexistent/none.jsonl").exit_code == 0  # rows and chain agree now
    out = verify_cli()
    assert out.exit_code == 1, out.output
    text = flat(out.output)
    last = entries[-1]["seq"]
    assert f"BROKEN at entry {last}: entry {last} is not the one checkpointed" in text
    assert "rewritten between entry 1 and this one" in text


def test_an_altered_checkpoint_or_a_missing_key_is_refused(world, monkeypatch):
    assert CliRunner().invoke(cli, ["audit", "checkpoint"]).exit_code == 0
    path = Path(Settings().audit_checkpoints)
    path.write_text(path.read_text().replace('"seq":', '"seq":1', 1))
    out = verify_cli()
    assert out.exit_code == 1 and "signature" in flat(out.output), out.output
    monkeypatch.delenv("ASCC_AUDIT_KEY_FILE")
    out = verify_cli()  # unsigned-checked: the altered line is still compared with the chain
    assert out.exit_code == 1, out.output


def test_rows_the_database_removes_after_an_audited_delete_are_not_reported(world):
    """Deleting a user through the application removes its API tokens by ``ON DELETE CASCADE``, in
    the database, with no entry of their own: the trail explains them by the user's deletion. The
    same tokens removed by hand, the user left, are reported."""
    from ascc.accounts.models import User

    engine = make_engine(world)
    with unit_of_work(session_factory(engine)) as session:
        user = session.scalar(sa.select(User).where(User.email == "fp@bps.go.id"))
        session.delete(user)
    engine.dispose()
    out = verify_cli()
    assert out.exit_code == 0, out.output
    sql(world, "DELETE FROM api_tokens")
    out = verify_cli()
    assert out.exit_code == 1 and "api_tokens 1 is gone, but no audit entry deleted it" in flat(out.output), (
        out.output
    )
