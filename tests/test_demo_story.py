import hashlib
from collections import defaultdict
from datetime import date
from itertools import pairwise
from statistics import mean

import pytest

from assessments.models import Answer, Assessment, Choice, Respondent, RespondentRole
from bank.models import BankVersion, Handoff
from devtools.demo import _workspace as demo_workspace
from devtools.demo import seed_demo
from devtools.demo_story import seed_demo_assessments
from devtools.demo_world import DEMO_WORKSPACES
from lib.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
CLOSED = [Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)]
CURRENT = Quarter(2026, 4)
DEMO_CLIENTS = [client.name for spec in DEMO_WORKSPACES for client in spec.clients]
NOT_A_LEVEL = (Choice.NOT_APPLICABLE, Choice.DONT_KNOW)


@pytest.fixture
def demo():
    seed_demo(today=TODAY)  # loads the default bank, the workspaces, then the assessments


def _assessment(client: str, period: Quarter) -> Assessment:
    return Assessment.objects.get(client__name=client, year=period.year, quarter=period.number)


def _state():
    answers = Answer.objects.order_by(
        "respondent__assessment__client__name",
        "respondent__assessment__year",
        "respondent__assessment__quarter",
        "respondent__name",
        "question__key",
    ).values_list(
        "respondent__assessment__client__name",
        "respondent__assessment__year",
        "respondent__assessment__quarter",
        "respondent__name",
        "question__key",
        "choice",
        "comment",
    )
    checksum = hashlib.sha256(repr(list(answers)).encode()).hexdigest()
    return Assessment.objects.count(), Respondent.objects.count(), answers.count(), checksum


# ---- A tiny scoring of PRODUCT.md §3, independent of the app's own ------------------------


def _question_levels(assessment: Assessment) -> dict:
    """Question -> mean level of the submitted respondents, left out when nobody gave one."""
    levels = defaultdict(list)
    answers = Answer.objects.filter(
        respondent__assessment=assessment, respondent__submitted_at__isnull=False
    ).exclude(choice__in=NOT_A_LEVEL)
    for answer in answers.select_related("question"):
        levels[answer.question].append(int(answer.choice))
    return {question: mean(given) for question, given in levels.items()}


def _index(levels: dict, questions) -> float:
    weighted = [(float(q.weight), (levels[q] - 1) / 4 * 100) for q in questions if q in levels]
    return sum(w * i for w, i in weighted) / sum(w for w, _ in weighted)


def _scores(assessment: Assessment) -> dict:
    levels = _question_levels(assessment)
    by_dimension = defaultdict(list)
    for question in levels:
        by_dimension[question.dimension].append(question)
    dimensions = {key: _index(levels, qs) for key, qs in by_dimension.items()}
    handoffs = {
        handoff.value: _index(levels, [q for q in levels if getattr(q, handoff.value)])
        for handoff in Handoff
    }
    # min() keeps the first of equals, and Handoff lists the handoffs upstream first.
    baton_drop = min(handoffs, key=handoffs.get)
    return {
        "overall": mean(dimensions.values()),
        "dimensions": dimensions,
        "handoffs": handoffs,
        "baton_drop": baton_drop,
    }


def _history(client: str) -> list[dict]:
    return [_scores(_assessment(client, period)) for period in CLOSED]


# ---- The shape of the demo --------------------------------------------------------------


def test_every_demo_client_gets_four_closed_quarters_and_an_open_one(demo):
    for client in DEMO_CLIENTS:
        assessments = Assessment.objects.filter(client__name=client)
        assert sorted((a.period, a.status) for a in assessments) == [
            *[(period, Assessment.Status.CLOSED) for period in CLOSED],
            (CURRENT, Assessment.Status.OPEN),
        ], client


def test_closed_quarters_were_opened_and_closed_inside_the_quarter(demo):
    for assessment in Assessment.objects.filter(status=Assessment.Status.CLOSED):
        assert Quarter.of(assessment.opened_at.date()) == assessment.period
        assert Quarter.of(assessment.closed_at.date()) == assessment.period
        assert assessment.opened_at < assessment.closed_at


def test_closed_quarters_have_three_to_five_people_of_different_roles_who_answered_all(demo):
    # The closed quarters were answered on 2026.1; the open one is on the current bank.
    version = BankVersion.objects.get(label="2026.1")
    assert BankVersion.objects.current().label == "2026.2"
    question_count = version.questions.count()
    for assessment in Assessment.objects.filter(status=Assessment.Status.CLOSED):
        respondents = list(assessment.respondents.with_answer_counts())
        roles = [r.role for r in respondents]
        assert 3 <= len(respondents) <= 5, assessment
        assert len(set(roles)) == len(roles), assessment
        assert {RespondentRole.MARKETING, RespondentRole.SALES} <= set(roles), assessment
        assert assessment.bank_version == version
        for respondent in respondents:
            assert respondent.is_submitted, respondent
            assert respondent.answer_count == question_count, respondent
            assert respondent.email.endswith(".example"), respondent


