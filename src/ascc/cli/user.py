"""``ascc user``: accounts and API tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from ascc.accounts import service as accounts_service
from ascc.accounts.schemas import Principal, Role, UserCreate
from ascc.cli._db import command_session
from ascc.cli._problems import print_problems
from ascc.kit import table
from ascc.kit.errors import Conflict, DomainError, Invalid, NotFound
from ascc.kit.problems import Problem
from ascc.notifications import service as notifications_service
from ascc.registry import service as registry_service

app = typer.Typer(
    help="Accounts: create users (the first Secretariat account too) one by one or from a CSV file, list, "
    "deactivate, set passwords; issue, list and revoke API tokens."
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
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="at least 10 characters, not a common one (asked for when not given)",
    ),
) -> None:
    """Create an account. Example: ascc user create --email a@asean.org --name Ana --role secretariat"""
    try:
        data = UserCreate(
            email=email,
            name=name,
            role=role,
            password=password,
            sectors=sector,
            member_state=member_state.upper() if member_state else None,
            body_id=body,
            partner_id=partner,
        )
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
    password: str = typer.Option(
        ...,
        prompt="New password",
        hide_input=True,
        confirmation_prompt=True,
        help="at least 10 characters (asked for when not given)",
    ),
) -> None:
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
    email_or_revoke: str = typer.Argument(
        ..., metavar="EMAIL | revoke", help="list the tokens of EMAIL, or revoke"
    ),
    token_id: int | None = typer.Argument(None, metavar="[ID]", help="with revoke: the token's id"),
) -> None:
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


#: the columns of ``ascc user import``; the first three are required
IMPORT_COLUMNS = ("email", "name", "role", "member_state", "sectors", "body", "partner", "language")
#: a service's parameter → the column it came from
_COLUMN_OF = {"body_id": "body", "partner_id": "partner", "password": "password"}
LANGUAGES = ("en", "id")


def new_password() -> str:
    """A one-time password: 120 random bits, URL-safe (20 characters); it passes the policy."""
    return secrets.token_urlsafe(15)


def _read_accounts(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The rows of an accounts CSV with their line numbers, and the problems of its form. Lines
    starting with ``#`` and empty lines are skipped."""
    file = str(path)
    try:
        text, problems = table.decode(path.read_bytes(), file=file)
    except OSError as exc:
        return [], [Problem(file=file, reason=f"cannot read it ({exc.strerror})")]
    if text is None:
        return [], problems
    rows, problems = table.read_table(
        text,
        file=file,
        known=IMPORT_COLUMNS,
        required=IMPORT_COLUMNS[:3],
        comments=True,
        lowercase_header=True,
    )
    return (rows.rows if rows is not None else []), problems


