"""The client generated from mock-server/openapi.json drives the control API: the document
a TypeScript or Go user generates from is one that works."""

from nixbuild_mock_client import AuthenticatedClient, Client
from nixbuild_mock_client.api.builds import add_builds, set_build_status
from nixbuild_mock_client.api.clock import set_clock
from nixbuild_mock_client.api.faults import inject_fault, list_faults
from nixbuild_mock_client.api.health import get_health
from nixbuild_mock_client.api.requests import list_requests
from nixbuild_mock_client.models import ClockChange, FaultSpec, FixtureSpec, FixtureSpecTags, StatusChange


def test_the_generated_control_client_works(nixbuild_mock):
    assert get_health.sync(client=Client(base_url=nixbuild_mock.root_url)).status == "ok"
    control = AuthenticatedClient(base_url=nixbuild_mock.root_url, token=nixbuild_mock.admin_token)
    tags = FixtureSpecTags.from_dict({"CI_PIPELINE_ID": "1"})
    added = add_builds.sync(client=control, body=[FixtureSpec(name="hello-2.12", status="pending", tags=tags)])
    (build_id,) = added.build_ids
    moved = set_build_status.sync(id=build_id, client=control, body=StatusChange(status="built"))
    assert moved.build_id == build_id and len(moved.outputs) == 1

    queued = inject_fault.sync(client=control, body=FaultSpec(status=429, times=2))
    assert queued.times == 2 and len(list_faults.sync(client=control)) == 1
    clock = set_clock.sync(client=control, body=ClockChange(advance_seconds=10))
    assert clock.frozen
    assert list_requests.sync(client=control) == []

    refused = list_requests.sync_detailed(client=AuthenticatedClient(base_url=nixbuild_mock.root_url, token=nixbuild_mock.token))
    assert refused.status_code == 401
