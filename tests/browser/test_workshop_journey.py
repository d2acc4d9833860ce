"""A whole live workshop in real browsers: a facilitator on the projector and three people on
their phones, each in a browser of their own. They join by code, vote, see the reveal, vote
a second round, the facilitator records the consensus and ends the workshop, and the results
page then shows the consensus."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    PASSWORD,
    add_member,
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_user,
    make_workspace,
)
from workshops.models import Vote

pytestmark = pytest.mark.django_db(transaction=True)

PROJECTOR = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
POLLED = 6000  # ms: the screens poll every 2 seconds


@pytest.fixture
def facilitated(live_server):
    consultant = make_user(name="Cara Consultant", email="cara@example.com")
    workspace = make_workspace(name="Northwind")
    add_member(workspace, role="consultant", user=consultant)
    version = make_bank_version(per_dimension=2)  # small: two questions a dimension
    assessment = make_assessment(
        make_client(workspace, name="Cobalt Health"), version=version, status="open"
    )
    rita = make_respondent(
        assessment, name="Rita Respondent", role="leadership", email="rita@example.com"
    )
    answer_all(rita, "3")  # answered alone before; she keeps her answers
    return assessment


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def new_context(browser):
    """Browser contexts for the test, closed after it: a page left open goes on polling the
    live server every 2 seconds, into the database, through the tests that follow."""
    opened = []

    def new(**options):
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def _watched(context, seen: list[str]):
    """A page of the context whose Content-Security-Policy violations land in `seen`."""
    page = context.new_page()
    page.expose_function("reportViolation", lambda text: seen.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    return page


def _axe(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def _vote(phone, level: int) -> None:
    phone.locator("label.choice").nth(level - 1).click()
    expect(phone.locator(".vote-status")).to_contain_text("Your vote")


def test_a_whole_workshop_from_joining_to_the_results(live_server, new_context, facilitated):
    assessment = facilitated
    blocked: list[str] = []
    projector = _watched(new_context(viewport=PROJECTOR), blocked)
    projector.goto(f"{live_server.url}/accounts/login/")
    projector.get_by_label("Email").fill("cara@example.com")
    projector.get_by_label("Password").fill(PASSWORD)
    projector.get_by_role("button", name="Log in").click()
    projector.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    projector.get_by_role("link", name="Run a live workshop").click()
    projector.get_by_role("radio", name="One dimension").check()
    projector.get_by_label(re.compile("^Dimension")).select_option("people")
    projector.get_by_role("button", name="Create the join screen").click()
    expect(projector.get_by_role("heading", name="Join the workshop on your phone")).to_be_visible()
    expect(projector.locator("svg.segno")).to_be_visible()
    code = "".join(projector.locator(".join-code span").all_inner_texts())

    phones = []
    for name, role, email in (
        ("Sam Sales", "Sales", ""),
        ("Mia Marketing", "Marketing", ""),
        ("rita respondent", "Leadership", "rita@example.com"),  # she keeps her answers
    ):
        context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone = _watched(context, blocked)
        phone.goto(f"{live_server.url}/j/{code.lower()}/")
        phone.get_by_label("Your name").fill(name)
        phone.get_by_label("Your role").select_option(label=role)
        phone.get_by_label("Your email, if you were invited").fill(email)
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name="You’re in")).to_be_visible()
        phones.append(phone)
    expect(projector.locator(".live-count")).to_have_text("3 joined", timeout=POLLED)
    _shot(projector, "workshop-1-projector-join")
    assert _axe(projector) == []
    assert _axe(phones[0]) == []

    projector.get_by_role("button", name="Start with the first question").click()
    question = "How mature is people.q1?"
    expect(projector.get_by_role("heading", name=question)).to_be_visible()
    for phone in phones:
        expect(phone.locator("legend")).to_contain_text(question, timeout=POLLED)
    _shot(phones[0], "workshop-2-phone-question")
    assert _axe(phones[0]) == []
    for phone, level in zip(phones, (2, 4, 5), strict=True):
        _vote(phone, level)
    expect(projector.locator(".live-count")).to_contain_text("3 of 3", timeout=POLLED)
    expect(projector.get_by_text("Votes are hidden until you reveal them.")).to_be_visible()

    projector.get_by_role("button", name="Reveal the votes").click()
    expect(projector.locator(".tally-summary")).to_contain_text("spread 3 levels")
    expect(projector.get_by_text("the room disagrees")).to_be_visible()
    _shot(projector, "workshop-3-projector-revealed")
    assert _axe(projector) == []
    expect(phones[0].locator(".vote-status")).to_contain_text("revealed", timeout=POLLED)
    _shot(phones[0], "workshop-4-phone-revealed")

    projector.get_by_role("button", name="Vote again (round 2)").click()
    for phone, level in zip(phones, (3, 3, 4), strict=True):
        expect(phone.locator("h1")).to_contain_text("round 2", timeout=POLLED)
        _vote(phone, level)
    expect(projector.locator(".live-count")).to_contain_text("3 of 3", timeout=POLLED)
    projector.get_by_role("button", name="Reveal the votes").click()
    expect(projector.locator(".tally-summary")).to_contain_text("spread 1 level")

    projector.get_by_label("The team’s level").select_option(label="Defined")
    projector.get_by_label("Outcome, decision and owner").fill(
        "Marketing and sales agree one lead definition; Mia owns it, by May."
    )
    projector.get_by_role("button", name="Record the consensus").click()
    expect(projector.get_by_text("Consensus recorded")).to_be_visible()
    assert Vote.objects.filter(round=1).count() == Vote.objects.filter(round=2).count() == 3

    projector.once("dialog", lambda dialog: dialog.accept())
    projector.get_by_role("button", name="End the workshop").click()
    expect(projector.get_by_role("heading", name="Workshop summary")).to_be_visible()
    summary = projector.locator("table")
    expect(summary).to_contain_text("Round 2: around Defined")
    expect(summary).to_contain_text("Mia owns it, by May.")
    expect(summary).to_contain_text("The room moved down")
    phones[1].reload()
    expect(phones[1].get_by_role("heading", name="This workshop has ended")).to_be_visible()

    projector.get_by_role("link", name="Results").click()
    consensus = projector.locator("section", has=projector.locator("#consensus-heading"))
    expect(consensus).to_contain_text("Workshop consensus: Defined")
    expect(consensus).to_contain_text("Mia owns it, by May.")
    # Rita joined as herself: her earlier answers are kept, her vote replaced one of them.
    rita = assessment.respondents.get(name="Rita Respondent")
    assert rita.is_submitted and rita.answers.count() == 8
    assert rita.answers.get(question__key="people.q1").choice == "4"
    assert blocked == []  # nothing the Content-Security-Policy had to stop
