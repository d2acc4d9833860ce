"""The questionnaire as respondents reach it: by their personal link, without an account."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.models import Answer
from assessments.views import questionnaire as questionnaire_views
from tests.factories import (
    add_question,
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_workspace,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def assessment(db):
    version = make_bank_version(label="2026.1", publish=True)
    return make_assessment(
        make_client(make_workspace(), name="Cobalt"), version=version, status="open"
    )


@pytest.fixture
def respondent(assessment):
    return make_respondent(assessment, name="Priya Shah", role="sales")


@pytest.fixture
def token(respondent):
    return respondent.issue_link()


def _choice(key, value):
    return {f"choice-{key}": value}


# ---- Reaching the questionnaire ------------------------------------------------------------


def test_an_unknown_link_gets_a_friendly_page(client, db):
    response = client.get("/r/not-a-real-token/")
    assert response.status_code == 404
    assert "This link doesn’t work" in response.content.decode()


def test_an_expired_link_gets_a_friendly_page_and_answers_are_kept(client, respondent, token):
    answer_all(respondent)
    respondent.links.update(expires_at=timezone.now() - timedelta(1))
    response = client.get(f"/r/{token}/s/people/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert respondent.answers.count() == 24


def test_a_revoked_link_no_longer_opens(client, respondent, token):
    respondent.revoke_links()
    assert client.get(f"/r/{token}/").status_code == 404


def test_a_draft_assessment_is_not_open_yet(client, respondent, token, assessment):
    assessment.status = "draft"
    assessment.save()
    response = client.get(f"/r/{token}/s/people/")
    assert response.status_code == 403
    assert "not open yet" in response.content.decode()


def _start_button(html: str) -> str:
    """The welcome page's button: where it leads and what it says."""
    start = html.index('<div class="welcome-start">')
    return html[start : html.index("</div>", start)]


def test_the_link_opens_on_a_welcome_that_says_who_asks_why_and_how_long(
    client, respondent, token, assessment
):
    response = client.get(f"/r/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    workspace = assessment.client.workspace.name
    assert "Welcome, Priya Shah" in html
    assert f"{workspace} is assessing how marketing and sales work together at Cobalt" in html
    assert "drop the baton across the three handoffs" in html
    assert "24 questions</strong> in 4 sections" in html
    assert "minutes</strong>" in html
    assert 'id="who-sees"' in html and assessment.visibility_sentence() in html
    assert "Please answer by" not in html  # the assessment has no deadline
    assert f'href="/r/{token}/s/people/">Start</a>' in _start_button(html)


def test_the_welcome_gives_the_deadline_when_the_assessment_has_one(client, token, monkeypatch):
    # Set on the instance the page renders: Assessment.deadline arrives in a migration of its
    # own, and the page must read it then and work without it until then.
    render = questionnaire_views.render

    def with_deadline(request, template, context, **options):
        context["assessment"].deadline = date(2026, 12, 12)
        return render(request, template, context, **options)

    monkeypatch.setattr(questionnaire_views, "render", with_deadline)
    assert "Please answer by 12 December." in client.get(f"/r/{token}/").content.decode()


def test_a_self_assessment_s_welcome_names_the_company_once(client, db):
    workspace = make_workspace(name="Acme Analytics")
    version = make_bank_version(label="2026.1", publish=True)
    assessment = make_assessment(
        make_client(workspace, name="Acme Analytics"), version=version, status="open"
    )
    html = client.get(f"/r/{make_respondent(assessment).issue_link()}/").content.decode()
    assert "Acme Analytics is assessing how its own marketing and sales teams" in html


def test_the_welcome_continues_where_the_respondent_left_off(client, respondent, token, assessment):
    people = assessment.bank_version.questions.filter(dimension="people").order_by("order")
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=q, choice="2") for q in people[:3]
    )
    button = _start_button(client.get(f"/r/{token}/").content.decode())
    # The section's first page is done: its second holds the first unanswered question.
    assert f'href="/r/{token}/s/people/2/">Continue where you left off</a>' in button
    assert "3 of 24 answered" in button
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=q, choice="2") for q in people[3:]
    )
    assert f'href="/r/{token}/s/process/"' in _start_button(
        client.get(f"/r/{token}/").content.decode()
    )
    answer_all_remaining(respondent)
    button = _start_button(client.get(f"/r/{token}/").content.decode())
    assert f'href="/r/{token}/review/">Review and submit</a>' in button


