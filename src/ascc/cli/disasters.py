"""``ascc disasters``: import disaster event files and summarise the record."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ascc.cli._db import command_session
from ascc.cli._problems import print_problems
from ascc.disasters import service as disasters_service
from ascc.disasters.cap import read_cap
from ascc.disasters.gdacs import read_gdacs
from ascc.disasters.importer import read_areas, read_events
from ascc.kit import clock
from ascc.kit.problems import Problem
from ascc.registry import service as registry_service

app = typer.Typer(help="Disaster events: import feeds (merged into one event per disaster) and statistics.")
console = Console(stderr=True, soft_wrap=True)
DEFAULT = Path("../shared/data/disaster_events.csv")


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(
        None, help="event CSV files, or GDACS RSS feeds (.xml) (default: ../shared/data/disaster_events.csv)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and report, write nothing"),
) -> None:
    """Import event files. Any problem in any file: every problem is listed and nothing is written."""
    paths = files or [DEFAULT]
    with command_session("disasters-import") as session:
        current = registry_service.list_member_states(session, on=clock.today())
        members = {m.code for m in current}
        states = {m.code: (m.iso2, m.name.en, [m.name.id or ""]) for m in current}
        records, problems = [], []
        for path in paths:
            if not path.is_file():
                problems.append(Problem(file=str(path), reason="no such file"))
                continue
            if path.suffix.lower() in (".xml", ".rss"):
                found, bad = read_gdacs(path, member_states=states)
            else:
                found, bad = read_events(path, member_states=members)
            records += found
            problems += bad
        if problems:
            print_problems(console, problems)
            raise typer.Exit(1)
        with console.status(f"importing {len(records)} records"):
            report = disasters_service.import_records(session, records=records)
        if dry_run:
            session.rollback()
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb} {len(records)} records: {report.created} new events, {report.merged} merged into "
        f"existing events, {report.updated} updated, {report.unchanged} unchanged"
    )
    if report.kept:
        console.print(escape(report.kept.line("events that people edited")))


@app.command("stats")
def stats(by: str = typer.Option("year", help="year, member_state or hazard")) -> None:
    """Events, people affected and deaths from the record, per year, member state or hazard."""
    if by not in ("year", "member_state", "hazard"):
        console.print("[red]--by must be year, member_state or hazard[/red]")
        raise typer.Exit(1)
    with command_session("disasters-stats") as session:
        data = disasters_service.statistics(session)
    table = Table(by, "events", "people affected", "deaths", "events with an affected count")
    for row in data[f"by_{by}"]:
        table.add_row(
            str(row["key"]),
            str(row["events"]),
            f"{row['affected']:,}",
            f"{row['deaths']:,}",
            str(row["with_affected"]),
        )
    Console().print(table)
    console.print(f"{data['events']} events in the record")


@app.command("import-cap")
def import_cap(
    files: list[Path] = typer.Argument(..., help="CAP 1.2 XML files"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and report, write nothing"),
) -> None:
    """Import early warnings in the Common Alerting Protocol 1.2. Any problem: nothing is written."""
    with command_session("disasters-import-cap") as session:
        states = {
            m.code: (m.iso2, m.name.en, [m.name.id or ""])
            for m in registry_service.list_member_states(session)
        }
        alerts, problems = [], []
        for path in files:
            if not path.is_file():
                problems.append(Problem(file=str(path), reason="no such file"))
                continue
            found, bad = read_cap(path, member_states=states)
            alerts += found
            problems += bad
        if problems:
            print_problems(console, problems)
            raise typer.Exit(1)
        report = disasters_service.import_alerts(session, alerts=alerts)
        if dry_run:
            session.rollback()
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb} {len(alerts)} alert(s): {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )


AREAS = Path("../shared/data/disaster_impacts_phl_subnational.csv")


@app.command("import-areas")
def import_areas(
    files: list[Path] = typer.Argument(
        None,
        help="subnational impact CSV files (default: ../shared/data/disaster_impacts_phl_subnational.csv)",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and report, write nothing"),
    notes: bool = typer.Option(False, "--notes", help="list each row kept aside, and why"),
) -> None:
    """Import the provinces and municipalities an event affected, with their impacts (PHIL-DIS).
    Import the events first. Any problem in any file: every problem is listed and nothing is written."""
    paths = files or [AREAS]
    with command_session("disasters-import-areas") as session:
        members = {m.code for m in registry_service.list_member_states(session)}
        areas, problems, kept_aside = [], [], []
        for path in paths:
            if not path.is_file():
                problems.append(Problem(file=str(path), reason="no such file"))
                continue
            found, bad, kept = read_areas(path, member_states=members)
            areas += found
            problems += bad
            kept_aside += kept
        if problems:
            print_problems(console, problems)
            raise typer.Exit(1)
        report, missing = disasters_service.import_areas(session, areas=areas)
        if dry_run:
            session.rollback()
    for note in (kept_aside + missing) if notes else []:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb} {report.created + report.updated + report.unchanged} area rows: {report.created} new, {report.updated} replaced, "
        f"{report.unchanged} unchanged; {len(kept_aside) + len(missing)} row group(s) kept aside (--notes lists them)"
    )
    if report.kept:
        console.print(escape(report.kept.line("area lists that people edited")))
