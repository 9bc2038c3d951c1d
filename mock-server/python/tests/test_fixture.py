"""The fixture itself: what it exposes, what it refuses, and that it leaves no process."""

import os
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

from nixbuild_mock import MockError, NixbuildMock


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent to read its status.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def test_the_fixture_exposes_a_running_empty_mock(nixbuild_mock):
    assert nixbuild_mock.url.startswith("http://127.0.0.1:")
    assert nixbuild_mock.health() == {"status": "ok"}
    assert nixbuild_mock.builds() == []
    assert nixbuild_mock.admin_token.startswith("nbmock-admin-")
    assert nixbuild_mock.token not in repr(nixbuild_mock)
    assert nixbuild_mock.admin_token not in repr(nixbuild_mock)
    with urllib.request.urlopen(nixbuild_mock.root_url + "/_mock/health") as response:
        assert response.status == 200


def test_control_errors_are_typed_and_name_the_problem(nixbuild_mock):
    with pytest.raises(MockError) as missing:
        nixbuild_mock.set_status(123456, "built")
    assert missing.value.status == 404 and "no build 123456" in missing.value.message
    with pytest.raises(MockError) as bad:
        nixbuild_mock.add_builds([{"name": "../etc", "status": "built"}])
    assert bad.value.status == 400 and "Nix store name" in bad.value.message
    with pytest.raises(MockError) as backwards:
        nixbuild_mock.set_status(nixbuild_mock.add_build("x", "running"), "pending")
    assert backwards.value.status == 400
    with pytest.raises(MockError) as no_fault:
        nixbuild_mock.inject_fault(times=2)
    assert no_fault.value.status == 400


def test_the_api_token_does_not_open_the_control_api(nixbuild_mock):
    request = urllib.request.Request(nixbuild_mock.root_url + "/_mock/requests",
                                     headers={"Authorization": f"Bearer {nixbuild_mock.token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401


def test_the_factory_starts_mocks_with_other_arguments(nixbuild_mock_factory):
    seeded = nixbuild_mock_factory(seed_builds=True)
    assert len(seeded.builds()) == 2
    prefixed = nixbuild_mock_factory("--path-prefix", "/api/v1", "--generate", "20")
    assert prefixed.url.endswith("/api/v1") and len(prefixed.builds()) == 20
    assert seeded.port != prefixed.port


def test_a_failing_test_leaves_no_process_behind(pytester):
    pytester.makepyfile(textwrap.dedent(
        """
        def test_fails(nixbuild_mock):
            with open("pid", "w") as f:
                f.write(str(nixbuild_mock.pid))
            assert False, "the test fails"
        """
    ))
    # The wheel's entry point loads the plugin, as in any project that installs it.
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=1)
    pid = int((pytester.path / "pid").read_text())
    assert not alive(pid)


def test_a_killed_test_process_takes_its_mock_with_it(tmp_path):
    # The harness dies without running any cleanup: the mock sees its stdin close and exits.
    script = tmp_path / "harness.py"
    script.write_text(textwrap.dedent(
        """
        import os, sys
        from nixbuild_mock import NixbuildMock
        mock = NixbuildMock.start()
        print(mock.pid, flush=True)
        os._exit(0)
        """
    ))
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True)
    pid = int(output.stdout.strip())
    for _ in range(100):
        if not alive(pid):
            break
        time.sleep(0.05)
    assert not alive(pid)


def test_a_test_process_that_forked_before_it_died_takes_its_mock_with_it(tmp_path):
    # The forked child inherits the pipe to the mock's stdin and outlives the harness: the
    # mock sees its parent end instead.
    script = tmp_path / "harness.py"
    script.write_text(textwrap.dedent(
        """
        import os, time
        from nixbuild_mock import NixbuildMock
        mock = NixbuildMock.start()
        print(mock.pid, flush=True)
        if os.fork() == 0:
            os.close(1)
            time.sleep(30)
            os._exit(0)
        os._exit(0)
        """
    ))
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pid = int(output.stdout.strip())
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "the mock outlived its test process by 10 s"


def test_a_mock_started_from_a_shell_holding_another_mocks_variables_gets_its_own(monkeypatch, nixbuild_mock):
    # After `. ./mock.env` the environment names the outer mock's admin token.
    monkeypatch.setenv("NIXBUILD_MOCK_ADMIN_TOKEN", nixbuild_mock.admin_token)
    monkeypatch.setenv("NIXBUILD_MOCK_URL", nixbuild_mock.root_url)
    inner = NixbuildMock.start()
    try:
        assert inner.admin_token != nixbuild_mock.admin_token
        assert inner.builds() == []
    finally:
        inner.stop()
    monkeypatch.setenv("NIXBUILD_MOCK_ADMIN_TOKEN", "short")
    short = NixbuildMock.start()
    try:
        assert short.health() == {"status": "ok"}
    finally:
        short.stop()


def test_a_missing_binary_is_a_clear_error(monkeypatch):
    from nixbuild_mock import MockStartError
    monkeypatch.setenv("NIXBUILD_MOCK_BIN", "/nonexistent/nixbuild-mock")
    with pytest.raises(MockStartError, match="cannot run /nonexistent/nixbuild-mock"):
        NixbuildMock.start()


def test_no_control_request_goes_through_a_proxy(monkeypatch):
    """CI runners set http_proxy routinely; urllib honours it even for 127.0.0.1. A proxy
    that records what reaches it must see nothing, admin token and minted tokens included."""
    import socket
    import threading

    seen = []
    proxy = socket.socket()
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(8)
    proxy.settimeout(0.2)
    stop = threading.Event()

    def record():
        while not stop.is_set():
            try:
                connection, _ = proxy.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    seen.append(connection.recv(65536))
                except OSError:
                    seen.append(b"")

    recorder = threading.Thread(target=record, daemon=True)
    recorder.start()
    address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "all_proxy"):
        monkeypatch.setenv(variable, address)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    try:
        with NixbuildMock.start() as mock:
            token = mock.mint_token(rights=["build:read"])
            mock.add_build("hello-2.12", "built")
            assert len(mock.builds()) == 1
            assert mock.requests() == []
            assert token
    finally:
        stop.set()
        recorder.join(timeout=2)
        proxy.close()
    assert seen == [], f"the proxy saw {seen!r}"


def test_helpers_have_the_rust_mocks_names_and_argument_order(nixbuild_mock):
    """fail_next(status, times), received_requests(), request_count(path): as in Rust,
    paths relative to the API's root."""
    import urllib.request as request

    nixbuild_mock.fail_next(503, 2)
    for _ in range(3):
        try:
            opened = request.build_opener(request.ProxyHandler({})).open(
                request.Request(nixbuild_mock.url + "/usage", headers={"Authorization": f"Bearer {nixbuild_mock.token}"})
            )
            opened.close()
        except urllib.error.HTTPError:
            pass
    journal = nixbuild_mock.received_requests(path="/usage")
    assert [entry["status"] for entry in journal] == [503, 503, 200]
    assert journal[-1]["operation"] == "getUsage"
    assert nixbuild_mock.request_count("/usage") == 3
    assert nixbuild_mock.requests() == nixbuild_mock.received_requests()
