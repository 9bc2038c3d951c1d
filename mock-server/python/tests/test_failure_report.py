"""A failed test's report gives each mock's dashboard URL; with NIXBUILD_MOCK_KEEP=1 its mock
keeps running after pytest ends, and the report says how to stop it."""

import os
import re
import signal

import pytest


def test_a_failed_test_s_report_opens_its_dashboard_and_keep_leaves_the_mock_running(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        def test_passes(nixbuild_mock):
            assert nixbuild_mock.health()["status"] == "ok"

        def test_fails(nixbuild_mock):
            assert nixbuild_mock.builds() == ["something"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*nixbuild-mock*",
            "dashboard (one use, ten minutes): http://127.0.0.1:*/_mock/ui/login?code=*",
            "the mock stops with the test; NIXBUILD_MOCK_KEEP=1 keeps*",
        ]
    )
    assert result.stdout.str().count("dashboard (one use") == 1, "a passed test has no section"

    monkeypatch.setenv("NIXBUILD_MOCK_KEEP", "1")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    kept = re.search(r"left running \(pid (\d+)\); stop it with: kill (\d+)", result.stdout.str())
    assert kept is not None, result.stdout.str()
    pid = int(kept.group(1))
    try:
        os.kill(pid, 0)  # still there after pytest ended
    finally:
        os.kill(pid, signal.SIGTERM)
