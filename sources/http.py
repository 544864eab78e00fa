"""One polite HTTP client for every source, so caching, retries, limits and the host allowlist live in one place."""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import json as jsonlib
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import charset_normalizer
import requests
import requests_cache
import urllib3
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sources.records import RawPayload

SECRET_PARAMS = frozenset({"key", "apikey", "api_key", "access_key", "token"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
HTML_START = re.compile(rb"<!doctype html|<html[\s>]")


class FetchFailed(Exception):
    """A fetch that produced no usable body; `reason` is short text meant for the FetchError record."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason
        self.status = status


def public_url(url: str) -> str:
    """Redact API keys from a URL so it can be stored, logged or shown."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Fetched:
    """A complete response body with the facts provenance needs."""

    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime
    sha256: str
    from_cache: bool

    def text(self) -> str:
        """Decode with the declared charset, else UTF-8, Windows-1252 or a detected one, so odd bytes never crash a run."""
        declared = _declared_charset(self.content_type)
        for encoding in filter(None, (declared, "utf-8-sig", "cp1252")):
            try:
                return self.body.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
        best = charset_normalizer.from_bytes(self.body).best()
        return str(best) if best is not None else self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Parse the body as JSON, turning parser errors into a recordable failure."""
        try:
            return jsonlib.loads(self.text())
        except ValueError as exc:
            raise FetchFailed(self.url, f"malformed JSON: {exc}") from exc

    def xml(self) -> etree._Element:
        """Parse the body as XML (no network, no entities), turning parser errors into a recordable failure."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            return etree.fromstring(self.body, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise FetchFailed(self.url, f"malformed XML: {exc}") from exc


def _declared_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


class _PoliteRetry(Retry):
    """urllib3 Retry that also honours Retry-After on 5xx responses."""

    RETRY_AFTER_STATUS_CODES = RETRYABLE_STATUSES


class HttpClient:
    """Cached, rate-limited, size-capped HTTP access restricted to an allowlist of hosts."""

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str],
        cache_path: Path | None = None,
        user_agent: str = "DiversionWatch/0.1 (+https://github.com/diversion-watch/diversion-watch)",
        timeout: float = 20.0,
        max_bytes: int = 20_000_000,
        retries: int = 3,
        backoff_factor: float = 0.5,
        min_interval: float = 1.0,
        host_intervals: Mapping[str, float] | None = None,
    ):
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.min_interval = min_interval
        self.host_intervals = dict(host_intervals or {})
        self.stats: collections.Counter = collections.Counter()
        self.download_dir = Path(cache_path).parent / "downloads" if cache_path else None
        self._payloads: list[RawPayload] = []
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        backend = requests_cache.SQLiteCache(str(cache_path)) if cache_path else "memory"
        self.session = requests_cache.CachedSession(
            backend=backend,
            always_revalidate=True,
            allowable_methods=("GET", "HEAD"),
            ignored_parameters=sorted(SECRET_PARAMS | {"X-API-KEY", "Authorization"}),
            stale_if_error=False,
        )
        self.session.headers["User-Agent"] = user_agent
        retry = _PoliteRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            allowed_methods=None,
            status_forcelist=RETRYABLE_STATUSES,
            backoff_factor=backoff_factor,
            raise_on_status=False,
            respect_retry_after_header=True,
            retry_after_max=120,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def allows(self, url: str) -> bool:
        """True when the URL is http(s) on an allowed host."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in self.allowed_hosts

    def get(self, url: str, *, params=None, headers=None, expect: str | None = None,
            max_bytes: int | None = None) -> Fetched:
        """Fetch a URL (revalidating any cached copy) and check its type against `expect`."""
        return self._request("GET", url, params=params, headers=headers, max_bytes=max_bytes, expect=expect)

    def post_json(self, url: str, payload: dict, *, headers=None) -> Fetched:
        """POST a JSON body (retried like GET; never cached)."""
        return self._request("POST", url, json=payload, headers=headers)

    def keep_payload(self, payload: RawPayload) -> None:
        """Queue a body downloaded outside get() (a file on disk) for provenance like the others."""
        with self._lock:
            self._payloads.append(payload)

    def take_payloads(self) -> list[RawPayload]:
        """Hand over the bodies downloaded in full since the last call, for provenance."""
        with self._lock:
            taken, self._payloads = self._payloads, []
        return taken

    def _request(self, method: str, url: str, *, max_bytes: int | None = None, expect: str | None = None,
                 **kwargs) -> Fetched:
        shown = public_url(url)
        self.stats["requests"] += 1
        with self.failures_counted(shown):
            if not self.allows(url):
                raise FetchFailed(shown, f"host not allowed: {urlsplit(url).hostname or url}")
            self.wait_for_turn(urlsplit(url).hostname or "")
            hook = functools.partial(self._read_capped, limit=max_bytes or self.max_bytes)
            response = self.session.request(method, url, timeout=self.timeout, hooks={"response": hook}, **kwargs)
            fetched = self._finish(response)
            if expect:
                self._check_expected(fetched, expect)
        return fetched

    @contextlib.contextmanager
    def failures_counted(self, shown: str) -> Iterator[None]:
        """Count a failed request and turn a requests error into a FetchFailed that names its cause."""
        try:
            yield
        except FetchFailed:
            self.stats["errors"] += 1
            raise
        except requests.Timeout as exc:
            self.stats["errors"] += 1
            raise FetchFailed(shown, f"timeout after {self.timeout:g}s") from exc
        except requests.exceptions.RetryError as exc:
            self.stats["errors"] += 1
            raise FetchFailed(shown, f"gave up after {self.retries} retries") from exc
        except requests.RequestException as exc:
            self.stats["errors"] += 1
            raise FetchFailed(shown, self._connection_reason(exc)) from exc

    def _connection_reason(self, exc: requests.RequestException) -> str:
        cause = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(cause, urllib3.exceptions.NameResolutionError):
            return "cannot resolve host name"
        if isinstance(cause, urllib3.exceptions.NewConnectionError):  # checked first: it subclasses the timeout
            return "connection refused or network unreachable"
        if isinstance(cause, urllib3.exceptions.TimeoutError):
            return f"timeout after {self.timeout:g}s"
        return f"connection failed: {type(cause or exc).__name__}"

    def wait_for_turn(self, host: str) -> None:
        """Sleep until this host's minimum interval since the last request has passed."""
        interval = self.host_intervals.get(host, self.min_interval)
        with self._lock:
            last = self._last_request.get(host)
            wait = 0.0 if last is None else last + interval - time.monotonic()
            self._last_request[host] = time.monotonic() + max(wait, 0.0)
        if wait > 0:
            time.sleep(wait)

    def refuse_disallowed_redirect(self, response: requests.Response, **_hook_kwargs) -> requests.Response:
        """Response hook: a redirect may only lead to an allowed host."""
        if response.is_redirect:
            target = urljoin(response.url, response.headers.get("Location", ""))
            if not self.allows(target):
                response.close()
                raise FetchFailed(public_url(target), f"host not allowed: {urlsplit(target).hostname or target}")
        return response

    def _read_capped(self, response: requests.Response, *, limit: int, **_hook_kwargs) -> requests.Response:
        """Response hook: refuse disallowed redirects, stream the body and stop at the size cap."""
        if response.is_redirect:
            return self.refuse_disallowed_redirect(response)
        if getattr(response, "from_cache", False) or response._content_consumed:
            return response
        url = public_url(response.url)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise FetchFailed(url, f"body over {limit} bytes", response.status_code)
        received = bytearray()
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                received += chunk
                if len(received) > limit:
                    response.close()
                    raise FetchFailed(url, f"body over {limit} bytes", response.status_code)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise FetchFailed(url, f"timeout after {self.timeout:g}s") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            wire = response.raw.tell()
            raise FetchFailed(url, f"truncated body: got {wire} of {declared or '?'} bytes", response.status_code) from exc
        wire = response.raw.tell()
        if declared.isdigit() and wire < int(declared):
            raise FetchFailed(url, f"truncated body: got {wire} of {declared} bytes", response.status_code)
        response._content = bytes(received)
        response._content_consumed = True
        return response

    def status_failure(self, url: str, status: int) -> FetchFailed:
        """The failure for an HTTP error status, saying how many attempts the retry policy made."""
        attempts = self.retries + 1 if status in RETRYABLE_STATUSES else 1
        return FetchFailed(url, f"HTTP {status} after {attempts} attempt{'s' if attempts != 1 else ''}", status)

    def _finish(self, response: requests.Response) -> Fetched:
        url = public_url(response.url)
        if response.status_code >= 400:
            raise self.status_failure(url, response.status_code)
        from_cache = bool(getattr(response, "from_cache", False))
        body = response.content or b""
        fetched = Fetched(
            url=url,
            status=response.status_code,
            content_type=response.headers.get("Content-Type", ""),
            body=body,
            fetched_at=datetime.now(timezone.utc),
            sha256=hashlib.sha256(body).hexdigest(),
            from_cache=from_cache,
        )
        if from_cache:
            self.stats["not_modified"] += 1
        else:
            self.stats["downloaded"] += 1
            with self._lock:
                self._payloads.append(
                    RawPayload(url, fetched.fetched_at, fetched.sha256, fetched.content_type, body, urlsplit(url).hostname or "")
                )
        return fetched

    @staticmethod
    def _check_expected(fetched: Fetched, expect: str) -> None:
        found = sniff_type(fetched.body, fetched.content_type)
        if found != expect and not (expect == "xml" and found == "html" and fetched.body.lstrip()[:5] == b"<?xml"):
            shown = fetched.content_type.split(";")[0].strip() or found
            raise FetchFailed(fetched.url, f"expected {expect}, got {shown}")


def sniff_type(body: bytes, content_type: str = "") -> str:
    """Classify a body as pdf/html/xml/json/text by magic bytes first, then by declared type."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    declared = content_type.lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if HTML_START.search(head):
        return "html"
    if head.startswith(b"<"):
        return "html" if "html" in declared else "xml"
    if head[:1] in (b"{", b"[") or "json" in declared:
        return "json"
    if "pdf" in declared:
        return "pdf"
    return "text"
