"""``ascc audit``: check the hash-chained audit trail."""

from __future__ import annotations

import typer
from rich.console import Console

from ascc.audit import service as audit_service
from ascc.cli._db import command_session

app = typer.Typer(help="The audit trail of every write.")
console = Console(stderr=True)


@app.command("verify")
def verify() -> None:
    """Walk the chain; exit 1 and name the first altered, missing or inserted entry."""
    with command_session("audit-verify") as session:
        result = audit_service.verify(session)
    if result.ok:
        console.print(f"[green]OK[/green]: {result.checked} entries, chain intact")
        return
    console.print(
        f"[red]BROKEN at entry {result.first_bad}: {result.reason}[/red] ({result.checked} good before it)"
    )
    raise typer.Exit(1)
