"""Server settings: environment variables prefixed `NO1WINDOW_` and an optional `.env` file."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    """Everything an administrator may set; refuses unsafe values outside development."""

    model_config = SettingsConfigDict(env_prefix="NO1WINDOW_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    # Empty means embedded SQLite in data_dir; e.g. postgresql+psycopg://user:pw@host/db
    database_url: str = ""
    secret_key: str = _DEV_SECRET
    holiday_file: Path | None = None

    # Service hours (DESIGN.md §5); local time, Asia/Shanghai.
    work_start: time = time(8, 30)
    work_end: time = time(17, 30)
    same_day_cutoff: time = time(16, 0)

    # Citizen SMS login.
    sms_code_ttl_seconds: int = Field(300, ge=60)
    sms_code_max_attempts: int = Field(5, ge=1)
    sms_resend_interval_seconds: int = Field(60, ge=10)
    sms_daily_limit_per_phone: int = Field(10, ge=1)
    sms_hourly_limit_per_client: int = Field(30, ge=1)
    citizen_token_ttl_seconds: int = Field(7 * 24 * 3600, ge=300)

    # Staff login.
    staff_token_ttl_seconds: int = Field(12 * 3600, ge=300)
    staff_max_failed_logins: int = Field(5, ge=1)
    staff_lockout_seconds: int = Field(15 * 60, ge=60)

    # Threads for the staff's queue and case reads, per worker process; empty: 1 on SQLite, 4 on PostgreSQL
    # (server/api/read_threads.py says why so few).
    read_threads: int | None = Field(None, ge=1, le=64)

    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    feed_max_wait_seconds: float = Field(30.0, ge=0)
    public_base_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.environment == "production" and (self.secret_key == _DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("NO1WINDOW_SECRET_KEY must be set to a random value of 32+ characters in production")
        if not (self.work_start < self.same_day_cutoff <= self.work_end):
            raise ValueError("working hours must satisfy work_start < same_day_cutoff <= work_end")
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'no1window.db').resolve()}"

    @property
    def documents_dir(self) -> Path:
        """Where the local document store keeps files."""
        return self.data_dir / "documents"
