"""nixbuild-client against the nixbuild-mock wheel's fixture, both installed from their
built wheels into a fresh venv (clients/python/check.sh): every operation, every filter, the
error answers, the experimental endpoints, a status newer than the document."""

from __future__ import annotations

import base64
import datetime
import json
import time
from collections.abc import Iterator
from typing import Any, get_args

import httpx
import pytest
from nixbuild_mock import NixbuildMock

from nixbuild_client import (
    BuildStatusName,
    KnownBuildStatus,
    Nixbuild,
    NixbuildError,
    Process,
    RetryPolicy,
    is_known_status,
)

FAST = RetryPolicy(initial_backoff=0.001, max_backoff=0.005)


@pytest.fixture
def client(nixbuild_mock: NixbuildMock) -> Iterator[Nixbuild]:
    with Nixbuild(nixbuild_mock.token, nixbuild_mock.url, retry=FAST) as nixbuild:
        yield nixbuild


@pytest.fixture
def three_builds(nixbuild_mock: NixbuildMock) -> list[int]:
    return nixbuild_mock.add_builds(
        [
            {
                "name": "hello-2.12",
                "status": "built",
                "tags": {"GITHUB_RUN_ID": "42"},
                "created_at": "2024-05-01T10:00:00Z",
            },
            {
                "name": "openssl-3.0.13",
                "status": "build_failed",
                "tags": {"GITHUB_RUN_ID": "42"},
                "created_at": "2024-05-02T10:00:00Z",
            },
            {
                "name": "zlib-1.3",
                "status": "running",
                "tags": {"GITHUB_RUN_ID": "43"},
                "created_at": "2024-05-03T10:00:00Z",
            },
        ]
    )


def jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_every_operation_answers_what_the_mock_stores(client: Nixbuild, three_builds: list[int]) -> None:
    builds = client.list_builds()
    assert [b.status for b in builds] == [
        KnownBuildStatus.RUNNING,
        KnownBuildStatus.BUILD_FAILED,
        KnownBuildStatus.BUILT,
    ]
    summary = client.builds_summary(tags={"GITHUB_RUN_ID": "42"})
    assert (summary.build_count, summary.failed_build_count) == (2, 1)
    usage = client.usage(created_from="2024-05-01", created_to=datetime.date(2024, 5, 3))
    assert usage.billable_build_count == 2


def test_every_filter_selects_what_the_mock_selects(
    client: Nixbuild, three_builds: list[int], nixbuild_mock: NixbuildMock
) -> None:
    drv = client.list_builds(limit=1)[0].derivation_path
    utc = datetime.UTC
    cases: list[tuple[dict[str, Any], int]] = [
        ({"derivation_path": drv}, 1),
        ({"tags": {"GITHUB_RUN_ID": "42"}}, 2),
        ({"statuses": ["built", KnownBuildStatus.BUILD_FAILED]}, 2),
        ({"created_from": "2024-05-02"}, 2),
        ({"created_to": datetime.datetime(2024, 5, 2, tzinfo=utc)}, 1),
        ({"created_from": "2024-05-01T00:00:00+00:00", "created_to": "2024-05-03"}, 2),
        ({"limit": 2}, 2),
    ]
    for filters, expected in cases:
        assert len(client.list_builds(**filters)) == expected, filters
    refused_filters: list[dict[str, Any]] = [
        {"tags": {"a,b": "x"}},
        {"limit": 0},
        {"statuses": ["failed"]},
        {"created_from": "yesterday"},
        {"created_from": datetime.datetime(2024, 5, 1)},
    ]
    for bad in refused_filters:
        with pytest.raises(NixbuildError) as refused:
            client.list_builds(**bad)
        assert refused.value.kind == "filter", bad
    assert nixbuild_mock.request_count("/builds") == 1 + len(cases), "nothing refused was sent"


def test_the_status_names_a_type_checker_takes_are_the_document_s() -> None:
    assert sorted(get_args(BuildStatusName)) == sorted(status.value for status in KnownBuildStatus)


def test_a_status_newer_than_the_document_is_kept_as_its_string(
    client: Nixbuild, nixbuild_mock: NixbuildMock
) -> None:
    nixbuild_mock.add_build("future-1.0", "quarantined", allow_unknown_status=True)
    [build] = client.list_builds()
    assert build.status == "quarantined" and not is_known_status(build.status)
    assert is_known_status(KnownBuildStatus.BUILT)


