"""Settings, read from the environment (``DATABASE_URL``, ``ASCC_SECRET_KEY``, …)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from ascc.kit import keys


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASCC_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ascc.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; a plain postgresql:// URL uses psycopg 3.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="signs the session cookie; several keys separated by commas: the first signs, "
        "all verify (rotation). Unset: the keys come from the key file",
    )
    key_file: Path | None = Field(
        default=None,
        description="the instance's key file (written by `ascc init`); default: next to the SQLite "
        "database (ascc.db → ascc.keys), else ascc.keys in the working directory",
    )
    secure_cookies: bool = Field(default=False, description="mark the session cookie Secure (behind HTTPS)")
    max_request_bytes: int = Field(
        default=2**20, ge=1024, description="the largest request body (forms, JSON) outside the upload routes"
    )
    max_document_bytes: int = Field(
        default=11 * 2**20, ge=1024, description="the largest request body uploading a document (10 MiB file)"
    )
    max_data_bytes: int = Field(
        default=21 * 2**20,
        ge=1024,
        description="the largest request body uploading a data file (20 MiB file)",
    )
    audit_checkpoints: Path | None = Field(
        default=None,
        description="append-only file of signed checkpoints of the audit chain head; keep it off the database host",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="file holding the HMAC key that signs audit checkpoints (never in the database)",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="where `ascc notify run` sends e-mail: smtp://[user:password@]host[:port] (STARTTLS when "
        "offered) or smtps://…; unset: e-mails stay queued in the outbox",
    )
    site_url: str = Field(
        default="",
        description="the platform's public address (https://…), put in front of the links in e-mails",
    )
    mail_from: str = Field(
        default="ASCC platform <noreply@localhost>", description="the From of every e-mail"
    )
    cache_stale_seconds: float = Field(
        default=2.0,
        ge=0,
        description="while a public answer is being rebuilt after a write, other anonymous readers get "
        "the previous copy if it is at most this old (stale-while-revalidate); 0: they wait for the new one",
    )
    default_language: str = "en"
    languages: tuple[str, ...] = ("en", "id")

    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="addresses or networks (CIDR) of the reverse proxies in front of the platform, "
        "comma-separated; X-Forwarded-For is honoured only from them. Default: none trusted.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            text = value.strip()
            items = json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
        else:
            items = list(value) if isinstance(value, list | tuple | set | frozenset) else []
        try:
            return tuple(str(ipaddress.ip_network(str(item).strip(), strict=False)) for item in items)
        except ValueError as exc:
            raise ValueError(f"ASCC_TRUSTED_PROXIES: {exc}") from None

    def key_path(self) -> Path:
        if self.key_file is not None:
            return self.key_file
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).with_suffix(".keys")
        return Path("ascc.keys")

    def session_keys(self) -> list[str]:
        """The keys that verify session cookies, the signing key first ([] when none is set)."""
        if self.secret_key is not None:
            raw = self.secret_key.get_secret_value()
            return [k.strip() for k in raw.split(",") if k.strip()]
        return keys.read(self.key_path())