@app.command("import")
def import_users(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV: email,name,role[,member_state,sectors,body,partner,language]",
    ),
    passwords_out: Path | None = typer.Option(
        None,
        "--passwords-out",
        help="write the new accounts' one-time "
        "passwords to this new file (mode 600) instead of printing them",
    ),
) -> None:
    """Create many accounts from a CSV file, all or nothing (e.g. one focal point per member state).

    Columns: email, name, role (secretariat, focal_point, chair, partner, aha_centre), member_state
    (ISO3, focal points), sectors (sector ids separated by ";", focal points), body (chairs), partner
    (partners), language (en or id: their notifications). Lines starting with # are comments. Any bad
    row stops the import with file, line and column, and nothing is created. An address that has an
    account already is reported and skipped (the file can be run again after adding lines). Passwords
    are never in the file: each new account gets a random one-time password, printed once, or written
    to --passwords-out (created with mode 600; it must not exist). Example:
    examples/users/focal-points.example.csv.
    """
    rows, problems = _read_accounts(file)
    seen: dict[str, int] = {}
    for line, row in rows:
        email = row["email"].lower()
        if email in seen:
            problems.append(
                Problem(
                    file=str(file), line=line, column="email", reason=f"{email} is also on line {seen[email]}"
                )
            )
        seen.setdefault(email, line)
        if row.get("language") and row["language"] not in LANGUAGES:
            problems.append(
                Problem(
                    file=str(file),
                    line=line,
                    column="language",
                    reason=f"{row['language']!r} is not one of {', '.join(LANGUAGES)}",
                )
            )
    if problems:
        _stop(problems)
    fd = None
    if passwords_out is not None:
        try:
            fd = os.open(passwords_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            _stop(
                [
                    Problem(
                        file=str(passwords_out),
                        reason=f"cannot create it ({exc.strerror}); it must not exist",
                    )
                ]
            )
    created: list[tuple[str, str]] = []
    skipped: list[str] = []
    try:
        with command_session("user-import") as session:
            for line, row in rows:
                password = new_password()
                try:
                    data = UserCreate(
                        email=row["email"],
                        name=row["name"],
                        role=row["role"],
                        password=password,
                        member_state=row.get("member_state", "").upper() or None,
                        sectors=[s for s in row.get("sectors", "").replace(",", ";").split(";") if s.strip()],
                        body_id=row.get("body") or None,
                        partner_id=row.get("partner") or None,
                    )
                    _check_references(session, data)
                    user = accounts_service.create_user(session, data=data)
                except ValidationError as exc:
                    for err in exc.errors():
                        col = _COLUMN_OF.get(str(err["loc"][0]), str(err["loc"][0])) if err["loc"] else "row"
                        problems.append(Problem(file=str(file), line=line, column=col, reason=err["msg"]))
                    continue
                except Conflict as exc:
                    if exc.extra.get("parameter") == "email":
                        skipped.append(data.email.lower())
                        continue
                    raise
                except DomainError as exc:
                    col = str(exc.extra.get("parameter") or "row")
                    problems.append(
                        Problem(file=str(file), line=line, column=_COLUMN_OF.get(col, col), reason=exc.detail)
                    )
                    continue
                if row.get("language"):
                    notifications_service.set_preferences(
                        session,
                        principal=Principal(user_id=user.id, name=user.name, role=user.role),
                        email="immediate",
                        language=row["language"],
                    )
                created.append((user.email, password))
            if problems:
                raise _Rejected
    except _Rejected:
        _discard(fd, passwords_out)
        _stop(problems)
    except BaseException:
        _discard(fd, passwords_out)
        raise
    for email in skipped:
        console.print(f"skipped {email}: it has an account already (left unchanged)")
    console.print(f"created {len(created)} account(s), skipped {len(skipped)}")
    if fd is not None:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("email,one_time_password\n")
            fh.writelines(f"{email},{password}\n" for email, password in created)
        console.print(
            f"their one-time passwords are in {passwords_out} (mode 600): hand each to its owner "
            "privately, then delete the file"
        )
    elif created:
        console.print("one-time passwords, shown this once (each owner changes theirs at /account):")
        for email, password in created:
            print(f"{email}\t{password}")


def _check_references(session, data: UserCreate) -> None:
    """The member state, sectors, body and partner a row names exist (else Invalid naming the column)."""
    checks = [
        ("member_state", data.member_state, lambda v: registry_service.get_member_state(session, code=v)),
        ("body", data.body_id, lambda v: registry_service.get_body(session, body_id=v)),
        ("partner", data.partner_id, lambda v: registry_service.get_partner(session, partner_id=v)),
    ]
    checks += [
        ("sectors", s, lambda v: registry_service.get_sector(session, sector_id=v)) for s in data.sectors
    ]
    for column, value, get in checks:
        if value:
            try:
                get(value)
            except NotFound as exc:
                raise Invalid(exc.detail, parameter=column) from None


class _Rejected(Exception):
    """Some row was refused: roll the whole import back."""


def _discard(fd: int | None, path: Path | None) -> None:
    if fd is not None and path is not None:
        os.close(fd)
        path.unlink(missing_ok=True)


def _stop(problems: list[Problem]) -> None:
    print_problems(console, problems, "; nothing was created")
    raise typer.Exit(1)