@pytest.mark.parametrize("case", ["revoked", "garbage", "expired", "write_only", "wrong_prefix"])
def test_401_403_and_404_are_typed_errors(nixbuild_mock: NixbuildMock, case: str) -> None:
    token, url, status = nixbuild_mock.token, nixbuild_mock.url, 401
    if case == "revoked":
        token = nixbuild_mock.mint_token()
        nixbuild_mock.revoke(token)
    elif case == "garbage":
        token = "garbage"
    elif case == "expired":
        token, status = nixbuild_mock.mint_token(expires_in_seconds=0), 403
    elif case == "write_only":
        token, status = nixbuild_mock.mint_token(rights=["build:write"]), 403
    else:
        url, status = url + "/no-such-prefix", 404
    with Nixbuild(token, url) as other, pytest.raises(NixbuildError) as failed:
        other.list_builds()
    error = failed.value
    assert (error.kind, error.status, error.retryable) == ("api", status, False)
    assert error.detail and token not in str(error) + repr(error)


def test_429_and_503_are_retried_honouring_retry_after(client: Nixbuild, nixbuild_mock: NixbuildMock) -> None:
    nixbuild_mock.fail_next(503, times=2, path="/usage")
    client.usage()
    assert nixbuild_mock.request_count("/usage") == 3
    nixbuild_mock.fail_next(429, path="/usage", retry_after_seconds=1)
    started = time.monotonic()
    client.usage()
    assert time.monotonic() - started >= 0.9, "it waited what Retry-After asked"
    nixbuild_mock.fail_next(429, times=5, retry_after_seconds=3600)
    with pytest.raises(NixbuildError) as throttled:
        client.usage()
    assert (throttled.value.status, throttled.value.retry_after_seconds) == (429, 3600.0)
    assert throttled.value.retryable
    nixbuild_mock.clear_faults()
    nixbuild_mock.fail_next(503)
    with (
        Nixbuild(nixbuild_mock.token, nixbuild_mock.url, retry=RetryPolicy.disabled()) as once,
        pytest.raises(NixbuildError) as unavailable,
    ):
        once.list_builds()
    assert unavailable.value.status == 503


def test_no_answer_and_a_slow_answer_are_transport_and_timeout_errors(nixbuild_mock: NixbuildMock) -> None:
    with (
        Nixbuild("x", "http://127.0.0.1:9", retry=RetryPolicy.disabled()) as nowhere,
        pytest.raises(NixbuildError) as refused,
    ):
        nowhere.list_builds()
    assert refused.value.kind == "transport" and refused.value.retryable
    nixbuild_mock.inject_fault(delay_ms=2000)
    with (
        Nixbuild(nixbuild_mock.token, nixbuild_mock.url, timeout=0.2) as impatient,
        pytest.raises(NixbuildError) as slow,
    ):
        impatient.usage()
    assert slow.value.kind == "timeout"


def test_a_broken_answer_is_a_decode_error_and_a_dropped_one_a_transport_error(
    nixbuild_mock: NixbuildMock,
) -> None:
    with Nixbuild(nixbuild_mock.token, nixbuild_mock.url, retry=RetryPolicy.disabled()) as once:
        nixbuild_mock.inject_fault(malformed_body=True)
        with pytest.raises(NixbuildError) as broken:
            once.list_builds()
        assert broken.value.kind == "decode"
        nixbuild_mock.inject_fault(drop_connection=True)
        with pytest.raises(NixbuildError) as dropped:
            once.list_builds()
        assert dropped.value.kind in ("transport", "decode")


def test_an_answer_past_max_response_bytes_is_refused_even_one_without_end(
    nixbuild_mock: NixbuildMock,
) -> None:
    nixbuild_mock.add_build("hello-2.12", "built")
    with (
        Nixbuild(nixbuild_mock.token, nixbuild_mock.url, max_response_bytes=100) as small,
        pytest.raises(NixbuildError) as declared,
    ):
        small.list_builds()
    assert (declared.value.kind, declared.value.status) == ("too_large", 200)

    pulled = 0

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            nonlocal pulled
            while True:
                pulled += 65536
                yield b"[" * 65536

    endless = httpx.MockTransport(lambda request: httpx.Response(200, stream=Endless()))
    with (
        Nixbuild("x", "http://nixbuild.invalid", max_response_bytes=1_000_000, transport=endless) as flooded,
        pytest.raises(NixbuildError) as flood,
    ):
        flooded.list_builds()
    assert flood.value.kind == "too_large"
    assert pulled < 5_000_000, f"it stopped reading ({pulled} bytes pulled)"


