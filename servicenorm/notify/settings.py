"""SMTP settings (`SERVICENORM_SMTP_*`), failing closed outside development: production needs
a real mail host and sender, and never sends a password over an unencrypted connection."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SENDER = "servicenorm@localhost"


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVICENORM_SMTP_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias=AliasChoices("SERVICENORM_ENVIRONMENT", "environment"),
    )
    host: str | None = Field(
        default=None, description="SMTP server; unset: e-mails stay queued in the outbox"
    )
    port: int = Field(default=25, ge=0, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(default=DEV_SENDER, description="the From address")
    timeout: float = Field(default=10.0, gt=0)
    batch: int = Field(default=100, ge=1, description="messages per delivery round")

    @model_validator(mode="after")
    def _fail_closed(self) -> MailSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("SERVICENORM_SMTP_USERNAME and SERVICENORM_SMTP_PASSWORD go together")
        local = self.host in (None, "localhost", "127.0.0.1", "::1")
        if self.password is not None and self.security == "none" and not local:
            raise ValueError(
                "refusing to send an SMTP password unencrypted: set SERVICENORM_SMTP_SECURITY=starttls or ssl"
            )
        if self.environment == "production":
            if not self.host:
                raise ValueError("SERVICENORM_SMTP_HOST must be set in production")
            if self.sender == DEV_SENDER:
                raise ValueError(
                    "SERVICENORM_SMTP_SENDER must be set to the marketplace's address in production"
                )
        return self