def test_the_welcome_takes_a_fixed_number_of_queries_with_60_questions(
    client, db, django_assert_max_num_queries
):
    version = make_bank_version(label="big", per_dimension=15, publish=True)
    assessment = make_assessment(make_client(make_workspace()), version=version, status="open")
    token = make_respondent(assessment).issue_link()
    # The link, the visit recorded (opened, last active), the questionnaire's three reads and
    # its descriptors, in the request's savepoint.
    with django_assert_max_num_queries(8):
        response = client.get(f"/r/{token}/")
    assert "60 questions</strong>" in response.content.decode()


def test_a_facilitated_session_goes_straight_to_the_questions(client, assessment, respondent):
    workspace = assessment.client.workspace
    client.force_login(workspace.memberships.get().user)
    base = (
        f"/w/{workspace.slug}/assessments/{assessment.pk}/respondents/{respondent.pk}/facilitate/"
    )
    assert client.get(base)["Location"] == base + "s/people/"


def test_a_submitted_respondent_s_link_opens_on_the_answers(client, respondent, token):
    answer_all(respondent, "3", submit=True)
    assert client.get(f"/r/{token}/")["Location"] == f"/r/{token}/done/"


def answer_all_remaining(respondent):
    answered = respondent.answers.values("question_id")
    missing = respondent.assessment.bank_version.questions.exclude(pk__in=answered)
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=q, choice="DK") for q in missing
    )


def test_an_unknown_section_goes_back_to_the_start(client, token):
    assert client.get(f"/r/{token}/s/finance/")["Location"] == f"/r/{token}/"


# ---- The section's pages --------------------------------------------------------------------


def test_a_section_shows_each_question_as_a_labelled_radio_group(client, respondent, token):
    Answer.objects.create(
        respondent=respondent,
        question=respondent.assessment.bank_version.questions.get(key="people.q2"),
        choice="4",
        comment="We meet weekly",
    )
    html = client.get(f"/r/{token}/s/people/").content.decode()
    assert html.count('<fieldset class="question') == 3  # the first page of two
    legend = '<legend class="question-text"><span class="q-number">2.</span> How mature is'
    assert f"{legend} people.q2?</legend>" in html
    assert 'name="choice-people.q2" value="4" checked' in html
    assert "We meet weekly</textarea>" in html
    assert "people.q1 at level 5" in html and "Not applicable" in html and "Don’t know" in html
    assert "1 of 24 answered" in html
    assert 'hx-post="/r/' in html and "Save and continue to page 2 of 2" in html
    # The save status sits beside the choices, before the comment box.
    status = html.index('id="status-people-q2" role="status" aria-live="polite">Saved</p>')
    assert html.index('value="DK"', html.index("people.q2")) < status
    assert status < html.index('id="comment-people-q2"')


def test_a_section_s_later_page_numbers_its_questions_on(client, respondent, token):
    html = client.get(f"/r/{token}/s/people/2/").content.decode()
    assert html.count('<fieldset class="question') == 3
    assert '<span class="q-number">4.</span> How mature is people.q4?' in html
    assert (
        "Page 2 of 2" in html and 'aria-current="page"><span class="visually-hidden">Page' in html
    )
    assert f'action="/r/{token}/s/people/2/"' in html
    assert "Save and continue to Process" in html
    last = client.get(f"/r/{token}/s/technology/2/").content.decode()
    assert "Save and review" in last


@pytest.mark.parametrize("page", ["1", "3", "0"])
def test_a_page_the_section_does_not_have_goes_to_its_first(client, token, page):
    assert client.get(f"/r/{token}/s/people/{page}/")["Location"] == f"/r/{token}/s/people/"


