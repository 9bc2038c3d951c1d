"""Drives the standalone nixbuild-mock with the Python client generated from openapi.json.

Run by ../check.sh with two mocks running: one serving the seed builds (SEED_URL, SEED_TOKEN)
and one serving generated builds (GEN_URL, GEN_TOKEN). Filtering is checked against the same
filter applied here to the full list, so the server and this client must agree on the wire
format: lists sent as repeated parameters, tag values with `/`, spaces and non-ASCII.
"""

import datetime
import json
import os
import pathlib
import sys

from nixbuild_client import AuthenticatedClient
from nixbuild_client.api.builds import get_builds_summary, list_builds
from nixbuild_client.api.usage import get_usage
from nixbuild_client.models import Build, BuildsSummary, ErrorBody, KnownBuildStatus, Usage

seed = json.loads(pathlib.Path(sys.argv[1]).read_text())


def client(prefix: str, token: str | None = None) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=os.environ[f"{prefix}_URL"], token=token or os.environ[f"{prefix}_TOKEN"])


def comparable(build: dict) -> dict:
    """A build with its times as datetimes: Python writes them in its own ISO format."""
    times = {k: datetime.datetime.fromisoformat(build[k]) for k in ("create_time", "start_time") if build.get(k)}
    return build | times


# The seed builds, exactly.
builds = list_builds.sync(client=client("SEED"))
assert isinstance(builds, list), builds
assert [comparable(b.to_dict()) for b in builds] == [comparable(s) for s in seed], builds

summary = get_builds_summary.sync(client=client("SEED"))
assert isinstance(summary, BuildsSummary), summary
assert (summary.build_count, summary.successful_build_count, summary.failed_build_count) == (2, 1, 1), summary
assert summary.billable_cpu_seconds == 1839 + 95, summary

usage = get_usage.sync(client=client("SEED"))
assert isinstance(usage, Usage) and usage.billable_build_count == 2, usage

# A bad token: 401 with the documented error body.
response = list_builds.sync_detailed(client=client("SEED", token="not-a-token"))
assert response.status_code == 401, response.status_code
assert isinstance(response.parsed, ErrorBody) and response.parsed.error, response.parsed

# Filters, against the same filter applied here.
everything = list_builds.sync(client=client("GEN"))
assert isinstance(everything, list) and len(everything) == int(os.environ["GEN_COUNT"]), len(everything)


def status_of(build: Build) -> str:
    return build.status.value if isinstance(build.status, KnownBuildStatus) else build.status


def tag(build: Build, name: str):
    return build.tags.additional_properties.get(name) if build.tags else None


checked = 0
for repository in sorted({tag(b, "GITHUB_REPOSITORY") for b in everything} - {None}):
    for statuses in ([KnownBuildStatus.BUILT], [KnownBuildStatus.BUILD_FAILED, KnownBuildStatus.RUNNING]):
        got = list_builds.sync(client=client("GEN"), tags=[f"GITHUB_REPOSITORY:{repository}"], status=statuses)
        wanted = [b for b in everything
                  if tag(b, "GITHUB_REPOSITORY") == repository and status_of(b) in {s.value for s in statuses}]
        assert [b.build_id for b in got] == [b.build_id for b in wanted], (repository, statuses)
        checked += len(got)
assert checked > 0

limited = list_builds.sync(client=client("GEN"), limit=5)
assert [b.build_id for b in limited] == [b.build_id for b in everything[:5]]

print(f"python client against the mock: seed, summary, usage, 401, and {checked} filtered builds agree")
