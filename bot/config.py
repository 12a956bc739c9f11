"""Settings from the environment, read once at start-up (pydantic-settings)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


def default_database_url() -> str:
    """A SQLite file in ./data, so the demo needs no server."""
    return f"sqlite+aiosqlite:///{(DEFAULT_DATA_DIR / 'gofirst.db').as_posix()}"


class Settings(BaseSettings):
    """Every setting GoFirst reads; the README's table lists each one."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url, alias="GOFIRST_DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="GOFIRST_HOST")
    port: int = Field(default=3000, alias="GOFIRST_PORT", ge=0, le=65535)
    secret_key: SecretStr | None = Field(default=None, alias="GOFIRST_SECRET_KEY")
    log_level: str = Field(default="INFO", alias="GOFIRST_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", alias="GOFIRST_LOG_FORMAT")
    metrics_db_timeout: float = Field(default=2.0, alias="GOFIRST_METRICS_DB_TIMEOUT", gt=0, le=30)
    public_url: str | None = Field(default=None, alias="GOFIRST_PUBLIC_URL")
    min_group_size: int = Field(default=5, alias="GOFIRST_MIN_GROUP_SIZE", ge=2)
    min_group_size_text: int = Field(default=10, alias="GOFIRST_MIN_GROUP_SIZE_TEXT", ge=2)
    admin_session_hours: float = Field(default=8.0, alias="GOFIRST_ADMIN_SESSION_HOURS", gt=0, le=24 * 30)
    retention_days: int | None = Field(default=None, alias="GOFIRST_RETENTION_DAYS", ge=1)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")
    slack_oidc_url: str = Field(default="https://slack.com", alias="SLACK_OIDC_URL")  # OpenID issuer, for tests

    teams_app_id: str = Field(default="", alias="MicrosoftAppId")
    teams_app_password: SecretStr | None = Field(default=None, alias="MicrosoftAppPassword")
    teams_app_type: str = Field(default="MultiTenant", alias="MicrosoftAppType")
    teams_app_tenant_id: str | None = Field(default=None, alias="MicrosoftAppTenantId")
    teams_dev_mode: bool = Field(default=False, alias="GOFIRST_TEAMS_DEV_MODE")

    llm_url: str | None = Field(default=None, alias="GOFIRST_LLM_URL")
    llm_model: str | None = Field(default=None, alias="GOFIRST_LLM_MODEL")

    # Scheduling and delivery (docs/delivery.md explains each).
    scheduler_enabled: bool = Field(default=True, alias="GOFIRST_SCHEDULER")
    grace_hours: float = Field(default=6.0, alias="GOFIRST_GRACE_HOURS", ge=0)
    cap_per_day: int = Field(default=1, alias="GOFIRST_CAP_PER_DAY", ge=1)
    cap_per_week: int = Field(default=3, alias="GOFIRST_CAP_PER_WEEK", ge=1)
    worker_interval: float = Field(default=5.0, alias="GOFIRST_WORKER_INTERVAL", gt=0)
    election_interval: float = Field(default=3.0, alias="GOFIRST_ELECTION_INTERVAL", gt=0)
    sending_lease_seconds: float = Field(default=120.0, alias="GOFIRST_SENDING_LEASE_SECONDS", gt=0)
    delivery_max_attempts: int = Field(default=6, alias="GOFIRST_DELIVERY_MAX_ATTEMPTS", ge=1)
    plan_horizon_hours: float = Field(default=48.0, alias="GOFIRST_PLAN_HORIZON_HOURS", gt=0)
    # The weekly loop (docs/loop.md): the first digest waits this long after a share is posted.
    digest_delay_minutes: float = Field(default=240.0, alias="GOFIRST_DIGEST_DELAY_MINUTES", ge=0)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_client_id))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id or self.teams_dev_mode)


def load_settings(**overrides: object) -> Settings:
    """Read the environment; overrides (by field name) win, for the CLI's flags and tests."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)
