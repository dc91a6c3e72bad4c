"""``ascc indicators``: load the demo series, import and export observations (SDMX-CSV, SDMX-ML, CSV
and XLSX templates), list the indicators."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ascc.audit.provenance import Kept
from ascc.cli._db import command_session
from ascc.cli._problems import print_problems
from ascc.knowledge import index as search_index
from ascc.monitoring import computed, loader, stored
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.imports import importer, profiles

app = typer.Typer(help="Indicator monitoring: definitions, observations, SDMX import and export.")
console = Console(stderr=True, soft_wrap=True)


class _Failed(Exception):
    """Problems were reported: leave the command's transaction unwritten."""


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _callback(bar: Progress):
    tasks: dict[str, int] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task("reading and checking" if phase == "read" else "writing", total=total)
        bar.update(tasks[phase], completed=done, total=total)

    return update


@app.command("load-demo")
def load_demo(
    data: Path = typer.Option(loader.DATA, help="folder of the real data (series and metadata CSV files)"),
) -> None:
    """Load the real national and subnational series as approved demo data. Safe to run again."""
    try:
        with command_session("indicators-load-demo") as session, _progress() as bar:
            report = loader.load_demo(session, data, progress=_callback(bar))
            if report.problems:
                raise _Failed
            search_index.refresh_all(session, "indicator")  # whichever way the loader wrote them
    except _Failed:
        print_problems(console, report.problems)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"indicators: {report.indicators_created} new, {report.indicators_updated} updated; "
        f"areas: {report.areas_created} new, {report.areas_updated} updated"
    )
    if report.kept:
        console.print(escape(report.kept.line("indicators and areas that people edited")))
    for imp in report.imports:
        console.print(
            f"{imp.file}: {imp.rows} rows, {imp.inserted} new, {imp.revised} revised, {imp.unchanged} unchanged"
        )
        if imp.kept:
            console.print(escape(imp.kept.line("values that people or other imports wrote since")))


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="SDMX-CSV, SDMX-ML (.xml), plain CSV template or XLSX template"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and report, write nothing"),
    fmt: str = typer.Option(
        None, "--format", help=f"one of {', '.join(importer.FORMATS)} (default: detected)"
    ),
    approval: str = typer.Option(
        "draft", help="approval state of the new values (draft, submitted, approved)"
    ),
    profile: str = typer.Option(
        None,
        "--profile",
        help=f"layout of a CSV file: {', '.join(profiles.PROFILES)} (default: from the header)",
    ),
    mapping: Path = typer.Option(
        None, "--mapping", help="a mapping file (YAML) for any other layout: columns, indicators, skip, codes"
    ),
) -> None:
    """Import observations. Any problem: every problem is listed (file, line, column, reason) and
    nothing is written. Re-importing the same file changes nothing; a changed value becomes a new
    revision and the old one is kept."""
    if not file.is_file():
        console.print(f"[red]{escape(str(file))}: no such file[/red]")
        raise typer.Exit(1)
    chosen: str | profiles.Profile | None = profile
    if mapping is not None:
        try:
            chosen = profiles.load_mapping(mapping)
        except profiles.MappingError as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(1) from None
    try:
        with command_session("indicators-import") as session, _progress() as bar:
            report = monitoring_service.import_file(
                session,
                file,
                fmt=fmt,
                dry_run=dry_run,
                approval=approval,
                progress=_callback(bar),
                profile=chosen,
            )
            if report.problems:
                raise _Failed
    except _Failed:
        print_problems(console, report.problems)
        raise typer.Exit(1) from None
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    verb = "would import" if dry_run else "imported"
    for note in report.notes:
        console.print(f"note: {escape(note)}")
    console.print(
        f"{verb} {report.rows} rows from {escape(report.file)} ({report.format}): {report.inserted} new, "
        f"{report.revised} revised, {report.unchanged} unchanged"
    )


@app.command("export")
def export(
    out: Path = typer.Option(..., "-o", "--out", help="file to write"),
    indicator: list[str] = typer.Option(
        None, "--indicator", help="indicator code (repeatable; default: all)"
    ),
    member_state: list[str] = typer.Option(None, "--member-state", help="ISO3 code (repeatable)"),
    fmt: str = typer.Option("sdmx-csv", "--format", help="sdmx-csv or sdmx-ml"),
    generic: bool = typer.Option(
        False, "--generic", help="SDMX-ML generic data instead of structure-specific"
    ),
    approved: bool = typer.Option(False, "--approved", help="only approved values"),
) -> None:
    """Export the current observations as SDMX-CSV 2.0 or SDMX-ML 2.1."""
    if fmt not in ("sdmx-csv", "sdmx-ml"):
        console.print("[red]--format must be sdmx-csv or sdmx-ml[/red]")
        raise typer.Exit(1)
    with command_session("indicators-export") as session:
        data = stored.export(
            session,
            fmt=fmt,
            indicator=indicator or None,
            member_state=member_state or None,
            approval="approved" if approved else None,
            generic=generic,
        )
    out.write_bytes(data)
    console.print(f"wrote {escape(str(out))} ({len(data):,} bytes)")


