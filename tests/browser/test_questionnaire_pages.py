"""Every page of the default bank's questionnaire stays short: about three screens on a laptop
and six on a phone, whether answered or not. QUESTIONS_PER_PAGE was chosen from these heights.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from bank.services import load_default_bank
from tests.factories import make_assessment, make_client, make_respondent, make_workspace

pytestmark = pytest.mark.django_db(transaction=True)

# (width, height) of the viewport, and the longest document allowed: three screens at 1366×900,
# six on a 390×844 phone.
SIZES = {
    "desktop": ((1366, 900), 3 * 900),
    "phone": ((390, 844), 6 * 844),
}


@pytest.fixture
def links(live_server):
    """Links of two respondents of the newest default bank: one with nothing answered, one
    with every question answered and commented (not submitted, so every page still opens)."""
    version = load_default_bank()[-1]
    assessment = make_assessment(
        make_client(make_workspace(), name="Cobalt Health Systems"),
        version=version,
        status="open",
    )
    fresh = make_respondent(assessment, name="Priya Shah", role="sales")
    answered = make_respondent(assessment, name="Leo Martins", role="marketing")
    Answer.objects.bulk_create(
        Answer(
            respondent=answered,
            question=question,
            choice="4",
            comment="We review this every quarter with the sales leadership.",
        )
        for question in version.questions.all()
    )
    return {
        "unanswered": f"{live_server.url}/r/{fresh.issue_link()}/",
        "answered": f"{live_server.url}/r/{answered.issue_link()}/",
    }


def _page_urls(page, origin: str, link: str) -> list[str]:
    """Every page of every section, read off the section links and each section's page links."""
    page.goto(f"{link}s/people/")
    sections = page.locator("#q-progress ol a:not(.q-review-link)").all()
    urls = []
    for href in [a.get_attribute("href") for a in sections]:
        page.goto(origin + href)
        urls += [origin + a.get_attribute("href") for a in page.locator(".q-pages a").all()]
    return urls


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("who", ["unanswered", "answered"])
def test_no_page_of_the_default_bank_is_longer_than_the_limit(
    browser, live_server, links, size, who
):
    (width, height), limit = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    urls = _page_urls(page, live_server.url, links[who])
    assert len(urls) == 20  # 58 questions, three a page in each of the four sections
    heights = {}
    for url in urls:
        page.goto(url)
        expect(page.locator("fieldset.question").first).to_be_visible()
        heights[url.split("/s/")[1]] = page.evaluate("document.documentElement.scrollHeight")
    print(f"{who} at {size}: longest {max(heights.values())} px", heights)
    too_long = {name: px for name, px in heights.items() if px > limit}
    assert too_long == {}, f"pages longer than {limit} px at {size}"
    context.close()


def _on_top(page, locator) -> bool:
    """Whether the element is what shows at its own place on the screen (nothing over it)."""
    box = locator.bounding_box()
    return page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.save-status') !== null",
        [box["x"] + 2, box["y"] + box["height"] / 2],
    )


def test_the_saved_status_shows_beside_the_choice_at_the_foot_of_a_phone_screen(browser, links):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{links['unanswered']}s/people/")
    last = page.locator("fieldset.question").last
    status = last.locator(".save-status")
    # The status line at the very foot of the screen, the choices just above it: where a
    # sticky action bar used to sit over it.
    status.evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().bottom + scrollY - innerHeight)"
    )
    assert _on_top(page, status), "something covers the save status"
    last.get_by_label("Don’t know").check()
    expect(status).to_have_text(re.compile(r"Saved \d\d:\d\d"))
    expect(status).to_be_in_viewport()
    assert _on_top(page, status)
    context.close()