def answering(body: bytes, status: int = 200, headers: dict[bytes, bytes] | None = None) -> Nixbuild:
    """A client whose every answer is this one, as a hostile or broken server sends it."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body, headers=headers))
    return Nixbuild("x", "http://nixbuild.invalid", retry=RetryPolicy.disabled(), transport=transport)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"a": 1}', "not an array"),
        (b"[1]", ""),
        (b"null", "not an array"),
        (b"[" * 100_000 + b"]" * 100_000, ""),
        (b'[{"build_id": 1}]', ""),
        (b"[NaN]", "NaN"),
    ],
)
def test_an_answer_of_another_shape_is_a_decode_error_and_nothing_else(body: bytes, why: str) -> None:
    with answering(body) as client, pytest.raises(NixbuildError) as refused:
        client.list_builds()
    assert refused.value.kind == "decode"
    assert why in refused.value.detail


def test_numbers_past_any_the_api_sends_are_refused() -> None:
    with (
        answering(b'{"billable_cpu_seconds": 1e999, "billable_build_count": 1}') as client,
        pytest.raises(NixbuildError) as infinite,
    ):
        client.usage()
    assert infinite.value.kind == "decode" and "1e999" in infinite.value.detail
    with (
        answering(b'{"billable_cpu_seconds": Infinity, "billable_build_count": 1}') as client,
        pytest.raises(NixbuildError) as constant,
    ):
        client.usage()
    assert constant.value.kind == "decode"
    with answering(b'["not", "an", "object"]') as client, pytest.raises(NixbuildError) as listed:
        client.builds_summary()
    assert listed.value.kind == "decode" and "not an object" in listed.value.detail


def test_an_error_answer_of_any_depth_and_any_header_is_an_api_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with answering(deep, status=500) as client, pytest.raises(NixbuildError) as error:
        client.list_builds()
    assert (error.value.kind, error.value.status) == ("api", 500)
    for odd in ["\u00b2", "\u00b9\u00b2", "Fri, 31 Dec 99999 23:59:59 GMT", "-1", "1e9", ""]:
        with (
            answering(b"{}", status=503, headers={b"retry-after": odd.encode()}) as client,
            pytest.raises(NixbuildError) as refused,
        ):
            client.usage()
        assert refused.value.kind == "api" and refused.value.retry_after_seconds is None, odd
    with answering(b"[]", headers={b"content-length": "\u00b2".encode()}) as client:
        assert client.list_builds() == []


def test_the_timeout_bounds_an_attempt_body_and_all() -> None:
    class Drip(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(1000):
                time.sleep(0.1)
                yield b" "

    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=Drip()))
    started = time.monotonic()
    with (
        Nixbuild(
            "x", "http://nixbuild.invalid", timeout=0.5, retry=RetryPolicy.disabled(), transport=transport
        ) as slow,
        pytest.raises(NixbuildError) as cut,
    ):
        slow.list_builds()
    assert cut.value.kind == "timeout"
    # Bounded, not timed: the drip would run for 100 s.
    assert time.monotonic() - started < 30


def test_the_experimental_endpoints(client: Nixbuild, nixbuild_mock: NixbuildMock) -> None:
    exchanged = client.exchange_oidc_token(jwt({"repository": "acme/web"}))
    with Nixbuild(exchanged, nixbuild_mock.url) as as_exchanged:
        assert as_exchanged.list_builds() == []
    with pytest.raises(NixbuildError) as too_long:
        client.exchange_oidc_token("x" * 9000)
    assert too_long.value.status == 431
    process = Process(
        installable="/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-hello-2.12.drv^*",
        attributes=[["NIXBUILDNET_TAG_RUN", "1"]],
    )
    nixbuild_mock.fail_next(503, path="/processes")
    with pytest.raises(NixbuildError) as not_retried:
        client.create_processes(jwt({}), [process])
    assert not_retried.value.status == 503
    assert client.create_processes(jwt({}), [process]) is not None
    assert nixbuild_mock.request_count("/processes") == 2


def test_the_token_never_shows(client: Nixbuild, nixbuild_mock: NixbuildMock) -> None:
    assert nixbuild_mock.token not in repr(client)
