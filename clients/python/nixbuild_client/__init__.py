"""nixbuild-client: a typed client for the nixbuild.net API.

Its models and requests are generated from the API's OpenAPI document by
openapi-python-client (``nixbuild_client.generated``, committed and drift-checked); this
module adds what a generated client lacks, as the Rust SDK has it: the bearer token, one
typed error carrying the status, the server's message and ``Retry-After``, filters checked
before anything is sent, and retries of idempotent requests.

    from nixbuild_client import Nixbuild

    with Nixbuild(token=os.environ["NIXBUILD_TOKEN"]) as nixbuild:
        failed = nixbuild.list_builds(tags={"GITHUB_RUN_ID": "42"}, statuses=["build_failed"])
"""

from __future__ import annotations

import datetime
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Self, TypeVar

import httpx

from ._retry import (
    ATTEMPT_STARTED,
    DECIMAL,
    RETRYABLE_STATUSES,
    RetryingTransport,
    RetryPolicy,
    retry_after_seconds,
)
from .generated.api.auth import exchange_oidc_token as _exchange
from .generated.api.builds import get_builds_summary as _summary
from .generated.api.builds import list_builds as _list
from .generated.api.processes import create_processes as _processes
from .generated.api.usage import get_usage as _usage
from .generated.client import AuthenticatedClient
from .generated.models import Build, BuildsSummary, KnownBuildStatus, Output, Process, Usage
from .generated.types import UNSET

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY",
    "Build",
    "BuildStatusName",
    "BuildsSummary",
    "KnownBuildStatus",
    "Nixbuild",
    "NixbuildError",
    "Output",
    "Process",
    "RetryPolicy",
    "Usage",
    "is_known_status",
]

#: The real API.
DEFAULT_BASE_URL = "https://api.nixbuild.net"

#: The largest answer read unless `max_response_bytes` says otherwise: the Rust SDK's.
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: The Rust SDK's retry policy (frozen: one instance serves every client).
DEFAULT_RETRY = RetryPolicy()

#: A time bound: a date (the day's start, UTC), an aware datetime, or the API's own text.
Instant = datetime.date | datetime.datetime | str

T = TypeVar("T")

#: The statuses a filter takes, as text: ``KnownBuildStatus``'s values, so that a type
#: checker refuses a typo (``"failed"`` for ``"build_failed"``) before a test runs.
BuildStatusName = Literal[
    "pending",
    "running",
    "built",
    "build_failed",
    "cancelled",
    "timeout",
    "client_disconnect",
    "client_error",
    "max_memory_exceeded",
    "out_of_memory",
    "internal_error",
]


def is_known_status(status: KnownBuildStatus | str) -> bool:
    """Whether a build's status is one the document lists (others are newer than it)."""
    return isinstance(status, KnownBuildStatus)


class NixbuildError(Exception):
    """A request that failed. `kind` says broadly how: ``api`` (the service answered an
    error: `status`, `detail`, `retry_after_seconds`, `body`), ``decode`` (a success answer
    that is not what the API promises), ``too_large`` (an answer past
    `max_response_bytes`), ``transport`` (no answer), ``timeout``, or ``filter`` (refused
    before sending). It never holds the token."""

    def __init__(
        self,
        kind: str,
        endpoint: str,
        detail: str,
        status: int | None = None,
        retry_after_seconds: float | None = None,
        body: str = "",
    ) -> None:
        shown = f"HTTP {status}: " if status is not None else ""
        super().__init__(f"{endpoint}: {shown}{detail}")
        self.kind = kind
        self.endpoint = endpoint
        self.detail = detail
        self.status = status
        self.retry_after_seconds = retry_after_seconds
        self.body = body

    @property
    def retryable(self) -> bool:
        """Whether sending the request again may succeed (429, 502, 503, 504, no answer)."""
        return self.kind == "transport" or self.status in RETRYABLE_STATUSES


