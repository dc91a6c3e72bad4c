"""``ascc results``: load the plans' results frameworks and the demo activities, check the
frameworks' quotes, list activities, export them as IATI 2.03 XML."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ascc.audit.provenance import Kept
from ascc.cli._db import command_session
from ascc.cli._problems import print_problems
from ascc.kit.errors import DomainError
from ascc.results import demo, framework, iati
from ascc.results import service as results_service

app = typer.Typer(
    help="Results chain: plan frameworks, programmes and projects, IATI export.", no_args_is_help=True
)
console = Console(stderr=True)
SEEDS = Path("../shared/seeds")


def _read(session, path: Path, seeds: Path | None) -> list[framework.Element]:
    try:
        return framework.read_frameworks(
            session, path=path, seeds=seeds if seeds and seeds.is_dir() else None
        )
    except framework.FrameworkError as exc:
        print_problems(console, exc.problems, f" in {path}; nothing was loaded")
        raise typer.Exit(1) from None


@app.command()
def load(
    path: Path = typer.Option(framework.FRAMEWORKS, help="the frameworks YAML file"),
    demo_activities: bool = typer.Option(
        True, "--demo/--no-demo", help="also add the registry's programmes as activities"
    ),
) -> None:
    """Load the results frameworks (idempotent: unchanged elements stay as they are) and, by default,
    one demo activity per registry programme or project. Run `ascc init` first."""
    with command_session("results-load") as session:
        elements = _read(session, path, None)
        try:
            report = framework.load_frameworks(session, elements=elements)
        except DomainError as exc:
            console.print(f"[red]{escape(exc.detail)}[/red]")
            raise typer.Exit(1) from None
        deleted = Kept()
        created, kept = demo.load_demo(session, kept=deleted) if demo_activities else (0, 0)
    console.print(
        f"frameworks: {report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed; demo activities: {created} new, {kept} already there"
    )
    if deleted:
        console.print(escape(deleted.line("deleted activities")))


@app.command()
def check(
    path: Path = typer.Option(framework.FRAMEWORKS, help="the frameworks YAML file"),
    seeds: Path = typer.Option(SEEDS, help="folder of the seed documents, to verify quotes"),
) -> None:
    """Check the frameworks file against the registry's plans and every quote against its seed."""
    with command_session("results-check") as session:
        elements = _read(session, path, seeds)
        session.rollback()
    note = "" if seeds.is_dir() else f" (quotes not verified: {seeds} not found)"
    console.print(f"[green]OK[/green]: {len(elements)} framework elements{note}")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The activities, with what each lacks for the IATI export."""
    with command_session("results-list") as session:
        items = results_service.list_activities(session)
        missing = (
            {r.id: iati.missing_fields(r) for r in results_service.rows_for_export(session)} if items else {}
        )
    if as_json:
        sys.stdout.write(json.dumps(items, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title="Activities")
    for col in ("id", "IATI identifier", "title", "status", "missing for IATI"):
        table.add_column(col)
    for a in items:
        table.add_row(
            str(a["id"]),
            a["iati_identifier"] or "",
            a["title"]["en"] or a["title"]["id"] or "",
            str(a["status"] or ""),
            ", ".join(missing.get(a["id"], [])),
        )
    console.print(table)


@app.command("export-iati")
def export_iati(
    out: Path | None = typer.Option(None, "--out", "-o", help="file to write (default stdout)"),
    ids: list[int] = typer.Option([], "--id", help="only these activities (repeatable)"),
) -> None:
    """Write the activities that have what the IATI 2.03 schema requires as activity XML, and list
    the others with their missing fields. With ``--id``: refused, nothing written, when one of the
    named activities is incomplete."""
    try:
        with command_session("results-export-iati") as session:
            out_doc = iati.export(
                session, rows=results_service.rows_for_export(session, ids=ids or None), named=bool(ids)
            )
    except DomainError as exc:
        for a in exc.extra.get("activities", []):
            console.print(
                f"[red]activity {a['id']} ({escape(str(a['title']))}): missing {escape(', '.join(a['missing']))}[/red]"
            )
        console.print(
            f"[red]{escape(exc.detail if not exc.extra.get('activities') else 'nothing was exported')}[/red]"
        )
        raise typer.Exit(1) from None
    for a in out_doc.left_out:
        console.print(
            f"[yellow]not exported: activity {a['id']} ({escape(str(a['title']))}): missing "
            f"{escape(', '.join(a['missing']))}[/yellow]"
        )
    for note in out_doc.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")
    xml = out_doc.xml
    if out is None:
        sys.stdout.buffer.write(xml)
    else:
        out.write_bytes(xml)
        console.print(f"wrote {out}")
