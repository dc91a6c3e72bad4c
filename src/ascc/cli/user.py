"""``ascc user``: accounts and API tokens."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import Role, UserCreate
from ascc.cli._db import command_session
from ascc.kit.errors import DomainError

app = typer.Typer(
    help="Accounts: create users (the first Secretariat account too), list them, issue API tokens."
)
console = Console(stderr=True)


@app.command("create")
def create(
    email: str = typer.Option(..., help="sign-in address"),
    name: str = typer.Option(..., help="display name"),
    role: Role = typer.Option(..., help="secretariat, focal_point, chair, partner or aha_centre"),
    member_state: str | None = typer.Option(None, help="focal point: ISO3 code of the member state"),
    sector: list[str] = typer.Option([], help="focal point: limit to this sector (repeatable)"),
    body: str | None = typer.Option(None, help="chair: id of the body"),
    partner: str | None = typer.Option(None, help="partner observer: id of the partner"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="at least 10 characters, not a common one (asked for when not given)"),
) -> None:  # fmt: skip
    """Create an account. Example: ascc user create --email a@asean.org --name Ana --role secretariat"""
    try:
        data = UserCreate(email=email, name=name, role=role, password=password, sectors=sector,
                          member_state=member_state.upper() if member_state else None, body_id=body,
                          partner_id=partner)  # fmt: skip
        with command_session("user-create") as session:
            user = accounts_service.create_user(session, data=data)
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]{'.'.join(map(str, err['loc']))}: {err['msg']}[/red]")
        raise typer.Exit(1) from None
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from None
    console.print(f"created user {user.id} <{user.email}> as {user.role.value}")


@app.command("list")
def list_users() -> None:
    """List accounts."""
    with command_session("user-list") as session:
        users = accounts_service.list_users(session)
    table = Table("id", "email", "name", "role", "member state", "body", "partner")
    for u in users:
        table.add_row(
            str(u.id),
            u.email,
            u.name,
            u.role.value,
            u.member_state or "",
            u.body_id or "",
            u.partner_id or "",
        )
    Console().print(table)


@app.command("token")
def token(
    email: str = typer.Argument(..., help="the account's e-mail"), label: str = typer.Option("cli")
) -> None:
    """Issue an API token for an account; it is printed once (use: Authorization: Bearer TOKEN)."""
    with command_session("user-token") as session:
        match = [u for u in accounts_service.list_users(session) if u.email == email.lower()]
        if not match:
            console.print(f"[red]no account for {email}[/red]")
            raise typer.Exit(1)
        value = accounts_service.create_token(session, user_id=match[0].id, label=label)
    print(value)
