"""`make topology`: Relay run as production runs it, on one machine, and checked end to end.

A real PostgreSQL and a real Redis (throwaway, on free loopback ports), two gunicorn app
servers with production settings on different ports, and one `db_worker`. Then, against both
servers alternately: a login on one carries on on the other; answers saved through both read
back through the other; a results page rendered by one is served by the other from the shared
cache; a PDF report is rendered once, by the worker, and downloads from both; and a bounded
load through both loses no answer. It prints its figures and exits non-zero on any failure.

Run it with `make topology` (`.ci/run` does too); it needs Debian's postgresql, redis-server
and wrk.
"""

import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from devtools.services import PostgresServer, RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "topology-" + secrets.token_urlsafe(8)
WORKERS_PER_SERVER = 2
LOAD_SECONDS = 20
LOAD_CONNECTIONS_PER_SERVER = 8  # 16 in all
LOAD_RESPONDENTS_PER_SERVER = 100  # each saves every question once: more than the load sends


class TopologyFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise TopologyFailure(message)


# -- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Visitor:
    """A browser, reduced to its cookies: each request may go to either server."""

    cookies: dict[str, str] = field(default_factory=dict)

    def send(self, port: int, method: str, path: str, *, form=None, headers=None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if "csrftoken" in self.cookies:
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        connection.request(method, path, body, {**sent, **(headers or {})})
        answer = connection.getresponse()
        response = Response(answer.status, answer.headers, answer.read())
        connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, port: int, path: str, **kwargs) -> Response:
        return self.send(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, form: dict, **kwargs) -> Response:
        return self.send(port, "POST", path, form=form, **kwargs)


# -- the installation ------------------------------------------------------------------------


def production_environment(*, database_url: str, cache_url: str, scratch: Path) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "gtm.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain http on loopback, no proxy in front
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "WEB_CONCURRENCY": str(WORKERS_PER_SERVER),
        "TASKS_BACKEND": "database",
        "REPORT_BACKGROUND_SECONDS": "0",  # every report goes to the worker
        "MEDIA_ROOT": str(scratch / "media"),
        "STATIC_ROOT": str(scratch / "static"),
        "LOG_LEVEL": "WARNING",
    }


