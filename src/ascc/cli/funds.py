"""``ascc funds``: load the funds that run calls for proposals (``funds/data/funds.yaml``)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from ascc.cli._db import command_session
from ascc.funds import service as funds_service
from ascc.kit.errors import DomainError

app = typer.Typer(help="Fund calls and proposal review: the funds.", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def load() -> None:
    """Add the funds of the reference file that are not there yet (the ASEAN Cultural Fund, owned
    by COCI, and the ASEAN Haze Fund, owned by the COP AATHP); a fund already there keeps its rules
    and budget. Run `ascc init` first."""
    with command_session("funds-load") as session:
        try:
            created, kept = funds_service.load_funds(session)
        except DomainError as exc:
            console.print(f"[red]{escape(exc.detail)}[/red]")
            raise typer.Exit(1) from None
    console.print(f"funds: {created} new, {kept} already there")
