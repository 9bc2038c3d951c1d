"""The pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``nixbuild_mock``: a fresh mock with no builds for each test, stopped after it, passed or
  failed. Its ``url`` and ``token`` go to the code under test; its helpers drive the mock.
- ``nixbuild_mock_factory``: starts mocks with other arguments
  (``nixbuild_mock_factory("--no-auth")``, ``nixbuild_mock_factory(seed_builds=True)``);
  every one stops after the test.
"""

from typing import Callable, Iterator, List

import pytest

from ._mock import NixbuildMock


@pytest.fixture
def nixbuild_mock_factory() -> Iterator[Callable[..., NixbuildMock]]:
    started: List[NixbuildMock] = []

    def start(*args: str, **options) -> NixbuildMock:
        mock = NixbuildMock.start(*args, **options)
        started.append(mock)
        return mock

    try:
        yield start
    finally:
        for mock in started:
            mock.stop()


@pytest.fixture
def nixbuild_mock(nixbuild_mock_factory: Callable[..., NixbuildMock]) -> NixbuildMock:
    return nixbuild_mock_factory()