def _start_app_server(port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "gtm.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS_PER_SERVER), "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own command
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Visitor().get(port, "/accounts/login/")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn on port {port} did not answer within 30 seconds")


@dataclass
class Scene:
    workspace_slug: str
    owner_email: str
    results_path: str
    report_path: str
    status_path: str
    assessment_id: int
    open_assessment_id: int
    section_path: Callable[[str], str]
    answer_path: Callable[[str], str]
    questions: list[str]
    load_tokens: list[list[str]]  # per server


def set_up_data() -> Scene:
    """Migrate, load the bank and a small scale workspace, and respondents for the load."""
    from django.core.management import call_command
    from django.urls import reverse

    from assessments.models import Assessment, Respondent
    from devtools.scale import SCALE_OWNER, seed_scale

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    summary = seed_scale(clients=2, password=PASSWORD)
    workspace = summary.workspace
    client = workspace.clients.order_by("name").first()
    assessments = list(client.assessments.order_by("year", "quarter"))
    closed = [a for a in assessments if a.status == Assessment.Status.CLOSED][-1]
    opened = assessments[-1]
    questions = list(opened.bank_version.questions.order_by("pk").values_list("key", flat=True))

    def tokens(count: int, server: str) -> list[str]:
        people = [
            Respondent.objects.create(assessment=opened, name=f"Load {server} {n}", role="sales")
            for n in range(count)
        ]
        return [person.issue_link() for person in people]

    args = [workspace.slug, closed.pk]
    return Scene(
        workspace_slug=workspace.slug,
        owner_email=SCALE_OWNER,
        results_path=reverse("assessments:results", args=args),
        report_path=reverse("assessments:report_pdf", args=args),
        status_path=reverse("assessments:report_status", args=args),
        assessment_id=closed.pk,
        open_assessment_id=opened.pk,
        section_path=lambda token: reverse(
            "assessments:respondent_section", kwargs={"token": token, "section": "process"}
        ),
        answer_path=lambda token: reverse("assessments:respondent_answer", kwargs={"token": token}),
        questions=questions,
        load_tokens=[tokens(LOAD_RESPONDENTS_PER_SERVER, name) for name in "AB"],
    )


# -- the checks ------------------------------------------------------------------------------


def check_sessions(a: int, b: int, scene: Scene) -> Visitor:
    owner = Visitor()
    owner.get(a, "/accounts/login/")
    login = owner.post(a, "/accounts/login/", {"username": scene.owner_email, "password": PASSWORD})
    check(login.status == 302, f"login on server A answered {login.status}")
    dashboard = owner.get(b, f"/w/{scene.workspace_slug}/")
    check(dashboard.status == 200, f"the dashboard on server B answered {dashboard.status}")
    check("Sasha Scale" in dashboard.text, "server B did not know the user logged in on A")
    return owner


_KEY = r"[\w.-]+"  # a question's key, e.g. process.gtm_brief
_CHECKED = re.compile(rf'name="choice-({_KEY})" value="(\w+)" checked')


def check_answers(a: int, b: int, scene: Scene) -> int:
    from assessments.models import Respondent

    person = Respondent.objects.create(
        assessment_id=scene.open_assessment_id, name="Topology Respondent", role="marketing"
    )
    token = person.issue_link()
    respondent = Visitor()
    page = respondent.get(a, scene.section_path(token))
    check(page.status == 200, f"the questionnaire on server A answered {page.status}")
    keys = list(dict.fromkeys(re.findall(rf'name="choice-({_KEY})"', page.text)))
    check(bool(keys), "the questionnaire page showed no question")
    chosen = {key: str(n % 5 + 1) for n, key in enumerate(keys)}
    for n, key in enumerate(keys):
        port = (a, b)[n % 2]
        saved = respondent.post(
            port, scene.answer_path(token), {"question": key, f"choice-{key}": chosen[key]}
        )
        check(saved.status in (200, 302), f"saving an answer answered {saved.status}")
    for port in (a, b):  # each server shows what was saved through the other
        shown = dict(_CHECKED.findall(respondent.get(port, scene.section_path(token)).text))
        check(shown == chosen, f"the answers read back on port {port} were {shown}")
    return len(keys)


def check_shared_results_cache(a: int, b: int, owner: Visitor, scene: Scene, redis_url: str):
    import redis

    store = redis.Redis.from_url(redis_url)
    pattern = f"relay:*results-body:{scene.assessment_id}:*"
    check(not store.keys(pattern), "the results page was cached before anyone opened it")
    first = owner.get(a, scene.results_path)
    check(first.status == 200, f"the results page on server A answered {first.status}")
    keys = store.keys(pattern)
    check(len(keys) == 1, f"server A's render left {len(keys)} entries in Redis")
    # Each rendering stores a fresh random placeholder for the CSRF token: if B rendered the
    # body again, the stored entry would change.
    stored = store.get(keys[0])
    second = owner.get(b, scene.results_path)
    check(second.status == 200, f"the results page on server B answered {second.status}")
    check(store.get(keys[0]) == stored, "server B rendered the results page again")
    check(store.keys(pattern) == keys, "server B stored a results page of its own")
    return {"renders": 1, "served from the shared cache": 1}


def check_report(a: int, b: int, owner: Visitor, scene: Scene) -> dict:
    from assessments.models import ReportRender

    started = time.monotonic()
    firsts = [owner.get(port, scene.report_path) for port in (a, b, a, b)]
    check(
        all(r.status == 302 for r in firsts), "a first report download did not wait for the worker"
    )
    deadline = time.monotonic() + 120
    while True:
        rows = list(ReportRender.objects.filter(assessment_id=scene.assessment_id))
        if rows and all(row.status == ReportRender.Status.READY for row in rows):
            break
        check(not any(row.status == ReportRender.Status.FAILED for row in rows), "render failed")
        check(time.monotonic() < deadline, "the worker did not render the report in 2 minutes")
        owner.get((a, b)[int(time.monotonic()) % 2], scene.status_path)  # as the page polls
        time.sleep(0.5)
    seconds = time.monotonic() - started
    check(len(rows) == 1, f"the report was rendered {len(rows)} times")
    downloads = [owner.get(port, scene.report_path) for port in (a, b)]
    for download in downloads:
        check(download.status == 200, f"the ready report answered {download.status}")
        check(download.body.startswith(b"%PDF"), "the ready report is not a PDF")
    check(downloads[0].body == downloads[1].body, "the servers sent different reports")
    check(
        ReportRender.objects.filter(assessment_id=scene.assessment_id).count() == 1,
        "a download rendered the report again",
    )
    return {"renders": len(rows), "seconds to ready": round(seconds, 1)}


def _wrk_script(requests: list[tuple[str, str]], csrf: str) -> str:
    """One wrk thread sending each (path, body) in turn: with a single thread the counter is
    shared by all its connections, so every answer is sent exactly once, in order."""
    rows = ",\n".join(f'{{"{path}", "{body}"}}' for path, body in requests)
    return f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken={csrf}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["HX-Request"] = "true"
local rows = {{
{rows}
}}
local i = 0
request = function()
  i = i + 1
  local row = rows[((i - 1) % #rows) + 1]
  return wrk.format(nil, row[1], nil, row[2])
end
"""


def _level(respondent: int, question: int) -> str:
    return str((respondent + question) % 5 + 1)


def check_load(a: int, b: int, scene: Scene) -> dict:
    from assessments.models import Answer
    from devtools.loadtest import parse_wrk

    csrf = Visitor()
    csrf.get(a, scene.section_path(scene.load_tokens[0][0]))
    token = csrf.cookies["csrftoken"]
    plans, runs = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for server, port in enumerate((a, b)):
            requests = [
                (
                    scene.answer_path(respondent_token),
                    urlencode({"question": key, f"choice-{key}": _level(r, q)}),
                )
                for r, respondent_token in enumerate(scene.load_tokens[server])
                for q, key in enumerate(scene.questions)
            ]
            plans.append(requests)
            script = Path(scratch) / f"load-{server}.lua"
            script.write_text(_wrk_script(requests, token))
            command = ["wrk", "--threads", "1", "--connections", str(LOAD_CONNECTIONS_PER_SERVER)]
            command += ["--duration", f"{LOAD_SECONDS}s", "--timeout", "10s", "--latency"]
            command += ["--script", str(script), f"http://127.0.0.1:{port}/"]
            runs.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))  # noqa: S603
        outputs = [run.communicate(timeout=LOAD_SECONDS + 60)[0] for run in runs]
    loads = [parse_wrk(f"server {name}", out) for name, out in zip("AB", outputs, strict=True)]
    sent = [int(re.search(r"(\d+) requests in", out).group(1)) for out in outputs]
    for load, plan, count in zip(loads, plans, sent, strict=True):
        check(load.errors == 0, f"{load.name}: {load.errors} failed requests under load")
        check(count < len(plan), f"{load.name} ran out of distinct answers to send")
    lost = wrong = 0
    for server, count in enumerate(sent):
        saved = {
            (row["respondent__name"], row["question__key"]): row["choice"]
            for row in Answer.objects.filter(
                respondent__name__startswith=f"Load {'AB'[server]} "
            ).values("respondent__name", "question__key", "choice")
        }
        expected = {
            (f"Load {'AB'[server]} {r}", key): _level(r, q)
            for r in range(len(scene.load_tokens[server]))
            for q, key in enumerate(scene.questions)
        }
        wrong += sum(1 for pair, choice in saved.items() if expected.get(pair) != choice)
        # wrk counts the answers it saw answered; those still in flight when it stopped may
        # have been saved too, so at least `count` must be there.
        lost += max(0, count - (len(saved) - wrong))
    check(wrong == 0, f"{wrong} answers in the database differ from what was sent")
    check(lost == 0, f"{lost} answers the servers accepted are missing from the database")
    return {
        "requests": sum(sent),
        "errors": sum(load.errors for load in loads),
        "lost answers": lost,
        "requests/s": round(sum(load.requests_per_second for load in loads)),
        "p50 ms": max(load.p50_ms for load in loads),
        "p99 ms": max(load.p99_ms for load in loads),
    }


# -- the run ---------------------------------------------------------------------------------


def run() -> int:
    postgres, redis_server = PostgresServer(), RedisServer()
    processes: list[subprocess.Popen] = []
    try:
        postgres.start()
        redis_server.start()
        scratch = Path(tempfile.mkdtemp(prefix="relay-topology-"))
        env = production_environment(
            database_url=postgres.url, cache_url=redis_server.url, scratch=scratch
        )
        os.environ.update(env)
        import django

        django.setup()
        started = time.monotonic()
        scene = set_up_data()
        print(f"data ready in {time.monotonic() - started:.0f} s")
        server_env = {**os.environ, **env}
        a, b = free_port(), free_port()
        processes.append(_start_app_server(a, server_env))
        processes.append(_start_app_server(b, server_env))
        worker = [sys.executable, "manage.py", "db_worker"]
        processes.append(subprocess.Popen(worker, cwd=ROOT, env=server_env))  # noqa: S603
        print(f"app servers on ports {a} and {b} ({WORKERS_PER_SERVER} workers each), one worker")

        owner = check_sessions(a, b, scene)
        print("sessions: logged in on A, carried on on B")
        saved = check_answers(a, b, scene)
        print(f"answers: {saved} saved through A and B alternately, each read back through both")
        print(f"results cache: {check_shared_results_cache(a, b, owner, scene, redis_server.url)}")
        print(f"PDF report: {check_report(a, b, owner, scene)}")
        print(
            f"load through A and B, {2 * LOAD_CONNECTIONS_PER_SERVER} connections: "
            f"{check_load(a, b, scene)}"
        )
    except TopologyFailure as failure:
        print(f"TOPOLOGY FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        redis_server.stop()
        postgres.stop()
    print("topology passed")
    return 0


if __name__ == "__main__":
    sys.exit(run())
