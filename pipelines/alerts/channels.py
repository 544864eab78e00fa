"""Send rendered alerts over SMTP, webhooks and chat (apprise), never letting a credential reach an error or a log."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import apprise
import requests

from pipelines.alerts.compose import RenderedAlert
from pipelines.alerts.subscriptions import AlertConfig, SmtpSettings
from pipelines.alerts.targets import Network, RefusedTarget, guarded_session

MASK = "***"
# Libraries that may log a request URL (and so a token in it) while we deliver.
CHATTY_LOGGERS = ("urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests", "apprise")


class DeliveryError(RuntimeError):
    """A delivery attempt failed; `permanent` when retrying the same alert cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelStalled(DeliveryError):
    """The receiver took longer than its time allowed: the channel's other alerts wait for the next pass."""


def _timed_out(exc: BaseException | None) -> bool:
    """True if a timeout caused this error, however a library wrapped it."""
    while exc is not None:
        if isinstance(exc, (TimeoutError, requests.Timeout)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _secret_parts(value: str) -> list[str]:
    """A URL's token can surface alone (an error quoting only the path), so its parts are secrets as well."""
    parts = [value]
    url = urlsplit(value)
    if url.scheme and url.netloc:
        parts += [url.password or "", url.username or "", url.query, url.fragment]
        if len(url.path) > 1:
            parts.append(url.path)
            parts += [segment for segment in url.path.split("/") if len(segment) >= 6]
    return parts + [unquote(part) for part in parts]


class Scrubber:
    """Knows every secret value the configuration points to, and masks them (and their URL parts) in any text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        found = {part for value in secrets if value for part in _secret_parts(value)}
        self._secrets = sorted((s for s in found if len(s) >= 4), key=len, reverse=True)

    @classmethod
    def from_config(cls, config: AlertConfig, environ: dict[str, str] | None = None) -> Scrubber:
        """Collect the values of every credential variable the file names (SMTP login, webhook and chat URLs)."""
        env = os.environ if environ is None else environ
        names = []
        if config.smtp:
            names += [config.smtp.username_env, config.smtp.password_env]
        for subscription in config.subscriptions:
            for channel in subscription.channels:
                names += [channel.url_env, channel.secret_env]
        return cls(env.get(name, "") for name in names if name)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


class _ScrubFilter(logging.Filter):
    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self._scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._scrub(record.getMessage()), ()
        return True


@contextmanager
def scrubbed_logging(scrub: Scrubber) -> Iterator[None]:
    """While delivering, mask secrets in what the HTTP and notification libraries log."""
    log_filter = _ScrubFilter(scrub)
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    for logger in loggers:
        logger.addFilter(log_filter)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(log_filter)


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise DeliveryError(f"environment variable {name} is not set")
    return value


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """Loading the CA store takes tens of milliseconds, so every message shares one verifying context."""
    return ssl.create_default_context()


def send_email(smtp: SmtpSettings, recipients: list[str], message: RenderedAlert, timeout: float) -> None:
    """One multipart email (plain text + HTML) to the subscription's addresses, within `timeout` per exchange."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = smtp.sender
    mail["To"] = ", ".join(recipients)
    mail["Message-ID"] = make_msgid(domain="diversion-watch.local")
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    client_class = smtplib.SMTP_SSL if smtp.security == "ssl" else smtplib.SMTP
    extra = {"context": _tls_context()} if smtp.security == "ssl" else {}
    try:
        with client_class(smtp.host, smtp.port, timeout=timeout, **extra) as client:
            if smtp.security == "starttls":
                client.starttls(context=_tls_context())
            if smtp.username_env:
                client.login(_required_env(smtp.username_env), _required_env(smtp.password_env or ""))
            client.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        error = ChannelStalled if _timed_out(exc) else DeliveryError
        raise error(f"SMTP {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}") from None


def send_webhook(
    url_env: str, body: dict, timeout: float, allowed: Iterable[Network] = (), secret_env: str | None = None
) -> None:
    """POST the alert JSON to a public address (or an allowed network); with a shared secret, sign it (HMAC-SHA256)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "diversion-watch-alerts"}
    if secret_env:
        digest = hmac.new(_required_env(secret_env).encode(), data, hashlib.sha256).hexdigest()
        headers["X-DivWatch-Signature"] = f"sha256={digest}"
    url = _required_env(url_env)
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"webhook ${url_env} is not an http(s) URL", permanent=True)
    try:
        with guarded_session(allowed) as session:
            response = session.post(url, data=data, headers=headers, timeout=timeout)
    except RefusedTarget as exc:
        raise DeliveryError(f"webhook ${url_env}: {exc}", permanent=True) from None
    except requests.RequestException as exc:
        error = ChannelStalled if _timed_out(exc) else DeliveryError
        raise error(f"webhook ${url_env}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"webhook ${url_env} answered HTTP {response.status_code}")


def send_chat(url_env: str, title: str, body: str) -> None:
    """Post to any chat service apprise knows (Matrix, Slack, Signal, Discord ...), from a URL kept in the environment."""
    notifier = apprise.Apprise()
    if not notifier.add(_required_env(url_env)):
        raise DeliveryError(f"apprise does not understand the URL in ${url_env}")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        delivered = notifier.notify(body=body, title=title)
        problems = " ".join(captured.getvalue().split())
    if not delivered:
        raise DeliveryError(f"apprise ${url_env}: {problems or 'delivery failed'}")
