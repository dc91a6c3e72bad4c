"""``ascc notify``: make the reminders that are due and send the queued e-mails of the outbox (a job,
never inside a request)."""

from __future__ import annotations

import typer
from rich.console import Console

from ascc.cli._db import command_session, stop_unless_current
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.notifications import mail, reminders
from ascc.notifications import service as notifications_service
from ascc.wiring import session_factory

app = typer.Typer(help="Notifications: make the reminders due and send the e-mail outbox over SMTP.")
console = Console(stderr=True)


@app.command("run")
def run(
    max_attempts: int = typer.Option(mail.MAX_ATTEMPTS, min=1, help="attempts before a message is dead"),
) -> None:
    """Make the reminders that are due (data call and paper deadlines near), then send every queued
    e-mail that is due through ASCC_SMTP_URL (from ASCC_MAIL_FROM).

    Each reminder goes out once per recipient and threshold, however often this runs. A failed
    attempt waits 1, 2, 4, … minutes before the next one; after --max-attempts the message is dead
    and listed on the outbox page. Without ASCC_SMTP_URL nothing is sent: messages stay queued.
    Run it from cron (e.g. every minute); one at a time.
    """
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        stop_unless_current(engine)
        made = reminders.run(session_factory(engine))
        console.print(f"reminders: {made} notification(s) made")
        if settings.smtp_url is None:
            console.print("ASCC_SMTP_URL is not set: e-mails stay queued in the outbox (see /outbox)")
            raise typer.Exit(0)
        report = mail.deliver(
            session_factory(engine),
            smtp_url=settings.smtp_url.get_secret_value(),
            mail_from=settings.mail_from,
            site_url=settings.site_url,
            max_attempts=max_attempts,
        )
    finally:
        engine.dispose()
    console.print(f"sent {report.sent}, failed {report.failed} (will retry), dead {report.dead}")
    if report.failed or report.dead:
        raise typer.Exit(1)


@app.command("requeue")
def requeue() -> None:
    """Give every dead e-mail a new round of attempts (after the mail server was fixed)."""
    with command_session("notify-requeue") as session:
        count = notifications_service.requeue_dead(session, principal=None)
    console.print(f"requeued {count} dead message(s)")
