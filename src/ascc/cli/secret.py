"""``ascc secret``: the session signing keys in the instance's key file (show, rotate, drop)."""

from __future__ import annotations

import typer
from rich.console import Console

from ascc.config import Settings
from ascc.kit import keys

app = typer.Typer(
    help="Session signing keys: the key file written by `ascc init`; the first key signs, all verify.",
    no_args_is_help=True,
)
console = Console(stderr=True)


def _key_file(settings: Settings):
    if settings.secret_key is not None:
        console.print(
            "[red]the keys come from ASCC_SECRET_KEY, not a file: rotate there (the new key first, "
            "a comma, then the keys that should still verify) and restart the server[/red]"
        )
        raise typer.Exit(1)
    return settings.key_path()


@app.command("show")
def show() -> None:
    """Where the keys are and their fingerprints (never the keys)."""
    settings = Settings()
    found = settings.session_keys()
    where = "ASCC_SECRET_KEY" if settings.secret_key is not None else str(settings.key_path())
    if not found:
        console.print(f"no session key in {where}: run `ascc init`")
        raise typer.Exit(1)
    console.print(f"session keys in {where}:")
    for i, key in enumerate(found):
        console.print(f"  {keys.fingerprint(key)}  {'signs and verifies' if i == 0 else 'verifies'}")


@app.command("rotate")
def rotate() -> None:
    """Sign new sessions with a fresh key; sessions signed before stay valid until `ascc secret drop`.
    Restart the server to use the new key."""
    path = _key_file(Settings())
    found = keys.rotate(path)
    console.print(
        f"new signing key {keys.fingerprint(found[0])} in {path}; {len(found) - 1} previous key(s) still "
        "verify. Restart the server."
    )


@app.command("drop")
def drop() -> None:
    """Keep only the signing key: sessions signed with the previous keys end (after a restart)."""
    path = _key_file(Settings())
    dropped = keys.drop(path)
    console.print(f"dropped {dropped} previous key(s) from {path}. Restart the server.")
