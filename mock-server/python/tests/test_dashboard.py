"""The dashboard's login URL from Python: it opens one session, once, and holds no secret."""

import urllib.error
import urllib.request
from email.message import Message
from typing import IO, Optional, Tuple


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> Optional[urllib.request.Request]:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _status_and_headers(url: str) -> Tuple[int, Message]:
    try:
        with _OPENER.open(url, timeout=30) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def test_a_dashboard_url_opens_one_session_once(nixbuild_mock):
    url = nixbuild_mock.dashboard_url
    assert url.startswith(nixbuild_mock.root_url + "/_mock/ui/login?code=")
    assert nixbuild_mock.admin_token not in url and nixbuild_mock.token not in url
    status, headers = _status_and_headers(url)
    assert status == 303
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert _status_and_headers(url)[0] == 401, "a login URL works once"
    assert nixbuild_mock.dashboard_url != url, "each is fresh"
