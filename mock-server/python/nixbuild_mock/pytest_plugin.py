"""The pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``nixbuild_mock``: a fresh mock with no builds for each test, stopped after it, passed or
  failed. Its ``url`` and ``token`` go to the code under test; its helpers drive the mock.
- ``nixbuild_mock_factory``: starts mocks with other arguments
  (``nixbuild_mock_factory("--no-auth")``, ``nixbuild_mock_factory(seed_builds=True)``);
  every one stops after the test.

When a test fails, its report gains a section with a one-time dashboard URL of each of its
mocks. With ``NIXBUILD_MOCK_KEEP=1`` in the environment, a failed test's mocks keep running
after pytest ends, for a look, and the report says how to stop each.
"""

import os
from typing import Callable, Generator, Iterator, List

import pytest

from ._mock import KEEP_VARIABLE, MockError, NixbuildMock

#: Where the mocks of a test are kept on its item, for the failure report.
_STARTED = pytest.StashKey[List[NixbuildMock]]()
#: Whether the test's call failed.
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    item.stash[_FAILED] = True
    lines = []
    for mock in item.stash.get(_STARTED, []):
        try:
            lines.append(f"dashboard (one use, ten minutes): {mock.dashboard_url}")
        except (OSError, MockError) as e:
            lines.append(f"no dashboard: the mock does not answer ({e})")
    if lines:
        if os.environ.get(KEEP_VARIABLE) == "1":
            lines += [f"left running (pid {mock.pid}); stop it with: kill {mock.pid}" for mock in item.stash[_STARTED]]
        else:
            lines.append(f"the mock stops with the test; {KEEP_VARIABLE}=1 keeps a failed test's mock running")
        report.sections.append(("nixbuild-mock", "\n".join(lines)))


@pytest.fixture
def nixbuild_mock_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., NixbuildMock]]:
    """Starts nixbuild mocks with other arguments, each a ``nixbuild_mock.NixbuildMock``
    stopped after the test: ``nixbuild_mock_factory("--no-auth")``,
    ``nixbuild_mock_factory(seed_builds=True)``, ``nixbuild_mock_factory(builds="rec.json")``
    (the keywords of ``NixbuildMock.start``)."""
    started: List[NixbuildMock] = []
    request.node.stash[_STARTED] = started

    def start(*args: str, **options) -> NixbuildMock:
        mock = NixbuildMock.start(*args, **options)
        started.append(mock)
        return mock

    try:
        yield start
    finally:
        keep = request.node.stash.get(_FAILED, False) and os.environ.get(KEEP_VARIABLE) == "1"
        for mock in started:
            if keep:
                mock.leave_running()
            else:
                mock.stop()


@pytest.fixture
def nixbuild_mock(nixbuild_mock_factory: Callable[..., NixbuildMock]) -> NixbuildMock:
    """A fresh fake nixbuild.net with no builds, a ``nixbuild_mock.NixbuildMock``
    (annotate it so: ``def test_x(nixbuild_mock: NixbuildMock) -> None``), stopped after
    the test: ``url`` and ``token`` for the code under test, helpers to drive it
    (``add_build``, ``fail_next``, ``requests``, ``advance_clock``, …). A failed test's
    report gives its dashboard URL."""
    return nixbuild_mock_factory()
