"""``ascc decisions``: housekeeping of the decision cycle."""

from __future__ import annotations

import typer
from rich.console import Console

from ascc.cli._db import command_session
from ascc.decisions import service as decisions_service

app = typer.Typer(help="The consensus decision cycle.")
console = Console(stderr=True)


@app.command("settle")
def settle() -> None:
    """Adopt every item whose silence-procedure deadline has passed without objection.

    Pages and the API show such an item adopted from its deadline on but never write; this
    stores it (`ascc jobs run` and `ascc serve --jobs` do it in every round).
    """
    with command_session("decisions-settle") as session:
        adopted = decisions_service.settle_silence(session)
    console.print(
        f"adopted {len(adopted)} item(s) under silence procedure: {', '.join(map(str, adopted)) or '-'}"
    )