def test_a_section_link_lands_on_the_page_of_its_first_unanswered_question(
    client, respondent, token, assessment
):
    people = assessment.bank_version.questions.filter(dimension="people").order_by("order")
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=q, choice="2") for q in people[:4]
    )
    html = client.get(f"/r/{token}/s/process/").content.decode()
    assert f'<a href="/r/{token}/s/people/2/"' in html  # the section nav
    assert f'<a href="/r/{token}/s/process/" aria-current="step"' in html


def test_the_questionnaire_page_takes_at_most_10_queries_with_60_questions(
    client, db, django_assert_max_num_queries
):
    version = make_bank_version(label="big", per_dimension=15, publish=True)
    assessment = make_assessment(make_client(make_workspace()), version=version, status="open")
    respondent = make_respondent(assessment)
    token = respondent.issue_link()
    answer_all(respondent, "2")
    with django_assert_max_num_queries(10):
        response = client.get(f"/r/{token}/s/process/")
    assert response.status_code == 200
    assert "60 of 60 answered" in response.content.decode()


def test_a_question_asking_for_a_fact_labels_its_comment_box_with_the_prompt(client, db):
    from bank.services import publish

    draft = make_bank_version(label="2026.7")
    prompt = "Roughly what share of new leads comes from inbound, and from outbound?"
    draft.questions.filter(key="people.q1").update(comment_prompt=prompt)
    version = publish(version=draft)
    assessment = make_assessment(make_client(make_workspace()), version=version, status="open")
    token = make_respondent(assessment).issue_link()
    html = client.get(f"/r/{token}/s/people/").content.decode()
    assert f"{prompt} <span" in html  # the label of people.q1's comment box
    assert html.count('Comment <span class="muted">(optional)') == 2  # the others of the page


def test_saving_a_section_without_javascript(client, respondent, token, assessment):
    data = {
        **_choice("people.q1", "3"),
        **_choice("people.q2", "NA"),
        "comment-people.q2": "No SLA",
    }
    response = client.post(f"/r/{token}/s/people/", data)
    assert response["Location"] == f"/r/{token}/s/people/2/"
    saved = dict(respondent.answers.values_list("question__key", "choice"))
    assert saved == {"people.q1": "3", "people.q2": "NA"}
    assert respondent.answers.get(question__key="people.q2").comment == "No SLA"


def test_each_page_saves_its_own_questions_and_goes_on(client, respondent, token):
    # A question of another page in the form is not this page's to save.
    data = {**_choice("people.q4", "5"), **_choice("people.q1", "1")}
    response = client.post(f"/r/{token}/s/people/2/", data)
    assert response["Location"] == f"/r/{token}/s/process/"
    assert dict(respondent.answers.values_list("question__key", "choice")) == {"people.q4": "5"}
    response = client.post(f"/r/{token}/s/technology/2/", _choice("technology.q6", "2"))
    assert response["Location"] == f"/r/{token}/review/"


def test_a_section_with_an_unreadable_answer_saves_nothing(client, respondent, token):
    data = {**_choice("people.q1", "3"), **_choice("people.q2", "9")}
    response = client.post(f"/r/{token}/s/people/", data)
    assert response.status_code == 400
    assert not respondent.answers.exists()


def test_a_comment_without_an_answer_is_pointed_out(client, respondent, token):
    response = client.post(f"/r/{token}/s/people/", {"comment-people.q1": "Not sure"}, follow=True)
    assert "has a comment but no answer" in response.content.decode()


# ---- Autosave ------------------------------------------------------------------------------


