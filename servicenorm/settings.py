"""Deployment settings: one pydantic-settings class, read from `SERVICENORM_*` variables.

Settings fail closed: outside development the token pepper must be set to a real secret,
because every API token is stored only as an HMAC under it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicenorm.helpdesk.tokens import WELL_KNOWN

DEV_PEPPER = "servicenorm-development-pepper-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVICENORM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(
        default=Path("data"), description="where the SQLite file lives by default"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/servicenorm.db"
    )
    token_pepper: SecretStr = SecretStr(DEV_PEPPER)
    operator_token: SecretStr | None = Field(
        default=None,
        description="a bootstrap operator API token; created (hashed) at start when given",
    )
    default_preset: str = "bol"
    policy_dir: Path | None = Field(
        default=None,
        description="operators' own policy files: a marketplace's preset may name a .toml file "
        "in this directory (nothing else is read); unset: shipped presets only",
    )
    metric_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="where the scheduled metric runs execute"
    )
    db_pool_size: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="largest request body (413 above it)"
    )
    max_batch_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="largest body of POST /events/batch"
    )
    now: AwareDatetime | None = Field(
        default=None,
        description="the instant the clock starts at, running from there (a demo of another "
        "day, tests); default the wall clock",
    )

    @model_validator(mode="after")
    def _fail_closed(self) -> Settings:
        if self.environment == "production":
            pepper = self.token_pepper.get_secret_value()
            if pepper == DEV_PEPPER or len(pepper) < 16:
                raise ValueError(
                    "SERVICENORM_TOKEN_PEPPER must be set to a secret of at least 16 characters "
                    "outside development"
                )
            if self.database_url is None:
                raise ValueError("SERVICENORM_DATABASE_URL must be set in production")
            if (
                self.operator_token is not None
                and self.operator_token.get_secret_value() in WELL_KNOWN
            ):
                raise ValueError(
                    "SERVICENORM_OPERATOR_TOKEN is a well-known demo or test token: "
                    "choose a secret one for production"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'servicenorm.db').resolve()}"
