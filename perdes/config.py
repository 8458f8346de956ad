"""Typed settings read from the environment (prefix ``PERDES_``); nothing happens at import."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Application settings; every field can be set as ``PERDES_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PERDES_", extra="ignore")

    instance_path: Path = Field(
        default=PROJECT_ROOT / "var",
        description="Folder for the SQLite database, the generated secret key and uploads.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in the instance folder."
    )
    secret_key: str | None = Field(
        default=None, description="Signing key; generated and stored in the instance folder."
    )
    upload_path: Path | None = Field(
        default=None, description="Evidence files; default var/uploads."
    )
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    geo_path: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data" / "geo",
        description="Folder of region boundaries (GeoJSON) for the maps; without it maps are off.",
    )
    debug: bool = False
    environment: Literal["development", "production"] = Field(
        default="development",
        description="In production the app refuses to start without configured register keys.",
    )
    register_keys: str | None = Field(
        default=None,
        description=(
            "Encryption keys of the PMI register as 'id:key,id:key' (key: 32 bytes, urlsafe "
            "base64); the first seals, all open. Development: generated in the instance folder."
        ),
    )
    register_lookup_key: str | None = Field(
        default=None,
        description="Key of the keyed hash (HMAC-SHA256) used to find a NIK and spot duplicates.",
    )
    register_retention_years_after_return: int = Field(
        default=5, ge=1, le=50, description="Anonymise a register person this long after return."
    )
    register_retention_years_inactive: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Anonymise a person with no departure this long after their last episode.",
    )
    session_days: int = Field(default=14, gt=0, description="Lifetime of a login session.")
    secure_cookies: bool | None = Field(
        default=None,
        description="Force the Secure cookie flag; default: on when served over HTTPS.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the site, for links in e-mail (no trailing slash).",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server; without it mail stays in the outbox."
    )
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="STARTTLS (port 587), implicit TLS (465) or none."
    )
    smtp_from: str = Field(
        default="Perdes PMI <noreply@perdes.invalid>", description="The From header of mail."
    )
    smtp_timeout: float = Field(default=20.0, gt=0)
    reminder_days_before: int = Field(
        default=3, ge=1, le=60, description="Deadline reminders this many days before the due date."
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'perdes.sqlite3'}"

    @property
    def effective_upload_path(self) -> Path:
        return self.upload_path or self.instance_path / "uploads"

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the instance folder."""
        if self.secret_key:
            return self.secret_key
        key_file = self.instance_path / "secret_key"
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key

    def ensure_folders(self) -> None:
        self.instance_path.mkdir(parents=True, exist_ok=True)
        self.effective_upload_path.mkdir(parents=True, exist_ok=True)
