"""Who sees the answers: named, confidential to the consultants, or anonymous. Decided before
the first answer, only tightened after it; said to respondents; honoured by the results page,
results.json, both CSVs and the PDF report."""

import csv
import io
import subprocess

import pytest
from django.core import mail
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, ReportOptions, Visibility, VisibilityChange
from assessments.pdf import render_report_pdf
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_respondent,
)

pytestmark = pytest.mark.django_db

NAMES = ("Priya Shah", "Sam Sales", "Sol Seller", "Sue Selling", "Leo Leader")


@pytest.fixture
def assessment(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(gtm_client, version=version, status="open")
    roles = ("sales", "sales", "sales", "marketing", "leadership")
    for number, (name, role) in enumerate(zip(NAMES, roles, strict=True)):
        answer_all(make_respondent(assessment, name=name, role=role), str(number % 5 + 1))
    for respondent in assessment.respondents.all():
        respondent.answers.filter(question__key="people.q1").update(
            comment=f"{respondent.name.split()[0]} thinks so"
        )
        services.submit(respondent=respondent)
    return Assessment.objects.select_related("client__workspace").get(pk=assessment.pk)


def _set(assessment, visibility):
    Assessment.objects.filter(pk=assessment.pk).update(answer_visibility=visibility)
    assessment.refresh_from_db()


def _outputs(client, owner, assessment) -> dict[str, str]:
    slug = assessment.client.workspace.slug
    client.force_login(owner)

    def get(name):
        return client.get(reverse(f"assessments:{name}", args=[slug, assessment.pk])).content

    # The full report: its appendix holds every answer and comment.
    pdf = render_report_pdf(
        assessment=assessment, options=ReportOptions(assessment=assessment, sections="full")
    )
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    # The results page, and each dimension's answers, which it loads when opened.
    details = [
        client.get(
            reverse("assessments:results_detail", args=[slug, assessment.pk, dimension])
        ).content.decode()
        for dimension in ("people", "process", "content", "technology")
    ]
    return {
        "page": get("results").decode() + "".join(details),
        "results.json": get("results_json").decode(),
        "results.csv": get("results_csv").decode(),
        "answers.csv": get("answers_csv").decode(),
        "pdf": " ".join(text.split()),
    }


def _named_in(outputs) -> set[str]:
    return {where for where, text in outputs.items() if any(name in text for name in NAMES)}


def test_named_answers_show_their_names_on_the_page_in_answers_csv_and_the_report(
    client, owner, assessment
):
    assert _named_in(_outputs(client, owner, assessment)) == {"page", "answers.csv", "pdf"}


def test_confidential_answers_are_named_for_the_workspace_and_never_in_the_report(
    client, owner, assessment
):
    _set(assessment, Visibility.CONFIDENTIAL)
    outputs = _outputs(client, owner, assessment)
    assert _named_in(outputs) == {"page", "answers.csv"}
    assert "“Priya thinks so”" in outputs["pdf"]  # the comment, without its author
    assert "Other roles" in outputs["pdf"]  # leadership and marketing have one person each


def test_anonymous_answers_show_no_name_anywhere(client, owner, assessment):
    _set(assessment, Visibility.ANONYMOUS)
    outputs = _outputs(client, owner, assessment)
    assert _named_in(outputs) == set()
    assert "Priya thinks so" in outputs["page"] and "Priya thinks so" in outputs["pdf"]
    rows = list(csv.reader(io.StringIO(outputs["answers.csv"].lstrip("\ufeff"))))[1:]
    people = {row[0] for row in rows}
    assert people == {f"Respondent {n}" for n in range(1, 6)}
    roles = {row[1] for row in rows}
    assert roles == {"sales", "other_roles"}  # one marketer and one leader: folded together


def test_anonymous_pseudonyms_are_stable_from_one_export_to_the_next(client, owner, assessment):
    _set(assessment, Visibility.ANONYMOUS)
    first = _outputs(client, owner, assessment)["answers.csv"]
    assert _outputs(client, owner, assessment)["answers.csv"] == first
    # Respondent 1 is the first added (Priya, in sales), whatever the alphabet says.
    assert '"Respondent 1","sales","people.q1",1,"Priya thinks so"' in first


def test_anonymous_roles_with_fewer_than_three_people_fold_into_other_roles(
    client, owner, assessment
):
    _set(assessment, Visibility.ANONYMOUS)
    client.force_login(owner)
    slug = assessment.client.workspace.slug
    data = client.get(reverse("assessments:results_json", args=[slug, assessment.pk])).json()
    assert set(data["alignment"]["role_indexes"]) == {"sales", "other_roles"}
    page = client.get(reverse("assessments:results", args=[slug, assessment.pk])).content
    assert "shown together as “Other roles”" in page.decode()


# ---- Changing it ---------------------------------------------------------------------------


def _post(client, assessment, visibility):
    url = reverse(
        "assessments:assessment_visibility", args=[assessment.client.workspace.slug, assessment.pk]
    )
    return client.post(url, {"visibility": visibility})


def test_before_any_answer_the_setting_changes_either_way(client, owner, gtm_client):
    empty = make_assessment(gtm_client, quarter=4, answer_visibility=Visibility.ANONYMOUS)
    client.force_login(owner)
    assert _post(client, empty, Visibility.NAMED).status_code == 302
    empty.refresh_from_db()
    assert empty.answer_visibility == Visibility.NAMED
    change = VisibilityChange.objects.get(assessment=empty)
    assert (change.previous, change.new, change.changed_by) == ("anonymous", "named", owner)
    assert change.answers_at_the_time == 0


def test_after_the_first_answer_it_only_tightens(client, owner, assessment):
    client.force_login(owner)
    assert _post(client, assessment, Visibility.CONFIDENTIAL).status_code == 302
    response = _post(client, assessment, Visibility.NAMED)
    assert response.status_code == 200
    assert "it can only become more private now" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.answer_visibility == Visibility.CONFIDENTIAL
    assert VisibilityChange.objects.filter(assessment=assessment).count() == 1
    assert _post(client, assessment, Visibility.ANONYMOUS).status_code == 302
    assert VisibilityChange.objects.filter(assessment=assessment).count() == 2


def test_the_service_refuses_loosening_too(owner, assessment):
    _set(assessment, Visibility.ANONYMOUS)
    with pytest.raises(services.AssessmentError):
        services.change_visibility(
            assessment=assessment, visibility=Visibility.NAMED, changed_by=owner
        )
    assert Assessment.objects.get(pk=assessment.pk).answer_visibility == Visibility.ANONYMOUS


def test_a_closed_assessment_keeps_its_setting(client, owner, assessment):
    assessment.close()
    client.force_login(owner)
    _post(client, assessment, Visibility.ANONYMOUS)
    assert Assessment.objects.get(pk=assessment.pk).answer_visibility == Visibility.NAMED


# ---- Telling respondents -------------------------------------------------------------------


def test_respondents_read_the_setting_in_their_email_and_on_every_questionnaire_page(
    client, owner, gtm_client
):
    assessment = make_assessment(
        gtm_client, quarter=4, status="draft", answer_visibility=Visibility.ANONYMOUS
    )
    make_respondent(assessment, name="Rita Respondent", email="rita@example.com")
    client.force_login(owner)
    slug = assessment.client.workspace.slug
    client.post(reverse("assessments:assessment_open", args=[slug, assessment.pk]))
    sentence = "Your answers are anonymous"
    assert sentence in mail.outbox[-1].body
    token = mail.outbox[-1].body.split("/r/")[1].split("/")[0]
    client.logout()
    for page in ("", "s/people/", "review/"):
        html = client.get(f"/r/{token}/{page}", follow=True).content.decode()
        assert sentence in html, page
