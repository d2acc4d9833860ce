"""`make bench`'s load test: gunicorn on loopback, loaded by wrk for a few seconds a target.

It serves the benchmark's throwaway database with production settings (DEBUG off) plus a bare
view (`devtools.bench_settings`), and loads in turn, each for the same time and with the same
connections: the bare view, the read pages (logged in), and answer saves through a
respondent's link (htmx posts with a CSRF token, cycling through questions and levels); then a
live workshop's 40 phones, each with its own session, at the room's pace of 20 requests a
second: their polls (nothing changed: 204) and their votes.

It runs twice: on SQLite with 2 workers and 4 connections, the development set-up, against
the bare view; and on a throwaway PostgreSQL with 4 workers and 16 connections, the production
set-up, against latency targets (`manage.py bench --load-on-postgres`).
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

SECONDS = 8
TARGET_SAVE_SHARE = 0.5  # answer saves: at least half the bare view's throughput
TARGET_RESULTS_P50 = 4.0  # results page p50: at most 4x the bare view's
# On PostgreSQL with 4 workers and 16 connections (issue 18's targets).
TARGET_SAVE_P99_MS = 250.0
TARGET_READ_P99_MS = 300.0
READ_PAGES = ("Results page", "Dashboard", "Questionnaire page")
# The workshop's loads are paced a fifth above their 20 requests a second over 8 connections,
# as each response's own time slows a paced connection down; a load held up below 90% of the
# pace misses its target however quick its answers.
PACE = 1.2 * TARGET_REQUESTS_PER_SECOND
PACED_CONNECTIONS = 8


@dataclass(frozen=True)
class Setup:
    workers: int
    connections: int

    @property
    def production(self) -> bool:
        """PostgreSQL's set-up, judged by latency, not by the ratio to a bare view."""
        return connection.vendor == "postgresql"


DEVELOPMENT = Setup(workers=2, connections=4)
PRODUCTION = Setup(workers=4, connections=16)


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


def _start_server(port: int, workers: int) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "gunicorn", "gtm.wsgi"),
        *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
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


def _paced(script: str, per_second: float | None, connections: int) -> str:
    """The script at about `per_second` requests a second over all connections: wrk waits
    `delay` milliseconds before each request of a connection (and leaves the wait out of the
    latency), so the rate is a little lower, by each response's own time."""
    if not per_second:
        return script
    return script + f"delay = function() return {connections * 1000 / per_second:g} end\n"


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


def _run_wrk(url: str, script: str, connections: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = [
            *("wrk", "--threads", "2", "--connections", str(connections), "--timeout", "10s"),
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


def run(scene, setup: Setup = DEVELOPMENT) -> tuple[list[Load], list[LoadTarget]]:
    """Load the bare view, the read pages and answer saves; judge them by `setup`'s targets."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    session = scene.owner_client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = scene.respondent_client.cookies[settings.CSRF_COOKIE_NAME].value
    owner = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    respondent = {"Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}"}
    save_headers = {
        **respondent,
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }

    def load(name: str, path: str, script: str) -> Load:
        return parse_wrk(name, _run_wrk(f"{base}{path}", script, setup.connections))

    server = _start_server(port, setup.workers)
    try:
        loads = [
            load("Bare Django view", "/bench/bare/", _script(method="GET", headers={}, bodies=[]))
        ]
        for name in READ_PAGES:
            headers = respondent if name == "Questionnaire page" else owner
            loads.append(
                load(name, scene.pages[name], _script(method="GET", headers=headers, bodies=[]))
            )
        bodies = [urlencode(body) for body in scene.answer_bodies]
        loads.append(
            load(
                "Answer save (htmx)",
                scene.answer_url,
                _script(method="POST", headers=save_headers, bodies=bodies),
            )
        )
        workshop = _workshop_loads(scene.workshop, base)
    finally:
        server.terminate()
        server.wait(timeout=30)
    targets = _production_targets(loads) if setup.production else _development_targets(loads)
    targets += _workshop_targets(workshop)
    loads += workshop
    return loads, [*targets, LoadTarget("no failed requests", all(x.errors == 0 for x in loads))]


def _workshop_loads(workshop, base: str) -> list[Load]:
    """The workshop's 40 phones at the pace of their polls: 20 requests a second."""
    poll = _script(method="GET", headers=workshop.poll_headers(), bodies=[])
    vote = _script_per_request(method="POST", requests=workshop.vote_requests())
    paced = [
        ("Workshop poll, 20/s", workshop.poll_url, poll),
        ("Workshop vote, 20/s", workshop.vote_url, vote),
    ]
    return [
        parse_wrk(
            name,
            _run_wrk(f"{base}{path}", _paced(script, PACE, PACED_CONNECTIONS), PACED_CONNECTIONS),
        )
        for name, path, script in paced
    ]


def _workshop_targets(loads: list[Load]) -> list[LoadTarget]:
    return [
        LoadTarget(
            f"{load.name.lower()}: p99 <= {TARGET_P99_MS:g} ms: {load.p99_ms:.0f} ms at "
            f"{load.requests_per_second:.0f} requests/s",
            # A paced load that could not keep its pace was held up: missed too.
            load.p99_ms <= TARGET_P99_MS
            and load.requests_per_second >= 0.9 * TARGET_REQUESTS_PER_SECOND,
        )
        for load in loads
    ]


def _development_targets(loads: list[Load]) -> list[LoadTarget]:
    bare, results, save = loads[0], loads[1], loads[-1]
    return [
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
    ]


def _production_targets(loads: list[Load]) -> list[LoadTarget]:
    reads, save = loads[1:-1], loads[-1]
    slowest = max(reads, key=lambda load: load.p99_ms)
    return [
        LoadTarget(
            f"answer save p99 < {TARGET_SAVE_P99_MS:g} ms: {save.p99_ms:.0f} ms",
            save.p99_ms < TARGET_SAVE_P99_MS,
        ),
        LoadTarget(
            f"every read page's p99 < {TARGET_READ_P99_MS:g} ms: the slowest, "
            f"{slowest.name.lower()}, {slowest.p99_ms:.0f} ms",
            slowest.p99_ms < TARGET_READ_P99_MS,
        ),
    ]


def table(loads: list[Load], targets: list[LoadTarget], setup: Setup = DEVELOPMENT) -> str:
    bare = loads[0]
    database = "PostgreSQL" if setup.production else "SQLite"
    lines = [
        f"Load test on {database}: gunicorn with {setup.workers} workers on loopback, wrk with "
        f"{setup.connections} connections for {SECONDS} s each",
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
