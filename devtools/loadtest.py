"""`make bench`'s load test: gunicorn (2 workers) on loopback, loaded by wrk for a few seconds.

It serves the benchmark's throwaway database with production settings (DEBUG off) plus a bare
view (`devtools.bench_settings`), and loads three things in turn, each for the same time and with
the same connections: the bare view, the results page (logged in), answer saves through a
respondent's link (htmx posts with a CSRF token, cycling through questions and levels), and a
live workshop's 40 phones: their polls (nothing changed: 204) and their votes, each phone with
its own session.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

from devtools.bench_workshop import TARGET_P99_MS, TARGET_REQUESTS_PER_SECOND

WORKERS = 2
CONNECTIONS = 4
SECONDS = 8
TARGET_SAVE_SHARE = 0.5  # answer saves: at least half the bare view's throughput
TARGET_RESULTS_P50 = 4.0  # results page p50: at most 4x the bare view's
# The workshop's loads are paced a tenth above their 20 requests a second, as each response's
# own time slows a paced connection down.
PACE = 1.1 * TARGET_REQUESTS_PER_SECOND


@dataclass(frozen=True)
class Load:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses and socket errors


@dataclass(frozen=True)
class LoadTarget:
    text: str
    met: bool


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def database_url() -> str:
    """The URL of the database this process uses (the benchmark's throwaway one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.bench_settings",
        "DEBUG": "false",
        # The same key as this process, so the sessions it logged in are valid there too.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
    }


def _start_server(port: int) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "gunicorn", "gtm.wsgi"),
        *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
    ]
    server = subprocess.Popen(command, env=_server_env(port))  # noqa: S603 - our own command
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 30 seconds")


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _script(*, method: str, headers: dict[str, str], bodies: list[str]) -> str:
    """A wrk script sending `bodies` in turn (or a plain request when there are none)."""
    header_lines = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
    )
    if not bodies:
        return f'wrk.method = "{method}"\n{header_lines}\n'
    body_list = ",\n".join(_lua_string(body) for body in bodies)
    return f"""{header_lines}
local bodies = {{
{body_list}
}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("{method}", nil, nil, bodies[(i % #bodies) + 1])
end
"""


def _paced(script: str, per_second: float | None) -> str:
    """The script at about `per_second` requests a second over all connections: wrk waits
    `delay` milliseconds before each request of a connection (and leaves the wait out of the
    latency), so the rate is a little lower, by each response's own time."""
    if not per_second:
        return script
    return script + f"delay = function() return {CONNECTIONS * 1000 / per_second:g} end\n"


def _script_per_request(*, method: str, requests: list[tuple[dict[str, str], str]]) -> str:
    """A wrk script sending each request (its own headers and body) in turn: the workshop's
    phones, each with its session."""
    rows = ",\n".join(
        "{{{{{}}}, {}}}".format(
            ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()),
            _lua_string(body),
        )
        for headers, body in requests
    )
    return f"""local requests = {{
{rows}
}}
local i = 0
request = function()
  i = i + 1
  local r = requests[(i % #requests) + 1]
  return wrk.format("{method}", nil, r[1], r[2])
end
"""


