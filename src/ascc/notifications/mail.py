"""Sending the outbox over SMTP: a job (``ascc notify run``), never inside a request.

Each due message is sent in its own transaction: on success it is ``sent``; on failure its
``attempts`` grow and ``next_attempt_at`` moves on exponentially (1, 2, 4, … minutes, at most
a day); after ``max_attempts`` it is ``dead`` and listed on the Secretariat's outbox page. A mail
server that is down therefore delays mail and loses none. Run one sender at a time.

``ASCC_SMTP_URL``: ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it) or
``smtps://…`` (TLS from the start). Without it nothing is sent and messages stay queued.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ascc.accounts.models import User
from ascc.db.uow import unit_of_work
from ascc.kit import clock
from ascc.kit.errors import Invalid
from ascc.notifications.models import Notification, NotificationPreference, OutboxMessage

MAX_ATTEMPTS = 8
DIGEST_EVERY = dt.timedelta(days=1)
DIGEST_TEXTS = {
    "en": ("ASCC: {n} new notification(s)", "Your notifications since the last summary:"),
    "id": ("ASCC: {n} notifikasi baru", "Notifikasi Anda sejak ringkasan terakhir:"),
}
BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(days=1)
TIMEOUT = 30


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise Invalid(
                "ASCC_SMTP_URL: smtp://[user:password@]host[:port] or smtps://…", parameter="smtp_url"
            )
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, … minutes, at most a day."""
    return min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def _message(row: OutboxMessage, *, mail_from: str, site_url: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"ascc-outbox-{row.id}")
    link = f"\n\n{site_url.rstrip('/')}{row.link}" if row.link else ""
    msg.set_content(f"{row.body}{link}\n")
    return msg


def _connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.tls:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
    if server.user:
        smtp.login(server.user, server.password or "")
    return smtp


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def queue_digests(session: Session, *, now: dt.datetime, site_url: str = "") -> int:
    """Queue one e-mail per user on the daily digest whose last digest is a day old (or who has had
    none) and who has notifications waiting for it; returns how many were queued."""
    queued = 0
    prefs = session.scalars(select(NotificationPreference).where(NotificationPreference.email == "digest"))
    for pref in list(prefs):
        last = pref.last_digest_at
        if last is not None and (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) + DIGEST_EVERY > now:
            continue
        notes = list(
            session.scalars(
                select(Notification)
                .where(Notification.user_id == pref.user_id, Notification.digest_pending.is_(True))
                .order_by(Notification.id)
            )
        )
        user = session.get(User, pref.user_id)
        if not notes or user is None or not user.active:
            continue
        subject, intro = DIGEST_TEXTS.get(pref.language, DIGEST_TEXTS["en"])
        lines = [intro, ""] + [
            f"- {n.subject}" + (f"\n  {site_url.rstrip('/')}{n.link}" if n.link else "") for n in notes
        ]
        session.add(
            OutboxMessage(
                to_addr=user.email,
                subject=subject.format(n=len(notes)),
                body="\n".join(lines),
                link=None,
                status="queued",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        for n in notes:
            n.digest_pending = False
        pref.last_digest_at = now
        queued += 1
    session.flush()
    return queued


def deliver(
    factory: sessionmaker[Session],
    *,
    smtp_url: str,
    mail_from: str,
    site_url: str = "",
    now: dt.datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    limit: int = 500,
) -> Report:
    """Send every queued message that is due; returns what happened. ``site_url`` (the platform's
    address, e.g. ``https://ascc.example.org``) goes in front of each message's link."""
    server = SmtpServer.parse(smtp_url)
    now = now or clock.now()
    with unit_of_work(factory) as session:
        session.info["actor"] = "notify"
        queue_digests(session, now=now, site_url=site_url)
        due = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
    report = Report()
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in due:
            with unit_of_work(factory) as session:
                session.info["actor"] = "notify"
                row = session.get(OutboxMessage, message_id)
                if row is None or row.status != "queued":
                    continue
                try:
                    if smtp is None:
                        smtp = _connect(server)
                    smtp.send_message(_message(row, mail_from=mail_from, site_url=site_url))
                except (
                    OSError,
                    smtplib.SMTPException,
                    ValueError,
                ) as exc:  # ValueError: a bad address or header
                    if smtp is not None:
                        _close(smtp)
                        smtp = None
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    if row.attempts >= max_attempts:
                        row.status = "dead"
                        report.dead += 1
                    else:
                        row.next_attempt_at = now + backoff(row.attempts)
                        report.failed += 1
                    continue
                row.attempts += 1
                row.status, row.sent_at, row.last_error = "sent", now, None
                report.sent += 1
    finally:
        if smtp is not None:
            _close(smtp)
    return report


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
