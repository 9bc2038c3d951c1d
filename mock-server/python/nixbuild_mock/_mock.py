"""NixbuildMock: a running nixbuild-mock binary and thin helpers over its control API."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Union, overload

BINARY_NAME = "nixbuild-mock"
#: The statuses the mock knows (the API document's): a type checker refuses a typo in
#: ``add_build`` and ``set_status``; another status takes ``allow_unknown_status=True``.
BuildStatusName = Literal[
    "pending",
    "running",
    "built",
    "build_failed",
    "cancelled",
    "timeout",
    "client_disconnect",
    "client_error",
    "max_memory_exceeded",
    "out_of_memory",
    "internal_error",
]
#: Set to 1 to keep a failed test's mock running for a look (see NixbuildMock.leave_running).
KEEP_VARIABLE = "NIXBUILD_MOCK_KEEP"

#: Every control request goes straight to the mock: urllib's default opener would honour
#: ``http_proxy`` (set routinely on CI runners) with no bypass for 127.0.0.1, and hand the
#: admin token and every minted token to the proxy.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: An environment variable naming the binary to run, before the one this wheel installed.
BINARY_VARIABLE = "NIXBUILD_MOCK_BIN"


class MockError(Exception):
    """The control API refused a request: `status` and the mock's `{"error": ...}` message."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {message}")
        self.status = status
        self.message = message


class MockStartError(RuntimeError):
    """The binary did not start, or did not answer its health probe in time."""


