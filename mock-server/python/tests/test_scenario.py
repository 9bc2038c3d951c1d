"""A downstream test as a Python user writes one: the code under test talks to the mock through
the client generated from openapi/openapi.json; the test drives the mock with the fixture."""

import datetime

from nixbuild_client import AuthenticatedClient
from nixbuild_client.api.builds import get_builds_summary, list_builds
from nixbuild_client.models import Build, BuildsSummary, ErrorBody, KnownBuildStatus


def api(mock, token=None) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=mock.url, token=token or mock.token, headers={"User-Agent": "acme-ci/2.0"})


def status_of(build: Build) -> str:
    return build.status.value if isinstance(build.status, KnownBuildStatus) else build.status


def test_a_ci_run_from_pending_builds_to_a_summary(nixbuild_mock):
    run = {"CI_PIPELINE_ID": "7001"}
    ids = nixbuild_mock.add_builds([
        {"name": "hello-2.12", "status": "pending", "tags": run},
        {"name": "openssl-3.0.13", "status": "build_failed", "tags": run, "system": "aarch64-linux"},
        {"name": "coreutils-9.4", "tags": {"CI_PIPELINE_ID": "6999"}},
    ])
    assert len(ids) == 3 and len(set(ids)) == 3

    # A filter, through the generated client: this run's builds only, newest first.
    builds = list_builds.sync(client=api(nixbuild_mock), tags=["CI_PIPELINE_ID:7001"])
    assert sorted(b.build_id for b in builds) == sorted(ids[:2])
    failed = list_builds.sync(client=api(nixbuild_mock), tags=["CI_PIPELINE_ID:7001"],
                              status=[KnownBuildStatus.BUILD_FAILED])
    assert [b.system for b in failed] == ["aarch64-linux"]
    assert failed[0].outputs == []

    # The pending build runs, then is built: its output appears.
    assert nixbuild_mock.set_status(ids[0], "running")["status"] == "running"
    built = nixbuild_mock.set_status(ids[0], "built")
    assert built["status"] == "built" and len(built["outputs"]) == 1
    hello = [b for b in list_builds.sync(client=api(nixbuild_mock), tags=["CI_PIPELINE_ID:7001"])
             if b.build_id == ids[0]][0]
    assert status_of(hello) == "built" and hello.outputs[0].path.endswith("-hello-2.12")

    summary = get_builds_summary.sync(client=api(nixbuild_mock), tags=["CI_PIPELINE_ID:7001"])
    assert isinstance(summary, BuildsSummary)
    assert (summary.build_count, summary.successful_build_count, summary.failed_build_count) == (2, 1, 1)


def test_a_503_then_success_and_the_journal(nixbuild_mock):
    nixbuild_mock.add_build("hello-2.12")
    nixbuild_mock.fail_next(503, times=1, path="/builds", retry_after_seconds=3)
    first = list_builds.sync_detailed(client=api(nixbuild_mock))
    assert first.status_code == 503
    assert first.headers["retry-after"] == "3"
    assert isinstance(first.parsed, ErrorBody)
    second = list_builds.sync_detailed(client=api(nixbuild_mock), limit=5)
    assert second.status_code == 200 and len(second.parsed) == 1

    journal = nixbuild_mock.requests(path="/builds")
    assert [(r["status"], r["query"]) for r in journal] == [(503, None), (200, "limit=5")]
    assert journal[1]["headers"]["user-agent"] == "acme-ci/2.0"
    assert journal[1]["headers"]["authorization"] == "Bearer [redacted]"
    assert journal[1]["auth"] == "passed"
    assert nixbuild_mock.token not in repr(journal)
    nixbuild_mock.clear_requests()
    assert nixbuild_mock.requests() == []


def test_a_revoked_token_gets_401_and_an_expired_one_403(nixbuild_mock):
    nixbuild_mock.add_build("hello-2.12")
    narrow = nixbuild_mock.mint_token(rights=["build:read"], expires_in_seconds=600)
    assert len(list_builds.sync(client=api(nixbuild_mock, narrow))) == 1
    nixbuild_mock.revoke(narrow)
    revoked = list_builds.sync_detailed(client=api(nixbuild_mock, narrow))
    assert revoked.status_code == 401
    assert "revoked" in revoked.parsed.error
    # The fixture's own token still works.
    assert list_builds.sync_detailed(client=api(nixbuild_mock)).status_code == 200

    short = nixbuild_mock.mint_token(expires_in_seconds=60)
    assert list_builds.sync_detailed(client=api(nixbuild_mock, short)).status_code == 200
    moved = nixbuild_mock.advance_clock(61)
    assert moved["frozen"] is True
    expired = list_builds.sync_detailed(client=api(nixbuild_mock, short))
    assert expired.status_code == 403
    assert "expired" in expired.parsed.error
    nixbuild_mock.reset_clock()
    assert list_builds.sync_detailed(client=api(nixbuild_mock, short)).status_code == 200


def test_the_clock_dates_new_builds(nixbuild_mock):
    instant = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    assert nixbuild_mock.set_clock(instant)["now"] == "2031-05-06T07:08:09Z"
    build_id = nixbuild_mock.add_build("hello-2.12", "pending")
    assert nixbuild_mock.build(build_id)["create_time"] == "2031-05-06T07:08:09Z"