def test_the_open_quarter_has_people_partway_and_someone_not_started(demo):
    question_count = BankVersion.objects.current().questions.count()
    assert all(
        _assessment(client, CURRENT).bank_version.label == "2026.2" for client in DEMO_CLIENTS
    )
    for client in DEMO_CLIENTS:
        respondents = list(_assessment(client, CURRENT).respondents.with_answer_counts())
        in_progress = [
            r
            for r in respondents
            if 0 < r.answer_count < question_count and r.started_at and not r.is_submitted
        ]
        not_started = [r for r in respondents if r.answer_count == 0 and not r.started_at]
        assert in_progress, client
        assert not_started, client


def test_most_people_answer_again_the_next_quarter(demo):
    for client in DEMO_CLIENTS:
        names = [
            set(_assessment(client, period).respondents.values_list("name", flat=True))
            for period in [*CLOSED, CURRENT]
        ]
        for before, after in pairwise(names):
            assert len(before & after) >= 2, client


def test_running_it_again_changes_nothing(demo):
    before = _state()
    seed_demo_assessments(today=TODAY)
    assert _state() == before


def test_it_does_nothing_without_a_published_bank():
    for spec in DEMO_WORKSPACES:
        demo_workspace(spec)  # the demo clients, but no bank
    seed_demo_assessments(today=TODAY)
    assert not Assessment.objects.exists()


# ---- The story ---------------------------------------------------------------------------


def test_at_least_one_client_moves_its_baton_drop_over_the_year(demo):
    drops = {client: [s["baton_drop"] for s in _history(client)] for client in DEMO_CLIENTS}
    assert any(history[0] != history[-1] for history in drops.values())


def test_brightline_fixes_lead_to_sales_and_the_drop_moves_upstream(demo):
    history = _history("Brightline Logistics")
    assert history[0]["baton_drop"] == Handoff.LEAD_TO_SALES
    assert history[-1]["baton_drop"] == Handoff.DEMAND_TO_LEAD


def test_meridian_drops_the_baton_at_the_first_handoff(demo):
    history = _history("Meridian Industrial Controls")
    assert all(scores["baton_drop"] == Handoff.GTM_TO_DEMAND for scores in history)


def test_every_client_improves_over_the_year(demo):
    for client in DEMO_CLIENTS:
        history = _history(client)
        assert history[-1]["overall"] > history[0]["overall"], client


def test_progress_is_uneven_somewhere(demo):
    def rises_every_quarter(values):
        return all(later > earlier for earlier, later in pairwise(values))

    stalls = [
        (client, dimension)
        for client in DEMO_CLIENTS
        for dimension in ("people", "process", "content", "technology")
        if not rises_every_quarter([s["dimensions"][dimension] for s in _history(client)])
    ]
    assert stalls


def test_marketing_and_sales_disagree_somewhere_by_two_levels_or_more(demo):
    given = defaultdict(dict)
    for assessment_id, role, question_id, choice in Answer.objects.filter(
        respondent__role__in=[RespondentRole.MARKETING, RespondentRole.SALES],
        respondent__submitted_at__isnull=False,
    ).values_list("respondent__assessment", "respondent__role", "question", "choice"):
        if choice not in NOT_A_LEVEL:
            given[assessment_id, question_id][role] = int(choice)
    gaps = [
        abs(levels[RespondentRole.MARKETING] - levels[RespondentRole.SALES])
        for levels in given.values()
        if len(levels) == 2
    ]
    assert max(gaps) >= 2


def test_a_few_answers_are_not_applicable_or_dont_know_and_some_have_comments(demo):
    answers = Answer.objects.all()
    total = answers.count()
    not_applicable = answers.filter(choice=Choice.NOT_APPLICABLE).count()
    dont_know = answers.filter(choice=Choice.DONT_KNOW).count()
    commented = answers.exclude(comment="").count()
    assert 0 < not_applicable < 0.05 * total
    assert 0 < dont_know < 0.08 * total
    assert 0.03 * total < commented < 0.3 * total


def test_the_open_quarter_has_a_deadline_emails_sent_and_every_kind_of_respondent(demo):
    from assessments.models import LinkEmail, RespondentStatus, respondent_status

    open_ones = Assessment.objects.filter(status="open")
    assert open_ones.exists() and all(a.deadline and a.deadline >= TODAY for a in open_ones)
    respondents = Respondent.objects.filter(assessment__in=open_ones).with_tracking()
    statuses = {respondent_status(r, r.answer_count) for r in respondents}
    assert statuses == {
        RespondentStatus.SUBMITTED,
        RespondentStatus.IN_PROGRESS,
        RespondentStatus.OPENED,
        RespondentStatus.INVITED,
    }
    assert all(r.link_works_until for r in respondents if not r.is_submitted)
    emails = LinkEmail.objects.filter(respondent__assessment__in=open_ones)
    assert emails.filter(kind="invitation").count() == respondents.count()
    assert emails.filter(kind="reminder").exists()
    assert not emails.filter(kind="reminder", respondent__submitted_at__isnull=False).exists()
