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
    help="Accounts: create users (the first Secretariat account too), list, deactivate, set passwords; "
    "issue, list and revoke API tokens."
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
    table = Table("id", "email", "name", "role", "member state", "body", "partner", "active")
    for u in users:
        table.add_row(
            str(u.id),
            u.email,
            u.name,
            u.role.value,
            u.member_state or "",
            u.body_id or "",
            u.partner_id or "",
            "yes" if u.active else "no",
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


def _fail(exc: DomainError) -> typer.Exit:
    console.print(f"[red]{exc.detail}[/red]")
    return typer.Exit(1)


@app.command("deactivate")
def deactivate(email: str = typer.Argument(..., help="the account's e-mail")) -> None:
    """Close an account: its sessions end and its API tokens stop working at once."""
    try:
        with command_session("user-deactivate") as session:
            user = accounts_service.user_by_email(session, email=email)
            accounts_service.deactivate_user(session, principal=None, user_id=user.id)
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(f"deactivated user {user.id} <{user.email}>")


@app.command("password")
def password(
    email: str = typer.Argument(..., help="the account's e-mail"),
    password: str = typer.Option(..., prompt="New password", hide_input=True, confirmation_prompt=True,
                                 help="at least 10 characters (asked for when not given)"),
) -> None:  # fmt: skip
    """Set an account's password; every session of the account ends."""
    try:
        with command_session("user-password") as session:
            user = accounts_service.user_by_email(session, email=email)
            accounts_service.reset_password(session, user_id=user.id, password=password)
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(f"new password set for <{user.email}>; their sessions have ended")


@app.command("tokens")
def tokens(
    email_or_revoke: str = typer.Argument(..., metavar="EMAIL | revoke", help="list the tokens of EMAIL, or revoke"),
    token_id: int | None = typer.Argument(None, metavar="[ID]", help="with revoke: the token's id"),
) -> None:  # fmt: skip
    """List an account's API tokens (`ascc user tokens EMAIL`) or revoke one (`ascc user tokens revoke ID`)."""
    try:
        if email_or_revoke == "revoke":
            if token_id is None:
                console.print(
                    "[red]which token? ascc user tokens revoke ID (the ids: ascc user tokens EMAIL)[/red]"
                )
                raise typer.Exit(2)
            with command_session("user-tokens-revoke") as session:
                row = accounts_service.revoke_token(session, principal=None, token_id=token_id)
            console.print(f"revoked token {row.id} ({row.label})")
            return
        with command_session("user-tokens") as session:
            user = accounts_service.user_by_email(session, email=email_or_revoke)
            found = accounts_service.list_tokens(session, user_id=user.id)
    except DomainError as exc:
        raise _fail(exc) from None
    table = Table("id", "label", "issued", "state")
    for t in found:
        table.add_row(
            str(t.id), t.label, t.created_at.date().isoformat(), "revoked" if t.revoked else "active"
        )
    Console().print(table)
