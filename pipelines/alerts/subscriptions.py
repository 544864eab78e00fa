"""Load and validate config/subscriptions.toml, then store it, so a typo is a clear error and never a silent non-match."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.alerts.targets import Network
from warehouse.db import Warehouse
from warehouse.outbox import FEED_SUBSCRIPTION, SubscriptionRow, replace_subscriptions

# Clause category ids of spec/CODEBOOK.md section 1; filters naming anything else would never match.
CODEBOOK_CATEGORIES = frozenset(
    "referral_pathway eligible_offense_drug eligible_offense_prostitution exclusion voluntary_participation "
    "sanction_or_coercion harm_reduction treatment_mandate law_enforcement_funding services_funding funding_other "
    "confidentiality information_sharing trafficking_enforcement provider_requirements governance "
    "evaluation_reporting sunset oversight_complaints model_fidelity".split()
)
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"


def _check_feed_path(path: str | None) -> None:
    """A feed file lives inside the data folder and is named *.atom, so no channel can overwrite anything else."""
    if not path:
        raise ValueError("an atom channel needs a `path` for its feed file")
    parts = PurePosixPath(path.replace("\\", "/"))
    if parts.is_absolute() or PureWindowsPath(path).drive or ".." in parts.parts or parts.suffix != ".atom":
        raise ValueError(f"atom `path` must be a relative *.atom file name inside the data folder (got {path!r})")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpSettings(_Strict):
    """Where email goes out; the login is read from the named environment variables at send time."""

    host: str
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str
    username_env: str | None = Field(default=None, pattern=ENV_NAME)
    password_env: str | None = Field(default=None, pattern=ENV_NAME)
    timeout_seconds: float = 20.0
    allow_plaintext_login: bool = False

    @model_validator(mode="after")
    def _login_encrypted(self) -> SmtpSettings:
        if self.security == "none" and self.password_env and not self.allow_plaintext_login:
            raise ValueError(
                'security = "none" would send the SMTP password unencrypted; use "starttls" or "ssl", or set '
                "allow_plaintext_login = true for a server on this machine"
            )
        return self


class WebhookPolicy(_Strict):
    """Webhooks reach only public addresses, unless a network is listed here (a receiver on this machine, say)."""

    allow_private_networks: list[str] = []

    @field_validator("allow_private_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
        return value

    def networks(self) -> tuple[Network, ...]:
        return tuple(ipaddress.ip_network(network, strict=False) for network in self.allow_private_networks)


class Filters(_Strict):
    """Which versions a subscription hears about; every list left empty matches everything."""

    jurisdictions: list[str] = []
    bills: list[str] = []
    categories: list[str] = []
    min_severity: Literal["H", "M", "L"] | None = None
    terms: list[str] = []

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - CODEBOOK_CATEGORIES)
        if unknown:
            raise ValueError(f"unknown codebook categories {unknown}")
        return value


class Channel(_Strict):
    """One way to reach a subscriber; anything secret (a webhook or chat URL with a token) is named by env var."""

    kind: Literal["email", "webhook", "apprise", "atom"]
    name: str = ""
    to: list[str] = []
    url_env: str | None = Field(default=None, pattern=ENV_NAME)
    secret_env: str | None = Field(default=None, pattern=ENV_NAME)
    path: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Channel:
        if self.kind == "email" and not self.to:
            raise ValueError("an email channel needs `to` addresses")
        if self.kind in ("webhook", "apprise") and not self.url_env:
            raise ValueError(f"a {self.kind} channel needs `url_env`, the NAME of the variable holding its URL")
        if self.kind == "atom":
            _check_feed_path(self.path)
        return self


class Subscription(_Strict):
    """Who wants to hear, about what, how and how often."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = ""
    enabled: bool = True
    mode: Literal["immediate", "daily"] = "immediate"
    digest_hour: int = Field(default=7, ge=0, le=23)
    filters: Filters = Filters()
    channels: list[Channel] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_channel_names(self) -> Subscription:
        names = [channel.name or channel.kind for channel in self.channels]
        if len(names) != len(set(names)):
            raise ValueError(f"channel names must be unique within a subscription (got {names}); set `name`")
        if self.id == FEED_SUBSCRIPTION:
            raise ValueError(f"`{FEED_SUBSCRIPTION}` is the built-in Atom feed; choose another id")
        return self


class AlertConfig(_Strict):
    """The whole file: optional SMTP settings and the subscriptions."""

    smtp: SmtpSettings | None = None
    webhooks: WebhookPolicy = WebhookPolicy()
    subscriptions: list[Subscription] = []

    @model_validator(mode="after")
    def _consistent(self) -> AlertConfig:
        ids = [s.id for s in self.subscriptions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"subscription ids must be unique (got {ids})")
        if self.smtp is None and any(c.kind == "email" for s in self.subscriptions for c in s.channels):
            raise ValueError("email channels need an [smtp] section")
        return self


class ConfigError(ValueError):
    """The subscriptions file cannot be used; the message says where and why."""


def load_config(path: Path) -> AlertConfig:
    """Parse and validate the file; a missing file is the zero-config case (only the built-in feed)."""
    if not path.exists():
        return AlertConfig()
    try:
        return AlertConfig.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from None


def config_warnings(config: AlertConfig) -> list[str]:
    """Settings that work but put something at risk, to show in every delivery run's log."""
    if config.smtp and config.smtp.security == "none" and config.smtp.password_env:
        return [f"the SMTP password for {config.smtp.host} travels unencrypted (security = \"none\", allow_plaintext_login = true)"]
    return []


def to_rows(config: AlertConfig) -> list[SubscriptionRow]:
    """Stored form: filters and channels as plain data, each channel with its resolved name."""
    return [
        SubscriptionRow(
            subscription_id=s.id,
            name=s.name or s.id,
            mode=s.mode,
            digest_hour=s.digest_hour,
            filters=s.filters.model_dump(exclude_defaults=True),
            channels=tuple({**c.model_dump(exclude_none=True), "name": c.name or c.kind} for c in s.channels),
        )
        for s in config.subscriptions
        if s.enabled
    ]


@dataclass(frozen=True)
class SyncReport:
    """What a sync stored."""

    subscriptions: int
    channels: int


def sync_subscriptions(warehouse: Warehouse, path: Path, now: datetime | None = None) -> SyncReport:
    """Replace the stored subscriptions with the file's (the feed stays); raises ConfigError and keeps the old ones."""
    rows = to_rows(load_config(path))
    moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    with warehouse.connect() as con:
        replace_subscriptions(con, rows, moment)
    return SyncReport(subscriptions=len(rows), channels=sum(len(row.channels) for row in rows))