class Nixbuild:
    """The API at `base_url` (the real one by default) with `token`. A context manager;
    `raw` is the generated ``AuthenticatedClient``, for the generated request functions."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 30.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not token:
            raise ValueError("a nixbuild client needs a token")
        self._base_path = httpx.URL(base_url).path.rstrip("/")
        self._max_response_bytes = max_response_bytes
        self._timeout = timeout
        self.raw = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=token,
            timeout=httpx.Timeout(timeout),
            httpx_args={"transport": RetryingTransport(retry, transport)},
        )

    def __repr__(self) -> str:
        return f"<Nixbuild {self.raw._base_url}>"  # never the token

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.raw.get_httpx_client().close()

    def list_builds(
        self,
        *,
        derivation_path: str | None = None,
        tags: Mapping[str, str] | None = None,
        statuses: Sequence[KnownBuildStatus | BuildStatusName] | None = None,
        created_from: Instant | None = None,
        created_to: Instant | None = None,
        limit: int | None = None,
    ) -> list[Build]:
        """The builds that pass every filter given, newest first."""
        endpoint = self._endpoint("GET", "/builds")
        kwargs = _list._get_kwargs(
            **_filter(endpoint, derivation_path, tags, statuses, created_from, created_to, limit)
        )
        return self._send(endpoint, kwargs, lambda body: [Build.from_dict(item) for item in _array(body)])

    def builds_summary(
        self,
        *,
        derivation_path: str | None = None,
        tags: Mapping[str, str] | None = None,
        statuses: Sequence[KnownBuildStatus | BuildStatusName] | None = None,
        created_from: Instant | None = None,
        created_to: Instant | None = None,
        limit: int | None = None,
    ) -> BuildsSummary:
        """Aggregates over the builds the filters select (``GET /builds/summary``)."""
        endpoint = self._endpoint("GET", "/builds/summary")
        kwargs = _summary._get_kwargs(
            **_filter(endpoint, derivation_path, tags, statuses, created_from, created_to, limit)
        )
        return self._send(endpoint, kwargs, lambda body: BuildsSummary.from_dict(_object(body)))

    def usage(self, *, created_from: Instant | None = None, created_to: Instant | None = None) -> Usage:
        """What the account is billed for, in a creation-time window."""
        endpoint = self._endpoint("GET", "/usage")
        window = _filter(endpoint, None, None, None, created_from, created_to, None)
        kwargs = _usage._get_kwargs(
            create_time_from=window["create_time_from"], create_time_to=window["create_time_to"]
        )
        return self._send(endpoint, kwargs, lambda body: Usage.from_dict(_object(body)))

    def exchange_oidc_token(self, id_token: str) -> str:
        """Experimental: the token and a CI job's OIDC ID token exchanged for a new token
        (each of the exchange's three answer shapes read)."""
        endpoint = self._endpoint("GET", "/auth/oidc-token-exchange")
        kwargs = _exchange._get_kwargs(nixbuildnet_oidc_id_token=id_token)
        return self._send(endpoint, kwargs, _exchanged_token, json_body=False)

    def create_processes(self, id_token: str, processes: Sequence[Process]) -> Any:
        """Experimental: schedules processes (never retried: it is not idempotent)."""
        endpoint = self._endpoint("POST", "/processes")
        kwargs = _processes._get_kwargs(body=list(processes), nixbuildnet_oidc_id_token=id_token)
        return self._send(endpoint, kwargs, lambda body: body)

    def _endpoint(self, method: str, path: str) -> str:
        return f"{method} {self._base_path}{path}"

    def _send(
        self,
        endpoint: str,
        kwargs: dict[str, Any],
        parse: Callable[[Any], T],
        json_body: bool = True,
    ) -> T:
        try:
            with self.raw.get_httpx_client().stream(**kwargs) as response:
                body = self._read_bounded(endpoint, response)
        except httpx.TimeoutException as e:
            raise NixbuildError("timeout", endpoint, f"no complete response: {e}") from None
        except httpx.RequestError as e:
            # The network, the protocol (a malformed header among them), or the body's
            # content encoding: all of them mean no usable answer arrived.
            raise NixbuildError("transport", endpoint, str(e) or type(e).__name__) from None
        text = body.decode(response.encoding or "utf-8", "replace")
        if response.status_code != 200:
            raise _api_error(endpoint, response, text)
        try:
            return parse(_json(body) if json_body else text)
        # What the generated models raise on a field of another type, and json's own
        # errors: a 100,000-deep array exhausts the parser's recursion.
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            raise NixbuildError(
                "decode", endpoint, f"cannot decode the answer: {e}", response.status_code
            ) from None

    def _read_bounded(self, endpoint: str, response: httpx.Response) -> bytes:
        """The answer's body, never more than `max_response_bytes` of it: one whose
        ``Content-Length`` says more is refused at once, and one sent without it (chunked, or
        endless) as soon as it passes the limit."""
        limit = self._max_response_bytes

        def too_large() -> NixbuildError:
            detail = f"the answer holds more than {limit} bytes (max_response_bytes)"
            return NixbuildError("too_large", endpoint, detail, response.status_code)

        declared = response.headers.get("content-length", "")
        if DECIMAL.fullmatch(declared) and int(declared) > limit:
            raise too_large()
        # httpx's timeout bounds each read; this bounds the attempt, body included, so a
        # server sending a byte every few seconds is cut off all the same.
        deadline = response.extensions.get(ATTEMPT_STARTED, time.monotonic()) + self._timeout
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise too_large()
            if time.monotonic() > deadline:
                detail = f"the answer took longer than the client's timeout of {self._timeout} s"
                raise NixbuildError("timeout", endpoint, detail, response.status_code)
        return bytes(body)


def _filter(
    endpoint: str,
    derivation_path: str | None,
    tags: Mapping[str, str] | None,
    statuses: Sequence[KnownBuildStatus | BuildStatusName] | None,
    created_from: Instant | None,
    created_to: Instant | None,
    limit: int | None,
) -> dict[str, Any]:
    """The generated request's arguments, checked as the Rust SDK checks a filter."""

    def refuse(detail: str) -> NixbuildError:
        return NixbuildError("filter", endpoint, detail)

    out: dict[str, Any] = {
        "derivation_path": UNSET,
        "tags": UNSET,
        "status": UNSET,
        "create_time_from": _instant(created_from, "created_from", refuse),
        "create_time_to": _instant(created_to, "created_to", refuse),
        "limit": UNSET,
    }
    if derivation_path is not None:
        if not derivation_path:
            raise refuse("`derivation_path` must not be empty")
        out["derivation_path"] = derivation_path
    if tags:
        for name, value in tags.items():
            if not name or ":" in name or "," in name:
                raise refuse(f"a tag name cannot be empty or hold `:` or `,`: `{name}`")
            if "," in value:
                raise refuse(
                    f"a tag value cannot hold `,` (the API separates tags with it): `{name}:{value}`"
                )
        out["tags"] = [f"{name}:{value}" for name, value in tags.items()]
    if statuses:
        try:
            out["status"] = [KnownBuildStatus(s) for s in statuses]
        except ValueError as e:
            known = ", ".join(s.value for s in KnownBuildStatus)
            raise refuse(f"{e}: a filter takes the statuses the document lists ({known})") from None
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise refuse("`limit` must be a positive integer")
        out["limit"] = limit
    return out


def _instant(value: Instant | None, name: str, refuse: Callable[[str], NixbuildError]) -> Any:
    if value is None:
        return UNSET
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise refuse(f"`{name}` must be an aware datetime (with a timezone)")
        return value
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        # The generated request writes dates and datetimes itself: read the text as one.
        try:
            if "T" not in value:
                return datetime.date.fromisoformat(value)
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise refuse(f"`{name}` is neither a date (2024-05-01) nor an RFC 3339 time: {value!r}") from None
        if parsed.tzinfo is None:
            raise refuse(f"`{name}` must carry a timezone: {value!r}")
        return parsed
    raise refuse(f"`{name}` is a date, an aware datetime or the API's text, not {type(value).__name__}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number the API sends")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is past any number the API sends")
    return number


def _json(body: bytes) -> Any:
    """The answer's JSON, its numbers finite: Python reads ``1e999`` as infinity, and
    ``NaN`` and ``Infinity``, which JSON does not have, as numbers."""
    return json.loads(body, parse_constant=_refuse_constant, parse_float=_finite)


def _array(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise TypeError(f"the answer is {type(body).__name__}, not an array")
    return body


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TypeError(f"the answer is {type(body).__name__}, not an object")
    return body


def _api_error(endpoint: str, response: httpx.Response, body: str) -> NixbuildError:
    detail = response.reason_phrase or "error"
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
            detail = parsed["error"]
    except (ValueError, RecursionError):
        if body.strip():
            detail = body.strip()[:500]
    return NixbuildError("api", endpoint, detail, response.status_code, retry_after_seconds(response), body)


def _exchanged_token(text: str) -> str:
    """The exchange's answer: plain text (now), a JSON string, or ``{"token": …}`` (before)."""
    trimmed = text.strip()
    if trimmed[:1] in ('"', "{"):
        try:
            parsed = json.loads(trimmed)
        except ValueError:
            return trimmed
        if isinstance(parsed, str):
            return parsed
        if isinstance(parsed, dict) and isinstance(parsed.get("token"), str):
            return str(parsed["token"])
    return trimmed
