"""The helpers take what their names suggest and refuse what is most likely a typo."""

from datetime import timedelta
from typing import get_args

import pytest

from nixbuild_mock import BuildStatusName, MockError, NixbuildMock


def test_one_build_as_a_mapping_or_as_a_name(nixbuild_mock):
    by_mapping = nixbuild_mock.add_build({"name": "hello-2.12", "status": "build_failed"})
    by_name = nixbuild_mock.add_build("hello-2.12", "built", tags={"GITHUB_RUN_ID": "42"})
    assert nixbuild_mock.build(by_mapping)["status"] == "build_failed"
    assert nixbuild_mock.build(by_name)["tags"] == {"GITHUB_RUN_ID": "42"}
    with pytest.raises(TypeError):
        nixbuild_mock.add_build({"name": "x"}, "built")
    with pytest.raises(TypeError):
        nixbuild_mock.add_builds({"name": "x"})


def test_an_unknown_status_is_refused_unless_asked_for(nixbuild_mock):
    with pytest.raises(MockError) as typo:
        nixbuild_mock.add_build({"name": "x-1", "status": "failed"})
    assert typo.value.status == 400
    assert "failed" in typo.value.message and "build_failed" in typo.value.message
    assert "pass allow_unknown_status=True" in typo.value.message, "in Python's words"
    assert "?allow_unknown_status=true" not in typo.value.message
    assert nixbuild_mock.builds() == []
    newer = nixbuild_mock.add_build("x-1", "pending")
    with pytest.raises(MockError) as moved:
        nixbuild_mock.set_status(newer, "succeeded")
    assert moved.value.status == 400
    # On purpose: a status newer than the mock, stored and filtered as given.
    future = nixbuild_mock.add_build("x-2", "quarantined", allow_unknown_status=True)
    assert nixbuild_mock.build(future)["status"] == "quarantined"
    assert nixbuild_mock.set_status(newer, "evicted", allow_unknown_status=True)["status"] == "evicted"


def test_faults_as_a_mapping_or_keywords_and_no_retry_after_unless_asked(nixbuild_mock):
    queued = nixbuild_mock.inject_fault({"status": 503, "times": 2})
    assert queued == {"status": 503, "times": 2}
    assert nixbuild_mock.inject_fault(status=429, retry_after_seconds=3)["retry_after_seconds"] == 3
    assert "retry_after_seconds" not in nixbuild_mock.fail_next(500)
    with pytest.raises(TypeError):
        nixbuild_mock.inject_fault({"status": 503}, times=2)
    with pytest.raises(TypeError):
        nixbuild_mock.inject_fault(503)
    assert [f["status"] for f in nixbuild_mock.faults()] == [503, 429, 500]
    nixbuild_mock.clear_faults()
    assert nixbuild_mock.faults() == []


def test_the_clock_moves_by_a_timedelta_and_not_back_by_accident(nixbuild_mock):
    start = nixbuild_mock.set_clock("2026-01-01T00:00:00Z")["now"]
    assert start.startswith("2026-01-01T00:00:00")
    assert nixbuild_mock.advance_clock(timedelta(hours=1))["now"].startswith("2026-01-01T01:00:00")
    assert nixbuild_mock.advance_clock(30)["now"].startswith("2026-01-01T01:00:30")
    with pytest.raises(ValueError, match="backwards=True"):
        nixbuild_mock.advance_clock(-10)
    with pytest.raises(ValueError):
        nixbuild_mock.advance_clock(timedelta(minutes=-1))
    assert nixbuild_mock.clock()["now"].startswith("2026-01-01T01:00:30")
    assert nixbuild_mock.advance_clock(-30, backwards=True)["now"].startswith("2026-01-01T01:00:00")
    with pytest.raises(TypeError):
        nixbuild_mock.advance_clock("1h")


def test_a_finished_build_has_its_duration_from_the_clock(nixbuild_mock):
    nixbuild_mock.set_clock("2026-01-01T00:00:00Z")
    build = nixbuild_mock.add_build("hello-2.12", "pending")
    nixbuild_mock.advance_clock(timedelta(seconds=1))
    nixbuild_mock.set_status(build, "running")
    nixbuild_mock.advance_clock(timedelta(minutes=7, seconds=40))
    finished = nixbuild_mock.set_status(build, "built")
    assert finished["duration_seconds"] == 460.0


def test_unknown_rights_are_refused_unless_asked_for(nixbuild_mock):
    with pytest.raises(MockError) as typo:
        nixbuild_mock.mint_token(rights=["build:raed"])
    assert typo.value.status == 400 and "build:read" in typo.value.message
    assert "pass allow_unknown_rights=True" in typo.value.message, typo.value.message
    with pytest.raises(TypeError):
        nixbuild_mock.mint_token(rights="build:read")
    assert nixbuild_mock.mint_token(rights=["store:read"])
    assert nixbuild_mock.mint_token(rights=["run:write"], allow_unknown_rights=True)
    assert nixbuild_mock.mint_token(expires_in=timedelta(minutes=5))


def test_pytest_fixtures_describes_the_fixtures_and_names_their_type(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    listing = result.stdout.str()
    for fixture in ("nixbuild_mock", "nixbuild_mock_factory"):
        section = listing.split(f"{fixture} ", 1)[-1].split("\n\n", 1)[0]
        assert "no docstring available" not in section, section
        assert "NixbuildMock" in section, section


def test_the_status_names_a_type_checker_takes_are_the_mock_s(nixbuild_mock: NixbuildMock) -> None:
    with pytest.raises(MockError) as refused:
        nixbuild_mock.add_build({"name": "x-1", "status": "nope"})
    listed = refused.value.message.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert sorted(get_args(BuildStatusName)) == sorted(listed), refused.value.message
