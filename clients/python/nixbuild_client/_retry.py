"""Retries of idempotent requests, as the Rust SDK does them, as an httpx transport."""

from __future__ import annotations

import email.utils
import random
import re
import time
from dataclasses import dataclass

import httpx

#: The key of a response's extensions holding when its attempt started (time.monotonic()).
ATTEMPT_STARTED = "nixbuild_attempt_started"

#: Answers that say the server did not process the request: worth sending again.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries requests the server did not process: only GETs (every
    idempotent operation of the API is one), after a connection failure or an answer of 429,
    502, 503 or 504. It waits what ``Retry-After`` asks (up to `max_retry_after`; a longer
    wait is returned as the error at once) or a jittered backoff that doubles from
    `initial_backoff` up to `max_backoff`. The Rust SDK's defaults."""

    max_attempts: int = 4
    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    max_retry_after: float = 60.0

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """Every request sent once."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int) -> float:
        """Between half and all of ``initial_backoff × 2^(attempt-1)``, at most `max_backoff`."""
        full = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return full / 2 + random.random() * full / 2


#: A whole number of seconds, in ASCII digits only (``"²".isdigit()`` is true in Python).
DECIMAL = re.compile(r"[0-9]+")


def retry_after_seconds(response: httpx.Response) -> float | None:
    """What ``Retry-After`` asks for, in seconds: a number, or an HTTP date; None for
    anything else, whatever bytes the header holds."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if DECIMAL.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


class RetryingTransport(httpx.BaseTransport):
    """Sends each request through `inner`, again when `policy` allows."""

    def __init__(self, policy: RetryPolicy, inner: httpx.BaseTransport | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = request.method in ("GET", "HEAD")
        attempt = 1
        while True:
            last = not idempotent or attempt >= max(1, self._policy.max_attempts)
            started = time.monotonic()
            try:
                response = self._inner.handle_request(request)
                # The attempt's start, from which the client's deadline covers the body too.
                response.extensions[ATTEMPT_STARTED] = started
            except (httpx.ConnectError, httpx.ConnectTimeout):
                # A connection that could not be made; any other failure (a read that
                # timed out) may have reached the server, and the time is spent.
                if last:
                    raise
                time.sleep(self._policy.backoff(attempt))
                attempt += 1
                continue
            if last or response.status_code not in RETRYABLE_STATUSES:
                return response
            asked = retry_after_seconds(response)
            if asked is not None and asked > self._policy.max_retry_after:
                return response
            response.close()
            time.sleep(asked if asked is not None else self._policy.backoff(attempt))
            attempt += 1

    def close(self) -> None:
        self._inner.close()
