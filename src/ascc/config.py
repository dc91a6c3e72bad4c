"""Settings, read from the environment (``DATABASE_URL``, ``ASCC_SECRET_KEY``, …)."""

from __future__ import annotations

import ipaddress
import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASCC_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ascc.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; a plain postgresql:// URL uses psycopg 3.",
    )
    secret_key: str = Field(default="dev-only-change-me", description="signs the session cookie")
    secure_cookies: bool = Field(default=False, description="mark the session cookie Secure (behind HTTPS)")
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