@app.command("list")
def list_(
    sector: str = typer.Option(None, help="registry sector id"),
    level: str = typer.Option(None, help="national or subnational"),
) -> None:
    """The indicators, with their unit, sector, direction and number of current observations."""
    from sqlalchemy import func, select

    from ascc.monitoring.models import Observation

    with command_session("indicators-list") as session:
        rows = stored.list_indicators(session, sector=sector, level=level)
        n = dict(
            session.execute(
                select(Observation.indicator_code, func.count())
                .where(Observation.is_current.is_(True))
                .group_by(Observation.indicator_code)
            ).all()
        )
    table = Table("code", "name", "unit", "sector", "direction", "level", "observations")
    for r in rows:
        table.add_row(
            r.code, r.name_en, r.unit or "", r.sector or "", r.direction or "", r.level, str(n.get(r.code, 0))
        )
    Console().print(table)
    console.print(f"{len(rows)} indicators")


@app.command("define-computed")
def define_computed(
    code: str = typer.Argument(None, help="code of the computed indicator (or give --file)"),
    file: Path = typer.Option(None, "--file", help="YAML or CSV file of definitions (all or nothing)"),
    name_en: str = typer.Option(None, "--name-en"),
    name_id: str = typer.Option(None, "--name-id"),
    unit: str = typer.Option(None, help='e.g. "per 100,000 population"'),
    direction: str = typer.Option(None, help="higher or lower (is better)"),
    sector: str = typer.Option(None, help="registry sector id"),
    numerator: str = typer.Option(None, help="indicator code of the numerator"),
    denominator: str = typer.Option(None, help="indicator code of the denominator (a count)"),
    multiplier: str = typer.Option("1", help="e.g. 100000 for per 100,000, 100 for a percentage"),
    source_quote: str = typer.Option(None, "--source-quote", help="the definition the formula follows"),
    source_url: str = typer.Option(None, "--source-url"),
) -> None:
    """Define (or update) computed indicators: numerator / denominator × multiplier of two other
    indicators. Every problem is listed (file, line, field) and nothing is written."""
    if (file is None) == (code is None):
        console.print("[red]give a CODE with its options, or --file[/red]")
        raise typer.Exit(1)
    kept = Kept()
    try:
        with command_session("indicators-define-computed") as session:
            if file is not None:  # a file is loaded as a loader: definitions a person edited stay
                created, updated = computed.define_file(session, file, name=str(file), kept=kept)
            else:
                source = {k: v for k, v in (("quote", source_quote), ("url", source_url)) if v}
                record = {
                    "code": code,
                    "name_en": name_en,
                    "name_id": name_id,
                    "unit": unit,
                    "direction": direction,
                    "sector": sector,
                    "numerator": numerator,
                    "denominator": denominator,
                    "multiplier": multiplier,
                    "sources": [source] if source else None,
                    "__line__": None,
                }
                created, updated = computed.define(session, [record], name="command line")
    except computed.DefinitionError as exc:
        print_problems(console, exc.problems, "; nothing was defined")
        raise typer.Exit(1) from None
    console.print(f"computed indicators: {created} new, {updated} updated")
    if kept:
        console.print(escape(kept.line("definitions that people edited")))


@app.command("compute")
def compute(
    indicator: list[str] = typer.Option(
        None, "--indicator", help="computed indicator (repeatable; default: all)"
    ),
) -> None:
    """Recompute computed indicators from the published values of their inputs, as approved values.
    Only changed values become new revisions; running it again changes nothing."""
    with command_session("indicators-compute") as session:
        report = computed.recompute(session, codes=indicator or None)
    console.print(
        f"{len(report.indicators)} computed indicators, {report.values} values: {report.inserted} new, "
        f"{report.revised} revised, {report.unchanged} unchanged, {report.withdrawn} withdrawn"
    )


@app.command("rules")
def rules(
    code: str = typer.Argument(..., help="indicator code"),
    min_coverage: float = typer.Option(
        None,
        "--min-coverage",
        help="share of the member states that must report for a regional headline (default 2/3)",
    ),
    decimals: int = typer.Option(
        None, help="the precision the values are published with (default: read from them)"
    ),
    tolerance: float = typer.Option(
        None,
        help="the smallest change that counts for a progress status (default: one unit of the last decimal)",
    ),
    best_value: float = typer.Option(
        None, "--best-value", help="floor (lower is better) or ceiling (higher is better)"
    ),
) -> None:
    """State an indicator's reading rules; a rule left out returns to its default."""
    from ascc.kit.errors import DomainError
    from ascc.monitoring.imports import reading_rules

    stated = {
        "min_coverage": min_coverage,
        "decimals": decimals,
        "tolerance": tolerance,
        "best_value": best_value,
    }
    try:
        with command_session("indicators-rules") as session:
            result = reading_rules.set_rules(session, code=code, rules=stated, if_match="*")
    except DomainError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{code}: " + ", ".join(f"{k} {'default' if v is None else v}" for k, v in result.items()))
