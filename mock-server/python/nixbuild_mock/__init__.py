"""A stateful fake nixbuild.net for integration tests, from any language's point of view.

``NixbuildMock.start()`` runs the ``nixbuild-mock`` binary this wheel installed; the pytest
plugin's ``nixbuild_mock`` fixture does so for each test. The helpers are thin wrappers over
the control API under ``/_mock``, described by the mock's OpenAPI document.
"""

from ._mock import BuildStatusName, MockError, MockStartError, NixbuildMock, find_binary

__all__ = ["BuildStatusName", "MockError", "MockStartError", "NixbuildMock", "find_binary"]
