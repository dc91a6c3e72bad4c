"""Settings, read from the environment (``DATABASE_URL``, ``ASCC_SECRET_KEY``, …)."""

from __future__ import annotations

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
    default_language: str = "en"
    languages: tuple[str, ...] = ("en", "id")
