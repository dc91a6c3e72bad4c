"""``ascc national``: load the seeded national plans (Viet Nam's Project 161 and its Programme of
Action for the ASEAN Community Vision 2045) and list the national plans."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from ascc.audit.provenance import Kept
from ascc.cli._db import command_session
from ascc.national import demo
from ascc.national import service as national_service

app = typer.Typer(help="National plans and programmes of action.", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def load() -> None:
    """Load the national plans the seeds state (idempotent: a plan already there is left as people
    left it; one a person deleted is not brought back). Run `ascc init` first."""
    kept = Kept()
    with command_session("national-load") as session:
        created, there = demo.load_demo(session, kept=kept)
    console.print(f"national plans: {created} new, {there} already there")
    if kept:
        console.print(escape(kept.line("deleted national plans")))


@app.command("list")
def list_() -> None:
    """The national plans: id, member state, status, title."""
    with command_session("national-list") as session:
        for p in national_service.list_plans(session):
            print(f"{p['id']}\t{p['member_state']}\t{p['status']}\t{p['title']['en'] or p['title']['id']}")
