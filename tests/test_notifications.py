"""Notifications in the platform and by e-mail through a real SMTP server on loopback (aiosmtpd), on
SQLite and PostgreSQL: who is notified of what, one e-mail per recipient, and a mail server that is
down delays mail and loses none (retries with backoff, then a dead letter the Secretariat sees)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.accounts.schemas import Principal, Role
from ascc.app import create_app
from ascc.audit import service as audit_service
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.meetings import cycle
from ascc.monitoring.loader import indicator_records
from ascc.monitoring.models import Indicator
from ascc.notifications import mail, reminders
from ascc.notifications import service as notifications_service
from ascc.notifications.models import OutboxMessage
from ascc.wiring import session_factory
from tests.conftest import ROOT, if_match, load, load_built, make_user
from tests.monitoring.conftest import PLAIN_HEADER
from tests.test_disasters import row
from tests.test_disasters_assistance import add_events, new_request, offer
from tests.test_sessions import sign_in

DATA = ROOT.parent / "shared" / "data"
FOCAL = {"IDN": "fp@bps.go.id", "PHL": "fp@ocd.gov.ph", "THA": "fp@nso.go.th"}
TITLE_EN = "Regional guidelines on community-based care for older persons"
TITLE_ID = "Pedoman regional perawatan lansia berbasis komunitas"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def accounts(url: str) -> dict[str, str]:
    """The population indicator and the accounts the tests act as on ``url``: their API tokens."""
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in indicator_records(DATA) if r["code"] == "SP.POP.TOTL")
    engine.dispose()
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "aha_centre": make_user(url, email="duty@ahacentre.org", role="aha_centre"),
    }
    for code, email in FOCAL.items():
        tokens[code] = make_user(url, email=email, role="focal_point", member_state=code)
    return tokens


@pytest.fixture
def world(fresh_url, reference):
    """A loaded database of its own with :func:`accounts` (a copy of one built once per backend)."""
    tokens = load_built(fresh_url, reference, "notifications-world", accounts)
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        yield client, tokens, fresh_url


def auth(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def user_id(url: str, email: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one()
    engine.dispose()
    return uid


def prefer(url: str, address: str, **prefs) -> None:
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        principal = Principal(user_id=user_id(url, address), name=address, role=Role.focal_point)
        notifications_service.set_preferences(session, principal=principal, **prefs)
    engine.dispose()


def outbox(url: str) -> list[OutboxMessage]:
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        rows = list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
    engine.dispose()
    return rows


def deliver(url: str, smtp_url: str, **kw) -> mail.Report:
    engine = make_engine(url)
    try:
        return mail.deliver(
            session_factory(engine), smtp_url=smtp_url, mail_from="ASCC <noreply@asean.test>", **kw
        )
    finally:
        engine.dispose()


def new_text(
    client, tokens, item=None, text="Member states agree to share practice on community care."
) -> int:
    """A chair adds a proposal text (on a new item in formulation unless ``item`` is given)."""
    if item is None:
        r = client.post(
            "/api/v1/decisions",
            headers=auth(tokens, "secretariat"),
            json={"title_en": TITLE_EN, "title_id": TITLE_ID, "body_id": "asoen"},
        )
        assert r.status_code == 201, r.text
        item = r.json()["id"]
        for to in ("consult", "formulate"):
            r = client.post(
                f"/api/v1/decisions/{item}/stage",
                json={"to": to},
                headers=if_match(client, f"/api/v1/decisions/{item}", auth(tokens, "chair")),
            )
            assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/decisions/{item}/proposals",
        json={"text_en": text},
        headers=if_match(client, f"/api/v1/decisions/{item}", auth(tokens, "chair")),
    )
    assert r.status_code == 200, r.text
    return item


def test_a_new_text_asks_every_focal_point_by_email_in_its_language(world, smtp, monkeypatch):
    client, tokens, url = world
    prefer(url, FOCAL["THA"], email="immediate", language="id")
    prefer(url, FOCAL["PHL"], email="off", language="en")  # the inbox only
    item = new_text(client, tokens)
    # queued, not sent: the request sends nothing
    queued = outbox(url)
    assert sorted(m.to_addr for m in queued) == sorted([FOCAL["IDN"], FOCAL["THA"]])
    assert {m.status for m in queued} == {"queued"} and smtp.inbox.received == []

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ASCC_SMTP_URL", smtp.url)
    monkeypatch.setenv("ASCC_MAIL_FROM", "ASCC <noreply@asean.test>")
    monkeypatch.setenv("ASCC_SITE_URL", "https://ascc.asean.test")
    result = CliRunner().invoke(cli, ["notify", "run"])
    assert result.exit_code == 0, result.output
    got = {tuple(to): msg for to, msg in smtp.inbox.received}
    assert sorted(got) == sorted([(FOCAL["IDN"],), (FOCAL["THA"],)])  # one e-mail per focal point
    assert got[(FOCAL["IDN"],)]["Subject"] == f"Position requested: {TITLE_EN}"
    assert got[(FOCAL["IDN"],)]["From"] == "ASCC <noreply@asean.test>"
    assert f"https://ascc.asean.test/decisions/{item}" in got[(FOCAL["IDN"],)].get_content()
    assert got[(FOCAL["THA"],)]["Subject"] == f"Posisi diminta: {TITLE_ID}"
    assert {m.status for m in outbox(url)} == {"sent"}
    assert CliRunner().invoke(cli, ["notify", "run"]).exit_code == 0
    assert len(smtp.inbox.received) == 2  # sent once

    # every focal point (also PHL, who takes no e-mail) sees it in its inbox, unread
    for code in FOCAL:
        notes = client.get("/notifications.json", headers=auth(tokens, code)).json()["notifications"]
        assert [(n["kind"], n["unread"], n["link"]) for n in notes] == [
            ("position_requested", True, f"/decisions/{item}")
        ]
    assert (
        client.get("/notifications.json", headers=auth(tokens, "secretariat")).json()["notifications"] == []
    )

    # a second text resets the positions: asked again
    new_text(client, tokens, item, text="Member states agree to share practice, and report on it.")
    notes = client.get("/notifications.json", headers=auth(tokens, "IDN")).json()["notifications"]
    assert [n["kind"] for n in notes] == ["text_reset", "position_requested"]


def test_a_daily_digest_gathers_the_days_notifications_in_one_email(world, smtp):
    client, tokens, url = world
    prefer(url, FOCAL["THA"], email="digest", language="id")
    item = new_text(client, tokens)
    new_text(client, tokens, item, text="Member states agree to share practice, and report on it.")
    now = dt.datetime.now(dt.UTC)
    deliver(url, smtp.url, now=now, site_url="https://ascc.asean.test")
    tha = [msg for to, msg in smtp.inbox.received if to == [FOCAL["THA"]]]
    assert len(tha) == 1 and len(smtp.inbox.received) == 5  # IDN and PHL: one e-mail per notification
    assert tha[0]["Subject"] == "ASCC: 2 notifikasi baru"
    body = tha[0].get_content()
    assert f"Posisi diminta: {TITLE_ID}" in body and f"Teks baru, posisi diatur ulang: {TITLE_ID}" in body
    assert f"https://ascc.asean.test/decisions/{item}" in body
    # the next one waits a day
    new_text(client, tokens, item, text="Member states agree to share practice and to report on it yearly.")
    deliver(url, smtp.url, now=now + dt.timedelta(hours=1))
    assert len([to for to, _ in smtp.inbox.received if to == [FOCAL["THA"]]]) == 1
    deliver(url, smtp.url, now=now + dt.timedelta(hours=25))
    tha = [msg for to, msg in smtp.inbox.received if to == [FOCAL["THA"]]]
    assert len(tha) == 2 and tha[1]["Subject"] == "ASCC: 1 notifikasi baru"


def test_the_inbox_page_marks_read(world):
    client, tokens, _ = world
    new_text(client, tokens)
    sign_in(client, FOCAL["IDN"], "a long enough password")
    page = client.get("/notifications")
    assert page.status_code == 200 and "Position requested" in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert (
        client.post("/notifications/read", data={}, follow_redirects=False).status_code == 403
    )  # no CSRF token
    r = client.post("/notifications/read", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert [n["unread"] for n in client.get("/notifications.json").json()["notifications"]] == [False]
    # the Indonesian page
    assert "Notifikasi" in client.get("/notifications", headers={"Accept-Language": "id"}).text
    # one's preferences, through the form
    r = client.post(
        "/notifications/preferences",
        data={"csrf": csrf, "email": "off", "language": "id"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/notifications.json").json()["preferences"] == {"email": "off", "language": "id"}
    r = client.post("/notifications/preferences", data={"csrf": csrf, "email": "hourly", "language": "id"})
    assert r.status_code == 422
    # another focal point's notification is still unread
    notes = client.get("/notifications.json", headers=auth(tokens, "THA")).json()["notifications"]
    assert [n["unread"] for n in notes] == [True]


def test_a_returned_submission_notifies_its_member_states_focal_point_only(world, smtp):
    client, tokens, url = world
    text = PLAIN_HEADER + "SP.POP.TOTL,IDN,2021,276400000,persons,BPS,\n"
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, "IDN"),
        data={"member_state": "IDN"},
        files={"file": ("idn.csv", text.encode(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    sid = client.post(
        "/api/v1/submissions", headers=auth(tokens, "IDN"), json={"member_state": "IDN"}
    ).json()["id"]
    r = client.post(
        f"/api/v1/submissions/{sid}/review",
        json={"decision": "rejected", "comment": "units: persons, not thousands"},
        headers=if_match(client, f"/api/v1/submissions/{sid}", auth(tokens, "secretariat")),
    )
    assert r.status_code == 200, r.text
    report = deliver(url, smtp.url)
    assert (report.sent, report.failed, report.dead) == (1, 0, 0)
    ((to, msg),) = smtp.inbox.received
    assert to == [FOCAL["IDN"]]
    assert msg["Subject"] == f"Submission {sid} returned"
    assert "units: persons, not thousands" in msg.get_content()
    assert client.get("/notifications.json", headers=auth(tokens, "PHL")).json()["notifications"] == []


def test_a_mail_server_that_is_down_loses_nothing(world, smtp):
    client, tokens, url = world
    smtp.stop()
    new_text(client, tokens)
    now = dt.datetime.now(dt.UTC)
    report = deliver(url, smtp.url, now=now)
    assert (report.sent, report.failed, report.dead) == (0, 3, 0)
    rows = outbox(url)
    assert len(rows) == 3 and {m.status for m in rows} == {"queued"}
    for m in rows:
        assert m.attempts == 1 and m.last_error
        next_at = m.next_attempt_at if m.next_attempt_at.tzinfo else m.next_attempt_at.replace(tzinfo=dt.UTC)
        assert next_at == now + mail.backoff(1)
    # not due yet: no attempt
    assert deliver(url, smtp.url, now=now).failed == 0 and {m.attempts for m in outbox(url)} == {1}
    # the server is back: everything goes out
    smtp.start()
    report = deliver(url, smtp.url, now=now + dt.timedelta(minutes=2))
    assert report.sent == 3
    assert sorted(to[0] for to, _ in smtp.inbox.received) == sorted(FOCAL.values())
    assert {(m.status, m.attempts) for m in outbox(url)} == {("sent", 2)}
    # every notification and outbox row, and each attempt, is in the audit trail
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        result = audit_service.verify(session)
    engine.dispose()
    assert result.ok, result


def test_after_the_last_attempt_a_message_is_dead_and_listed_for_the_secretariat(world, smtp):
    client, tokens, url = world
    smtp.stop()
    new_text(client, tokens)
    now = dt.datetime.now(dt.UTC)
    for attempt in range(3):
        deliver(url, smtp.url, now=now + dt.timedelta(days=attempt), max_attempts=3)
    rows = outbox(url)
    assert {(m.status, m.attempts) for m in rows} == {("dead", 3)}
    page = client.get("/outbox.json", headers=auth(tokens, "secretariat")).json()
    assert page["counts"] == {"queued": 0, "sent": 0, "dead": 3}
    assert sorted(m["to"] for m in page["messages"]) == sorted(FOCAL.values())
    assert client.get("/outbox.json", headers=auth(tokens, "IDN")).status_code == 403
    # a dead message is never tried again, until the Secretariat requeues it
    smtp.start()
    assert deliver(url, smtp.url, now=now + dt.timedelta(days=9)).sent == 0
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        assert notifications_service.requeue_dead(session, principal=None) == 3
    engine.dispose()
    assert deliver(url, smtp.url).sent == 3 and len(smtp.inbox.received) == 3


def test_silence_procedure_and_situation_report_notify(world, tmp_path):
    client, tokens, url = world
    item = new_text(client, tokens)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    r = client.post(
        f"/api/v1/decisions/{item}/silence",
        json={"deadline": soon},
        headers=if_match(client, f"/api/v1/decisions/{item}", auth(tokens, "secretariat")),
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/decisions/{item}/positions",
        json={"member_state": "THA", "kind": "object", "text": "not yet"},
        headers=if_match(client, f"/api/v1/decisions/{item}", auth(tokens, "THA")),
    )
    assert r.status_code == 200, r.text
    kinds = [
        n["kind"]
        for n in client.get("/notifications.json", headers=auth(tokens, "IDN")).json()["notifications"]
    ]
    assert kinds == ["silence_broken", "silence_started", "position_requested"]
    secretariat = client.get("/notifications.json", headers=auth(tokens, "secretariat")).json()[
        "notifications"
    ]
    assert [n["kind"] for n in secretariat] == ["silence_broken"] and "THA objected" in secretariat[0]["body"]

    (event,) = add_events(
        url,
        tmp_path,
        row(
            feed="PHIL-DIS",
            rid="TC-1",
            hazard="Typhoon",
            ms="PHL",
            start="2013-11-08",
            end="2013-11-10",
            name="Haiyan",
        ),
    )
    r = client.post(
        f"/api/v1/disasters/events/{event}/sitreps",
        headers=auth(tokens, "aha_centre"),
        json={
            "title_en": "Typhoon Haiyan: flash update",
            "body_en": "Landfall in Eastern Samar.",
            "as_of": "2013-11-08",
        },
    )
    assert r.status_code == 201, r.text
    engine = make_engine(url)
    with engine.connect() as conn:
        got = conn.execute(
            sa.text(
                "SELECT u.email, n.subject FROM notifications n JOIN users u ON u.id = n.user_id "
                "WHERE n.kind = 'sitrep_published'"
            )
        ).all()
    engine.dispose()
    # the Secretariat and the affected member state's focal point
    assert sorted(e for e, _ in got) == sorted(["officer@asean.org", FOCAL["PHL"]])
    assert {s for _, s in got} == {"Situation report 1: Typhoon Haiyan: flash update"}

    # an offer on the Philippines' request of assistance: its focal point is told, the offerer is not
    req = new_request(client, tokens, event)
    offer(client, tokens, "IDN", req, [("shelter", "relief_items", "Family tents", 300)])
    notes = client.get("/notifications.json", headers=auth(tokens, "PHL")).json()["notifications"]
    assert (notes[0]["kind"], notes[0]["link"]) == ("assistance_offered", f"/disasters/requests/{req['id']}")
    assert notes[0]["subject"] == "Assistance offered: Typhoon Haiyan: shelter and search and rescue"
    assert "assistance_offered" not in {
        n["kind"]
        for n in client.get("/notifications.json", headers=auth(tokens, "IDN")).json()["notifications"]
    }


def notes_of(url: str, kind: str) -> list[tuple[str, str, str, str | None]]:
    """(e-mail, subject, body, link) of every notification of ``kind``, oldest first."""
    engine = make_engine(url)
    with engine.connect() as conn:
        got = conn.execute(
            sa.text(
                "SELECT u.email, n.subject, n.body, n.link FROM notifications n JOIN users u ON u.id = n.user_id "
                "WHERE n.kind = :k ORDER BY n.id"
            ),
            {"k": kind},
        ).all()
    engine.dispose()
    return [tuple(r) for r in got]


def remind(url: str, now: dt.datetime) -> int:
    engine = make_engine(url)
    try:
        return reminders.run(session_factory(engine), now=now)
    finally:
        engine.dispose()


def open_call(
    client, tokens, deadline: dt.date, member_states=("IDN", "PHL"), periods=("2021", "2022")
) -> int:
    r = client.post(
        "/api/v1/data-calls",
        headers=auth(tokens, "secretariat"),
        json={
            "title": "Population 2021–2022",
            "indicators": ["SP.POP.TOTL"],
            "periods": list(periods),
            "member_states": list(member_states),
            "deadline": deadline.isoformat(),
            "message_en": "Please send your national totals.",
            "message_id": "Mohon kirim total nasional.",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def submit(client, tokens, code: str, rows: str) -> int:
    r = client.post(
        "/api/v1/submissions/drafts",
        headers=auth(tokens, code),
        data={"member_state": code},
        files={"file": (f"{code}.csv", (PLAIN_HEADER + rows).encode(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/submissions", headers=auth(tokens, code), json={"member_state": code})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def test_a_data_call_that_opens_notifies_the_focal_points_of_the_member_states_asked(world, smtp):
    client, tokens, url = world
    prefer(url, FOCAL["PHL"], email="immediate", language="id")
    deadline = dt.date.today() + dt.timedelta(days=30)
    cid = open_call(client, tokens, deadline)
    got = notes_of(url, "data_call_opened")
    # IDN and PHL are asked; THA (not asked) and the Secretariat hear nothing
    assert sorted(e for e, *_ in got) == sorted([FOCAL["IDN"], FOCAL["PHL"]])
    assert {link for *_, link in got} == {f"/data-calls/{cid}"}
    idn = next(n for n in got if n[0] == FOCAL["IDN"])
    assert idn[1] == "Data call: Population 2021–2022"
    assert f"asks IDN for 2 values by {deadline.isoformat()}" in idn[2]
    assert "Please send your national totals." in idn[2]
    phl = next(n for n in got if n[0] == FOCAL["PHL"])
    assert phl[1] == "Permintaan data: Population 2021–2022" and "Mohon kirim total nasional." in phl[2]
    for who in ("THA", "secretariat"):
        assert client.get("/notifications.json", headers=auth(tokens, who)).json()["notifications"] == []
    # by e-mail, with the link to the call
    deliver(url, smtp.url, site_url="https://ascc.asean.test")
    mails = {to[0]: msg for to, msg in smtp.inbox.received}
    assert sorted(mails) == sorted([FOCAL["IDN"], FOCAL["PHL"]])
    assert f"https://ascc.asean.test/data-calls/{cid}" in mails[FOCAL["IDN"]].get_content()
    # written with the call, in the audit trail like every other row
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        assert audit_service.verify(session).ok
    engine.dispose()


def test_a_data_calls_deadline_reminds_those_still_missing_values_once_per_threshold(world, smtp):
    client, tokens, url = world
    prefer(url, FOCAL["THA"], email="immediate", language="id")
    deadline = dt.date.today() + dt.timedelta(days=10)
    cid = open_call(client, tokens, deadline, member_states=("IDN", "PHL", "THA"))
    # IDN submits everything, THA one of its two values, PHL nothing
    submit(
        client,
        tokens,
        "IDN",
        "SP.POP.TOTL,IDN,2021,276400000,persons,BPS,\nSP.POP.TOTL,IDN,2022,278800000,persons,BPS,\n",
    )
    submit(client, tokens, "THA", "SP.POP.TOTL,THA,2021,71600000,persons,NSO,\n")
    noon = dt.time(12, tzinfo=dt.UTC)

    def at(days_before: int) -> dt.datetime:
        return dt.datetime.combine(deadline - dt.timedelta(days=days_before), noon)

    def reminded() -> list[tuple[str, str, str, str | None]]:
        return notes_of(url, "data_call_reminder")

    remind(url, at(9))
    assert reminded() == []  # not near yet
    remind(url, at(7))
    first = reminded()
    assert sorted(e for e, *_ in first) == sorted([FOCAL["PHL"], FOCAL["THA"]])  # IDN submitted all
    phl = next(n for n in first if n[0] == FOCAL["PHL"])
    assert phl[1] == f"Reminder: data call “Population 2021–2022” due {deadline.isoformat()}"
    assert (
        "in 7 days" in phl[2] and "2 of 2 values from PHL" in phl[2] and "SP.POP.TOTL (2021, 2022)" in phl[2]
    )
    tha = next(n for n in first if n[0] == FOCAL["THA"])
    assert "1 dari 2 nilai dari THA" in tha[2] and "SP.POP.TOTL (2022)" in tha[2] and "dalam 7 hari" in tha[2]
    assert {link for *_, link in first} == {f"/data-calls/{cid}"}
    # the job runs again (twice the same day, then days later): no second reminder for 7 days
    remind(url, at(7))
    remind(url, at(3))
    assert len(reminded()) == 2
    # THA sends its last value: the 1-day reminder goes to PHL only, once
    submit(client, tokens, "THA", "SP.POP.TOTL,THA,2022,71700000,persons,NSO,\n")
    remind(url, at(1))
    remind(url, at(1) + dt.timedelta(hours=6))
    last = reminded()[2:]
    assert [(e, "tomorrow" in body) for e, _, body, _ in last] == [(FOCAL["PHL"], True)]
    remind(url, at(-1))  # the deadline has passed: no reminders any more
    assert len(reminded()) == 3
    # each reminder is one e-mail
    deliver(url, smtp.url, now=at(-1))
    subjects = [
        (to[0], msg["Subject"])
        for to, msg in smtp.inbox.received
        if "Reminder" in msg["Subject"] or "Pengingat" in msg["Subject"]
    ]
    assert sorted(subjects) == sorted(
        [
            (FOCAL["PHL"], f"Reminder: data call “Population 2021–2022” due {deadline.isoformat()}"),
            (FOCAL["PHL"], f"Reminder: data call “Population 2021–2022” due {deadline.isoformat()}"),
            (
                FOCAL["THA"],
                f"Pengingat: permintaan data “Population 2021–2022” jatuh tempo {deadline.isoformat()}",
            ),
        ]
    )


def test_a_call_opened_after_a_threshold_skips_it(world):
    client, tokens, url = world
    deadline = dt.date.today() + dt.timedelta(days=3)
    open_call(client, tokens, deadline, member_states=("PHL",))
    now = dt.datetime.now(dt.UTC)
    remind(url, now)
    assert notes_of(url, "data_call_reminder") == []  # the opening said it: no "7 days" reminder
    remind(url, dt.datetime.combine(deadline - dt.timedelta(days=1), dt.time(8, tzinfo=dt.UTC)))
    assert [e for e, *_ in notes_of(url, "data_call_reminder")] == [FOCAL["PHL"]]


def test_a_meetings_paper_deadline_reminds_its_bodys_chairs_and_the_secretariat_once(
    world, smtp, monkeypatch
):
    client, tokens, url = world
    make_user(url, email="chair@acw.org", role="chair", body_id="acw")
    date = dt.date.today() + dt.timedelta(days=cycle.PAPERS_DUE_DAYS + 1)  # papers due tomorrow
    record = {
        "id": "asoen-99",
        "body": "asoen",
        "number": 99,
        "title_en": "99th ASEAN Senior Officials Meeting on Education",
        "title_id": "Pertemuan Pejabat Senior ASEAN Bidang Pendidikan ke-99",
        "date_start": date.isoformat(),
        "host": "IDN",
        "member_states": ["IDN", "PHL"],
    }
    r = client.put("/api/v1/meetings/asoen-99", json=record, headers=auth(tokens, "secretariat"))
    assert r.status_code == 200, r.text
    prefer(url, "chair@asoen.org", email="immediate", language="id")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ASCC_SMTP_URL", smtp.url)
    monkeypatch.setenv("ASCC_MAIL_FROM", "ASCC <noreply@asean.test>")
    for _ in range(2):  # the job runs twice: one reminder each
        result = CliRunner().invoke(cli, ["notify", "run"])
        assert result.exit_code == 0, result.output
    got = [n for n in notes_of(url, "papers_due_reminder") if n[3] == "/meetings/asoen-99"]
    assert sorted(e for e, *_ in got) == ["chair@asoen.org", "officer@asean.org"]  # not the ACW's chair
    due = (date - dt.timedelta(days=cycle.PAPERS_DUE_DAYS)).isoformat()
    chair = next(n for n in got if n[0] == "chair@asoen.org")
    assert chair[1] == f"Dokumen jatuh tempo {due}: Pertemuan Pejabat Senior ASEAN Bidang Pendidikan ke-99"
    assert "besok" in chair[2]
    officer = next(n for n in got if n[0] == "officer@asean.org")
    assert officer[1] == f"Papers due {due}: 99th ASEAN Senior Officials Meeting on Education"
    mails = [to[0] for to, msg in smtp.inbox.received if due in msg["Subject"]]
    assert sorted(mails) == ["chair@asoen.org", "officer@asean.org"]


def test_serve_with_jobs_sends_the_outbox(fresh_url, reference, smtp):
    """``ascc serve --jobs``: the server's own loop sends what a request queued."""
    url = fresh_url
    load(url, reference)
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "IDN": make_user(url, email=FOCAL["IDN"], role="focal_point", member_state="IDN"),
    }
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "ASCC_SECRET_KEY": "a-key-for-this-test-only",
        "ASCC_SMTP_URL": smtp.url,
        "ASCC_MAIL_FROM": "ASCC <noreply@asean.test>",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ascc.cli.main",
            "serve",
            "--port",
            str(port),
            "--jobs",
            "--jobs-interval",
            "0.5",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/api/v1/pillars").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()[
                    -2000:
                ]
                time.sleep(0.2)
            new_text(client, tokens)
            deadline = time.monotonic() + 60  # waits for the loop; not a measure of its speed
            while not smtp.inbox.received and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert [to for to, _ in smtp.inbox.received] == [[FOCAL["IDN"]]]
    assert {m.status for m in outbox(url)} == {"sent"}
