import csv
import io

import pytest
from django.urls import reverse

from assessments.exports import SCHEMA
from assessments.models import Answer
from assessments.results import BankCache, compute_results, previous_assessment
from funnel.models import FunnelFigures
from tests.factories import answer_all, make_assessment, make_bank_version, make_respondent

DIMENSION_FIELDS = (
    "key",
    "name",
    "weight",
    "index",
    "stage",
    "stage_name",
    "confidence",
    "target",
    "target_index",
    "gap",
)
HANDOFFS = ["gtm_to_demand", "demand_to_lead", "lead_to_sales"]
RULES_STATED = (
    "(level − 1) ÷ 4 × 100",
    "baton drop",
    "1.5 if the question is tagged",
    "20 points or more",
    "upstream first",
)


@pytest.fixture
def assessment(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(gtm_client, version=version, status="open")
    marketing = make_respondent(assessment, name="Mia Marketing", role="marketing")
    sales = make_respondent(assessment, name="Sol Sales", role="sales")
    answer_all(marketing, "4", submit=True)
    answer_all(sales, "2", submit=True)
    Answer.objects.filter(respondent=sales, question__key="people.q1").update(
        choice="NA", comment="=1+2"
    )
    answer_all(make_respondent(assessment, name="Ivo InProgress", role="sales"), "1")
    return assessment


def _url(name, assessment):
    return reverse(f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk])


def test_the_results_page_shows_the_figures_with_a_preliminary_banner(client, viewer, assessment):
    client.force_login(viewer)
    html = client.get(_url("results", assessment)).content.decode()
    assert "Preliminary:" in html
    assert "rest on 2 submitted respondents; 1 more is still answering" in html
    # Levels 4 and 2 give 50 everywhere, but people.q1 has only the 4 (Sol said NA): 75.
    # People = (75 + 5 x 50) / 6 = 54.2; overall = (54.2 + 50 + 50 + 50) / 4 = 51.
    overall = html.split("Overall maturity")[1]
    assert overall.lstrip().startswith('</h2>\n    <p class="stat-value">51<span')
    assert "<svg" in html and "chart-radar" in html and "chart-relay" in html
    assert "Alignment gap" in html and "Where respondents disagree" in html
    assert reverse("assessments:methodology") in html


def test_without_submissions_the_page_says_what_to_expect(client, viewer, gtm_client):
    assessment = make_assessment(gtm_client, status="open")
    answer_all(make_respondent(assessment), "3")
    client.force_login(viewer)
    html = client.get(_url("results", assessment)).content.decode()
    assert "No results yet" in html and "<svg" not in html


def test_results_json_follows_the_documented_schema(client, viewer, assessment):
    client.force_login(viewer)
    data = client.get(_url("results_json", assessment)).json()
    assert data["schema"] == SCHEMA
    assert data["assessment"] == {
        "client": "Brightline Logistics",
        "quarter": "2026-Q3",
        "bank_version": "2026.1",
        "status": "open",
        "submitted_respondents": 2,
    }
    assert set(data) == {
        "schema",
        "act_first",
        "assessment",
        "targets",
        "overall",
        "dimensions",
        "handoffs",
        "questions",
        "recommendations",
        "alignment",
        "funnel",
        "previous_quarter",
    }
    assert data["funnel"] is None  # no funnel figures for this quarter
    assert data["overall"] == {
        "index": 51.0,
        "stage": 3,
        "stage_name": "Defined",
        "partial": False,
        "preliminary": True,  # the assessment is still open
    }
    assert set(data["act_first"]) == {"handoff", "rule", "headline", "reason"}
    assert data["act_first"]["handoff"] == next(
        h["key"] for h in data["handoffs"] if h["baton_drop"]
    )
    assert [d["key"] for d in data["dimensions"]] == ["people", "process", "content", "technology"]
    assert set(data["dimensions"][0]) == set(DIMENSION_FIELDS)
    assert [h["key"] for h in data["handoffs"]] == HANDOFFS
    assert sum(h["baton_drop"] for h in data["handoffs"]) == 1
    people_q1 = next(q for q in data["questions"] if q["key"] == "people.q1")
    assert people_q1 == {
        "key": "people.q1",
        "dimension": "people",
        "text": "How mature is people.q1?",
        "weight": 1.0,
        "handoffs": ["gtm_to_demand"],
        "level": 4.0,
        "index": 75.0,
        "spread": 0,
        "answers": {"total": 2, "levels": 1, "not_applicable": 1, "dont_know": 0},
        "answered_level": 4.0,
        "validation": None,  # no level validated from evidence
        "consensus": None,  # no live workshop agreed a level
    }
    first = data["recommendations"][0]
    assert set(first) == {
        "rank",
        "question",
        "title",
        "next_steps",
        "from_level",
        "priority",
        "impact",
        "effort",
        "handoffs",
        "level",
        "target",
        "on_baton_drop",
        "funnel_boost",
    }
    ranks = [r["rank"] for r in data["recommendations"]]
    assert ranks == list(range(1, len(ranks) + 1))
    priorities = [r["priority"] for r in data["recommendations"]]
    assert priorities == sorted(priorities, reverse=True)
    assert data["alignment"]["disagreements"][0]["spread"] == 2
    assert data["alignment"]["role_indexes"]["marketing"]["people"] == 75.0


def test_results_csv_has_one_row_per_question(client, viewer, assessment):
    client.force_login(viewer)
    response = client.get(_url("results_csv", assessment))
    disposition = 'attachment; filename="Brightline-Logistics-2026-Q3-results.csv"'
    assert response["Content-Disposition"] == disposition
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert len(rows) == 24
    assert rows[0]["question_key"] == "people.q1" and rows[0]["index"] == "75.0"
    assert rows[1]["level"] == "3.0" and rows[1]["spread"] == "2"


