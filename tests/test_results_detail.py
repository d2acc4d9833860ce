"""Each dimension's questions with every answer, loaded when opened: the results page stays
small however many respondents answered (issue: per-question detail on demand)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer
from assessments.summaries import results_changed
from tests.factories import (
    add_member,
    make_assessment,
    make_client,
    make_respondent,
    make_user,
    make_workspace,
)

pytestmark = pytest.mark.django_db
COMMENT = "We route leads by hand on Mondays, which nobody owns. " * 4  # 220 characters


@pytest.fixture
def owner():
    return make_user()


def _assessment(owner, respondents: int):
    """A closed assessment where every respondent answered every question with a comment."""
    assessment = make_assessment(make_client(make_workspace(owner=owner)), status="closed")
    questions = list(assessment.bank_version.questions.all())
    for number in range(respondents):
        respondent = make_respondent(
            assessment, name=f"Person {number:02d}", submitted_at=timezone.now()
        )
        Answer.objects.bulk_create(
            Answer(respondent=respondent, question=q, choice=str(1 + number % 5), comment=COMMENT)
            for q in questions
        )
    results_changed(assessment.pk)
    return assessment


def _url(assessment, name="assessments:results", *more):
    return reverse(name, args=[assessment.client.workspace.slug, assessment.pk, *more])


def test_the_results_page_links_each_dimensions_answers_instead_of_holding_them(client, owner):
    assessment = _assessment(owner, respondents=3)
    client.force_login(owner)

    html = client.get(_url(assessment)).content.decode()

    assert "Person 01" not in html and "nobody owns" not in html
    for dimension in ("people", "process", "content", "technology"):
        detail = _url(assessment, "assessments:results_detail", dimension)
        assert f'hx-get="{detail}" hx-trigger="toggle once"' in html  # loaded when opened
        assert f'<a href="{detail}">' in html  # and a plain link without JavaScript


def test_the_detail_is_a_page_of_its_own_or_the_fragment_htmx_asks_for(client, owner):
    assessment = _assessment(owner, respondents=2)
    client.force_login(owner)
    url = _url(assessment, "assessments:results_detail", "process")

    page = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "<html" in page and "Process: each question and every answer" in page
    assert "<html" not in fragment and fragment.lstrip().startswith('<div class="table-wrap"')
    for html in (page, fragment):
        assert "Person 01" in html and "nobody owns" in html
        assert "process.q1" in html and "people.q1" not in html  # only its dimension


def test_an_unknown_dimension_is_a_404(client, owner):
    assessment = _assessment(owner, respondents=1)
    client.force_login(owner)
    assert client.get(_url(assessment, "assessments:results_detail", "sales")).status_code == 404


def test_a_viewer_reads_the_detail(client, owner):
    assessment = _assessment(owner, respondents=1)
    viewer = add_member(assessment.client.workspace, role="viewer").user
    client.force_login(viewer)
    response = client.get(_url(assessment, "assessments:results_detail", "people"))
    assert response.status_code == 200 and "Person 00" in response.content.decode()


def test_at_50_respondents_the_results_page_stays_under_100_kb(client, owner):
    assessment = _assessment(owner, respondents=50)
    client.force_login(owner)

    page = client.get(_url(assessment)).content
    details = [
        client.get(_url(assessment, "assessments:results_detail", d)).content
        for d in ("people", "process", "content", "technology")
    ]

    print(f"results page {len(page):,} bytes; the four details {sum(map(len, details)):,}")
    assert len(page) < 100_000
    assert all(COMMENT.strip().encode() in detail for detail in details)
