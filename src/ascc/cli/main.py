"""``ascc``: set up, check, export and serve the platform."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import PUBLIC
from ascc.cli import audit as audit_cli
from ascc.cli import decisions as decisions_cli
from ascc.cli import disasters as disasters_cli
from ascc.cli import funds as funds_cli
from ascc.cli import index as index_cli
from ascc.cli import indicators as indicators_cli
from ascc.cli import jobs as jobs_cli
from ascc.cli import national as national_cli
from ascc.cli import notify as notify_cli
from ascc.cli import progress as progress_cli
from ascc.cli import results as results_cli
from ascc.cli import search as search_cli
from ascc.cli import secret as secret_cli
from ascc.cli import user as user_cli
from ascc.cli._db import stop_unless_current
from ascc.cli._problems import print_problems
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.migrate import upgrade
from ascc.db.uow import unit_of_work
from ascc.http.sessions import key_problem
from ascc.kit import keys
from ascc.kit.errors import NotFound
from ascc.knowledge import seeds as knowledge_seeds
from ascc.knowledge import service as knowledge_service
from ascc.reference import coverage as coverage_audit
from ascc.reference.files import DATA_DIR, ReferenceDataError, read_reference
from ascc.reference.loader import SPECS as LOADED
from ascc.reference.loader import load_reference
from ascc.reference.quotes import check_quotes
from ascc.registry import export as registry_export
from ascc.wiring import session_factory

app = typer.Typer(
    help="ASCC platform: the ASEAN Socio-Cultural Community registry as a web platform, API and CLI.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(user_cli.app, name="user")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(decisions_cli.app, name="decisions")
app.add_typer(disasters_cli.app, name="disasters")
app.add_typer(index_cli.app, name="index")
app.add_typer(indicators_cli.app, name="indicators")
app.add_typer(jobs_cli.app, name="jobs")
app.add_typer(national_cli.app, name="national")
app.add_typer(notify_cli.app, name="notify")
app.add_typer(progress_cli.targets, name="targets")
app.add_typer(progress_cli.progress_app, name="progress")
app.add_typer(results_cli.app, name="results")
app.add_typer(funds_cli.app, name="funds")
app.add_typer(search_cli.documents, name="documents")
app.add_typer(secret_cli.app, name="secret")
app.command("search")(search_cli.search)
console = Console(stderr=True)
DEFAULT_SEEDS = Path("../shared/seeds")
#: what ``init`` says while the database has no account: there are no default accounts or passwords
FIRST_ACCOUNTS = (
    "no accounts yet: create the first Secretariat account with\n"
    '  ascc user create --email you@asean.org --name "Your Name" --role secretariat   (asks for a password)\n'
    "and the focal points in one go with\n"
    "  ascc user import users.csv --passwords-out passwords.csv   (see examples/users/focal-points.example.csv)"
)


@app.command()
def init(
    data_dir: Path = typer.Option(DATA_DIR, help="folder of the reference YAML files"),
) -> None:
    """Create or upgrade the database schema and load the reference data.

    Safe to run again: records you edited are never overwritten; where the reference data changed
    a record you edited, the conflict is listed and your version kept. DATABASE_URL picks the
    database (default: SQLite file ascc.db in the working directory). Unless ASCC_SECRET_KEY is
    set, the instance's session signing key is generated into its key file (mode 600; default
    ascc.keys next to the SQLite database) when the file holds none.
    """
    settings = Settings()
    try:
        ref = read_reference(data_dir)
    except ReferenceDataError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from None
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            session.info["actor"] = "cli:init"
            report = load_reference(session, ref)
            has_accounts = bool(accounts_service.list_users(session))
    finally:
        engine.dispose()
    table = Table(title="Reference data loaded")
    for col in ("table", "created", "updated", "unchanged", "kept your edits"):
        table.add_column(col, justify="right" if col != "table" else "left")
    for name in (spec.name for spec in LOADED):  # the ASEAN chairs are read from their file, not loaded
        table.add_row(
            name,
            str(report.created.get(name, 0)),
            str(report.updated.get(name, 0)),
            str(report.unchanged.get(name, 0)),
            str(report.kept_edits.get(name, 0)),
        )
    console.print(table)
    if report.kept:
        console.print(escape(report.kept.line("records that someone edited")))
    if settings.secret_key is None and keys.ensure(settings.key_path()):
        console.print(f"generated the session signing key in {settings.key_path()} (mode 600)")
    if report.conflicts:
        console.print(f"[yellow]{len(report.conflicts)} conflict(s): your edits were kept[/yellow]")
        for c in report.conflicts:
            console.print(f"  [yellow]conflict[/yellow] {c}")
    if not has_accounts:
        console.print(FIRST_ACCOUNTS, markup=False, highlight=False, soft_wrap=True)


@app.command()
def check(
    data_dir: Path = typer.Option(DATA_DIR, help="folder of the reference YAML files"),
    seeds: Path = typer.Option(DEFAULT_SEEDS, help="folder of the seed documents, to verify quotes"),
    coverage: bool = typer.Option(
        False,
        "--coverage",
        help="also account for every sentence and list item of the seeds: the records carrying it or "
        "the reason in coverage.yaml why it carries nothing; fails while one is unaccounted",
    ),
    write: bool = typer.Option(False, "--write", help="with --coverage: write the report to --report"),
    report_file: Path = typer.Option(
        coverage_audit.REPORT, "--report", help="with --coverage --write: the Markdown report's file"
    ),
) -> None:
    """Validate the reference data: schema, unknown references, reporting cycles, duplicates,
    records without a source, and (when the seed folder is there) that every quote is in its seed.
    With --coverage, the coverage audit of the seeds (docs/coverage.md explains how to read it)."""
    try:
        ref = read_reference(data_dir)
    except ReferenceDataError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from None
    problems = check_quotes(ref, seeds) if seeds.is_dir() else []
    if coverage and not problems:
        if not seeds.is_dir():
            console.print(f"[red]the coverage audit needs the seeds: {escape(str(seeds))} not found[/red]")
            raise typer.Exit(1)
        _check_coverage(ref, seeds, data_dir, report_file if write else None)
    if problems:
        print_problems(console, problems, "")
        raise typer.Exit(1)
    total = sum(len(v) for v in ref.records.values())
    note = "" if seeds.is_dir() else f" (quotes not verified: {seeds} not found)"
    console.print(f"[green]OK[/green]: {total} records in {len(ref.records)} files{note}")


def _check_coverage(ref, seeds: Path, data_dir: Path, out: Path | None) -> None:
    try:
        report = coverage_audit.run(ref, seeds, data_dir)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    if out is not None:
        out.write_text(coverage_audit.render(report), encoding="utf-8")
        console.print(f"wrote {out}")
    table = Table(title="Seed coverage")
    for col in ("seed", "units", "carried by records", "accounted by a reason", "unaccounted"):
        table.add_column(col, justify="left" if col == "seed" else "right")
    for seed, row in coverage_audit.summary(report).items():
        table.add_row(seed, *(str(v) for v in row))
    console.print(table)
    missing = report.unaccounted()
    for p in report.problems:
        console.print(f"[red]{escape(str(p))}[/red]")
    for u in missing:
        console.print(f"[red]{u.seed} §{u.number} unaccounted[/red]: {escape(u.text[:200])}")
    if missing or report.problems:
        console.print(f"[red]{len(missing)} unaccounted unit(s), {len(report.problems)} problem(s)[/red]")
        raise typer.Exit(1)


def _seed_pages(session, base_url: str) -> dict[str, str]:
    """The public page of each seed document the knowledge base holds (``ascc documents seed``), by
    the seed file that reference sources quote."""
    pages = {}
    for seed in knowledge_seeds.SEEDS:
        try:
            knowledge_service.get_document(session, principal=PUBLIC, slug=seed["slug"])
        except NotFound:
            continue
        pages[seed["file"]] = f"{base_url}/documents/{seed['slug']}"
    return pages


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    popolo = "popolo"


@app.command()
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.json, "--format", "-f", help="json, csv or popolo"),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="file (json, popolo) or folder (csv); default stdout"
    ),
    base_url: str = typer.Option(
        "",
        "--base-url",
        help="the platform's address for Popolo source links; default ASCC_SITE_URL, "
        "else http://127.0.0.1:8000 (`make run`)",
    ),
) -> None:
    """Export the registry from the database: JSON, CSV (one file per table) or Popolo JSON."""
    settings = Settings()
    base_url = (base_url or settings.site_url or "http://127.0.0.1:8000").rstrip("/")
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            if fmt is ExportFormat.csv:
                tables = registry_export.registry_csv(session)
            else:
                data = (
                    registry_export.registry_popolo(session, pages=_seed_pages(session, base_url))
                    if fmt is ExportFormat.popolo
                    else registry_export.registry_json(session)
                )
    finally:
        engine.dispose()
    if fmt is ExportFormat.csv:
        if out is None:
            for name, text in tables.items():
                sys.stdout.write(f"# {name}.csv\n{text}\n")
            return
        out.mkdir(parents=True, exist_ok=True)
        for name, text in tables.items():
            (out / f"{name}.csv").write_text(text, encoding="utf-8")
        console.print(f"wrote {len(tables)} CSV files to {out}")
        return
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(1, min=1, help="worker processes (they share the database)"),
    dev: bool = typer.Option(
        False, "--dev", help="development only: without a session key, sign sessions with a throwaway key"
    ),
    jobs: bool = typer.Option(
        False,
        "--jobs",
        help="also run the jobs (`ascc jobs run`) in this process: adopt items whose silence procedure "
        "ended, make the reminders due, send the e-mail outbox (ASCC_SMTP_URL); on one server only",
    ),
    jobs_interval: float = typer.Option(60.0, min=0.1, help="seconds between two rounds of --jobs"),
) -> None:
    """Serve the web pages and the API. Run `ascc init` first: it writes the session signing key
    (or set ASCC_SECRET_KEY); without one the server does not start, except with --dev. Behind a
    reverse proxy, name it in ASCC_TRUSTED_PROXIES (addresses or CIDR networks): X-Forwarded-For
    is honoured only from it."""
    import uvicorn

    settings = Settings()
    refused = key_problem(settings)
    if refused and not dev:
        console.print(f"[red]{escape(refused)}[/red]")
        raise typer.Exit(2)
    if refused:
        # inherited by the workers, so they verify each other's cookies; gone when the server stops
        os.environ["ASCC_SECRET_KEY"] = keys.new_key()
        console.print(
            "[yellow]--dev: sessions are signed with a throwaway key and end when the server stops[/yellow]"
        )
    engine = make_engine(settings.database_url)
    try:
        stop_unless_current(engine)
    finally:
        engine.dispose()
    if jobs:
        jobs_cli.start_jobs(interval=jobs_interval)
    uvicorn.run(
        "ascc.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        **proxy_options(settings),
    )


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn's proxy handling, the same as the platform's: ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are honoured only from ``ASCC_TRUSTED_PROXIES`` (uvicorn's own default
    would trust any client on 127.0.0.1, and ``FORWARDED_ALLOW_IPS``, without being asked)."""
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def _print_problems(exc: ReferenceDataError) -> None:
    print_problems(console, exc.problems, " in the reference data; nothing was loaded")


if __name__ == "__main__":  # pragma: no cover
    app()
