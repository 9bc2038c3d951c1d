"""The suite runs against the installed wheel (its binary and its pytest plugin, loaded by
its entry point, not from here) and the clients generated from the two OpenAPI documents,
which check.sh puts on PYTHONPATH: `nixbuild_client` (the API) and `nixbuild_mock_client`
(the control API)."""

pytest_plugins = ["pytester"]
