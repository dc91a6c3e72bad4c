"""``ascc jobs``: the platform's periodic work, never done by a request: adopt the items whose
silence procedure ended, make the reminders due and send the e-mail outbox."""

from __future__ import annotations

import dataclasses
import threading
import time

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from ascc.cli._db import stop_unless_current
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.decisions import service as decisions_service
from ascc.notifications import mail, reminders
from ascc.wiring import session_factory

app = typer.Typer(help="The periodic jobs: silence procedures, reminders, the e-mail outbox.")
#: the ``serve --jobs`` loop makes reminders at most this often (their thresholds are days)
REMINDERS_EVERY = 600.0
console = Console(stderr=True)


@dataclasses.dataclass
class Round:
    adopted: list[int]
    reminders: int | None  # None: not made this round
    mail: mail.Report | None  # None: no ASCC_SMTP_URL, the e-mails stay queued


def one_round(factory: sessionmaker[Session], settings: Settings, *, remind: bool = True) -> Round:
    """One round of the jobs, each step in its own transaction: store the adoption of the items
    whose silence procedure's deadline passed (``decisions.service.settle_silence``, which the
    reads show already), make the reminders due (``remind``), send the due e-mails."""
    with unit_of_work(factory) as session:
        session.info["actor"] = "jobs"
        adopted = decisions_service.settle_silence(session)
    made = reminders.run(factory) if remind else None
    report = None
    if settings.smtp_url is not None:
        report = mail.deliver(
            factory,
            smtp_url=settings.smtp_url.get_secret_value(),
            mail_from=settings.mail_from,
            site_url=settings.site_url,
        )
    return Round(adopted, made, report)


@app.command("run")
def run() -> None:
    """Run one round of the jobs and exit: adopt the items whose silence procedure ended without
    objection, make the reminders due, send the due e-mails (through ASCC_SMTP_URL; without it
    they stay queued).

    Pages and the API show such an item adopted from its deadline on but never write; this
    stores the adoption (once, however many runners). Run it from cron (e.g. every minute) or
    use `ascc serve --jobs`, which runs the same round in the server process. Exits 1 when an
    e-mail failed or is dead.
    """
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        stop_unless_current(engine)
        done = one_round(session_factory(engine), settings)
    finally:
        engine.dispose()
    console.print(
        f"adopted {len(done.adopted)} item(s) under silence procedure: {', '.join(map(str, done.adopted)) or '-'}"
    )
    console.print(f"reminders: {done.reminders} notification(s) made")
    if done.mail is None:
        console.print("ASCC_SMTP_URL is not set: e-mails stay queued in the outbox (see /outbox)")
        return
    console.print(f"sent {done.mail.sent}, failed {done.mail.failed} (will retry), dead {done.mail.dead}")
    if done.mail.failed or done.mail.dead:
        raise typer.Exit(1)


def run_jobs(stop: threading.Event, *, interval: float) -> None:
    """``ascc serve --jobs``: every ``interval`` seconds a round (``one_round``; the reminders at
    most every ``REMINDERS_EVERY`` seconds), until ``stop`` is set. A failing round is reported and
    the next one runs as usual."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    reminded: float | None = None
    try:
        while True:
            try:
                remind = reminded is None or time.monotonic() - reminded >= REMINDERS_EVERY
                done = one_round(factory, settings, remind=remind)
                if remind:
                    reminded = time.monotonic()
                report = done.mail
                if report is not None and (report.sent or report.failed or report.dead):
                    console.print(f"jobs: sent {report.sent}, failed {report.failed}, dead {report.dead}")
            except Exception as exc:  # the loop outlives one bad round
                console.print(f"[red]jobs: {type(exc).__name__}: {exc}[/red]")
            if stop.wait(interval):
                return
    finally:
        engine.dispose()


def start_jobs(*, interval: float) -> threading.Event:
    """Start the jobs loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run_jobs, args=(stop,), kwargs={"interval": interval}, name="ascc-jobs", daemon=True
    ).start()
    return stop
