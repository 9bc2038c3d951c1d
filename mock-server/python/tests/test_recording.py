"""A recording made by ``nixbuild-mock record`` starts a mock: served, or replayed."""

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from nixbuild_mock import NixbuildMock
from nixbuild_mock._mock import find_binary

#: Straight to the local servers, whatever ``http_proxy`` says.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with DIRECT.open(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def record(upstream, out, queries):
    """Records `queries` through a recorder in front of `upstream`; their answers."""
    recorder = subprocess.Popen(
        [find_binary(), "record", "--upstream", upstream.url, "--out", str(out), "--exit-with-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = None
        for line in recorder.stdout:
            name, _, value = line.decode().strip().partition("=")
            if name == "NIXBUILD_API_URL":
                url = value
            if line.startswith(b"export "):
                break
        assert url, recorder.stderr.read()
        seen = {query: get(url + query, upstream.token) for query in queries}
    finally:
        recorder.stdin.close()
        recorder.wait(timeout=10)
    log = recorder.stderr.read().decode()
    assert upstream.token not in log and upstream.token not in out.read_text()
    return seen


def test_a_recording_starts_a_mock_that_serves_its_builds_or_replays_its_answers(nixbuild_mock_factory, tmp_path):
    upstream = nixbuild_mock_factory("--generate", "300")
    out = tmp_path / "rec.json"
    seen = record(upstream, out, ["/builds?limit=5", "/builds?status=built&limit=3", "/builds/summary", "/usage"])
    assert all(status == 200 for status, _ in seen.values())

    served = nixbuild_mock_factory(builds=out)
    assert len(served.builds()) == 5
    assert get(served.url + "/builds?limit=5", served.token) == seen["/builds?limit=5"]

    replaying = nixbuild_mock_factory(replay=out)
    for query, answer in seen.items():
        assert get(replaying.url + query) == answer, query
    status, body = get(replaying.url + "/builds?limit=6")
    assert status == 404
    assert 'nearest recorded request is GET /builds?limit=5, which differs in limit (recorded "5", sent "6")' in (
        json.loads(body)["error"]
    )
    assert [r["query"] for r in replaying.received_requests() if r["unmatched"]] == ["limit=6"]


def test_a_recording_and_builds_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        NixbuildMock.start(builds="a.json", replay="b.json")
    with pytest.raises(ValueError, match="no builds go with"):
        NixbuildMock.start("--generate", "5", replay="b.json")
