"""``ascc audit``: check the hash-chained audit trail and the rows it records; checkpoint its head."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ascc.accounts import models as _accounts  # noqa: F401 - every table is checked: register them all
from ascc.audit import checkpoints as cps
from ascc.audit import service as audit_service
from ascc.cli._db import command_session
from ascc.config import Settings
from ascc.decisions import models as _decisions  # noqa: F401
from ascc.disasters import models as _disasters  # noqa: F401
from ascc.indices import models as _indices  # noqa: F401
from ascc.knowledge import models as _knowledge  # noqa: F401
from ascc.meetings import models as _meetings  # noqa: F401
from ascc.monitoring import models as _monitoring  # noqa: F401
from ascc.monitoring.targets import models as _targets  # noqa: F401
from ascc.registry import models as _registry  # noqa: F401
from ascc.results import models as _results  # noqa: F401

app = typer.Typer(help="The audit trail of every write.")
console = Console(stderr=True)

CHECKPOINTS = typer.Option(
    None,
    "--checkpoints",
    help="checkpoints file (default: ASCC_AUDIT_CHECKPOINTS); keep it off the database host",
)
KEY_FILE = typer.Option(None, "--key-file", help="HMAC key of the checkpoints (default: ASCC_AUDIT_KEY_FILE)")


def _anchors(
    path: Path | None, key_file: Path | None
) -> tuple[Path | None, bytes | None, list[cps.Checkpoint]]:
    settings = Settings()
    path = path or settings.audit_checkpoints
    try:
        key = cps.read_key(key_file or settings.audit_key_file)
        found = cps.load(path, key=key) if path is not None and path.exists() else []
    except (OSError, cps.CheckpointError) as exc:
        console.print(f"[red]checkpoints: {escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    return path, key, found


def _report(result: audit_service.VerifyResult) -> None:
    if result.table:
        where = f"{result.table} {result.row}" if result.row else result.table
        entry = f", audit entry {result.first_bad}" if result.first_bad else ""
        console.print(f"[red]BAD ROW {escape(where)}{entry}: {escape(result.reason or '')}[/red]")
    else:
        console.print(
            f"[red]BROKEN at entry {result.first_bad}: {escape(result.reason or '')}[/red] "
            f"({result.checked} good before it)"
        )


@app.command("verify")
def verify(
    checkpoints: Path | None = CHECKPOINTS,
    key_file: Path | None = KEY_FILE,
    chain_only: bool = typer.Option(False, "--chain-only", help="check the chain, not the data rows"),
) -> None:
    """Walk the chain, compare it with the checkpoints, then every data row with its last entry;
    exit 1 and name the first altered, missing or inserted entry, or the first bad row."""
    path, key, found = _anchors(checkpoints, key_file)
    with command_session("audit-verify") as session:
        audit_service.snapshot(session)
        result = audit_service.verify(session, checkpoints=found, rows=not chain_only)
    for warning in result.warnings:
        console.print(f"[yellow]{escape(warning)}[/yellow]")
    if not result.ok:
        _report(result)
        raise typer.Exit(1)
    if path is None or not found:
        console.print(
            "[yellow]no checkpoint to compare with: a chain cut and rewound, or rewritten with every "
            "hash recomputed, is not found (see `ascc audit checkpoint`)[/yellow]"
        )
    elif key is None:
        console.print("[yellow]checkpoints not signed-checked (no key file)[/yellow]")
    rows = "" if chain_only else f", {result.rows_checked} rows match it"
    anchored = f", head at or past {len(found)} checkpoint(s)" if found else ""
    console.print(f"[green]OK[/green]: {result.checked} entries, chain intact{anchored}{rows}")


@app.command("checkpoint")
def checkpoint(
    checkpoints: Path | None = CHECKPOINTS,
    key_file: Path | None = KEY_FILE,
    every: int = typer.Option(
        1,
        "--every",
        min=1,
        help="write only when the head is at least this many entries past the last checkpoint",
    ),
) -> None:
    """Check the chain (and the checkpoints so far), then append its head to the checkpoints file
    (created with mode 0600), signed with the key file's HMAC key when there is one. Run it from a
    timer with ``--every N`` for a checkpoint after every N entries."""
    path, key, found = _anchors(checkpoints, key_file)
    if path is None:
        console.print("[red]no checkpoints file: --checkpoints or ASCC_AUDIT_CHECKPOINTS[/red]")
        raise typer.Exit(2)
    with command_session("audit-checkpoint") as session:
        audit_service.snapshot(session)
        result = audit_service.verify(session, checkpoints=found)
    if not result.ok:
        _report(result)
        console.print("[red]no checkpoint written[/red]")
        raise typer.Exit(1)
    last = found[-1].seq if found else 0
    if found and result.checked - last < every:
        console.print(
            f"head at entry {result.checked}, {result.checked - last} past the last checkpoint: none written"
        )
        return
    cp = cps.append(path, seq=result.checked, head=result.last_hash, key=key)
    signed = "signed" if key else "[yellow]unsigned (no key file)[/yellow]"
    console.print(
        f"[green]checkpoint[/green] entry {cp.seq} {cp.hash[:16]}… at {cp.at}, {signed}: {escape(str(path))}"
    )