def _run_wrk(url: str, script: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = [
            *("wrk", "--threads", "2", "--connections", str(CONNECTIONS), "--timeout", "10s"),
            *("--duration", f"{SECONDS}s", "--latency", "--script", file.name, url),
        ]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        Path(file.name).unlink()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not match:
        raise ValueError(f"wrk printed no {percentile}% latency:\n{output}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(name: str, output: str) -> Load:
    """Read requests per second, p50, p99 and errors from `wrk --latency` output."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not rate:
        raise ValueError(f"wrk printed no Requests/sec:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Load(
        name, float(rate.group(1)), _latency_ms(output, "50"), _latency_ms(output, "99"), errors
    )


def run(scene) -> tuple[list[Load], list[LoadTarget]]:
    """Load the bare view, the results page and answer saves; compare them with the bare view."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    session = scene.owner_client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = scene.respondent_client.cookies[settings.CSRF_COOKIE_NAME].value
    save_headers = {
        "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    server = _start_server(port)
    try:
        loads = [
            parse_wrk(
                "Bare Django view",
                _run_wrk(f"{base}/bench/bare/", _script(method="GET", headers={}, bodies=[])),
            ),
            parse_wrk(
                "Results page",
                _run_wrk(
                    f"{base}{scene.pages['Results page']}",
                    _script(
                        method="GET",
                        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
                        bodies=[],
                    ),
                ),
            ),
            parse_wrk(
                "Answer save (htmx)",
                _run_wrk(
                    f"{base}{scene.answer_url}",
                    _script(
                        method="POST",
                        headers=save_headers,
                        bodies=[urlencode(body) for body in scene.answer_bodies],
                    ),
                ),
            ),
            # The workshop's 40 phones at the pace of their polls: 20 requests a second.
            parse_wrk(
                "Workshop poll, 20/s",
                _run_wrk(
                    f"{base}{scene.workshop.poll_url}",
                    _paced(
                        _script(method="GET", headers=scene.workshop.poll_headers(), bodies=[]),
                        PACE,
                    ),
                ),
            ),
            parse_wrk(
                "Workshop vote, 20/s",
                _run_wrk(
                    f"{base}{scene.workshop.vote_url}",
                    _paced(
                        _script_per_request(method="POST", requests=scene.workshop.vote_requests()),
                        TARGET_REQUESTS_PER_SECOND,
                    ),
                ),
            ),
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare, results, save, poll, vote = loads
    targets = [
        LoadTarget(
            f"results page p50 <= {TARGET_RESULTS_P50:g}x bare view: "
            f"{results.p50_ms / bare.p50_ms:.2f}x",
            results.p50_ms <= TARGET_RESULTS_P50 * bare.p50_ms,
        ),
        LoadTarget(
            f"answer saves >= {TARGET_SAVE_SHARE:.0%} of bare view's requests/s: "
            f"{save.requests_per_second / bare.requests_per_second:.0%}",
            save.requests_per_second >= TARGET_SAVE_SHARE * bare.requests_per_second,
        ),
        *(
            LoadTarget(
                f"{load.name.lower()}: p99 <= {TARGET_P99_MS:g} ms: {load.p99_ms:.0f} ms at "
                f"{load.requests_per_second:.0f} requests/s",
                # A paced load that could not keep its pace was held up: missed too.
                load.p99_ms <= TARGET_P99_MS
                and load.requests_per_second >= 0.95 * TARGET_REQUESTS_PER_SECOND,
            )
            for load in (poll, vote)
        ),
        LoadTarget("no failed requests", all(load.errors == 0 for load in loads)),
    ]
    return loads, targets


def table(loads: list[Load], targets: list[LoadTarget]) -> str:
    bare = loads[0]
    lines = [
        f"Load test: gunicorn with {WORKERS} workers on loopback, wrk with {CONNECTIONS} "
        f"connections for {SECONDS} s each",
        "",
        f"{'load':<22} {'requests/s':>10} {'p50':>9} {'p99':>9}  {'vs bare (req/s, p50)':<22}"
        f" errors",
        "-" * 84,
    ]
    for load in loads:
        share = load.requests_per_second / bare.requests_per_second
        slower = load.p50_ms / bare.p50_ms
        lines.append(
            f"{load.name:<22} {load.requests_per_second:>10.0f} {load.p50_ms:>7.1f}ms "
            f"{load.p99_ms:>7.1f}ms  {share:>5.0%}, {slower:>5.2f}x{'':<9} {load.errors}"
        )
    lines.append("")
    for target in targets:
        lines.append(f"target: {target.text}  {'ok' if target.met else 'MISSED'}")
    return "\n".join(lines)
