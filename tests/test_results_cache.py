"""The results page's body is rendered once per change of what it shows (assessments.page_cache).

Each test counts how often the body is really rendered: a repeat visit must not render it
again, and every change to what it shows must.
"""

import re
import shutil
from pathlib import Path

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, PlanItem
from assessments.summaries import results_changed
from assessments.views import results as results_views
from funnel.models import FunnelFigures, FunnelThresholds
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
)


@pytest.fixture
def renders(monkeypatch):
    """How many times the body has been computed and rendered."""
    calls = []
    original = results_views.results_context

    def counting(assessment):
        calls.append(assessment.pk)
        return original(assessment)

    monkeypatch.setattr(results_views, "results_context", counting)
    return calls


@pytest.fixture
def version(db):
    return make_bank_version(label="2026.1", per_dimension=6, publish=True)


@pytest.fixture
def earlier(gtm_client, version):
    assessment = make_assessment(gtm_client, version=version, quarter=2, status="closed")
    answer_all(make_respondent(assessment, name="Early Bird"), "2", submit=True)
    return assessment


@pytest.fixture
def assessment(gtm_client, version, earlier):
    assessment = make_assessment(gtm_client, version=version, quarter=3, status="open")
    respondent = make_respondent(assessment, name="Mia Marketing")
    answer_all(respondent, "3")
    services.submit(respondent=respondent)
    return assessment


def _url(assessment):
    return reverse("assessments:results", args=[assessment.client.workspace.slug, assessment.pk])


def _open(client, user, assessment):
    client.force_login(user)
    response = client.get(_url(assessment))
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeat_visit_serves_the_body_without_scoring_again(
    client, owner, assessment, renders, django_assert_max_num_queries
):
    first = _open(client, owner, assessment)
    # The session, the user, the memberships (shared by the lookup and the header), the
    # assessment and the stamp (which covers newer bank versions too): no savepoint either,
    # as the page reads outside the request's transaction (on SQLite a transaction would
    # queue for the write lock behind answer saves).
    with django_assert_max_num_queries(5):
        second = client.get(_url(assessment)).content.decode()
    assert renders == [assessment.pk]
    assert 'id="detail-heading"' in second  # the body, not an error page
    assert _stable(first) == _stable(second)


def _stable(html: str) -> str:
    """The page without what is new on every response: the CSP nonce and the (masked) CSRF
    tokens."""
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _submit_another(assessment):
    respondent = make_respondent(assessment, name="Sol Sales", role="sales")
    answer_all(respondent, "5")
    services.submit(respondent=respondent)


def _start_answering(assessment):
    answer_all(make_respondent(assessment, name="Ivo InProgress"), "1")


def _change_targets(assessment):
    assessment.target_people = 5
    assessment.save()


def _close(assessment):
    assessment.close()


def _rename_client(assessment):
    assessment.client.name = "Brightline Freight"
    assessment.client.save()


def _plan_an_item(assessment):
    PlanItem.objects.create(
        client=assessment.client, title="Write the ICP", target_year=2026, target_quarter=4
    )


def _delete_a_plan_item(assessment):
    PlanItem.objects.filter(client=assessment.client).delete()


def _enter_funnel_figures(assessment):
    FunnelFigures.objects.create(
        client=assessment.client, year=2026, quarter=3, inquiries=400, mqls=100
    )


def _change_thresholds(assessment):
    FunnelThresholds.objects.create(
        workspace=assessment.client.workspace,
        values={"mql_rate": {"poor": 0.05, "healthy": 0.2}},
    )


def _change_the_previous_quarter(assessment):
    earlier = Assessment.objects.get(client=assessment.client, quarter=2)
    answer_all(make_respondent(earlier, name="Late Larry"), "4")
    results_changed(earlier.pk)


def _a_peer_submits(assessment):
    peer = make_assessment(
        make_client(assessment.client.workspace, name="Peer Co"),
        version=assessment.bank_version,
        status="open",
    )
    respondent = make_respondent(peer)
    answer_all(respondent, "4")
    services.submit(respondent=respondent)


def _publish_a_newer_bank(assessment):
    make_bank_version(label="2026.2", per_dimension=6, publish=True)


# Changes, each with what must exist before the first visit for the change to be one.
BEFORE = {"_delete_a_plan_item": _plan_an_item}
CHANGES = [
    _submit_another,
    _start_answering,
    _change_targets,
    _close,
    _rename_client,
    _plan_an_item,
    _delete_a_plan_item,
    _enter_funnel_figures,
    _change_thresholds,
    _change_the_previous_quarter,
    _a_peer_submits,
    _publish_a_newer_bank,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_every_change_to_what_the_body_shows_renders_it_again(
    client, owner, assessment, renders, change
):
    if change.__name__ in BEFORE:
        BEFORE[change.__name__](assessment)
    before = _open(client, owner, assessment)
    change(Assessment.objects.select_related("client__workspace").get(pk=assessment.pk))
    after = _open(client, owner, assessment)
    assert 'id="detail-heading"' in before and 'id="detail-heading"' in after
    assert len(renders) == 2  # rendered again: some changes show only in other set-ups


def test_the_change_shows(client, owner, assessment, renders):
    _open(client, owner, assessment)
    _rename_client(assessment)
    assert "Brightline Freight" in _open(client, owner, assessment)


def test_viewers_and_consultants_each_get_the_body_of_their_role(
    client, owner, viewer, assessment, renders
):
    assert "Add to plan" in _open(client, owner, assessment)
    assert "Add to plan" not in _open(client, viewer, assessment)
    assert "Add to plan" in _open(client, owner, assessment)
    assert len(renders) == 2  # one per role; the owner's second visit is served from the cache


def _form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_cached_add_to_plan_forms_carry_each_visitors_own_csrf_token(
    owner, consultant, assessment, renders
):
    """Two visitors, the second served from the cache: each posts the form with the token of
    their own page, with CSRF checks on as in production."""
    question = assessment.bank_version.questions.order_by("key").first()
    tokens = []
    for user in (owner, consultant):
        browser = BrowserClient(enforce_csrf_checks=True)
        html = _open(browser, user, assessment)
        token = _form_token(html)
        tokens.append(token)
        response = browser.post(
            reverse(
                "assessments:plan_add_recommendation",
                args=[assessment.client.workspace.slug, assessment.pk],
            ),
            {"question": question.key, "csrfmiddlewaretoken": token},
        )
        assert response.status_code in (200, 302), response.status_code
    assert len(renders) == 2  # the plan item added by the first visitor changed the body
    assert tokens[0] != tokens[1]
    assert PlanItem.objects.filter(client=assessment.client).count() == 1


@pytest.fixture
def chart_templates(tmp_path, settings):
    """A copy of the templates the pages are drawn from, edited by the test."""
    copy = tmp_path / "templates"
    shutil.copytree(Path(settings.BASE_DIR, "templates"), copy)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [copy]}]
    return copy


def _edit_the_radar(templates: Path) -> None:
    radar = templates / "charts" / "_radar.svg.html"
    radar.write_text(radar.read_text() + "\n{# a new release #}\n")


def test_in_development_an_edited_template_shows_without_a_restart(
    client, owner, assessment, renders, settings, chart_templates
):
    settings.DEBUG = True
    _open(client, owner, assessment)
    _open(client, owner, assessment)
    assert len(renders) == 1
    _edit_the_radar(chart_templates)
    _open(client, owner, assessment)  # the code version changed: rendered again
    assert len(renders) == 2
