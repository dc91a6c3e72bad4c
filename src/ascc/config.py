"""Settings, read from the environment (``DATABASE_URL``, ``ASCC_SECRET_KEY``, …)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASCC_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ascc.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; a plain postgresql:// URL uses psycopg 3.",
    )
    secret_key: str = Field(default="dev-only-change-me", description="signs the session cookie")
    secure_cookies: bool = Field(default=False, description="mark the session cookie Secure (behind HTTPS)")
    audit_checkpoints: Path | None = Field(
        default=None,
        description="append-only file of signed checkpoints of the audit chain head; keep it off the database host",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="file holding the HMAC key that signs audit checkpoints (never in the database)",
    )
    default_language: str = "en"
    languages: tuple[str, ...] = ("en", "id")
