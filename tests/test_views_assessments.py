import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import hash_token
from assessments.models import Assessment, Respondent
from lib.csv import MAX_CSV_BYTES
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
)


@pytest.fixture
def bank(db):
    return make_bank_version(label="2026.1", publish=True)


@pytest.fixture
def assessment(gtm_client, bank):
    return make_assessment(gtm_client, year=2026, quarter=4)


def _url(name, assessment, *args):
    return reverse(
        f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk, *args]
    )


def _links(text: str) -> list[str]:
    return re.findall(r"http://testserver(/r/[\w-]+/)", text)


def test_a_consultant_starts_an_assessment_for_a_quarter(client, consultant, gtm_client, bank):
    client.force_login(consultant)
    url = reverse("assessments:assessment_create", args=[gtm_client.workspace.slug, gtm_client.pk])
    form = client.get(url).context["form"]
    assert form.fields["quarter"].initial == "2026-Q4"  # today is 2026-11-22 in this project
    response = client.post(
        url,
        {
            "quarter": "2026-Q3",
            "visibility": "named",
            "target_people": "4",
            "target_process": "3",
            "target_content": "4",
            "target_technology": "5",
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    assert (str(assessment.period), assessment.bank_version, assessment.target_process) == (
        "2026-Q3",
        bank,
        3,
    )


@pytest.mark.parametrize(
    "change",
    [
        {"quarter": "2026-Q9"},
        {"quarter": "tomorrow"},
        {"target_people": "6"},
        {"target_content": ""},
    ],
)
def test_bad_assessment_settings_are_refused(client, consultant, gtm_client, bank, change):
    client.force_login(consultant)
    url = reverse("assessments:assessment_create", args=[gtm_client.workspace.slug, gtm_client.pk])
    data = {
        "quarter": "2026-Q3",
        "visibility": "named",
        **{f"target_{k}": "4" for k in ("people", "process", "content", "technology")},
    }
    response = client.post(url, {**data, **change})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Assessment.objects.exists()


def test_a_quarter_already_assessed_is_refused(client, consultant, assessment):
    client.force_login(consultant)
    url = reverse(
        "assessments:assessment_create",
        args=[assessment.client.workspace.slug, assessment.client.pk],
    )
    data = {
        "quarter": "2026-Q4",
        "visibility": "named",
        **{f"target_{k}": "4" for k in ("people", "process", "content", "technology")},
    }
    response = client.post(url, data)
    assert "already has an assessment for 2026-Q4" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_without_a_published_bank_the_form_explains(client, consultant, gtm_client):
    make_bank_version(label="draft")
    client.force_login(consultant)
    url = reverse("assessments:assessment_create", args=[gtm_client.workspace.slug, gtm_client.pk])
    data = {
        "quarter": "2026-Q3",
        "visibility": "named",
        **{f"target_{k}": "4" for k in ("people", "process", "content", "technology")},
    }
    response = client.post(url, data)
    assert "No question bank has been published yet" in response.content.decode()


def test_adding_respondents_to_a_draft_sends_nothing_until_it_opens(client, consultant, assessment):
    client.force_login(consultant)
    client.post(
        _url("respondent_add", assessment),
        {"name": "Priya Shah", "email": "priya@brightline.test", "role": "sales"},
    )
    respondent = Respondent.objects.get()
    assert not respondent.links.exists() and mail.outbox == []

    client.post(_url("assessment_open", assessment))

    assessment.refresh_from_db()
    assert assessment.status == "open"
    [email] = mail.outbox
    assert email.to == ["priya@brightline.test"]
    [link] = _links(email.body)
    respondent.refresh_from_db()
    assert respondent.links.get().token_hash == hash_token(link.split("/")[2])
    invitation = respondent.emails.get()  # the send is recorded
    assert (invitation.kind, invitation.sent_by) == ("invitation", consultant)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert f"http://testserver{link}" in page  # shown once, with a copy button
    assert (
        f"http://testserver{link}" not in client.get(assessment.get_absolute_url()).content.decode()
    )


def test_a_respondent_added_to_an_open_assessment_gets_a_link_at_once(
    client, consultant, assessment
):
    assessment.open()
    client.force_login(consultant)
    client.post(
        _url("respondent_add", assessment),
        {"name": "Leo Martins", "email": "leo@brightline.test", "role": "leadership"},
    )
    assert len(mail.outbox) == 1 and _links(mail.outbox[0].body)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "email": "a@b.test", "role": "sales"}, "name"),
        ({"name": "A", "email": "not-an-email", "role": "sales"}, "email"),
        ({"name": "A", "email": "", "role": "sales"}, "email"),
        ({"name": "A", "email": "a@b.test", "role": "ceo"}, "role"),
        ({"name": "x" * 121, "email": "a@b.test", "role": "sales"}, "name"),
    ],
)
def test_a_bad_respondent_is_refused(client, consultant, assessment, data, field):
    client.force_login(consultant)
    response = client.post(_url("respondent_add", assessment), data)
    assert field in response.context["respondent_form"].errors
    assert not Respondent.objects.exists()


def test_a_duplicate_respondent_name_is_refused(client, consultant, assessment):
    make_respondent(assessment, name="Priya Shah")
    client.force_login(consultant)
    response = client.post(
        _url("respondent_add", assessment),
        {"name": "priya  shah", "email": "p@b.test", "role": "sales"},
    )
    assert "already a respondent" in response.content.decode()


def test_a_new_link_replaces_the_old_one(client, consultant, assessment):
    assessment.open()
    respondent = make_respondent(assessment)
    old = respondent.issue_link()
    client.force_login(consultant)
    client.post(_url("respondent_new_link", assessment, respondent.pk))
    [new] = _links(mail.outbox[-1].body)
    assert client.get(f"/r/{old}/").status_code == 404
    assert client.get(new).status_code == 200  # the welcome