def test_answers_csv_has_every_answer_flagged_and_formulas_defused(client, viewer, assessment):
    client.force_login(viewer)
    text = client.get(_url("answers_csv", assessment)).content.decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 72
    assert {r["submitted"] for r in rows if r["respondent"] == "Ivo InProgress"} == {"no"}
    na = next(r for r in rows if (r["respondent"], r["question_key"]) == ("Sol Sales", "people.q1"))
    assert na["level"] == "NA" and na["comment"] == "'=1+2"


def test_the_results_take_a_constant_number_of_queries(
    client, viewer, gtm_client, django_assert_max_num_queries
):
    """60 questions x 10 respondents, with a previous quarter on the same bank."""
    version = make_bank_version(label="big", per_dimension=15, publish=True)
    for quarter in (2, 3):
        assessment = make_assessment(gtm_client, version=version, quarter=quarter, status="closed")
        for n in range(10):
            respondent = make_respondent(assessment, role=("marketing", "sales")[n % 2])
            answer_all(respondent, str(n % 5 + 1), submit=True)
    client.force_login(viewer)
    url = _url("results", assessment)
    client.get(url)
    with django_assert_max_num_queries(8):
        cache = BankCache()
        computed = compute_results(assessment, cache)
        compute_results(previous_assessment(assessment), cache)
    assert computed.results.respondent_count == 10 and len(computed.results.questions) == 60
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_a_results_page_pinned_to_an_older_bank_says_so_and_links_to_the_changes(
    client, viewer, assessment
):
    from bank.services import publish

    client.force_login(viewer)
    notice = "These results use question bank 2026.1, the version this assessment started with"
    assert notice not in client.get(_url("results", assessment)).content.decode()
    publish(version=make_bank_version(label="2026.2"), changelog="Sharper descriptors.")
    html = client.get(_url("results", assessment)).content.decode()
    assert f"{notice}; 2026.2 has been published since." in html
    changes = reverse("assessments:methodology") + "#bank-changes"
    assert f'<a href="{changes}">What changed since 2026.1</a>' in html
    make_bank_version(label="2026.3", publish=True)
    html = client.get(_url("results", assessment)).content.decode()
    assert f"{notice}; 2 versions have been published since, the newest 2026.3." in html


def test_the_methodology_page_says_what_changed_in_each_bank_version(client, db):
    from bank.services import publish

    publish(version=make_bank_version(label="2026.1"), changelog="The first edition.")
    publish(version=make_bank_version(label="2026.2"), changelog="Sharper descriptors.")
    make_bank_version(label="2026.3")  # a draft: not shown
    html = client.get(reverse("assessments:methodology")).content.decode()
    assert '<h2 id="bank-changes-heading">What changed in 2026.2</h2>' in html
    assert "Sharper descriptors." in html
    assert "<h3>Earlier versions</h3>" in html
    assert "<dd>The first edition.</dd>" in html
    assert "2026.3" not in html


def test_the_methodology_page_is_public_and_states_the_rules(client, db):
    html = client.get(reverse("assessments:methodology")).content.decode()
    for rule in RULES_STATED:
        assert rule in html, rule


@pytest.fixture
def poor_follow_up(assessment):
    """Funnel figures for the quarter in which sales accepts few MQLs, slowly: lead -> sales is
    poor, though the questionnaire rates it 50 (levels 4 and 2)."""
    return FunnelFigures.objects.create(
        client=assessment.client,
        year=2026,
        quarter=3,
        inquiries=1000,
        mqls=300,
        sals=60,
        sqls=6,
        days_mql_to_sal=9,
    )


def test_the_funnel_section_of_results_json(client, viewer, assessment, poor_follow_up):
    client.force_login(viewer)
    funnel = client.get(_url("results_json", assessment)).json()["funnel"]
    assert funnel["quarter"] == "2026-Q3"
    assert funnel["figures"]["mqls"] == 300 and funnel["figures"]["impressions"] is None
    assert funnel["kpis"]["mql_to_sal"] == 0.2 and funnel["kpis"]["inquiry_to_mql"] == 0.3
    lead = next(h for h in funnel["handoffs"] if h["key"] == "lead_to_sales")
    assert (lead["observed_health"], lead["observed_score"]) == ("poor", 0.0)
    assert lead["contradiction"] is None  # rated 50: not high, so no contradiction
    assert funnel["priority_boosts"] == {"lead_to_sales": 1.25}


def test_poor_observed_health_boosts_the_recommendations_of_its_handoff(
    client, viewer, assessment, poor_follow_up
):
    client.force_login(viewer)
    data = client.get(_url("results_json", assessment)).json()
    for recommendation in data["recommendations"]:
        expected = 1.25 if "lead_to_sales" in recommendation["handoffs"] else 1.0
        assert recommendation["funnel_boost"] == expected


def test_an_overrated_handoff_is_called_out_on_the_page_and_in_json(
    client, viewer, assessment, poor_follow_up
):
    # Everyone at level 5 on lead -> sales: rated 100, but the funnel says poor.
    Answer.objects.filter(respondent__assessment=assessment, question__lead_to_sales=True).update(
        choice="5"
    )
    client.force_login(viewer)
    data = client.get(_url("results_json", assessment)).json()
    [contradiction] = data["funnel"]["contradictions"]
    assert (contradiction["handoff"], contradiction["kind"]) == ("lead_to_sales", "overrated")
    html = client.get(_url("results", assessment)).content.decode()
    assert "Funnel check" in html and "Rated high by the respondents, poor in the funnel" in html
    assert contradiction["message"] in html
