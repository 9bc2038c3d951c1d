"""Checks the Python client openapi-python-client generated from openapi.json.

Run by ../check.sh with the generated package on sys.path: the client imports, and its
`Build` model parses every build of the real seed response, and a build whose status is newer
than the document, keeping the known statuses as enum members and the unknown one as text.
"""

import copy
import json
import pathlib
import sys

from nixbuild_client import AuthenticatedClient  # noqa: F401  (the client itself imports)
from nixbuild_client.api.builds import get_builds_summary, list_builds  # noqa: F401
from nixbuild_client.api.usage import get_usage  # noqa: F401
from nixbuild_client.models import Build, BuildsSummary, KnownBuildStatus

seed_path = pathlib.Path(sys.argv[1])
seed = json.loads(seed_path.read_text())

builds = [Build.from_dict(item) for item in seed]
assert [b.build_id for b in builds] == [805823, 805810], builds
assert builds[0].status == KnownBuildStatus.BUILT, builds[0].status
assert builds[1].status == KnownBuildStatus.CLIENT_DISCONNECT, builds[1].status
assert builds[0].outputs[0].nar_size_bytes == 256898464
assert builds[0].start_time.microsecond == 538530, builds[0].start_time
for build, item in zip(builds, seed):
    assert build.to_dict()["status"] == item["status"]

newer = copy.deepcopy(seed[0])
newer["status"] = "quarantined"
newer["carbon_grams"] = 12.5
build = Build.from_dict(newer)
assert build.status == "quarantined" and not isinstance(build.status, KnownBuildStatus), build.status
assert build.to_dict()["status"] == "quarantined"

pending = copy.deepcopy(seed[1])
pending.update(status="pending", start_time=None, duration_seconds=None, queue_time_seconds=None)
del pending["tags"]
assert Build.from_dict(pending).start_time is None

summary = BuildsSummary.from_dict({
    "build_count": 2, "successful_build_count": 1, "failed_build_count": 1,
    "discarded_build_count": 0, "billable_cpu_seconds": 1934,
    "total_output_nar_size_kilobytes": 250878,
})
assert summary.billable_cpu_seconds == 1934

print(f"python client: {len(builds)} seed builds and a newer status parsed")