def test_a_revoked_link_stops_working(client, consultant, assessment):
    assessment.open()
    respondent = make_respondent(assessment)
    token = respondent.issue_link()
    client.force_login(consultant)
    client.post(_url("respondent_revoke", assessment, respondent.pk))
    client.logout()
    response = client.get(f"/r/{token}/")
    assert response.status_code == 404 and "doesn’t work" in response.content.decode()


def test_a_consultant_reopens_a_submitted_respondent(client, consultant, assessment):
    assessment.open()
    respondent = make_respondent(assessment)
    answer_all(respondent, submit=True)
    client.force_login(consultant)
    client.post(_url("respondent_reopen", assessment, respondent.pk))
    respondent.refresh_from_db()
    assert not respondent.is_submitted
    assert respondent.answers.count() == assessment.bank_version.questions.count()


def test_closing_locks_the_answers_and_reopening_unlocks_them(client, consultant, assessment):
    assessment.open()
    client.force_login(consultant)
    client.post(_url("assessment_close", assessment))
    assessment.refresh_from_db()
    assert assessment.status == "closed" and assessment.closed_at
    respondent = make_respondent(assessment)
    client.post(_url("respondent_remove", assessment, respondent.pk))
    assert Respondent.objects.filter(pk=respondent.pk).exists()  # closed: nothing changes
    client.post(_url("assessment_open", assessment))
    assessment.refresh_from_db()
    assert assessment.status == "open"


def test_start_next_quarter_from_the_page(client, consultant, assessment):
    make_respondent(assessment, name="Priya Shah", role="sales")
    client.force_login(consultant)
    response = client.post(_url("assessment_next_quarter", assessment))
    following = Assessment.objects.get(year=2027, quarter=1)
    assert response["Location"] == following.get_absolute_url()
    assert list(following.respondents.values_list("name", flat=True)) == ["Priya Shah"]
    response = client.post(_url("assessment_next_quarter", assessment), follow=True)
    assert "already has an assessment for 2027-Q1" in response.content.decode()


def test_changing_targets(client, consultant, assessment):
    client.force_login(consultant)
    data = {
        "target_people": "5",
        "target_process": "2",
        "target_content": "4",
        "target_technology": "3",
    }
    client.post(_url("assessment_targets", assessment), data)
    assessment.refresh_from_db()
    assert assessment.targets == {"people": 5, "process": 2, "content": 4, "technology": 3}
    response = client.post(_url("assessment_targets", assessment), {**data, "target_people": "9"})
    assert response.context["targets_form"].errors
    assessment.refresh_from_db()
    assert assessment.target_people == 5


def test_the_assessment_page_takes_few_queries_with_many_respondents(
    client, viewer, assessment, django_assert_max_num_queries
):
    for _ in range(25):
        answer_all(make_respondent(assessment))
    client.force_login(viewer)
    client.get(assessment.get_absolute_url())
    with django_assert_max_num_queries(12):
        response = client.get(assessment.get_absolute_url())
    assert response.content.decode().count("<progress") == 25


def test_a_viewer_reads_the_assessment_without_buttons(client, viewer, assessment):
    make_respondent(assessment, name="Priya Shah")
    client.force_login(viewer)
    html = client.get(assessment.get_absolute_url()).content.decode()
    assert "Priya Shah" in html
    assert "Open and send links" not in html and "Add a respondent" not in html


def test_the_client_page_lists_its_assessments(client, viewer, assessment):
    other = make_assessment(make_client(assessment.client.workspace), year=2026, quarter=1)
    client.force_login(viewer)
    html = client.get(assessment.client.get_absolute_url()).content.decode()
    assert "2026-Q4" in html and str(other.period) not in html.split("Notes")[0].replace(
        "2026-Q4", ""
    )


def test_importing_answers_from_the_page(client, consultant, assessment):
    assessment.open()
    rows = "\n".join(
        f"Priya Shah,sales,{q.key},3," for q in assessment.bank_version.questions.all()
    )
    upload = SimpleUploadedFile(
        "answers.csv", f"respondent,role,question_key,level,comment\n{rows}\n".encode()
    )
    client.force_login(consultant)
    response = client.post(_url("answers_import", assessment), {"file": upload})
    assert response["Location"] == assessment.get_absolute_url()
    assert Respondent.objects.get().is_submitted


def test_an_answers_file_over_the_size_limit_is_refused(client, consultant, assessment):
    assessment.open()
    upload = SimpleUploadedFile("answers.csv", b"x" * (MAX_CSV_BYTES + 1))
    client.force_login(consultant)
    response = client.post(_url("answers_import", assessment), {"file": upload})
    assert response.context["form"].errors["file"] == ["The file is larger than 2 MB."]
    assert not Respondent.objects.exists()


def test_a_bad_import_lists_the_lines_and_saves_nothing(client, consultant, assessment):
    upload = SimpleUploadedFile(
        "answers.csv",
        b"respondent,role,question_key,level,comment\nPriya,sales,people.q1,7,\nPriya,boss,people.q2,3,\n",
    )
    client.force_login(consultant)
    response = client.post(_url("answers_import", assessment), {"file": upload})
    html = response.content.decode()
    assert "Nothing was imported" in html and "Line 2" in html and "Line 3" in html
    assert not Respondent.objects.exists()


def test_an_import_posted_without_a_file_says_so(client, consultant, assessment):
    client.force_login(consultant)
    response = client.post(_url("answers_import", assessment), {})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
