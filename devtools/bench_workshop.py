"""`make bench`'s live workshop: 40 phones joined to a running workshop, each holding its own
session. In-process, a phone's poll that finds nothing changed (the workshop's one query, a
204) and a vote are timed against the anchors; the load test (`devtools.loadtest`) then sends
polls and votes of all 40 phones through gunicorn.

The workshop's load is 40 phones polling every 2 seconds, 20 requests a second, with a p99 under
200 ms for the poll and the vote: wrk sends each at that pace (its `delay`), the votes as if
every phone voted at every poll, far more than a room does.
"""

from dataclasses import dataclass
from itertools import cycle
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from workshops import services
from workshops.models import Workshop

PHONES = 40
TARGET_POLL_VS_MINIMAL = 1.3  # no more than a cached page (the results page's target)
TARGET_P99_MS = 200.0
TARGET_REQUESTS_PER_SECOND = PHONES / 2  # each phone polls every 2 seconds


@dataclass(frozen=True)
class WorkshopScene:
    workshop: Workshop
    poll_url: str  # with the stage the phones show: answered 204
    vote_url: str
    phones: list[Client]  # each joined, holding its session and CSRF cookies

    def poll_headers(self) -> dict[str, str]:
        return {"HX-Request": "true"}

    def vote_requests(self) -> list[tuple[dict[str, str], str]]:
        """(headers, body) of a vote by each phone, at levels in turn, for wrk."""
        requests = []
        for number, phone in enumerate(self.phones):
            session = phone.cookies[settings.SESSION_COOKIE_NAME].value
            csrf = phone.cookies[settings.CSRF_COOKIE_NAME].value
            headers = {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "X-CSRFToken": csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            requests.append((headers, urlencode({"choice": str(number % 5 + 1)})))
        return requests


def build_workshop_scene(assessment: Assessment, phones: int = PHONES) -> WorkshopScene:
    """A running workshop of the open assessment, with `phones` people joined by its code."""
    workshop = services.create_workshop(
        assessment=assessment, scope="all", created_by=assessment.created_by
    )
    services.start(workshop=workshop)
    joined = []
    for number in range(phones):
        phone = Client()
        response = phone.post(
            reverse("workshops:join", args=[workshop.code]),
            {"name": f"Workshop phone {number + 1}", "role": "sales"},
        )
        assert response.status_code == 302, response.status_code
        phone.get(reverse("workshops:phone", args=[workshop.code]))  # the CSRF cookie
        joined.append(phone)
    workshop.refresh_from_db()
    poll = reverse("workshops:phone_live", args=[workshop.code])
    return WorkshopScene(
        workshop,
        f"{poll}?s={workshop.stage}",
        reverse("workshops:vote", args=[workshop.code]),
        joined,
    )


def poll_work(scene: WorkshopScene):
    phone = scene.phones[0]

    def poll():
        response = phone.get(scene.poll_url, headers=scene.poll_headers())
        assert response.status_code == 204, response.status_code

    return poll


def vote_work(scene: WorkshopScene):
    """Each phone's vote in turn, at levels in turn (the test client checks no CSRF)."""
    turns = cycle(enumerate(scene.phones))

    def vote():
        number, phone = next(turns)
        response = phone.post(
            scene.vote_url, {"choice": str(number % 5 + 1)}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200, response.status_code

    return vote