def find_binary() -> str:
    """The nixbuild-mock binary: $NIXBUILD_MOCK_BIN, else the one this wheel installed beside
    the running Python, else the first on PATH."""
    named = os.environ.get(BINARY_VARIABLE)
    if named:
        return named
    exe = BINARY_NAME + (".exe" if sys.platform == "win32" else "")
    candidates = [
        Path(sysconfig.get_path("scripts")) / exe,
        Path(sys.executable).parent / exe,
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    on_path = shutil.which(BINARY_NAME)
    if on_path:
        return on_path
    raise MockStartError(
        f"cannot find the {BINARY_NAME} binary: install the nixbuild-mock wheel, or set "
        f"{BINARY_VARIABLE} to its path"
    )


def _read_variables(stream, deadline: float) -> Dict[str, str]:
    """The NAME=value lines the binary prints on start, up to its `export` line."""
    found: Dict[str, str] = {}
    done = threading.Event()

    def read() -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("export "):
                break
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                found[name] = value
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    done.wait(max(0.0, deadline - time.monotonic()))
    return found


class NixbuildMock:
    """A nixbuild-mock process: its API URL and token, its admin token, and the control API.

    Start one with :meth:`start` (or the ``nixbuild_mock`` pytest fixture); it stops with
    :meth:`stop`, at the end of a ``with`` block, or when this Python process ends, however
    it ends (the binary exits when its standard input closes).
    """

    url: str
    """The API's base URL: give it to the code under test (NIXBUILD_API_URL)."""
    root_url: str
    """The server's root, where the control API lives under /_mock (NIXBUILD_MOCK_URL)."""
    token: str
    """An API token with build:read and build:write, valid for a day (NIXBUILD_TOKEN)."""
    admin_token: str
    """The control API's secret (NIXBUILD_MOCK_ADMIN_TOKEN)."""
    port: int

    def __init__(self, process: subprocess.Popen, variables: Mapping[str, str], log) -> None:
        self._process = process
        self._log = log
        self.url = variables["NIXBUILD_API_URL"]
        self.root_url = variables["NIXBUILD_MOCK_URL"]
        self.port = int(variables["NIXBUILD_MOCK_PORT"])
        self.token = variables["NIXBUILD_TOKEN"]
        self.admin_token = variables["NIXBUILD_MOCK_ADMIN_TOKEN"]

    def __repr__(self) -> str:
        # Never the tokens.
        state = "running" if self.running else "stopped"
        return f"<NixbuildMock {self.url} pid={self.pid} {state}>"

    # -- life -------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *args: str,
        seed_builds: bool = False,
        builds: Optional[Union[str, "os.PathLike[str]"]] = None,
        replay: Optional[Union[str, "os.PathLike[str]"]] = None,
        binary: Optional[str] = None,
        timeout: float = 30.0,
    ) -> "NixbuildMock":
        """Starts the binary on a free local port and waits until /_mock/health answers.

        It starts with no builds unless `seed_builds` (the two builds of nixbuild.net's
        announcement), `builds` or `args` say otherwise (``"--generate", "500"``,
        ``"--no-auth"``, ``"--path-prefix", "/api/v1"``: see ``nixbuild-mock --help``).

        `builds` is a file: a JSON array of builds, or a recording that
        ``nixbuild-mock record --out rec.json`` wrote; its builds are served with the mock's
        own filters. `replay` is a recording whose answers are given exactly as recorded
        (``nixbuild-mock replay``): a request it does not hold is answered 404, naming the
        nearest recorded request, and is ``"unmatched"`` in :meth:`received_requests`.
        """
        if builds is not None and replay is not None:
            raise ValueError("start takes `builds` or `replay`, not both")
        if replay is not None and (seed_builds or any(a in ("--builds", "--generate", "--empty") for a in args)):
            raise ValueError("a replaying mock serves its recording's answers only: no builds go with `replay`")
        command = [binary or find_binary()]
        if replay is not None:
            command += ["replay", os.fspath(replay)]
        command += ["--host", "127.0.0.1", "--port", "0"]
        # NIXBUILD_MOCK_KEEP=1: a failed test's mock may outlive this process (see
        # leave_running); otherwise it ends with it, however it ends.
        keep = os.environ.get(KEEP_VARIABLE) == "1"
        if not keep:
            command += ["--exit-with-stdin", "--exit-with-parent"]
        if builds is not None:
            command += ["--builds", os.fspath(builds)]
        elif replay is None and not seed_builds and not any(a in ("--builds", "--generate", "--empty") for a in args):
            command.append("--empty")
        command.extend(args)
        log = tempfile.TemporaryFile(prefix="nixbuild-mock-", suffix=".log")
        try:
            process = subprocess.Popen(
                command,
                env=_child_environment(),
                stdin=subprocess.DEVNULL if keep else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                # Its own process group: a Ctrl-C in the terminal reaches pytest, which stops it.
                start_new_session=True,
            )
        except OSError as e:
            log.close()
            raise MockStartError(f"cannot run {command[0]}: {e}") from e
        deadline = time.monotonic() + timeout
        variables = _read_variables(process.stdout, deadline)
        required = ("NIXBUILD_API_URL", "NIXBUILD_MOCK_URL", "NIXBUILD_MOCK_PORT", "NIXBUILD_TOKEN",
                    "NIXBUILD_MOCK_ADMIN_TOKEN")
        if not all(name in variables for name in required):
            _end(process)
            raise MockStartError(f"{BINARY_NAME} did not start: {_tail(log)}")
        mock = cls(process, variables, log)
        try:
            mock._wait_until_healthy(deadline)
        except BaseException:
            mock.stop()
            raise
        return mock

    def _wait_until_healthy(self, deadline: float) -> None:
        while True:
            try:
                if self.health().get("status") == "ok":
                    return
            except (OSError, MockError):
                pass
            if not self.running:
                raise MockStartError(f"{BINARY_NAME} exited: {_tail(self._log)}")
            if time.monotonic() > deadline:
                raise MockStartError(f"{BINARY_NAME} did not answer /_mock/health in time")
            time.sleep(0.02)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL after five seconds). Idempotent."""
        _end(self._process)
        if not self._log.closed:
            self._log.close()

    def leave_running(self) -> str:
        """Lets the mock outlive this process, for a look at what a failed test left, and
        says how to open and stop it. Only a mock started with ``NIXBUILD_MOCK_KEEP=1`` in
        the environment can: any other ends with the process that started it."""
        if os.environ.get(KEEP_VARIABLE) != "1":
            raise RuntimeError(f"only a mock started with {KEEP_VARIABLE}=1 can outlive its starter")
        url = self.dashboard_url
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        return f"{BINARY_NAME} left running (pid {self.pid}): open {url} ; stop it with: kill {self.pid}"

    def log(self) -> str:
        """What the mock logged so far: one line per API request (never a token)."""
        if self._log.closed:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def __enter__(self) -> "NixbuildMock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the control API --------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        """A raw control request: `path` under the server's root (``/_mock/...``); the JSON
        answer, or None for 204. Raises MockError for an error answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.root_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.admin_token}")
        try:
            with _DIRECT.open(request, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                message = json.loads(payload)["error"]
            except (ValueError, KeyError, TypeError):
                message = payload.decode("utf-8", "replace")[:500]
            raise MockError(method, path, e.code, message) from None
        return json.loads(payload) if payload else None

    def _helper(self, method: str, path: str, body: Any) -> Any:
        """:meth:`control` for a helper: a refusal's hint names the helper's keyword
        (``allow_unknown_status=True``), not the control API's parameter it sends."""
        try:
            return self.control(method, path, body)
        except MockError as e:
            message = e.message
            for control_words, python_words in _HINTS_IN_PYTHON:
                message = message.replace(control_words, python_words)
            if message == e.message:
                raise
            raise MockError(method, path, e.status, message) from None

    def health(self) -> Dict[str, Any]:
        """``GET /_mock/health``."""
        return self.control("GET", "/_mock/health", auth=False)

    @property
    def dashboard_url(self) -> str:
        """A fresh one-time URL that opens this mock's dashboard in a browser
        (``POST /_mock/ui/login``): the requests the code under test sent, the builds,
        faults, clock and tokens. It works once, within ten minutes."""
        return str(self.control("POST", "/_mock/ui/login")["url"])

    def add_builds(
        self, builds: Iterable[Mapping[str, Any]], *, allow_unknown_status: bool = False
    ) -> List[int]:
        """Adds builds: complete builds (they have a ``derivation_path``), or fixture specs
        such as ``{"name": "hello-2.12", "status": "build_failed", "tags": {...}}``, filled in
        realistically. Returns their ids, in order.

        A status the mock does not know (a typo such as ``"failed"``) is refused with a
        MockError; ``allow_unknown_status=True`` adds one on purpose, as a status newer than
        the mock would be."""
        if isinstance(builds, Mapping):
            raise TypeError("add_builds takes a list of builds; add_build takes one")
        path = "/_mock/builds" + _allow_unknown(allow_unknown_status)
        return self._helper("POST", path, list(builds))["build_ids"]

    @overload
    def add_build(
        self,
        build: str,
        status: Optional[BuildStatusName] = None,
        *,
        allow_unknown_status: Literal[False] = False,
        **fields: Any,
    ) -> int: ...

    @overload
    def add_build(self, build: str, status: str, *, allow_unknown_status: Literal[True], **fields: Any) -> int: ...

    @overload
    def add_build(self, build: Mapping[str, Any], *, allow_unknown_status: bool = False) -> int: ...

    def add_build(
        self,
        build: Union[str, Mapping[str, Any]],
        status: Optional[str] = None,
        *,
        allow_unknown_status: bool = False,
        **fields: Any,
    ) -> int:
        """Adds one build; returns its id. Either a name, with its status (``built`` by
        default) and other fixture fields as keywords::

            mock.add_build("hello-2.12", "build_failed", tags={"GITHUB_RUN_ID": "42"})

        or one build or fixture spec as a mapping, as :meth:`add_builds` takes them::

            mock.add_build({"name": "hello-2.12", "status": "build_failed"})
        """
        if isinstance(build, Mapping):
            if status is not None or fields:
                raise TypeError("give a build as a mapping, or a name with keywords, not both")
            spec: Dict[str, Any] = dict(build)
        elif isinstance(build, str):
            spec = {"name": build, "status": status or "built", **fields}
        else:
            raise TypeError(f"add_build takes a name or a mapping, not {type(build).__name__}")
        return self.add_builds([spec], allow_unknown_status=allow_unknown_status)[0]

    @overload
    def set_status(
        self, build_id: int, status: BuildStatusName, *, allow_unknown_status: Literal[False] = False
    ) -> Dict[str, Any]: ...

    @overload
    def set_status(self, build_id: int, status: str, *, allow_unknown_status: Literal[True]) -> Dict[str, Any]: ...

    def set_status(self, build_id: int, status: str, *, allow_unknown_status: bool = False) -> Dict[str, Any]:
        """Moves a build to ``running`` or a finished status, at the mock's now; returns the
        build. Its duration is the time the mock's clock moved since it started (advance the
        clock between statuses to give it one)."""
        path = f"/_mock/builds/{int(build_id)}" + _allow_unknown(allow_unknown_status)
        return self._helper("PATCH", path, {"status": status})

    def build(self, build_id: int) -> Dict[str, Any]:
        """A stored build."""
        return self.control("GET", f"/_mock/builds/{int(build_id)}")

    def builds(self) -> List[Dict[str, Any]]:
        """Every stored build, newest first."""
        return self.control("GET", "/_mock/builds")

    def clear_builds(self) -> None:
        self.control("DELETE", "/_mock/builds")

    def mint_token(
        self,
        rights: Optional[Sequence[str]] = None,
        owner: Optional[int] = None,
        expires_in_seconds: Optional[int] = None,
        expires_at: Union[None, str, _dt.datetime] = None,
        legacy: bool = False,
        *,
        expires_in: Optional[_dt.timedelta] = None,
        allow_unknown_rights: bool = False,
    ) -> str:
        """A token signed by the mock's root key (``build:read``, account 1, an hour from the
        mock's now, unless told otherwise). A right nixbuild.net does not grant (a typo such
        as ``build:raed``) is refused unless ``allow_unknown_rights=True``."""
        if isinstance(rights, str):
            raise TypeError('rights is a list, such as ["build:read"]')
        if expires_in is not None:
            if expires_in_seconds is not None:
                raise TypeError("give expires_in or expires_in_seconds, not both")
            expires_in_seconds = _whole_seconds(expires_in, "expires_in")
        shape: Dict[str, Any] = {"legacy": legacy}
        if rights is not None:
            shape["rights"] = list(rights)
        if owner is not None:
            shape["owner"] = owner
        if expires_in_seconds is not None:
            shape["expires_in_seconds"] = expires_in_seconds
        if expires_at is not None:
            shape["expires_at"] = _rfc3339(expires_at)
        if allow_unknown_rights:
            shape["allow_unknown_rights"] = True
        return self._helper("POST", "/_mock/tokens", shape)["token"]

    def revoke(self, token: str) -> None:
        """Revokes `token` and every token attenuated from it: 401 from now on."""
        self.control("POST", "/_mock/tokens/revoke", {"token": token})

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        path: Optional[str] = None,
        retry_after_seconds: Optional[int] = None,
    ) -> Dict[str, Any]:
        """The next `times` API requests (of `path`, or any) answer `status`, with no
        ``Retry-After`` header unless `retry_after_seconds` asks for one (a client that
        honours it then waits that long before it retries)."""
        spec: Dict[str, Any] = {"status": status, "times": times}
        if path is not None:
            spec["path"] = path
        if retry_after_seconds is not None:
            spec["retry_after_seconds"] = retry_after_seconds
        return self.inject_fault(spec)

    def inject_fault(self, spec: Optional[Mapping[str, Any]] = None, **fields: Any) -> Dict[str, Any]:
        """Queues any fault, as a mapping or as keywords: one of ``status=``, ``delay_ms=``,
        ``malformed_body=True`` or ``drop_connection=True``, with ``times=``, ``path=`` and
        (with a status) ``retry_after_seconds=``. Returns the fault as queued."""
        if spec is not None and not isinstance(spec, Mapping):
            raise TypeError(f"inject_fault takes a mapping or keywords, not {type(spec).__name__}")
        if spec is not None and fields:
            raise TypeError("give the fault as a mapping or as keywords, not both")
        return self.control("POST", "/_mock/faults", dict(spec) if spec is not None else fields)

    def faults(self) -> List[Dict[str, Any]]:
        """``GET /_mock/faults``: the faults not yet used up, in the order they apply."""
        return self.control("GET", "/_mock/faults")

    def clear_faults(self) -> None:
        self.control("DELETE", "/_mock/faults")

    def received_requests(self, path: Optional[str] = None, method: Optional[str] = None) -> List[Dict[str, Any]]:
        """The journal of API requests, oldest first: method, path (relative to the API's
        root), operation, query, headers (secrets redacted), body, status, auth. The same
        name as the Rust mock's; ``requests`` is the same."""
        query = {k: v for k, v in (("path", path), ("method", method)) if v is not None}
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self.control("GET", "/_mock/requests" + suffix)

    requests = received_requests

    def request_count(self, path: str) -> int:
        """How many API requests went to ``path`` (relative to the API's root), whatever
        their answer."""
        return len(self.received_requests(path=path))

    def clear_requests(self) -> None:
        self.control("DELETE", "/_mock/requests")

    def clock(self) -> Dict[str, Any]:
        """The mock's now, and whether it is frozen."""
        return self.control("GET", "/_mock/clock")

    def set_clock(self, now: Union[str, _dt.datetime]) -> Dict[str, Any]:
        """Freezes the mock's clock at `now`."""
        return self.control("PUT", "/_mock/clock", {"now": _rfc3339(now)})

    def advance_clock(self, by: Union[float, _dt.timedelta], *, backwards: bool = False) -> Dict[str, Any]:
        """Moves the mock's clock forward by `by` (a ``timedelta``, or seconds) and freezes it
        there. Moving it back is refused unless ``backwards=True``: a negative value is more
        often a sign error than a test of time running backwards."""
        if isinstance(by, _dt.timedelta):
            seconds = by.total_seconds()
        elif isinstance(by, (int, float)) and not isinstance(by, bool):
            seconds = float(by)
        else:
            raise TypeError(f"advance_clock takes a timedelta or seconds, not {type(by).__name__}")
        if seconds < 0 and not backwards:
            raise ValueError(
                f"advance_clock({by!r}) would move the clock back; pass backwards=True if that is meant"
            )
        return self.control("PUT", "/_mock/clock", {"advance_seconds": seconds})

    def reset_clock(self) -> None:
        """Real time again."""
        self.control("DELETE", "/_mock/clock")


