"""The topology test's own parts (devtools/topology.py); `make topology` runs the whole."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devtools.topology import Visitor, _level, _wrk_script


class _CookieJarServer(BaseHTTPRequestHandler):
    """Sets a cookie on /set, deletes it on /delete, and echoes the Cookie header."""

    def do_GET(self):
        self.send_response(200)
        if self.path == "/set":
            self.send_header("Set-Cookie", "sessionid=abc; Path=/; Secure; HttpOnly")
            self.send_header("Set-Cookie", "csrftoken=tok; Path=/; Secure")
        if self.path == "/delete":
            self.send_header("Set-Cookie", 'sessionid=""; Max-Age=0; Path=/')
        self.end_headers()
        self.wfile.write((self.headers.get("Cookie") or "").encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieJarServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_a_visitor_keeps_secure_cookies_over_loopback_http_and_drops_deleted_ones(port):
    visitor = Visitor()
    visitor.get(port, "/set")
    echoed = visitor.get(port, "/echo").text
    assert "sessionid=abc" in echoed and "csrftoken=tok" in echoed
    visitor.get(port, "/delete")
    assert visitor.cookies == {"csrftoken": "tok"}


def test_the_load_script_sends_every_planned_answer_once_in_order():
    plan = [(f"/r/{n}/answer/", f"question=q{n}&choice-q{n}=3") for n in range(3)]
    script = _wrk_script(plan, csrf="tok")
    assert re.findall(r'\{"([^"]*)", "([^"]*)"\}', script) == plan
    assert 'wrk.headers["X-CSRFToken"] = "tok"' in script
    assert "rows[((i - 1) % #rows) + 1]" in script


def test_the_planned_levels_cover_every_level():
    assert {_level(r, q) for r in range(5) for q in range(5)} == {"1", "2", "3", "4", "5"}
