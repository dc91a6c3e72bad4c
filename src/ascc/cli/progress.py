"""``ascc targets set|import|list|delete`` and ``ascc progress scorecard``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import Principal
from ascc.cli._db import command_session
from ascc.cli._problems import print_problems
from ascc.kit.errors import DomainError
from ascc.monitoring.targets import scorecards
from ascc.monitoring.targets import service as targets_service

targets = typer.Typer(
    help="Baseline and target values per indicator (regional or per member state).", no_args_is_help=True
)
progress_app = typer.Typer(
    help="Progress status of the indicators (approved data only).", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)


def _principal(session: Session, email: str) -> Principal:
    users = [u for u in accounts_service.list_users(session) if u.email.lower() == email.lower()]
    if not users:
        console.print(f"[red]no account {escape(email)}[/red]")
        raise typer.Exit(1)
    principal = accounts_service.principal_for_user(session, user_id=users[0].id)
    session.info["actor"] = principal.actor
    return principal


def _fail(exc: Exception) -> None:
    if isinstance(exc, targets_service.TargetFileError):
        print_problems(console, exc.problems)
    elif isinstance(exc, ValidationError):
        for e in exc.errors():
            where = ".".join(map(str, e["loc"])) or "target"
            console.print(f"[red]{escape(where)}: {escape(e['msg'].removeprefix('Value error, '))}[/red]")
    else:
        console.print(f"[red]{escape(str(getattr(exc, 'detail', exc)))}[/red]")
    raise typer.Exit(1)


@targets.command("set")
def set_(
    indicator: str = typer.Argument(..., help="indicator code, e.g. SH.STA.MMRT"),
    target: float = typer.Option(..., "--target", help="the target value"),
    year: int = typer.Option(..., "--year", help="the target year"),
    source: str = typer.Option(..., "--source", help="URL or document the target comes from"),
    as_: str = typer.Option(..., "--as", help="e-mail of the Secretariat account"),
    member_state: str | None = typer.Option(
        None, "--member-state", help="ISO3; leave out for a regional target"
    ),
    plan: str | None = typer.Option(None, "--plan", help="the plan the target belongs to"),
    sector: str | None = typer.Option(None, "--sector"),
    baseline_year: int | None = typer.Option(None, "--baseline-year"),
    baseline_value: float | None = typer.Option(None, "--baseline-value"),
    quote: str | None = typer.Option(None, "--quote", help="the source's words, verbatim"),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Create a target, or replace the one for the same indicator, member state and plan."""
    try:
        data = targets_service.TargetWrite(
            indicator_code=indicator,
            member_state=member_state.upper() if member_state else None,
            plan_id=plan,
            sector=sector,
            baseline_year=baseline_year,
            baseline_value=baseline_value,
            target_year=year,
            target_value=target,
            source=source,
            quote=quote,
            notes=notes,
        )
        with command_session("targets-set") as session:
            detail = targets_service.set_target(
                session, principal=_principal(session, as_), data=data, if_match="*"
            )  # an operator's command replaces
    except (DomainError, ValidationError) as exc:
        _fail(exc)
        return
    where = detail["member_state"] or "regional"
    console.print(
        f"{detail['result']} target {detail['id']}: {detail['indicator_code']} ({where}) "
        f"{detail['target_value']:g} by {detail['target_year']}"
    )


@targets.command("import")
def import_(
    file: Path = typer.Argument(
        ...,
        help="CSV: indicator_code, member_state, plan_id, sector, baseline_year, "
        "baseline_value, target_year, target_value, source, quote, notes",
    ),
    as_: str = typer.Option(..., "--as", help="e-mail of the Secretariat account"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and report, write nothing"),
) -> None:
    """Import targets. Any problem in any row: every problem is listed and nothing is written."""
    try:
        with command_session("targets-import") as session:
            counts = targets_service.import_file(session, principal=_principal(session, as_), path=file)
            if dry_run:
                session.rollback()
    except DomainError as exc:
        _fail(exc)
        return
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{verb}: {counts['created']} new, {counts['updated']} replaced, {counts['unchanged']} unchanged"
    )


@targets.command("list")
def list_(
    indicator: str | None = typer.Option(None, "--indicator"),
    member_state: str | None = typer.Option(None, "--member-state"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The recorded targets."""
    with command_session("targets-list") as session:
        rows = targets_service.list_targets(session, indicator=indicator, member_state=member_state)
    if as_json:
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("id", "indicator", "member state", "plan", "baseline", "target", "source")
    for r in rows:
        base = f"{r['baseline_value']:g} ({r['baseline_year']})" if r["baseline_value"] is not None else ""
        table.add_row(
            str(r["id"]),
            r["indicator_code"],
            r["member_state"] or "regional",
            r["plan_id"] or "",
            base,
            f"{r['target_value']:g} ({r['target_year']})",
            r["source"],
        )
    Console().print(table)
    console.print(f"{len(rows)} target(s)")


@targets.command("delete")
def delete(
    target_id: int = typer.Argument(...),
    as_: str = typer.Option(..., "--as", help="e-mail of the Secretariat account"),
    yes: bool = typer.Option(False, "--yes", help="do not ask"),
) -> None:
    """Delete a target (asks first)."""
    if not yes and not typer.confirm(f"delete target {target_id}?"):
        raise typer.Exit(1)
    try:
        with command_session("targets-delete") as session:
            targets_service.delete_target(
                session, principal=_principal(session, as_), target_id=target_id, if_match="*"
            )  # confirmed by the operator
    except DomainError as exc:
        _fail(exc)
    console.print(f"deleted target {target_id}")


@progress_app.command("scorecard")
def scorecard(
    plan: str | None = typer.Option(None, "--plan"),
    sector: str | None = typer.Option(None, "--sector"),
    member_state: str | None = typer.Option(None, "--member-state"),
    base: int | None = typer.Option(None, "--base", help="base year"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """A scorecard: one of --plan, --sector or --member-state."""
    if sum(x is not None for x in (plan, sector, member_state)) != 1:
        console.print("[red]give exactly one of --plan, --sector, --member-state[/red]")
        raise typer.Exit(1)
    try:
        with command_session("progress-scorecard") as session:
            if plan:
                card = scorecards.plan_scorecard(session, plan_id=plan, base_year=base)
            elif sector:
                card = scorecards.sector_scorecard(session, sector_id=sector, base_year=base)
            else:
                card = scorecards.member_state_scorecard(session, code=member_state or "", base_year=base)
    except DomainError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(card, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("indicator", "status", "assessed", *card["member_states"])
    for r in card["rows"]:
        table.add_row(
            r["indicator"]["code"],
            r["regional"]["status"].split("_")[0],
            f"{r['regional']['assessed']}/{len(card['member_states'])}",
            *[r["cells"][ms]["status"].split("_")[0] for ms in card["member_states"]],
        )
    Console(width=max(120, 16 * len(card["member_states"]) + 40)).print(table)
    console.print(f"{len(card['rows'])} indicator(s), base year {card['base_year']}")