#: The control API's hints, and what a Python caller of the helpers writes instead.
_HINTS_IN_PYTHON = (
    ("add ?allow_unknown_status=true", "pass allow_unknown_status=True"),
    ('add "allow_unknown_rights": true', "pass allow_unknown_rights=True"),
)


def _allow_unknown(allowed: bool) -> str:
    """The query that lets the mock take a status it does not know, on purpose."""
    return "?allow_unknown_status=true" if allowed else ""


def _whole_seconds(delta: _dt.timedelta, name: str) -> int:
    seconds = delta.total_seconds()
    if seconds < 0 or seconds != int(seconds):
        raise ValueError(f"{name} is a whole, non-negative number of seconds")
    return int(seconds)


def _rfc3339(value: Union[str, _dt.datetime]) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("give an aware datetime (with a timezone), such as datetime.now(timezone.utc)")
    return value.isoformat()


def _child_environment() -> dict[str, str]:
    """The environment a started mock gets: this process's, less the variables a running
    mock exports. After `. ./mock.env` a shell holds another mock's NIXBUILD_MOCK_ADMIN_TOKEN,
    which the binary would take as its own: every mock started here has a fresh one."""
    return {name: value for name, value in os.environ.items() if not name.startswith("NIXBUILD_MOCK_")}


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def _tail(log) -> str:
    try:
        log.flush()
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return "(no log)"
    return text[-2000:].strip() or "(it printed nothing)"