def test_choosing_an_answer_saves_it_at_once(client, respondent, token):
    response = client.post(
        f"/r/{token}/answer/",
        {"question": "process.q3", **_choice("process.q3", "5"), **_choice("people.q1", "1")},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("Saved ")
    assert '<nav class="q-nav" id="q-progress"' in html and 'hx-swap-oob="true"' in html
    assert "1 of 24 answered" in html
    # Only the question named was saved, though the whole section form came along.
    assert dict(respondent.answers.values_list("question__key", "choice")) == {"process.q3": "5"}


def test_saving_the_same_question_again_keeps_one_answer(client, respondent, token):
    for choice in ("2", "4", "DK"):
        client.post(
            f"/r/{token}/answer/",
            {"question": "people.q1", **_choice("people.q1", choice)},
            headers=HTMX,
        )
    assert list(respondent.answers.values_list("choice", flat=True)) == ["DK"]


@pytest.mark.parametrize(
    "data",
    [
        {"question": "people.nope", **_choice("people.nope", "3")},
        {"question": "", **_choice("people.q1", "3")},
        {"question": "people.q1", **_choice("people.q1", "6")},
        {"question": "people.q1", "comment-people.q1": "x" * 2001, **_choice("people.q1", "3")},
    ],
)
def test_a_bad_autosave_is_refused_with_400(client, respondent, token, data):
    response = client.post(f"/r/{token}/answer/", data, headers=HTMX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not respondent.answers.exists()


def test_a_question_of_another_bank_version_is_refused(client, respondent, token):
    other = make_bank_version(label="other")
    add_question(other, "people.elsewhere")
    response = client.post(
        f"/r/{token}/answer/",
        {"question": "people.elsewhere", **_choice("people.elsewhere", "3")},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_a_closed_assessment_refuses_autosaves_with_a_message(
    client, respondent, token, assessment
):
    assessment.close()
    response = client.post(
        f"/r/{token}/answer/", {"question": "people.q1", **_choice("people.q1", "3")}, headers=HTMX
    )
    assert response.status_code == 409
    assert "closed" in response.content.decode()
    assert not respondent.answers.exists()


def test_a_submitted_respondent_cannot_change_answers(client, respondent, token):
    answer_all(respondent, "3", submit=True)
    response = client.post(
        f"/r/{token}/answer/", {"question": "people.q1", **_choice("people.q1", "5")}, headers=HTMX
    )
    assert response.status_code == 409 and "submitted" in response.content.decode()
    assert respondent.answers.get(question__key="people.q1").choice == "3"
    assert client.get(f"/r/{token}/s/people/")["Location"] == f"/r/{token}/done/"


def test_the_autosave_url_also_takes_a_plain_post(client, respondent, token):
    response = client.post(
        f"/r/{token}/answer/", {"question": "people.q4", **_choice("people.q4", "2")}
    )
    assert response["Location"] == f"/r/{token}/s/people/2/#q-people-q4"
    assert respondent.answers.get().choice == "2"


# ---- Review, submit, thank you -------------------------------------------------------------


def test_review_lists_what_is_missing_with_links(client, respondent, token):
    client.post(f"/r/{token}/s/people/", {**_choice("people.q1", "3")})
    html = client.get(f"/r/{token}/review/").content.decode()
    assert "Still to answer (23)" in html
    assert f'href="/r/{token}/s/people/#q-people-q2"' in html
    assert f'href="/r/{token}/s/technology/2/#q-technology-q6"' in html


def test_submitting_with_questions_missing_lists_them_and_submits_nothing(
    client, respondent, token
):
    client.post(f"/r/{token}/s/people/", {**_choice("people.q1", "3")})
    response = client.post(f"/r/{token}/submit/")
    assert response.status_code == 400
    assert "23 questions are still unanswered" in response.content.decode()
    respondent.refresh_from_db()
    assert not respondent.is_submitted


def test_submitting_a_complete_questionnaire_thanks_and_shows_the_answers(
    client, respondent, token
):
    answer_all(respondent, "NA")
    Answer.objects.filter(respondent=respondent, question__key="content.q2").update(
        choice="4", comment="Playbooks per persona"
    )
    response = client.post(f"/r/{token}/submit/", follow=True)
    html = response.content.decode()
    respondent.refresh_from_db()
    assert respondent.is_submitted
    assert "Thank you, Priya Shah" in html
    assert "4 Managed</strong>: content.q2 at level 4" in html
    assert "Playbooks per persona" in html and "Not applicable" in html
    assert "<input" not in html.split("Your answers")[1]  # a read-only copy


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_respondent_downloads_their_own_answers_in_words(client, respondent, token):
    answer_all(respondent, "NA", submit=True)
    Answer.objects.filter(respondent=respondent, question__key="content.q2").update(
        choice="4", comment="=HYPERLINK(1)"
    )
    done = client.get(f"/r/{token}/done/").content.decode()
    assert f'href="/r/{token}/answers.csv"' in done
    response = client.get(f"/r/{token}/answers.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _csv_rows(response)
    assert rows[0] == ["Section", "Question", "Answer", "What the answer says", "Comment"]
    assert len(rows) == 25
    assert rows[1] == ["People", "How mature is people.q1?", "Not applicable", "", ""]
    assert [
        "Buyer insights & content",
        "How mature is content.q2?",
        "4 Managed",
        "content.q2 at level 4",
        "'=HYPERLINK(1)",  # a spreadsheet shows it, never runs it
    ] in rows


def test_a_link_that_no_longer_works_downloads_nothing(client, respondent, token):
    answer_all(respondent, "3", submit=True)
    respondent.revoke_links()
    response = client.get(f"/r/{token}/answers.csv")
    assert response.status_code == 404
    assert "This link doesn’t work" in response.content.decode()


def test_the_thank_you_page_waits_until_submission(client, token):
    assert client.get(f"/r/{token}/done/")["Location"] == f"/r/{token}/"


def test_after_closing_the_link_shows_the_saved_answers_read_only(
    client, respondent, token, assessment
):
    client.post(f"/r/{token}/s/people/", {**_choice("people.q1", "2")})
    assessment.close()
    response = client.get(f"/r/{token}/", follow=True)
    assert "This assessment is closed" in response.content.decode()


# ---- Facilitated sessions ------------------------------------------------------------------


def test_a_consultant_answers_for_a_respondent_and_it_is_recorded(client, assessment, respondent):
    workspace = assessment.client.workspace
    consultant = workspace.memberships.get().user
    client.force_login(consultant)
    base = (
        f"/w/{workspace.slug}/assessments/{assessment.pk}/respondents/{respondent.pk}/facilitate/"
    )
    page = client.get(base + "s/people/").content.decode()
    assert "Facilitated session: you are answering on behalf of <strong>Priya Shah</strong>" in page
    client.post(
        base + "answer/", {"question": "people.q1", **_choice("people.q1", "4")}, headers=HTMX
    )
    answer = respondent.answers.get()
    assert (answer.source, answer.entered_by) == ("facilitated", consultant)
    rows = _csv_rows(client.get(base + "answers.csv"))
    assert rows[1] == [
        "People",
        "How mature is people.q1?",
        "4 Managed",
        "people.q1 at level 4",
        "",
    ]


def test_a_token_reaches_only_its_own_respondent(client, assessment, respondent, token):
    other = make_respondent(assessment, name="Leo")
    client.post(
        f"/r/{token}/answer/", {"question": "people.q1", **_choice("people.q1", "5")}, headers=HTMX
    )
    assert not other.answers.exists()
    assert respondent.answers.count() == 1


@pytest.mark.parametrize(
    ("ending", "allowed"),
    [
        ("", {"GET"}),
        ("s/people/", {"GET", "POST"}),
        ("s/people/2/", {"GET", "POST"}),
        ("answer/", {"POST"}),
        ("review/", {"GET"}),
        ("submit/", {"POST"}),
        ("done/", {"GET"}),
        ("answers.csv", {"GET"}),
    ],
)
def test_each_questionnaire_url_refuses_other_methods(client, token, ending, allowed):
    for method in {"GET", "POST", "PUT", "DELETE"} - allowed:
        response = client.generic(method, f"/r/{token}/{ending}")
        assert response.status_code == 405, method
